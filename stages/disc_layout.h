// Where the discs are in a submission, from its file list alone.
//
// A disc (or its copy) is recognised by what a CD/DVD carries: a DICOMDIR, an autorun.inf or
// viewer software in a folder, or any ISO 9660 image. Names are compared as a disc shows them:
// upper-cased, without the ISO 9660 version suffix (";1") and trailing dot ("DICOMDIR.;1").
// Pure functions over the Case model; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/case_model.h"

namespace intake::stages {

// One path component as a disc names it: "dicomdir.;1" -> "DICOMDIR", "im0001;1" -> "IM0001".
std::string DiscComponent(std::string_view component);

// The last component of a relative path ("a/b/DICOMDIR" -> "DICOMDIR"), and its folder
// ("a/b", "" at the top).
std::string_view FileName(std::string_view relative_path);
std::string_view FolderOf(std::string_view relative_path);

// A file named DICOMDIR (in any case, ISO suffixes allowed) that holds a DICOM directory.
bool IsDicomdirFile(const SourceFile& file);

// Viewer software: executables by content, *.exe / *.com / *.msi / *.dll by name (disc copies
// often hold empty or damaged ones), and autorun.inf.
bool IsViewerFile(const SourceFile& file);
bool IsAutorunFile(const SourceFile& file);

// A folder tree on one medium: the files of `container_id` whose relative path starts with
// `folder` + "/" (all of them when `folder` is empty).
struct FileTree {
  std::string container_id;
  std::string folder;
  bool Contains(const SourceFile& file) const;
};

// The trees that look like discs: the folders of DICOMDIRs, autorun.inf files and viewer
// executables, and the contents of every ISO 9660 image.
std::vector<FileTree> FindDiscTrees(const Case& c);

// True when `file` lies in one of `trees`, or in an archive that does (a zip on a disc).
bool IsOnDisc(const Case& c, const SourceFile& file, const std::vector<FileTree>& trees);

}  // namespace intake::stages

// DICOMDIR records: which files a DICOM file-set's directory says it holds.
//
// The pipeline walks every file itself and uses the DICOMDIR only as a cross-check, so all that
// is read here is the Referenced File ID (0004,1500) of every directory record, in file order.
// The record hierarchy and its offsets are not followed: DICOMDIRs with broken, missing or
// reordered offsets still list their files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/result.h"

namespace intake::dicom {

// One referenced file: its path components as written ("IMAGES", "IM000001").
using FileIdComponents = std::vector<std::string>;

// Reads the directory records of `path`. Fails (message without file content) when the file
// cannot be parsed or is not a DICOMDIR (no Directory Record Sequence).
Result<std::vector<FileIdComponents>> ReadDicomdirFileIds(const std::filesystem::path& path);

}  // namespace intake::dicom

// The physician's case folder: where each part of a case is filed, and the stage that files the
// imaging and the original submission.
//
//   OUT/<case-id>/report.html, report.json         the summary, on top
//   01_紹介状/01_診療情報提供書（紹介状）.pdf        one numbered folder per folder of the
//   profile's 02_申込書/02_セカンドオピニオン外来申込書.pdf     document types, in profile order
//   (types that 08_検査データ/05_血液検査結果.pdf                share a `folder` are filed
//   together)
//   09_画像/患者1_<ID>/検査1_<date>_<modality>_<description>/シリーズ1_<modality>_<description>/
//            キー画像.png, DICOM/<the series' original files>
//   10_その他/07_その他の書類.pdf                    documents no type fits
//   11_原本/<submission as received>, SHA256SUMS, 説明.txt
//   11_原本/封筒2/<the second envelope as received>, SHA256SUMS, 説明.txt   (a case of several)
//
// Folder numbers are fixed by the profile (a missing document leaves its number unused, so 01 is
// always the referral letter); only folders with something in them are made. PDF names start with
// the document's place in the case, so the folder lists them in report order. Names taken from
// DICOM values are made safe for Linux and for Windows shares (no separators, no characters
// Windows refuses, at most 40 bytes each).
//
// The case-folder stage runs after write_documents (which writes the PDFs where the layout says):
// it copies the submission into the original's folder (or hard-links it, when the caller owns the
// copy it processes and never changes it: the watcher's claimed copy; or hard-links the copies
// `intake process` made while hashing the submission) with a SHA256SUMS file that
// `sha256sum -c` checks, moves each series' key image into its series folder and files the
// series' DICOM files beside it (hard links to the copy of the original or to the files unpacked
// from archives: no second copy on disk). Failing to write fails the case (disk full).
#pragma once

#include <filesystem>
#include <map>
#include <vector>
#include <memory>
#include <string>
#include <string_view>

#include "config/profile.h"
#include "pipeline/stage.h"

namespace intake::stages {

class CaseFolderLayout {
 public:
  // Without a profile: every document in the folder of "other" documents (for tests).
  CaseFolderLayout();
  explicit CaseFolderLayout(const config::Profile& profile);

  // "01_紹介状": the folder of documents of this type; unknown types go to the "other" folder.
  const std::string& DocumentFolder(std::string_view type) const;
  // "05_血液検査結果.pdf": the file name of the case's `index`-th document (0-based) of this type.
  std::string DocumentFileName(std::size_t index, std::string_view type) const;
  const std::string& imaging_folder() const { return imaging_; }
  const std::string& original_folder() const { return original_; }

 private:
  struct TypeEntry {
    std::string folder;
    std::string label;
  };
  std::map<std::string, TypeEntry, std::less<>> types_;
  std::string other_;
  std::string imaging_;
  std::string original_;
};

// `text` as one file or folder name: characters Linux or Windows refuse become '_', invisible
// controls (bidi overrides, zero-width characters) are dropped, spaces and dots are trimmed at
// the ends, at most `max_bytes` bytes (cut at a character boundary).
std::string SafeName(std::string_view text, std::size_t max_bytes = 40);

// One envelope of a case spanning several, to keep as received (Case::envelopes[number - 1]).
struct KeptEnvelope {
  int number = 1;
  std::filesystem::path submission;  // as given to the unpack stage for it
  bool link = false;                 // hard-link rather than copy (see link_original)
};

struct CaseFolderOptions {
  std::filesystem::path case_dir;
  std::filesystem::path submission;  // as given to the unpack stage
  CaseFolderLayout layout;
  // Hard-link the original instead of copying it (the caller never changes the submission).
  bool link_original = false;
  // SHA-256 of the submission's files by path, as hashed on arrival (others are hashed here).
  std::map<std::string, std::string> known_hashes;
  // Copies of the submission's files made while they were hashed, by path (their hashes are in
  // known_hashes): ours, so linked into the original's folder instead of copied again.
  std::map<std::string, std::filesystem::path> ready_copies;
  // A case of several envelopes: each is kept (the first in 11_原本/, envelope N in
  // 11_原本/封筒N/) and `submission` / `link_original` are not used. Empty: one envelope.
  std::vector<KeptEnvelope> envelopes;
};

std::unique_ptr<Stage> MakeCaseFolderStage(CaseFolderOptions options);

}  // namespace intake::stages

// CaseProcessor: one submission in, one case folder with report.json and report.html out.
//
// Builds the Case (id, hash, dates, work area), runs the stages in order, writes the reports,
// appends the case's record to the output folder's audit trail (audit/), rebuilds the folder's
// index.html (dashboard/) and cleans the work area. The submission is only read. Used by `intake
// process` and, later, by the inbox watcher. Not thread-safe: one processor per thread (the OCR
// pool inside is already parallel across pages).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/profile.h"
#include "ocr/ocr_pool.h"
#include "pipeline/case_model.h"
#include "pipeline/result.h"

namespace intake::app {

struct ProcessOptions {
  std::filesystem::path out_dir;
  bool keep_work = false;  // keep extracted files and rendered pages (for debugging)
  int render_dpi = 300;
  double low_ocr_confidence = 0.6;
  std::string program_version;
  bool update_index = true;  // rebuild OUT/index.html after the case
};

struct Outcome {
  Status status;  // failure of the whole case (I/O, internal), not a verdict
  std::string case_id;
  std::filesystem::path case_dir;
  Verdict verdict = Verdict::kNeedsReview;
  std::vector<std::string> missing;       // requirement ids
  std::vector<std::string> needs_review;  // requirement ids
};

class CaseProcessor {
 public:
  CaseProcessor(const config::Profile& profile, ocr::OcrPool& ocr, ProcessOptions options);
  Outcome Process(const std::filesystem::path& submission);

 private:
  const config::Profile& profile_;
  ocr::OcrPool& ocr_;
  ProcessOptions options_;
};

// SHA-256 of a file's bytes, or of a folder (sorted relative paths and their files' hashes).
// With `file_hashes_by_path`, also each file's own hash, keyed by its path.
Result<std::string> SubmissionHash(const std::filesystem::path& submission);
Result<std::string> SubmissionHash(const std::filesystem::path& submission,
                                   std::map<std::string, std::string>* file_hashes_by_path);

}  // namespace intake::app

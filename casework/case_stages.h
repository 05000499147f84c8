// The stages of one case, listed in one function in the order of README.md's diagram:
//
//   submission ─▶ unpack ─▶ dicom ─▶ pages ─▶ ocr ─▶ screen ─▶ reply_slip ─▶ classify
//     ─▶ write_documents ─▶ case_folder ─▶ facts ─▶ crosscheck
//     ─▶ (follow-up? its case again over all envelopes)
//     ─▶ rules ─▶ write_letter ─▶ case_state ─▶ write
//
// Each name is the stage's name (progress lines, the case time limit's message) and its file's in
// stages/ (the stage `dicom` is stages/dicom.cc). The list has two parts: between them
// CaseProcessor decides whether the envelope follows up a case of the output folder.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/profile.h"
#include "ocr/ocr_pool.h"
#include "pipeline/stage.h"
#include "report/report_context.h"

namespace intake::casework {

// One envelope of the case: where it is, its number (from 1), and whether the case folder keeps
// it as a hard link (ProcessOptions::link_original).
struct EnvelopeSource {
  std::filesystem::path path;
  int number = 1;
  bool link = false;
};

struct CaseStagesInput {
  const config::Profile& profile;
  ocr::OcrPool& ocr;
  int render_dpi = 300;
  double low_ocr_confidence = 0.6;
  std::vector<EnvelopeSource> envelopes;  // at least one
  std::map<std::string, std::string> file_hashes;  // CaseIdentity::file_hashes
  std::map<std::string, std::filesystem::path> file_copies;  // CaseIdentity::file_copies
  std::filesystem::path case_dir;
  std::filesystem::path records_dir;  // OUT: the audit trail, earlier case folders
  report::ReportContext report_context;
};

struct CaseStages {
  std::vector<std::unique_ptr<Stage>> reading;  // unpack .. crosscheck
  std::vector<std::unique_ptr<Stage>> verdict;  // rules .. write
};

CaseStages MakeCaseStages(const CaseStagesInput& in);

}  // namespace intake::casework

// Output folders for the review server's tests and benchmark: case folders whose report.json and
// report.html are made by the real rules stage and report writers from a Case built here (no OCR:
// the documents, pages and facts a pipeline run would have found), so that the server's
// recomputation from report.json meets reports exactly as the pipeline writes them.
//
// Kinds (the default profile, utokyo-online):
//   complete      the patient attends; every document is there
//   incomplete    the family attends alone, no consent form (consent_form missing)
//   needs_review  as incomplete, with a consent form classified with low confidence
//   other_page    as incomplete, the consent form's page classified as "other" (d007)
//   mismatch      complete, with a PATIENT_MISMATCH finding (needs_review)
// Every case: a two-page referral letter d001 (p0001, p0002), then one page per document.
#pragma once

#include <filesystem>
#include <string>

#include "config/profile.h"
#include "pipeline/case_model.h"
#include "pipeline/result.h"

namespace intake::serve_test {

enum class Kind { kComplete, kIncomplete, kNeedsReview, kOtherPage, kMismatch };

struct Patient {
  std::string name = "山田 太郎";
  std::string kana = "ヤマダ タロウ";
  std::string birth_date = "1950-04-01";
};

// The case, before the rules ran.
Case MakeCase(const config::Profile& profile, int index, Kind kind, const Patient& patient);

// Runs the rules on `c` and writes OUT/<id>/report.json and report.html. Returns the case id.
Result<std::string> WriteCase(const std::filesystem::path& out_dir, const config::Profile& profile,
                              Case c);

// `count` cases of every kind in turn, with varied names and dates; returns how many.
Result<int> WriteCases(const std::filesystem::path& out_dir, const config::Profile& profile,
                       int count);

}  // namespace intake::serve_test

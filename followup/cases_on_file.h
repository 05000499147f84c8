// The cases of an output folder as their report.json files record them: what the follow-up
// module (followup.h) needs to find the case an envelope belongs to and to process the case again
// over all its envelopes. Read-only; a case whose report cannot be read is left out.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/case_model.h"
#include "pipeline/result.h"

namespace intake::followup {

struct CaseOnFile {
  std::string case_id;
  std::filesystem::path dir;  // OUT/<case id>
  Verdict verdict = Verdict::kNeedsReview;
  // Whether the case still waits for something from the patient: its verdict is incomplete or
  // needs review, and staff have not closed or forwarded it (casestate/).
  bool open = false;
  // The patient as the case's facts name them (empty when unknown).
  std::string patient_name;
  std::string patient_kana;
  std::string birth_date;
  // The case's envelopes, the first one first; `original` relative to `dir`.
  std::vector<Envelope> envelopes;
  bool Holds(const std::string& sha256) const;
};

// The case `case_id` of `out`, or nullopt when it has no readable report.
std::optional<CaseOnFile> ReadCaseOnFile(const std::filesystem::path& out,
                                         const std::string& case_id);

// Every case of `out` (folders named like case ids with a readable report), by id.
std::vector<CaseOnFile> ListCasesOnFile(const std::filesystem::path& out);

}  // namespace intake::followup

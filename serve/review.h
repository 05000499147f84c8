// Review decisions over a case: what staff may decide, and the report recomputed from the
// pipeline's results plus the decisions.
//
// Decision kinds (the JSON a client posts; every kind but a note needs a "reason", free text
// kept in the case folder only, and may give a "reason_code", [a-z_]+, for the audit trail):
//   {"requirement": "consent_form", "status": "present"}      confirm or override a status
//   {"page": "p0003", "document_type": "consent_form"}         move a page to another type
//   {"document": "d002", "document_type": "consent_form"}      retype a whole document
//   {"document": "d002", "split_at": "p0005"}                  split before that page
//   {"document": "d002", "merge_with": "d003"}                 merge d003 into d002
//   {"fact": "attendance", "value": "family"}                  correct a fact (string/bool/int)
//   {"finding": 0, "status": "confirmed"|"dismissed"}          mark a finding (by index) checked
//   {"note": "..."}                                            a note
//
// Recompute: the pipeline's case (report.json as the pipeline wrote it) gets the page, document
// and fact decisions in order; the profile's rules run again (so a corrected fact changes what is
// required), then requirement decisions override their status (the last one per requirement
// wins), and the verdict is decided again with dismissed findings left out. When the report was
// made with another profile than the server's (a different SHA-256), the rules are not run again:
// only the overrides and the verdict are (`rules_rerun: false` in the report's review section).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "config/profile.h"
#include "pipeline/case_model.h"
#include "pipeline/result.h"
#include "report/report_context.h"

namespace intake::serve {

// The decision record to store for `body` posted by `user` against the case as it stands now
// (`current`: the recomputed case; `decisions`: the records so far): kind, target, before,
// after, reason, reason_code, user and the kind's own fields; seq and time are added by the
// caller. The error message says what is wrong with the body (HTTP 400), naming no patient data.
Result<nlohmann::json> MakeDecisionRecord(const nlohmann::json& body, const Case& current,
                                          const config::Profile& profile, const std::string& user,
                                          const nlohmann::json& decisions);

struct Recomputed {
  Case c;
  bool rules_rerun = false;
};

// The pipeline's case with `decisions` (an array of records) applied, as described above.
Recomputed Recompute(Case base, const nlohmann::json& decisions, const config::Profile& profile);

// report.json of a recomputed case: ReportJson plus a "review" section (decision count, the
// pipeline's verdict, whether the rules ran again, each finding's review status).
nlohmann::json ReviewedReportJson(const Recomputed& r, const report::ReportContext& context,
                                  const nlohmann::json& decisions, Verdict pipeline_verdict);

// The context to render a recomputed report with: the report's, plus the profile's labels.
report::ReportContext ReviewContext(report::ReportContext from_report,
                                    const config::Profile& profile);

}  // namespace intake::serve

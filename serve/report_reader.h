// report.json (schema intake.report/1) back into the Case model, so that a review decision can be
// applied to what the pipeline found and the rules run again (serve/review.h).
//
// What the report holds comes back: files, pages (classification, not their text), documents,
// facts with their sources, findings, requirements, the DICOM imaging. What it does not hold
// stays empty: the pages' text and OCR lines, work paths. The ReportContext (versions, profile,
// document type labels) is taken from the report too.
#pragma once

#include <nlohmann/json.hpp>

#include "pipeline/case_model.h"
#include "pipeline/result.h"
#include "report/report_context.h"

namespace intake::serve {

struct ReadReport {
  Case c;
  report::ReportContext context;
};

// Fails when `report` is not an intake.report/1 object with a case id.
Result<ReadReport> CaseFromReport(const nlohmann::json& report);

}  // namespace intake::serve

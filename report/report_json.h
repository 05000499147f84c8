// report.json: the machine-readable truth (schema "intake.report/1", docs/report-schema.md).
#pragma once

#include <nlohmann/json.hpp>

#include "pipeline/case_model.h"
#include "report/report_context.h"

namespace intake::report {

inline constexpr const char* kReportSchema = "intake.report/1";

nlohmann::json ReportJson(const Case& c, const ReportContext& context);

}  // namespace intake::report

// Write stage: writes report.json and report.html into the case folder (temp file, fsync, rename).
#pragma once

#include <filesystem>
#include <memory>

#include "pipeline/stage.h"
#include "report/report_context.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeWriteReportStage(std::filesystem::path case_dir,
                                            report::ReportContext context);

}  // namespace intake::stages

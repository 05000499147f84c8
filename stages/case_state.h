// Case state stage: the case's state after the verdict (casestate/), carried over from the case
// folder of an earlier run in the output folder (records_dir) and moved as the verdict and the
// letter say (a forwarded or closed case stays so); written into the new case folder, each change
// a `case_state` audit record. Sets Case::state, waiting_since and days_waited for the reports.
#pragma once

#include <filesystem>
#include <memory>

#include "pipeline/stage.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeCaseStateStage(std::filesystem::path case_dir,
                                          std::filesystem::path records_dir);

}  // namespace intake::stages

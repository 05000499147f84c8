// Facts stage: extracts the case facts (attendance, living together, department, birth date,
// age, diagnosis) from the documents, and from the submission's manifest, which wins.
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeFactsStage();

}  // namespace intake::stages

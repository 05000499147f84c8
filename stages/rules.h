// Rules stage: evaluates the profile's requirements and exclusions over the Case model, and sets
// the verdict.
#pragma once

#include <memory>

#include "config/profile.h"
#include "pipeline/stage.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeRulesStage(const config::Profile& profile);

}  // namespace intake::stages

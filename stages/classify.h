// Classify stage: gives each page a document type from the profile's keywords, then splits the
// pages into documents (consecutive pages of one type within one file).
#pragma once

#include <memory>

#include "config/profile.h"
#include "pipeline/stage.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeClassifyStage(const config::Profile& profile);

}  // namespace intake::stages

// DICOM stage: reads the header of every DICOM file and groups them patient / study / series by
// UIDs (never by folder names). Unreadable files are DICOM_UNREADABLE findings.
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeDicomStage();

}  // namespace intake::stages

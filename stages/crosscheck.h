// Cross-check stage: what only the documents and the imaging together can tell. Runs after the
// facts stage and before the rules (its findings weigh in the verdict).
//
// - PATIENT_MISMATCH: each DICOM patient compared with the documents' patient (name in kanji,
//   reading, birth date, sex; see stages/patient_match.h); the result is kept on the DICOM
//   patient for the report either way.
// - NON_DICOM_IMAGES: JPEG/PNG/BMP/GIF images on a disc where DICOM images belong (screenshots of
//   a viewer instead of the images themselves). See the rule in crosscheck.cc.
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeCrossCheckStage();

}  // namespace intake::stages

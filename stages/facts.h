// Facts stage: extracts the case facts (attendance, living together, department, birth date,
// age, diagnosis) from the documents, and from the submission's manifest, which wins.
#pragma once

#include <memory>
#include <vector>

#include "ocr/ocr_pool.h"
#include "pipeline/stage.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeFactsStage();

// The application form's fields whose answer is one of a few words (the relation, the department,
// living together) or a date (the birth date), with the labels and answers the facts stage knows:
// for the OCR pool to read them again where misread (ocr::OcrOptions::closed_fields).
std::vector<ocr::ClosedField> FormClosedFields();

}  // namespace intake::stages

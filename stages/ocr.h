// OCR stage: reads every page marked needs_ocr with the shared OCR pool.
//
// Each page keeps the upright image OCR read (work area, `read/<page id>.jpg` or `.png`) and its
// text lines with their boxes, for the searchable PDFs (stages/write_documents). Pages below the
// confidence threshold get a LOW_OCR_CONFIDENCE finding; a page the engine cannot read is a
// CORRUPT_FILE finding and the case goes on. A page that runs over the pool's page time limit
// gets an OCR_TIME_LIMIT finding instead of LOW_OCR_CONFIDENCE: it keeps what was read before the
// deadline (its text and lines, so the title may still classify it and the PDF is searchable as
// far as it was read) and confidence 0, so facts from it need review like those of an unreadable
// page.
#pragma once

#include <memory>

#include "ocr/ocr_pool.h"
#include "pipeline/stage.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeOcrStage(ocr::OcrPool& pool,
                                    double low_confidence_threshold = kLowOcrConfidence);

}  // namespace intake::stages

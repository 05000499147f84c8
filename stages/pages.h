// Pages stage: splits readable files into pages and takes the text layer where there is one.
//
// PDFs (Poppler): each page's text layer is used when it carries enough text; otherwise the page
// is rendered to a PNG in the work area and marked for OCR. TIFF (every frame), JPEG and PNG
// files become pages to OCR. A PDF that cannot be opened is a CORRUPT_FILE finding.
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace intake::stages {

struct PagesOptions {
  int render_dpi = 300;           // for image-only PDF pages
  int min_text_layer_chars = 20;  // fewer non-space characters: treat the page as image-only
};

std::unique_ptr<Stage> MakePagesStage(PagesOptions options = {});

// Shared with stages/write_documents, which renders text-layer pages for the searchable PDFs.
// Turns Poppler's error messages (they can quote the file) off; idempotent, thread-safe.
void QuietPoppler();
// The resolution to render a page of `width_pt` x `height_pt` at: `dpi`, lowered when the image
// would be larger than OCR reads (ocr::kMaxOcrPixels) or too long on one side.
double RenderDpi(double width_pt, double height_pt, int dpi);

}  // namespace intake::stages

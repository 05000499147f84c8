// Pages stage: splits readable files into pages and takes the text layer where there is one.
//
// PDFs (pdf/pdf_reader.h): each page's text layer is used when it carries enough text and that
// text is not garbled (fonts without a Unicode map give replacement or private-use characters);
// otherwise the page is marked for OCR with the resolution to draw it at (the OCR workers draw
// it, in parallel and in memory: pdf/pdf_render.h). TIFF (every frame), JPEG and PNG files
// become pages to OCR.
// A PDF that cannot be opened is a CORRUPT_FILE finding; pages past PagesOptions::max_pages are
// not read (PAGE_LIMIT_EXCEEDED).
#pragma once

#include <memory>

#include "pipeline/stage.h"

namespace intake::stages {

struct PagesOptions {
  int render_dpi = 300;           // for image-only PDF pages
  int min_text_layer_chars = 20;  // fewer non-space characters: treat the page as image-only
  // Pages read of one submission at most (a real envelope holds tens): the pages past it are
  // counted, not read, and PAGE_LIMIT_EXCEEDED says so — a 0.5 MB PDF of 100,000 blank pages
  // must not hold the office's queue for hours.
  int max_pages = 1000;
};

std::unique_ptr<Stage> MakePagesStage(PagesOptions options = {});

}  // namespace intake::stages

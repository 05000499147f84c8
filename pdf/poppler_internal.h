// Internal to pdf/: what pdf_reader.cc, pdf_render.cc and pdf_scan_image.cc share about Poppler
// itself. Nothing outside pdf/ includes this header.
#pragma once

#include "ocr/ocr_pool.h"
#include "pipeline/result.h"

namespace intake::pdf {

// Turns Poppler's error messages (they can quote the file) off; idempotent, thread-safe. They are
// still counted, per thread: PopplerErrorCount() tells whether decoding an image (a scan's
// broken JPEG) complained.
void QuietPoppler();
int PopplerErrorCount();
void CountPopplerError();  // for an error callback of Poppler's core API

}  // namespace intake::pdf

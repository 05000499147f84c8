// Fuzz target: a PDF's structure through Poppler as the pages and OCR stages use it (open, count
// pages, measure the images a page declares, take a scan's image or draw the page, small and
// within a deadline) on arbitrary bytes: never a crash, never a hang past the drawing deadline.
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.h"
#include "pipeline/log.h"
#include "pdf/pdf_render.h"
#include "pdf/pdf_scan_image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static const bool quiet = (intake::SetLogLevel("off"), true);
  (void)quiet;
  const auto path = intake::fuzz::WriteInput("file.pdf", data, size);
  for (int index = 0; index < 2; ++index) {
    if (intake::pdf::LargestDeclaredImage(path, index) > 50'000'000) continue;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    (void)intake::pdf::PdfPageForOcr(path, index, 36, deadline);
  }
  return 0;
}

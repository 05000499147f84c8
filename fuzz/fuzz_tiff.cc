// Fuzz target: TIFF files as the pages stage and the OCR workers read them (libtiff's one pass
// over the frames, Leptonica's header and decoding within the size and memory limits) on
// arbitrary bytes: never a crash, never more memory than the limits allow.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.h"
#include "ocr/page_image.h"
#include "ocr/page_loader.h"
#include "pipeline/log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static const bool quiet = (intake::SetLogLevel("off"), true);
  (void)quiet;
  const auto path = intake::fuzz::WriteInput("file.tif", data, size);
  const auto frames = intake::ocr::TiffFrameLongSides(path);
  (void)intake::ocr::CountImageFrames(path);
  const int count = frames.ok() ? std::min<int>(static_cast<int>(frames->size()), 3) : 1;
  for (int frame = 0; frame < count; ++frame) {
    const auto header = intake::ocr::ReadImageHeader(path, frame);
    // Pages of a few megapixels at most: a fuzzing run is not a memory test.
    if (!header.ok() || static_cast<std::int64_t>(header->width) * header->height > 4'000'000) {
      continue;
    }
    (void)intake::ocr::LoadPage(path, frame, true);
  }
  return 0;
}

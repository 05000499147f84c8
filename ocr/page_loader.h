// Decoding a page image for OCR: size limits, scaling, grey, uneven light.
//
// Internal to ocr/ (names Leptonica's Pix). The header is checked before any pixel is decoded
// (a decompression bomb is refused, not allocated), huge images are scaled down to about the
// pixel count of a 300-dpi A4 page (JPEGs are decoded at 1/2, 1/4 or 1/8 scale directly), and
// the page comes out 1-bit (bilevel sources stay bilevel) or 8-bit grey. Colour becomes grey
// through its red channel: red seals and stamps over text fade to paper, black and blue ink stay
// dark (measured on a generated consent form with four seals over the names: mean confidence 50
// with luminance, 84 with the red channel). Photo-like pages (a phone photo with a shadow: the
// paper's brightness varies across the page) get Leptonica's background normalisation. Pages
// drawn in memory (PDF pages) go through the same limits, scaling and background steps.
#pragma once

#include <filesystem>

#include "ocr/ocr_pool.h"
#include "ocr/page_image.h"
#include "ocr/preprocess.h"
#include "pipeline/result.h"

namespace intake::ocr {

// Background normalisation is applied when the paper's brightness, measured per 32 x 32 pixel
// tile as the tile's brightest pixel, spreads over more than this many grey levels between the
// 10th and 90th percentile of tiles, or its median is darker than kMinPaperLevel. Clean scans
// measure 0-10 and 240-255; the generated phone photo with a shadow 122 and 140.
inline constexpr int kMaxPaperSpread = 60;
inline constexpr int kMinPaperLevel = 160;

struct LoadedPage {
  PixPtr pix;          // 1-bit, or 8-bit grey without colormap
  int dpi = 0;         // of `pix`: recorded, or estimated (see EstimateDpi)
  double scale = 1.0;  // `pix` size / source size
  bool colour = false;
  bool background_normalized = false;
  bool damaged = false;  // the decoder reported corrupt or missing data: what it read is here
};

// Reads frame `frame` of `path`. Errors never name the file.
Result<LoadedPage> LoadPage(const std::filesystem::path& path, int frame,
                            bool normalize_background);

// The same for a page drawn or taken in memory (a resolution it records is trusted; it is turned
// as it says first, and a bilevel one stays bilevel).
Result<LoadedPage> LoadDrawnPage(const GrayImage& image, bool normalize_background);

// The resolution to assume for a `width` x `height` image that records `recorded_dpi` (0: none):
// the recorded one when it gives a page between a business card and A3, else the one that makes
// the image's longer side as long as A4's.
int EstimateDpi(int width, int height, int recorded_dpi);

// True when the 8-bit grey page looks like a photo of paper (see kMaxPaperSpread).
bool HasUnevenBackground(Pix* grey);

}  // namespace intake::ocr

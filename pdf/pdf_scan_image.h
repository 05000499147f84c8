// Taking a scanned PDF page's image out of the file instead of drawing the page: part of the PDF
// reader adapter (pdf_reader.h); Poppler's core types stay in pdf_scan_image.cc.
//
// A page of a scanner's PDF is one image over the whole page. Drawing it at 300 dpi costs
// Poppler ~250 ms (every pixel scaled and smoothed); decoding the image costs ~30 ms, and the OCR
// then reads the scan at the resolution it was made at, as it reads image files. The page's
// content is run through Poppler's interpreter with a device that only records what would be
// drawn; the image is taken when all of these hold, else the page must be drawn:
//   - it is the only thing drawn (text in an invisible render mode, an earlier OCR layer, is
//     allowed; any visible text, path, second image, mask, soft mask or transparency is not),
//   - it covers the page's crop box (within half a percent) and no clip hides part of it,
//   - it stands upright or turned by a multiple of 90° (the page's /Rotate included), with the
//     same resolution across and down (fax-mode 204 x 98 dpi pages are drawn),
//   - its resolution is 100 dpi or more and it has at most kMaxTakenPixels,
//   - the page has no annotations (form fields, stamps, notes are drawn over the page).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "ocr/ocr_pool.h"

namespace intake::pdf {

// Larger images are drawn at a bounded resolution instead (an A4 page at 600 dpi is 35 Mpx).
inline constexpr std::int64_t kMaxTakenPixels = 48'000'000;
// Lower resolutions are drawn at 300 dpi instead.
inline constexpr int kMinTakenDpi = 100;

// Page `index` (0-based) of `pdf`: its scanned image in 8-bit grey at its own resolution (colour
// through its red channel, as for image files: red seals fade; a 1-bit scan marked bilevel),
// with the quarter turns that make it stand as the page shows it. std::nullopt when the page is not
// a plain scan (see above) or cannot be read: the caller draws it. Each call opens its own Poppler
// document; thread-safe.
std::optional<ocr::GrayImage> TakeScannedImage(const std::filesystem::path& pdf, int index);

// The largest image (width x height in pixels, masks included) that drawing page `index` of `pdf`
// would decode, from the sizes the images declare: nothing is decoded, so a 1.7 KB page declaring
// a 100,000 x 100,000 image is measured in milliseconds (Poppler takes minutes to draw it). 0 when
// the page cannot be read. Thread-safe as TakeScannedImage.
std::int64_t LargestDeclaredImage(const std::filesystem::path& pdf, int index);

}  // namespace intake::pdf

// Reading one prepared page with one Tesseract engine: text, confidence and text lines, and the
// merge of a horizontal and a vertical reading of the same page.
//
// Internal to ocr/ (names Tesseract's TessBaseAPI and Leptonica's Pix). Tesseract's page layout
// analysis (PSM_AUTO) marks blocks written top to bottom even when the `jpn` model reads them;
// `jpn` cannot read such columns (measured on a generated vertical koseki page: mean confidence
// 17, nothing right), the `jpn_vert` model reads them (confidence 88, CER about 2%), and
// `jpn_vert` cannot read horizontal lines. So a page is read with `jpn` first; only when
// vertical blocks hold at least kMinVerticalShare of its text area is it read again with
// `jpn_vert`, and the page keeps `jpn`'s horizontal lines and `jpn_vert`'s vertical ones when
// those read better than `jpn`'s.
#pragma once

#include <string>
#include <vector>

#include "ocr/ocr_pool.h"
#include "ocr/preprocess.h"
#include "pipeline/result.h"

namespace intake::ocr {

// Share of the text lines' area in vertical blocks above which a page is read again.
inline constexpr double kMinVerticalShare = 0.2;

struct ReadLine {
  OcrLine line;
  int block = 0;          // index of the block in reading order
  double confidence = 0;  // 0..100
  int characters = 0;     // code points without spaces
};

struct PageReading {
  std::string text;
  double confidence = 0;  // 0..1: Tesseract's mean word confidence
  std::vector<ReadLine> lines;
  double vertical_share = 0;  // of the lines' area, in vertical blocks
};

// Recognises `page` with `engine` (PSM_AUTO) and collects its lines in reading order. The
// engine is cleared afterwards.
Result<PageReading> ReadPage(tesseract::TessBaseAPI& engine, Pix* page);

// Horizontal lines from `horizontal`, vertical lines from `vertical`, in `horizontal`'s block
// order (a vertical line goes where the vertical block of `horizontal` that holds its centre
// was). The confidence is the character-weighted mean of the lines kept.
PageReading MergeReadings(const PageReading& horizontal, const PageReading& vertical);

// Character-weighted mean confidence (0..100) of the vertical (or horizontal) lines.
double MeanLineConfidence(const PageReading& reading, bool vertical);

}  // namespace intake::ocr

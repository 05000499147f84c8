// Reading one prepared page with one Tesseract engine: text, confidence and text lines, what the
// reading says about the page's writing and orientation, and the merge of a horizontal and a
// vertical reading of the same page.
//
// Internal to ocr/ (names Tesseract's TessBaseAPI and Leptonica's Pix). Tesseract's page layout
// analysis (PSM_AUTO) marks blocks whose lines run top to bottom, and turns them a quarter
// counter-clockwise before the LSTM reads them. Two kinds of page give such blocks:
// - vertical Japanese (縦書き): the turned glyphs lie on their side; `jpn` cannot read them
//   (generated koseki: mean confidence 0.17, nothing right), `jpn_vert` can (0.88, CER 2.5%),
//   and `jpn_vert` cannot read horizontal lines;
// - a horizontal page turned a quarter clockwise: the turn puts the glyphs upright again and
//   `jpn` reads the page as well as upright (sample forms: 0.85-0.92 either way), but in columns.
// So vertical blocks that `jpn` reads badly are read again with `jpn_vert` (NeedsVerticalModel),
// and a page that is mostly vertical blocks read well by `jpn` is sideways (LooksSideways).
#pragma once

#include <tesseract/publictypes.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ocr/ocr_pool.h"
#include "ocr/preprocess.h"
#include "pipeline/result.h"

namespace intake::ocr {

// Share of the text lines' area in vertical blocks above which a page is read again with the
// vertical model, and above which it may be a sideways page.
inline constexpr double kMinVerticalShare = 0.2;
inline constexpr double kMinSidewaysShare = 0.5;
// Mean confidence (0..100) of `jpn` on vertical blocks at and above which they are horizontal
// text turned sideways, below which vertical writing.
inline constexpr double kSidewaysLineConfidence = 60;

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
  // The deadline stopped the reading: the lines are those recognised before it (none when it had
  // passed before the reading began) and `text` is made of them.
  bool cut_short = false;
  // The page thresholded for form marks (page_mending.h), kept from the checkbox pass for the
  // ring pass so a page is thresholded once; empty when no pass made it.
  PixPtr ink;
};

// When a page's reading must stop (steady clock); kNoDeadline: never.
using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();
bool Passed(Deadline deadline);

// Recognises `page` with `engine` (PSM_AUTO) and collects its lines in reading order. The
// engine is cleared afterwards. Word recognition stops at `deadline` (Tesseract's progress
// monitor; its layout analysis before it cannot be stopped); a deadline already passed reads
// nothing. Either way the reading is returned `cut_short`, not as an error.
Result<PageReading> ReadPage(tesseract::TessBaseAPI& engine, Pix* page,
                             Deadline deadline = kNoDeadline);

// Horizontal lines from `horizontal`, vertical lines from `vertical`, in `horizontal`'s block
// order (a vertical line goes where the vertical block of `horizontal` that holds its centre
// was). The confidence is the character-weighted mean of the lines kept.
PageReading MergeReadings(const PageReading& horizontal, const PageReading& vertical);

// Character-weighted mean confidence (0..100) of the vertical (or horizontal) lines.


// Helpers of ocr/'s readers (page_reader.cc, page_mending.cc).

// Tesseract keeps a reference to the image until Clear(); release it however the page ends.
class ClearOnExit {
 public:
  explicit ClearOnExit(tesseract::TessBaseAPI& api) : api_(api) {}
  ~ClearOnExit();
  ClearOnExit(const ClearOnExit&) = delete;
  ClearOnExit& operator=(const ClearOnExit&) = delete;

 private:
  tesseract::TessBaseAPI& api_;
};

int CountCharacters(const std::string& utf8);  // code points, spaces and tabs left out
std::string TrimLineEnd(std::string s);
// The text of `lines`: one line each, a blank line between blocks.
std::string TextOf(const std::vector<ReadLine>& lines);

// The white pixel value of `pix` (0 for 1-bit images, where 1 is black).
std::uint32_t WhiteOf(Pix* pix);

// The region of `page` (clipped to it) with a white margin of kCropMargin pixels around it, for
// reading alone; nullptr when less than 8 pixels of it lie on the page.
inline constexpr int kCropMargin = 16;
PixPtr Crop(Pix* page, int left, int top, int right, int bottom);

// A region read alone: its text (line ends trimmed) and mean confidence (0..100).
struct RegionReading {
  std::string text;
  int confidence = 0;
};
RegionReading ReadRegion(tesseract::TessBaseAPI& engine, Pix* region,
                         tesseract::PageSegMode mode);

double MeanLineConfidence(const PageReading& reading, bool vertical);

// True when a reading with the horizontal model found vertical writing it could not read.
bool NeedsVerticalModel(const PageReading& reading);

// True when a reading with the horizontal model found the page mostly in columns that it read
// well: horizontal text turned a quarter clockwise.
bool LooksSideways(const PageReading& reading);

}  // namespace intake::ocr

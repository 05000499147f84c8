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

#include <chrono>
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
// Reads a page's title again where Tesseract's page layout analysis (PSM_AUTO) loses it. Large
// print at the top of a page comes out cut short (相談同意書 read as 相談同意, the last glyphs
// of a letter-spaced title dropped) or not at all. So the tallest line near the top is read
// again alone (PSM_SINGLE_LINE) in a box widened up to its neighbours, and kept when that reads
// more characters; and when the first line read starts well down the page with ink above it,
// that band is read as a block (PSM_SINGLE_BLOCK) and its confident lines put in front. Horizontal
// pages only; nothing is done past `deadline`. Returns true when the reading changed (its text is
// then rebuilt from its lines).
bool RereadTitle(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading,
                 Deadline deadline);

// Writes the choices marked on a form into its text as ■ and □, from the pixels: Tesseract reads
// a filled box as some dense kanji (玉, 軒, 画) and an empty one as 口 or 品, or drops it. A solid
// square of about the size of a line's glyphs is a marked box; in a line that has one, hollow
// squares of the same size are its unmarked boxes. Each becomes ■ or □ in place of the glyph
// Tesseract read there (or before the glyph to its right when it read none). ReadPage calls it
// while the engine still holds the reading's symbols. Returns true when a line changed (the text
// is then rebuilt from the lines).
bool WriteCheckboxMarks(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading);

double MeanLineConfidence(const PageReading& reading, bool vertical);

// True when a reading with the horizontal model found vertical writing it could not read.
bool NeedsVerticalModel(const PageReading& reading);

// True when a reading with the horizontal model found the page mostly in columns that it read
// well: horizontal text turned a quarter clockwise.
bool LooksSideways(const PageReading& reading);

}  // namespace intake::ocr

// Mending what Tesseract's page reading gets wrong on forms, from the page's pixels: titles it
// drops or cuts short, and the choices of a form (boxes, ticks, rings) it misreads.
//
// Internal to ocr/ (names Tesseract's TessBaseAPI and Leptonica's Pix), beside page_reader.h.
#pragma once

#include "ocr/page_reader.h"

namespace intake::ocr {

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
// squares of the same size are its unmarked boxes; a framed box with a tick or cross inside
// (ink, but far from full) is marked too when the line has empty boxes beside it. Each becomes ■
// or □ in place of the glyph Tesseract read there (or before the glyph to its right when it read
// none). ReadPage calls it
// while the engine still holds the reading's symbols. Returns true when a line changed (the text
// is then rebuilt from the lines).
bool WriteCheckboxMarks(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading);

// Writes the options ringed by hand on a form into its text: Tesseract takes a ring and the words
// in it for a picture and drops them, often with the rest of their row. A ring is a closed loop
// with empty corners (so no table cell), a little taller than the page's lines; its row (the
// page's width) is read again alone with the ring erased, the ringed words put between ■ and □
// (as a marked box's option), and stands in for the lines read across it. At most eight rings
// a page; nothing is done past `deadline`. Returns true when the reading changed.
bool WriteRingedChoices(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading,
                        Deadline deadline);

}  // namespace intake::ocr

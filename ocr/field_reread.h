// Reading again the answers of a form's closed fields (OcrOptions::closed_fields) that Tesseract
// misread: the answer's own ink after the field's label, alone, then limited to the answers'
// characters; and the numbers of an answer of a shape (a date), settled by a model of Latin digits.
//
// Internal to ocr/ (names Tesseract's TessBaseAPI and Leptonica's Pix), beside page_mending.h.
#pragma once

#include <functional>
#include <vector>

#include "ocr/ocr_pool.h"
#include "ocr/page_reader.h"

namespace intake::ocr {

// For each horizontal line that holds a field's label followed, on the label's row, by something
// that is no answer (and no longer than the longest answer by more than a few characters: a
// longer rest holds other fields), reads the answer's ink there again alone (PSM_SINGLE_LINE):
// as it is, then — for a field of few answers — with Tesseract's character whitelist set to the
// answers' characters. A reading that is an answer (or a near miss of one), read with some
// confidence, replaces the words after the label on that row (one word, its box the region
// read). A field is tried once per line; nothing is done past `deadline`. Returns true when a
// line changed (the reading's text is then rebuilt from its lines).
//
// An answer of a shape has its ink read again alone too (after the above): Tesseract's
// jpn model misreads the digits of a date on a page (13日 as 3日, 12月 as 1月) that it reads
// right alone, and some the other way. Where the two readings' numbers differ, the Latin model
// (`digit_reader`: OcrOptions::digit_languages, called only then; null: nothing changes) reads
// the same ink: its digits are right where its kanji are letters or digits (年 as 4, 日 as 8),
// so it settles the number by holding one of the two (the longer where it holds both: a digit
// left out is the usual misreading). An answer read with its shape changes only where it keeps
// it; one read without (its era misread: 邊和724年) may change all the same.
using DigitReader = std::function<tesseract::TessBaseAPI*()>;
bool RereadClosedFields(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading,
                        const std::vector<ClosedField>& fields, Deadline deadline,
                        const DigitReader& digit_reader = {});

}  // namespace intake::ocr

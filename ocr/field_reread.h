// Reading again the answers of a form's closed fields (OcrOptions::closed_fields) that Tesseract
// misread: the answer's own ink after the field's label, alone, then limited to the answers'
// characters.
//
// Internal to ocr/ (names Tesseract's TessBaseAPI and Leptonica's Pix), beside page_mending.h.
#pragma once

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
bool RereadClosedFields(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading,
                        const std::vector<ClosedField>& fields, Deadline deadline);

}  // namespace intake::ocr

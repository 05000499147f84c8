// Screen stage: checks page text for what must never pass silently, right after the text is
// read and before any other stage uses it.
//
// - My Number (個人番号, 12 digits with a valid check digit, on a page that names it): a MY_NUMBER
//   finding, and the digits are masked in the page text and its OCR lines (which are marked for
//   painting over in the searchable PDF), so no later stage, report or work file can hold the
//   number. Only the fact that it happened is recorded.
// - Glass slides (プレパラート) said to be enclosed: a GLASS_SLIDES finding.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/case_model.h"
#include "pipeline/stage.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeScreenStage();

// True when the 12 digits carry a valid My Number check digit (the last one).
bool IsValidMyNumber(std::string_view twelve_digits);

// Masks every My Number in `text` (a valid 12-digit number, digits possibly grouped by spaces or
// hyphens, full- or half-width) with "＊"; returns how many were masked. Only on pages that name
// 個人番号 or マイナンバー: elsewhere a 12-digit number is left alone.
int MaskMyNumbers(std::string& text);

// The same for the text lines of a page whose whole text is `page_text` (the naming may be on
// another line than the number); marks each masked line `redact`. Returns how many were masked.
int MaskMyNumbersInLines(std::string_view page_text, std::vector<TextLine>& lines);

}  // namespace intake::stages

// Mentions in free text: whether a page states something (a lawsuit, a death) in its own words,
// as opposed to the hospital's printed notice of what it does not accept ("医療訴訟を目的とする
// ご相談はお受けできません") or a denial ("訴訟の予定はありません").
//
// Works on sentences: the page's text in match form (text/text_normalize.h) with its line
// breaks joined (OCR breaks sentences across lines) and split at 。！？. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace intake::stages {

// The sentences of `text` (UTF-8), in match form.
std::vector<std::string> Sentences(std::string_view text);

// The first of `keywords` found in a sentence of `text` that is neither a notice nor a denial;
// nullopt when none is.
std::optional<std::string> StatedMention(std::string_view text,
                                         const std::vector<std::string>& keywords);

}  // namespace intake::stages

// Japanese text normalisation for matching (not for display, not for names).
//
// MatchForm() applies NFKC (full-width digits and Latin letters to ASCII, half-width katakana to
// full-width, ㍼ to 昭和) and removes every whitespace character, so that OCR output such as
// "診 療 情 報 提 供 書" matches the keyword 診療情報提供書. Names are compared elsewhere without
// NFKC (NFKC folds some kanji). All functions take and return UTF-8 and are thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace intake::text {

std::string Nfkc(std::string_view utf8);
std::string RemoveWhitespace(std::string_view utf8);
std::string MatchForm(std::string_view utf8);  // RemoveWhitespace(Nfkc(text))

// The text's lines in match form, empty lines dropped.
std::vector<std::string> MatchFormLines(std::string_view utf8);

// Trims ASCII and full-width (U+3000) spaces from both ends.
std::string TrimSpaces(std::string_view utf8);

// Edits (inserted, dropped or misread characters) tolerated for a keyword of this many code
// points: none below 4, then 1, 2 from 10, 3 from 15.
int AllowedEdits(long keyword_length);

// True when `keyword` occurs in `text` (both in match form) within AllowedEdits() edits: OCR
// misreads single kanji, drops or inserts characters.
bool ContainsFuzzy(std::string_view text, std::string_view keyword);

// Number of code points.
long CodepointLength(std::string_view utf8);

// The code points of UTF-8 text (a malformed sequence becomes U+FFFD).
std::u32string CodePoints(std::string_view utf8);

// Levenshtein distance (inserted, dropped or changed code points) between `a` and `b`; memory
// linear in `b`'s length. For names, and for character error rates in the OCR measurements.
std::size_t EditDistance(std::u32string_view a, std::u32string_view b);

// The one of `words` nearest `read` (EditDistance), its distance, and the next nearest's
// (std::u32string::npos when there is no other word): for taking a misread word for the word it
// is only where no other is as near. nullopt when `words` is empty.
struct NearestWord {
  const std::string* word = nullptr;
  std::size_t distance = 0;
  std::size_t runner_up = std::u32string::npos;
};
std::optional<NearestWord> FindNearestWord(std::u32string_view read,
                                           const std::vector<std::string>& words);

// The one of `words` that `read` is, or is a near miss of: at most a third of that word's
// characters misread (rounded: one in two or three, two in five) and no other word as near (two
// edits further at least). nullopt when none is. How OCR near misses of a known word (a relation,
// a department) are taken for it.
std::optional<std::string> NearMissOf(std::string_view read,
                                      const std::vector<std::string>& words);

// Where a form's `label` is in `text` (both without whitespace): [first, second) in bytes. With
// `allow_drop`, a label of three characters or more is also found with one character dropped, as
// OCR drops them (受診者 read as 診者, 希望診療科 as 望診療科); the exact label is looked for first.
std::optional<std::pair<std::size_t, std::size_t>> FindLabel(std::string_view text,
                                                             std::string_view label,
                                                             bool allow_drop);

// Finds `keyword` exactly; returns the character offset (code points) or -1.
long FindCodepoints(std::string_view text, std::string_view keyword);

}  // namespace intake::text

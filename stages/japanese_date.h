// Dates as Japanese documents write them: eras (明治 大正 昭和 平成 令和, 元年, S45.3.2, ㍼45年),
// kanji numerals (昭和四拾五年三月二日), and western forms (1970年3月2日, 1970/03/02, 1970-03-02).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace intake::stages {

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  std::string Iso() const;  // YYYY-MM-DD
  bool operator==(const Date&) const = default;
};

// Finds the first date in `text` (any of the forms above). Rejects impossible dates: a day that
// does not exist, an era year outside the era (平成32年), a date before the era began.
std::optional<Date> ParseJapaneseDate(std::string_view text);

// The dates `text` would hold were the first era before a number (NN年) read with one of its
// two glyphs wrong (邊和24年: 昭和 or 令和), one per era that has the other glyph in its place and
// in which the date exists; none where the era was read whole. A caller that knows what the date
// cannot be (a birth date after the submission) takes the one it leaves, if one.
std::vector<Date> DatesWithEraMisread(std::string_view text);

// Parses "YYYY-MM-DD".
std::optional<Date> ParseIsoDate(std::string_view text);

// Age in whole years on `on`.
int AgeOn(const Date& birth, const Date& on);

// Days from `from` to `to` (negative when `to` is earlier).
long DaysBetween(const Date& from, const Date& to);

}  // namespace intake::stages

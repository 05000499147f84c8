#include "stages/japanese_date.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <regex>

#include "pipeline/utf8.h"
#include "text/text_normalize.h"

namespace intake::stages {
namespace {

struct Era {
  const char* kanji;
  char letter;
  int base;  // western year = base + era year
  Date first;
  Date last;
};

constexpr std::array kEras{
    Era{"明治", 'M', 1867, {1868, 1, 25}, {1912, 7, 29}},
    Era{"大正", 'T', 1911, {1912, 7, 30}, {1926, 12, 24}},
    Era{"昭和", 'S', 1925, {1926, 12, 25}, {1989, 1, 7}},
    Era{"平成", 'H', 1988, {1989, 1, 8}, {2019, 4, 30}},
    Era{"令和", 'R', 2018, {2019, 5, 1}, {9999, 12, 31}},
};

int Compare(const Date& a, const Date& b) {
  if (a.year != b.year) return a.year < b.year ? -1 : 1;
  if (a.month != b.month) return a.month < b.month ? -1 : 1;
  if (a.day != b.day) return a.day < b.day ? -1 : 1;
  return 0;
}

bool IsValid(const Date& d) {
  if (d.year < 1800 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int days = kDays[static_cast<std::size_t>(d.month - 1)];
  const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  if (d.month == 2 && leap) days = 29;
  return d.day <= days;
}

// std::regex works on bytes: multi-byte characters go in alternations, never in [...] or before
// a quantifier.

// Arabic digits, or kanji numerals (一..九, 〇, 十/拾, 百, 千, 壱弐参), or 元 (= 1).
int ParseNumber(const std::string& s) {
  if (s.empty()) return -1;
  if (s == "元") return 1;
  if (s.find_first_not_of("0123456789") == std::string::npos) return std::stoi(s);
  static const std::array<std::pair<const char*, int>, 13> kDigits{{{"〇", 0},
                                                                    {"零", 0},
                                                                    {"一", 1},
                                                                    {"壱", 1},
                                                                    {"二", 2},
                                                                    {"弐", 2},
                                                                    {"三", 3},
                                                                    {"参", 3},
                                                                    {"四", 4},
                                                                    {"五", 5},
                                                                    {"六", 6},
                                                                    {"七", 7},
                                                                    {"八", 8}}};
  int total = 0;
  int current = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    bool matched = false;
    auto starts = [&](const char* w) { return s.compare(i, std::strlen(w), w) == 0; };
    for (const auto& [w, v] : kDigits) {
      if (starts(w)) {
        current = current * 10 + v;
        i += std::strlen(w);
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (starts("九")) {
      current = current * 10 + 9;
      i += 3;
    } else if (starts("十") || starts("拾")) {
      total += (current == 0 ? 1 : current) * 10;
      current = 0;
      i += 3;
    } else if (starts("百")) {
      total += (current == 0 ? 1 : current) * 100;
      current = 0;
      i += 3;
    } else if (starts("千")) {
      total += (current == 0 ? 1 : current) * 1000;
      current = 0;
      i += 3;
    } else {
      return -1;
    }
  }
  return total + current;
}

const std::string kNum =
    "(元|[0-9]{1,4}|(?:〇|零|一|壱|二|弐|三|参|四|五|六|七|八|九|十|拾|百|千)+)";

}  // namespace

std::string Date::Iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::optional<Date> ParseIsoDate(std::string_view text) {
  int y = 0, m = 0, d = 0;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) return std::nullopt;
  Date date{y, m, d};
  if (!IsValid(date)) return std::nullopt;
  return date;
}

std::optional<Date> ParseJapaneseDate(std::string_view text) {
  const std::string s = text::MatchForm(text);
  static const std::regex kEraDate("(明治|大正|昭和|平成|令和|[MTSHR])" + kNum + "(?:年|\\.|-|/)" +
                                   kNum + "(?:月|\\.|-|/)" + kNum);
  static const std::regex kWesternDate(
      "([0-9]{4})(?:年|/|\\.|-)([0-9]{1,2})(?:月|/|\\.|-)([0-9]{1,2})");

  std::smatch m;
  auto begin = s.cbegin();
  while (std::regex_search(begin, s.cend(), m, kEraDate)) {
    const std::string era_name = m[1].str();
    for (const Era& era : kEras) {
      if (era_name != era.kanji && !(era_name.size() == 1 && era_name[0] == era.letter)) continue;
      const int era_year = ParseNumber(m[2].str());
      Date d{era.base + era_year, ParseNumber(m[3].str()), ParseNumber(m[4].str())};
      if (era_year >= 1 && IsValid(d) && Compare(d, era.first) >= 0 && Compare(d, era.last) <= 0)
        return d;
    }
    begin = m.suffix().first;
  }
  begin = s.cbegin();
  while (std::regex_search(begin, s.cend(), m, kWesternDate)) {
    Date d{std::stoi(m[1].str()), std::stoi(m[2].str()), std::stoi(m[3].str())};
    if (IsValid(d)) return d;
    begin = m.suffix().first;
  }
  return std::nullopt;
}

std::vector<Date> DatesWithEraMisread(std::string_view text) {
  const std::u32string s = text::CodePoints(text::MatchForm(text));
  const auto is_digit = [](char32_t c) { return c >= U'0' && c <= U'9'; };
  std::vector<Date> dates;
  for (std::size_t i = 0; i + 2 < s.size(); ++i) {
    if (is_digit(s[i]) || is_digit(s[i + 1]) || !is_digit(s[i + 2])) continue;
    for (const Era& era : kEras) {
      const std::u32string kanji = text::CodePoints(era.kanji);
      if (s.compare(i, 2, kanji) == 0) return {};  // read whole
      if ((s[i] == kanji[0]) == (s[i + 1] == kanji[1])) continue;
      const std::string mended = era.kanji + Utf8Of(std::u32string_view(s).substr(i + 2));
      const auto date = ParseJapaneseDate(mended);
      if (date && std::find(dates.begin(), dates.end(), *date) == dates.end())
        dates.push_back(*date);
    }
    return dates;
  }
  return dates;
}

long DaysBetween(const Date& from, const Date& to) {
  // Days since 0000-03-01 in the proleptic Gregorian calendar (March-based years put the leap
  // day last).
  auto days = [](const Date& d) {
    const long y = d.month <= 2 ? d.year - 1 : d.year;
    const long m = d.month <= 2 ? d.month + 9 : d.month - 3;
    return 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d.day - 1;
  };
  return days(to) - days(from);
}

int AgeOn(const Date& birth, const Date& on) {
  int age = on.year - birth.year;
  if (on.month < birth.month || (on.month == birth.month && on.day < birth.day)) --age;
  return age;
}

}  // namespace intake::stages

#include "stages/japanese_date.h"

#include <gtest/gtest.h>

namespace intake::stages {
namespace {

struct DateCase {
  const char* text;
  const char* iso;  // nullptr: no date must be found
};

class JapaneseDateTest : public ::testing::TestWithParam<DateCase> {};

TEST_P(JapaneseDateTest, Parses) {
  const auto& p = GetParam();
  const auto d = ParseJapaneseDate(p.text);
  if (p.iso == nullptr) {
    EXPECT_FALSE(d.has_value()) << p.text << " -> " << d->Iso();
  } else {
    ASSERT_TRUE(d.has_value()) << p.text;
    EXPECT_EQ(d->Iso(), p.iso) << p.text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Forms, JapaneseDateTest,
    ::testing::Values(
        DateCase{"昭和45年3月2日", "1970-03-02"},
        DateCase{"生年月日　昭和４５年３月２日（５６歳）", "1970-03-02"},
        DateCase{"S45.3.2", "1970-03-02"}, DateCase{"H1.1.8", "1989-01-08"},
        DateCase{"平成元年1月8日", "1989-01-08"}, DateCase{"令和元年5月1日", "2019-05-01"},
        DateCase{"R5.4.1", "2023-04-01"}, DateCase{"㍼45年3月2日", "1970-03-02"},
        DateCase{"㋿5年4月1日", "2023-04-01"}, DateCase{"昭和四拾五年三月二日", "1970-03-02"},
        DateCase{"昭和二十年八月十五日", "1945-08-15"}, DateCase{"大正15年12月24日", "1926-12-24"},
        DateCase{"明治45年7月29日", "1912-07-29"}, DateCase{"1970年3月2日", "1970-03-02"},
        DateCase{"1970/03/02", "1970-03-02"}, DateCase{"昭 和 45 年 3 月 2 日", "1970-03-02"},
        // Impossible: 平成32年 does not exist, 昭和64年2月 is past the era's end,
        // 平成1年1月7日 is before it began, February 30th never happens.
        DateCase{"平成32年1月1日", nullptr}, DateCase{"昭和64年2月1日", nullptr},
        DateCase{"平成元年1月7日", nullptr}, DateCase{"令和5年2月30日", nullptr},
        DateCase{"大正15年12月25日", nullptr}, DateCase{"生年月日", nullptr}));

// An era read with one of its two glyphs wrong: the dates of the eras it may be, in which they
// exist; none where the era was read whole.
TEST(DatesWithEraMisreadTest, GivesTheDateOfEachEraTheReadingMayBe) {
  const std::vector<Date> wa = DatesWithEraMisread("邊和24年3月5日");  // 昭和 or 令和
  EXPECT_EQ(wa, (std::vector<Date>{{1949, 3, 5}, {2042, 3, 5}}));
  EXPECT_EQ(DatesWithEraMisread("昭租64年1月7日"), (std::vector<Date>{{1989, 1, 7}}));
  EXPECT_EQ(DatesWithEraMisread("平和5年1月9日").size(), 3U) << "平成, 昭和 or 令和";
  EXPECT_TRUE(DatesWithEraMisread("昭和24年3月5日").empty()) << "read whole";
  EXPECT_TRUE(DatesWithEraMisread("邊成45年3月5日").empty()) << "平成 has no 45th year";
  EXPECT_TRUE(DatesWithEraMisread("邊語24年3月5日").empty()) << "no era's glyph";
}

TEST(DaysBetweenTest, CountsCalendarDays) {
  EXPECT_EQ(DaysBetween({2026, 11, 21}, {2026, 12, 1}), 10);
  EXPECT_EQ(DaysBetween({2024, 2, 28}, {2024, 3, 1}), 2);  // leap year
  EXPECT_EQ(DaysBetween({2023, 2, 28}, {2023, 3, 1}), 1);
  EXPECT_EQ(DaysBetween({2026, 12, 1}, {2026, 11, 21}), -10);
  EXPECT_EQ(DaysBetween({1989, 1, 7}, {2019, 5, 1}), 11071);
}

TEST(AgeOnTest, CountsWholeYears) {
  EXPECT_EQ(AgeOn({1970, 3, 2}, {2026, 3, 1}), 55);
  EXPECT_EQ(AgeOn({1970, 3, 2}, {2026, 3, 2}), 56);
  EXPECT_EQ(AgeOn({2010, 12, 31}, {2026, 11, 21}), 15);
}

}  // namespace
}  // namespace intake::stages

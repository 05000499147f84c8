// text/decode.h: UTF-8 decoded code point by code point, malformed bytes told apart from U+FFFD;
// CP932 to UTF-8.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "text/decode.h"

namespace intake::text {
namespace {

// (code point, bytes it took) for each step through `utf8`.
std::vector<std::pair<char32_t, std::size_t>> Steps(std::string_view utf8) {
  std::vector<std::pair<char32_t, std::size_t>> steps;
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t before = i;
    const char32_t c = NextCodePoint(utf8, i);
    steps.emplace_back(c, i - before);
  }
  return steps;
}

TEST(TextDecodeTest, EachCodePointTakesItsBytes) {
  using Step = std::pair<char32_t, std::size_t>;
  EXPECT_EQ(Steps("aé日😀"), (std::vector<Step>{{U'a', 1}, {U'é', 2}, {U'日', 3}, {U'😀', 4}}));
  EXPECT_EQ(Steps("\xEF\xBF\xBD"), (std::vector<Step>{{0xFFFD, 3}}));  // U+FFFD is no error
}

TEST(TextDecodeTest, MalformedBytesAreToldApartAndSkippedAsLittleAsPossible) {
  using Step = std::pair<char32_t, std::size_t>;
  // A character cut short: its valid beginning is one error, the next character stays whole.
  EXPECT_EQ(Steps("\xE6\x97"
                  "a"),
            (std::vector<Step>{{kMalformed, 2}, {U'a', 1}}));
  EXPECT_EQ(Steps("\x80"), (std::vector<Step>{{kMalformed, 1}}));  // a lone continuation
  EXPECT_EQ(Steps("\xC0\xAF"), (std::vector<Step>{{kMalformed, 1}, {kMalformed, 1}}));  // overlong
  EXPECT_EQ(Steps("\xED\xA0\x80").front().first, kMalformed);      // a surrogate
  EXPECT_EQ(Steps("\xF4\x90\x80\x80").front().first, kMalformed);  // beyond U+10FFFF
}

TEST(TextDecodeTest, ValidUtf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("診療情報提供書.pdf"));
  EXPECT_FALSE(IsValidUtf8("\x8f\x8a\x8c\xa9.pdf"));  // 所見.pdf in CP932
  EXPECT_FALSE(IsValidUtf8("abc\xE6\x97"));
}

TEST(TextDecodeTest, Cp932ToUtf8) {
  EXPECT_EQ(Cp932ToUtf8("\x8f\x8a\x8c\xa9.pdf"), "所見.pdf");
  EXPECT_EQ(Cp932ToUtf8("\x83\x5c"), "ソ");  // its second byte is '\\'
  EXPECT_EQ(Cp932ToUtf8("\x87\x40"), "①");   // an NEC extension
  EXPECT_EQ(Cp932ToUtf8("\x81"), "");        // cut short
  EXPECT_EQ(Cp932ToUtf8(""), "");
}

}  // namespace
}  // namespace intake::text

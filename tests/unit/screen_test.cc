#include "stages/screen.h"

#include <gtest/gtest.h>

#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::stages {
namespace {

// 123456789018 and 987654321093 carry valid check digits (made up for the test).
TEST(MyNumberTest, CheckDigit) {
  EXPECT_TRUE(IsValidMyNumber("123456789018"));
  EXPECT_TRUE(IsValidMyNumber("987654321093"));
  EXPECT_FALSE(IsValidMyNumber("123456789019"));
  EXPECT_FALSE(IsValidMyNumber("12345678901"));
  EXPECT_FALSE(IsValidMyNumber("12345678901a"));
}

TEST(MyNumberTest, MaskedInAnyWritingWhenThePageNamesIt) {
  std::string a = "個人番号 1234 5678 9018\n世帯主";
  EXPECT_EQ(MaskMyNumbers(a), 1);
  EXPECT_EQ(a, "個人番号 ＊＊＊＊ ＊＊＊＊ ＊＊＊＊\n世帯主");

  std::string b = "マイナンバー　９８７６－５４３２－１０９３";
  EXPECT_EQ(MaskMyNumbers(b), 1);
  EXPECT_EQ(b.find("９０"), std::string::npos);

  std::string c = "個 人 番 号 123456789018";  // OCR spacing
  EXPECT_EQ(MaskMyNumbers(c), 1);
  EXPECT_EQ(c.find("9018"), std::string::npos);
}

TEST(MyNumberTest, OtherNumbersStay) {
  std::string no_keyword = "保険者番号 123456789018";
  EXPECT_EQ(MaskMyNumbers(no_keyword), 0);
  EXPECT_EQ(no_keyword, "保険者番号 123456789018");

  std::string wrong_check = "個人番号 123456789019";
  EXPECT_EQ(MaskMyNumbers(wrong_check), 0);

  std::string longer = "個人番号欄なし 電話 1234567890185";  // 13 digits
  EXPECT_EQ(MaskMyNumbers(longer), 0);
}

Case CaseWithPage(const std::string& text) {
  Case c;
  c.id = "test";
  SourceFile f;
  f.id = "f0001";
  f.relative_path = "scan.pdf";
  c.files.push_back(f);
  Page p;
  p.id = "p0001";
  p.file_id = "f0001";
  p.text = text;
  c.pages.push_back(p);
  return c;
}

TEST(ScreenStageTest, MyNumberIsFlaggedAndNeverKept) {
  Case c = CaseWithPage("住民票の写し\n世帯主 山田 太郎\n個人番号 1234-5678-9018\n");
  ASSERT_THAT(MakeScreenStage()->Run(c), IsOk());
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].code, FindingCode::kMyNumber);
  EXPECT_EQ(c.findings[0].message.find("9018"), std::string::npos);
  EXPECT_NE(c.findings[0].message.find("scan.pdf p.1"), std::string::npos);
  EXPECT_EQ(c.pages[0].text.find("9018"), std::string::npos);
  EXPECT_NE(c.pages[0].text.find("世帯主"), std::string::npos);  // the rest of the text stays
}

TEST(ScreenStageTest, MyNumberIsMaskedInTheOcrLinesAndMarkedForPaintingOver) {
  Case c = CaseWithPage("住民票の写し\n個人番号\n1234 5678 9018\n世帯主 山田 太郎\n");
  // The naming and the number are on different lines, as OCR often splits a table row.
  c.pages[0].lines = {
      {.left = 10, .top = 10, .width = 400, .height = 40, .text = "住民票の写し"},
      {.left = 10, .top = 60, .width = 200, .height = 40, .text = "個人番号"},
      {.left = 220, .top = 60, .width = 400, .height = 40, .text = "1234 5678 9018"},
      {.left = 10, .top = 110, .width = 400, .height = 40, .text = "世帯主 山田 太郎"}};
  ASSERT_THAT(MakeScreenStage()->Run(c), IsOk());
  ASSERT_EQ(c.findings.size(), 1u);
  const auto& lines = c.pages[0].lines;
  EXPECT_EQ(lines[2].text, "＊＊＊＊ ＊＊＊＊ ＊＊＊＊");
  EXPECT_TRUE(lines[2].redact);
  for (std::size_t i : {0u, 1u, 3u}) {
    EXPECT_FALSE(lines[i].redact) << i;
  }
  EXPECT_EQ(lines[3].text, "世帯主 山田 太郎");

  // Without the naming anywhere on the page, a 12-digit number in a line stays.
  std::vector<TextLine> other = {{.text = "保険者番号 123456789018"}};
  EXPECT_EQ(MaskMyNumbersInLines("保険者番号 123456789018", other), 0);
  EXPECT_FALSE(other[0].redact);
}

TEST(ScreenStageTest, GlassSlidesOnlyWhenSaidToBeEnclosed) {
  Case enclosed = CaseWithPage("病理標本について\nプレパラート 3枚を同封いたします。");
  ASSERT_THAT(MakeScreenStage()->Run(enclosed), IsOk());
  ASSERT_EQ(enclosed.findings.size(), 1u);
  EXPECT_EQ(enclosed.findings[0].code, FindingCode::kGlassSlides);

  Case not_sent = CaseWithPage("プレパラートは送付しておりません。");
  ASSERT_THAT(MakeScreenStage()->Run(not_sent), IsOk());
  EXPECT_TRUE(not_sent.findings.empty());
}

}  // namespace
}  // namespace intake::stages

#include "text/text_normalize.h"

#include <gtest/gtest.h>

namespace intake::text {
namespace {

TEST(TextNormalizeTest, NfkcFoldsFullWidthDigitsLettersAndHalfWidthKana) {
  EXPECT_EQ(Nfkc("２０２６年ＡＢＣ"), "2026年ABC");
  EXPECT_EQ(Nfkc("ﾔﾏﾀﾞ"), "ヤマダ");
  EXPECT_EQ(Nfkc("㍼"), "昭和");
}

TEST(TextNormalizeTest, MatchFormRemovesSpacesBetweenJapaneseCharacters) {
  EXPECT_EQ(MatchForm("診 療 情 報 提 供 書"), "診療情報提供書");
  EXPECT_EQ(MatchForm("患者氏名　山田　太郎"), "患者氏名山田太郎");
}

TEST(TextNormalizeTest, MatchFormLinesDropsEmptyLines) {
  const auto lines = MatchFormLines("紹 介 状\n\n  \n傷病名　胃癌\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "紹介状");
  EXPECT_EQ(lines[1], "傷病名胃癌");
}

TEST(TextNormalizeTest, TrimSpacesHandlesFullWidthSpace) {
  EXPECT_EQ(TrimSpaces("　 山田　太郎 　"), "山田　太郎");
  EXPECT_EQ(TrimSpaces("　"), "");
}

TEST(TextNormalizeTest, FuzzyMatchToleratesOcrEditsByKeywordLength) {
  EXPECT_TRUE(ContainsFuzzy("本書は診療情報提洪書です", "診療情報提供書"));   // 供 read as 洪
  EXPECT_FALSE(ContainsFuzzy("本書は診療情報洪洪書です", "診療情報提供書"));  // two wrong
  // Seen from Tesseract on a generated scan: 人 inserted, ート dropped at the line's end.
  EXPECT_TRUE(ContainsFuzzy("セカンドオピニオン人外来相談シ", "セカンドオピニオン外来相談シート"));
  EXPECT_FALSE(ContainsFuzzy("セカンドオピニオン外来申込書", "セカンドオピニオン外来相談シート"));
  EXPECT_FALSE(ContainsFuzzy("診者患者本人", "受診者"));  // 3 characters: exact only
  EXPECT_FALSE(ContainsFuzzy("本人", "本籍"));            // short keywords must match exactly
  EXPECT_TRUE(ContainsFuzzy("本籍東京都", "本籍"));
}

TEST(TextNormalizeTest, FindsCodepointOffsets) {
  EXPECT_EQ(FindCodepoints("あいう紹介状", "紹介状"), 3);
  EXPECT_EQ(FindCodepoints("あいう", "紹介状"), -1);
  EXPECT_EQ(CodepointLength("紹介状"), 3);
}

TEST(TextNormalizeTest, FindsALabelExactlyOrWithOneCharacterDropped) {
  const std::string line = "望診療科泌尿器科";  // 希望診療科 with its first character lost
  EXPECT_EQ(FindLabel(line, "希望診療科", false), std::nullopt);
  const auto span = FindLabel(line, "希望診療科", true);
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(line.substr(span->second), "泌尿器科");
  EXPECT_EQ(FindLabel("続柄長女", "続柄", true)->second, std::string("続柄").size());
  EXPECT_EQ(FindLabel("柄長女", "続柄", true), std::nullopt);  // two characters: exact only
}

TEST(TextNormalizeTest, EditDistanceCountsCodePointsNotBytes) {
  EXPECT_EQ(CodePoints("紹介状"), U"紹介状");
  EXPECT_EQ(CodePoints("a\xFF"
                       "b"),
            U"a\uFFFD"
            "b")
      << "a malformed byte is one replacement";
  EXPECT_EQ(EditDistance(U"診療情報提供書", U"診療情報提供書"), 0u);
  EXPECT_EQ(EditDistance(U"診療情報提供書", U"診療清報提供書"), 1u) << "one misread kanji";
  EXPECT_EQ(EditDistance(U"紹介状", U"紹状"), 1u) << "one dropped";
  EXPECT_EQ(EditDistance(U"山田太郎", U"太郎山田"), 4u);
  EXPECT_EQ(EditDistance(U"", U"紹介状"), 3u);
  EXPECT_EQ(EditDistance(U"紹介状", U""), 3u);
}

TEST(TextNormalizeTest, TheNearestWordComesWithTheNextNearestsDistance) {
  const std::vector<std::string> words{"同居", "別居", "患者本人と家族"};
  const auto misread = FindNearestWord(U"屋者本人と家族", words);
  ASSERT_TRUE(misread);
  EXPECT_EQ(*misread->word, "患者本人と家族");
  EXPECT_EQ(misread->distance, 1u);
  EXPECT_EQ(misread->runner_up, 7u);
  const auto tie = FindNearestWord(U"X居", words);
  ASSERT_TRUE(tie);
  EXPECT_EQ(tie->distance, tie->runner_up) << "同居 and 別居 are as near";
  const auto alone = FindNearestWord(U"同居", {"同居"});
  ASSERT_TRUE(alone);
  EXPECT_EQ(alone->runner_up, std::u32string::npos);
  EXPECT_FALSE(FindNearestWord(U"同居", {}));
}

TEST(TextNormalizeTest, ANearMissIsAThirdOfAWordMisreadWithNoOtherWordAsNear) {
  const std::vector<std::string> departments{"泌尿器科", "呼吸器内科", "消化器内科"};
  EXPECT_EQ(NearMissOf("泌尿器利", departments), "泌尿器科");
  EXPECT_EQ(NearMissOf("呼吸器内科", departments), "呼吸器内科");
  EXPECT_EQ(NearMissOf("決尿故科", departments), std::nullopt) << "two of four misread";
  EXPECT_EQ(NearMissOf("還吸器内科", departments), std::nullopt) << "消化器内科 nearly as near";
  EXPECT_EQ(NearMissOf("", departments), std::nullopt);
}

}  // namespace
}  // namespace intake::text

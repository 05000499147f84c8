// Mentions in free text: a patient's own words, not the hospital's notice or a denial.
#include "stages/text_mentions.h"

#include <gtest/gtest.h>

namespace intake::stages {
namespace {

const std::vector<std::string> kLitigation = {"訴訟", "裁判", "弁護士"};

TEST(TextMentions, SentencesJoinBrokenLinesAndSplitAtFullStops) {
  const auto s = Sentences("病院を相手に医療訴訟を起こすことも考えており、その\n際に使える意見書を書いて"
                           "いただきたく。質問2　裁判で使えますか？");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "病院を相手に医療訴訟を起こすことも考えており、その際に使える意見書を書いていただきたく");
}

TEST(TextMentions, ThePatientsOwnWordsAreAMention) {
  EXPECT_EQ(StatedMention("裁判で使うための意見書を書いていただくことはできますか。", kLitigation),
            std::optional<std::string>("裁判"));
  EXPECT_TRUE(StatedMention("弁護士と相談しています。", kLitigation));
}

TEST(TextMentions, NoticesAndDenialsAreNot) {
  EXPECT_FALSE(StatedMention("※医療訴訟を目的とするご相談はお受けできません。", kLitigation));
  EXPECT_FALSE(StatedMention("訴訟・係争中のご相談は対象外です。", kLitigation));
  EXPECT_FALSE(StatedMention("医療訴訟の予定はありません。", kLitigation));
  EXPECT_FALSE(StatedMention("裁判は考えていません。", kLitigation));
  EXPECT_FALSE(StatedMention("手術の方法について教えてください。", kLitigation));
}

}  // namespace
}  // namespace intake::stages

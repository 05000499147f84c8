#include "stages/classify.h"

#include <gtest/gtest.h>

#include "config/profile.h"

namespace intake::stages {
namespace {

class ClassifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = config::LoadProfile(config::DefaultProfilePath());
    ASSERT_TRUE(p.ok()) << p.message();
    profile_ = std::move(*p);
  }
  void AddPage(Case& c, const std::string& file_id, const std::string& text) {
    Page page;
    page.id = c.NextPageId();
    page.file_id = file_id;
    page.text = text;
    page.text_source = TextSource::kOcr;
    page.ocr_confidence = 0.9;
    c.pages.push_back(page);
  }
  config::Profile profile_;
};

TEST_F(ClassifyTest, TitlesDecideTheTypeEvenWithOcrSpaces) {
  Case c;
  AddPage(c, "f0001",
          "診 療 情 報 提 供 "
          "書\n紹介先医療機関　東京大学医学部附属病院　御侍史\n傷病名　胃癌\n紹介目的");
  AddPage(c, "f0001",
          "セカンドオピニオン外来申込書\n患者氏名　山田　太郎\nフリガナ\n生年月日\n希望診療科");
  AddPage(c, "f0001", "セカンドオピニオン外来相談シート\n相談内容\n質問事項");
  AddPage(c, "f0001", "戸籍全部事項証明書\n本籍　東京都\n筆頭者\n戸籍に記録されている者");
  AddPage(c, "f0001", "検査結果報告書\n項目 結果 基準値\nWBC 5.2\nHb 13.1\nCRP 0.1");
  AddPage(c, "f0001", "これは関係のない広告です");
  ASSERT_TRUE(MakeClassifyStage(profile_)->Run(c).ok());
  EXPECT_EQ(c.pages[0].doc_type, "referral_letter");
  EXPECT_EQ(c.pages[1].doc_type, "application_form");
  EXPECT_EQ(c.pages[2].doc_type, "consultation_sheet");
  EXPECT_EQ(c.pages[3].doc_type, "koseki");
  EXPECT_EQ(c.pages[4].doc_type, "blood_test");
  EXPECT_EQ(c.pages[5].doc_type, "other");
  for (int i = 0; i < 5; ++i) EXPECT_GE(c.pages[i].type_score, 0.5) << i;
  EXPECT_EQ(c.documents.size(), 6u);
}

TEST_F(ClassifyTest, LongerTitleWinsOverTheTitleItContains) {
  Case c;
  AddPage(c, "f0001", "診療情報提供書別紙\n一般外科\n腹膜播種を伴う胃癌");
  ASSERT_TRUE(MakeClassifyStage(profile_)->Run(c).ok());
  EXPECT_EQ(c.pages[0].doc_type, "surgery_attachment_form");
}

TEST_F(ClassifyTest, ContinuationPageJoinsTheLetterAndDocumentsSplitByTypeAndFile) {
  Case c;
  AddPage(c, "f0001", "診療情報提供書\n紹介先医療機関\n傷病名\n紹介目的\n既往歴及び家族歴");
  AddPage(c, "f0001", "（2/2）\n今後ともよろしくお願いいたします。");
  AddPage(c, "f0002", "診療情報提供書\n紹介先医療機関\n傷病名\n紹介目的");
  ASSERT_TRUE(MakeClassifyStage(profile_)->Run(c).ok());
  EXPECT_EQ(c.pages[1].doc_type, "referral_letter");
  ASSERT_EQ(c.documents.size(), 2u);
  EXPECT_EQ(c.documents[0].page_ids, (std::vector<std::string>{"p0001", "p0002"}));
  EXPECT_EQ(c.documents[1].page_ids, (std::vector<std::string>{"p0003"}));
}

TEST_F(ClassifyTest, WeakEvidenceStaysOther) {
  Case c;
  AddPage(c, "f0001", "備考\n処方");  // two body keywords of different types only
  ASSERT_TRUE(MakeClassifyStage(profile_)->Run(c).ok());
  EXPECT_EQ(c.pages[0].doc_type, "other");
}

}  // namespace
}  // namespace intake::stages

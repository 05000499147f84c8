#include "stages/classify.h"

#include <gtest/gtest.h>

#include "config/profile.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::stages {
namespace {

class ClassifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = config::LoadProfile(config::DefaultProfilePath());
    ASSERT_THAT(p, IsOk());
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
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  EXPECT_EQ(c.pages[0].doc_type, "referral_letter");
  EXPECT_EQ(c.pages[1].doc_type, "application_form");
  EXPECT_EQ(c.pages[2].doc_type, "consultation_sheet");
  EXPECT_EQ(c.pages[3].doc_type, "koseki");
  EXPECT_EQ(c.pages[4].doc_type, "blood_test");
  EXPECT_EQ(c.pages[5].doc_type, "other");
  for (int i = 0; i < 5; ++i) EXPECT_GE(c.pages[i].type_score, 0.5) << i;
  EXPECT_EQ(c.documents.size(), 6u);
}

TEST_F(ClassifyTest, OtherHospitalsAndPharmaciesTitlesToo) {
  // Titles as other hospitals and pharmacies print them, each on a page with its own fields; and
  // a referral letter's continuation that names examinations in its sentences (titles of other
  // laboratories' reports, 超音波検査 or 臨床検査, would take it from the letter: not titles).
  Case c;
  AddPage(c, "f0001", "おくすり手帳\n調剤日　令和8年10月1日\n用法　1日1回");
  AddPage(c, "f0002", "病理報告書\n標本番号　S26-1234\n組織所見　腺癌");
  AddPage(c, "f0003", "読影報告書\n検査　腹部CT\n所見　肝に腫瘤");
  AddPage(c, "f0005", "セカンドオピニオン外来申し込み書\n患者氏名　山田　太郎\n生年月日");
  AddPage(c, "f0006",
          "診療情報提供書\n紹介先医療機関　東京大学医学部附属病院　御侍史\n傷病名　胃癌\n"
          "紹介目的　セカンドオピニオン");
  AddPage(c, "f0006",
          "10月の超音波検査と臨床検査で肝転移を疑い、CTで確認しました。\n"
          "治療経過　化学療法を3コース行いました。\n敬具");
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  EXPECT_EQ(c.pages[0].doc_type, "medication_list");
  EXPECT_EQ(c.pages[1].doc_type, "pathology_report");
  EXPECT_EQ(c.pages[2].doc_type, "imaging_report");
  EXPECT_EQ(c.pages[3].doc_type, "application_form");
  EXPECT_EQ(c.pages[4].doc_type, "referral_letter");
  EXPECT_EQ(c.pages[5].doc_type, "referral_letter");
}

TEST_F(ClassifyTest, LongerTitleWinsOverTheTitleItContains) {
  Case c;
  AddPage(c, "f0001", "診療情報提供書別紙\n一般外科\n腹膜播種を伴う胃癌");
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  EXPECT_EQ(c.pages[0].doc_type, "surgery_attachment_form");
}

TEST_F(ClassifyTest, ContinuationPageJoinsTheLetterAndDocumentsSplitByTypeAndFile) {
  Case c;
  AddPage(c, "f0001", "診療情報提供書\n紹介先医療機関\n傷病名\n紹介目的\n既往歴及び家族歴");
  AddPage(c, "f0001", "（2/2）\n今後ともよろしくお願いいたします。");
  AddPage(c, "f0002", "診療情報提供書\n紹介先医療機関\n傷病名\n紹介目的");
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  EXPECT_EQ(c.pages[1].doc_type, "referral_letter");
  ASSERT_EQ(c.documents.size(), 2u);
  EXPECT_EQ(c.documents[0].page_ids, (std::vector<std::string>{"p0001", "p0002"}));
  EXPECT_EQ(c.documents[1].page_ids, (std::vector<std::string>{"p0003"}));
}

TEST_F(ClassifyTest, WeakEvidenceStaysOther) {
  Case c;
  AddPage(c, "f0001", "備考\n処方");  // two body keywords of different types only
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  EXPECT_EQ(c.pages[0].doc_type, "other");
}

TEST_F(ClassifyTest, EachTitledCardIsItsOwnDocumentAndItsBackJoinsIt) {
  Case c;
  AddPage(c, "f0001", "運転免許証\n氏名　山田　花子\n交付\n有効期限\n東京都公安委員会");
  AddPage(c, "f0001", "運転免許証\n氏名　山田　一郎\n交付\n有効期限\n東京都公安委員会");
  // The back of the second licence: no title, its issuer's entries.
  AddPage(c, "f0001", "備考\n令和7年4月1日　住所変更\n東京都公安委員会\n交付\n有効期限");
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  for (const auto& page : c.pages) EXPECT_EQ(page.doc_type, "id_document");
  ASSERT_EQ(c.documents.size(), 2u);
  EXPECT_EQ(c.documents[0].page_ids, (std::vector<std::string>{"p0001"}));
  EXPECT_EQ(c.documents[1].page_ids, (std::vector<std::string>{"p0002", "p0003"}));
}

TEST_F(ClassifyTest, ATitledPageMarkedAsAContinuationStaysInItsDocument) {
  Case c;
  AddPage(c, "f0001", "検査結果報告書　(1/2)\n基準値\nWBC\nHb");
  AddPage(c, "f0001", "検査結果報告書　(2/2)\n基準値\nCRP\neGFR");
  AddPage(c, "f0001", "診療情報提供書\n紹介先医療機関\n傷病名\n紹介目的");
  AddPage(c, "f0001", "診療情報提供書（続き）\n治療経過\n現在の処方\n備考");
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  ASSERT_EQ(c.documents.size(), 2u);
  EXPECT_EQ(c.documents[0].page_ids.size(), 2u);
  EXPECT_EQ(c.documents[1].page_ids.size(), 2u);
}

TEST_F(ClassifyTest, KeywordsWithoutTheTitleGiveATypeToReviewNotAConfidentOne) {
  // The title line was lost to OCR; two keywords of one type and nothing of another remain.
  Case c;
  AddPage(c, "f0001", "氏名　高橋　修\n調剤日　令和8年10月22日\n処方医療機関　港南クリニック");
  AddPage(c, "f0002", "氏名　高橋　修\n調剤日　令和8年10月22日\n本籍　東京都");  // a rival
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  EXPECT_EQ(c.pages[0].doc_type, "medication_list");
  EXPECT_LT(c.pages[0].type_score, profile_.min_confidence);
  EXPECT_EQ(c.pages[1].doc_type, "other");
}

TEST_F(ClassifyTest, ACoverLetterNamingAnEnclosedDocumentIsNotThatDocument) {
  Case c;
  AddPage(c, "f0001",
          "令和8年11月1日\n東京大学医学部附属病院　地域医療連携センター　御中\nさくら通り診療所\n"
          "書類送付のご案内\n下記の書類をお送りいたします。\n記\n書類 数量\n"
          "診療情報提供書 1通\n検査データ一式 1部\n以上");
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  EXPECT_EQ(c.pages[0].doc_type, "other");
}

TEST_F(ClassifyTest, TheTitleOutweighsAnotherFormsFieldNames) {
  // A consent form naming the clinic, with the fields an application form also has.
  Case c;
  AddPage(c, "f0001",
          "相 談 同 意 書\n東都大学医学部附属病院長　殿\n"
          "私は、セカンドオピニオン外来において、下記の家族が私に代わって相談することに同意します。\n"
          "住所　東京都千代田区九段北九丁目1番\n氏名　山田　太郎\n生年月日　昭和30年2月11日\n"
          "電話番号　03-0000-1234\n続柄　長女");
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  EXPECT_EQ(c.pages[0].doc_type, "consent_form");
  EXPECT_GE(c.pages[0].type_score, profile_.min_confidence);
}

TEST_F(ClassifyTest, ACardsTitleInALineOfItsOwnFurtherDown) {
  Case c;
  AddPage(c, "f0001",
          "/\n氏名　渡辺　彩　昭和58年11月2日生\n住所　東京都調布市深大寺九丁目3番1号\n"
          "交付　令和6年3月12日\n運転免許証\n番号　第 012345678900 号");
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  EXPECT_EQ(c.pages[0].doc_type, "id_document");
  EXPECT_GE(c.pages[0].type_score, profile_.min_confidence);
}

TEST_F(ClassifyTest, AnEnclosureListNamesDocumentsWithoutBeingThem) {
  Case c;
  AddPage(c, "f0001",
          "東京大学医学部附属病院　地域医療連携センター　御中\n令和8年1月13日\n北町記念病院\n"
          "送付書\nいつもお世話になっております。下記の書類をお送りいたします。\n記\n"
          "診療情報提供書 | ]通\n・運転免許証の写し\n以上");
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  EXPECT_EQ(c.pages[0].doc_type, "other");
}

TEST_F(ClassifyTest, ABlankBackIsBlankAndKeepsItsDocumentWhole) {
  Case c;
  AddPage(c, "f0001", "診療情報提供書\n紹介先医療機関\n傷病名　胃癌\n紹介目的");
  AddPage(c, "f0001", " 、\n. ー\n");  // the back of the sheet: bleed-through specks
  AddPage(c, "f0001", "（2/2）\n症状経過及び検査結果\n現在の処方");
  ASSERT_THAT(MakeClassifyStage(profile_)->Run(c), IsOk());
  EXPECT_EQ(c.pages[1].doc_type, "other");
  EXPECT_EQ(c.pages[1].evidence, std::vector<std::string>{"blank"});
  ASSERT_EQ(c.documents.size(), 1u);
  EXPECT_EQ(c.documents[0].type, "referral_letter");
  EXPECT_EQ(c.documents[0].page_ids.size(), 3u);
}

}  // namespace
}  // namespace intake::stages

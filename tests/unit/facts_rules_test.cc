// Facts from document text and the manifest, and rule evaluation over them (default profile).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "config/profile.h"
#include "stages/classify.h"
#include "stages/facts.h"
#include "stages/rules.h"
#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

const char* kReferral =
    "診療情報提供書\n紹介先医療機関　東京大学医学部附属病院\n傷病名　胃癌\n紹介目的　セカンドオピニ"
    "オン\n既往歴及び家族歴";
const char* kConsultation = "セカンドオピニオン外来相談シート\n相談内容\n質問事項";
const char* kBlood = "検査結果報告書\n基準値\nWBC\nHb\nCRP";

std::string Application(const std::string& attendance, const std::string& living,
                        const std::string& department,
                        const std::string& birth = "昭和45年3月2日") {
  std::string t =
      "セカンドオピニオン外来申込書\n患者氏名　山田　太郎\nフリガナ　ヤマダ　タロウ\n生年月日　" +
      birth + "\n希望診療科　" + department + "\n受診者　" + attendance + "\n";
  if (!living.empty())
    t += "受診する家族の氏名　山田　花子　続柄　長女\n患者との同居　" + living + "\n";
  return t;
}

class FactsRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = config::LoadProfile(config::DefaultProfilePath());
    ASSERT_THAT(p, IsOk());
    profile_ = std::move(*p);
    NewCase();
  }
  // A new case, for a test that tries several pages one after another.
  void NewCase() {
    c_ = Case();
    c_.id = "test";
    c_.submission_date = "2026-11-21";
  }
  void AddPage(const std::string& text, double confidence = 0.9) {
    Page page;
    page.id = c_.NextPageId();
    page.file_id = "f0001";
    page.text = text;
    page.text_source = TextSource::kOcr;
    page.ocr_confidence = confidence;
    c_.pages.push_back(page);
  }
  void Run() {
    ASSERT_THAT(MakeClassifyStage(profile_)->Run(c_), IsOk());
    ASSERT_THAT(MakeFactsStage()->Run(c_), IsOk());
    ASSERT_THAT(MakeRulesStage(profile_)->Run(c_), IsOk());
  }
  std::map<std::string, std::string> Statuses() const {
    std::map<std::string, std::string> out;
    for (const auto& r : c_.requirements) out[r.id] = std::string(RequirementStatusName(r.status));
    return out;
  }
  FactValue FactOf(const std::string& name) const {
    const Fact* f = c_.FindFact(name);
    return f ? f->value : FactValue{};
  }
  config::Profile profile_;
  Case c_;
};

TEST_F(FactsRulesTest, PatientAttendsAloneAndEverythingIsThere) {
  AddPage(kReferral);
  AddPage(Application("患者本人", "", "消化器内科"));
  AddPage(kConsultation);
  AddPage(kBlood);
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("patient")));
  EXPECT_EQ(FactOf("department"), FactValue(std::string("消化器内科")));
  EXPECT_EQ(FactOf("patient_birth_date"), FactValue(std::string("1970-03-02")));
  EXPECT_EQ(FactOf("patient_age"), FactValue(std::int64_t{56}));
  EXPECT_EQ(FactOf("diagnosis"), FactValue(std::string("胃癌")));
  const auto s = Statuses();
  EXPECT_EQ(s.at("referral_letter"), "present");
  EXPECT_EQ(s.at("test_data"), "present");
  EXPECT_EQ(s.at("consent_form"), "not_required");
  EXPECT_EQ(s.at("kinship_proof"), "not_required");
  EXPECT_EQ(s.at("attendee_id"), "not_required");
  EXPECT_EQ(s.at("medication_list"), "not_required");
  EXPECT_EQ(c_.verdict, Verdict::kComplete);
}

// A birth date whose era was read with a glyph wrong is the one date of the eras it may be that
// is not after the submission: 邊和24年 is 昭和24年 (令和24年 has not come); 邊和5年 could be
// either, and is left unread.
TEST_F(FactsRulesTest, ABirthDateWithItsEraMisreadIsTheOneNotAfterTheSubmission) {
  AddPage(Application("患者本人", "", "消化器内科", "邊和24年3月5日"));
  Run();
  EXPECT_EQ(FactOf("patient_birth_date"), FactValue(std::string("1949-03-05")));
  NewCase();
  AddPage(Application("患者本人", "", "消化器内科", "邊和5年3月5日"));
  Run();
  EXPECT_EQ(c_.FindFact("patient_birth_date"), nullptr);
}

// The department's row with its label misread (希望診療科 as 笛当有療科 on a bilevel scan) is
// found by its value: a head as long as a label ending in 科, then a department's name or a near
// miss of one. A head followed by no department's name is no such row.
TEST_F(FactsRulesTest, ADepartmentRowWithItsLabelMisreadIsFoundByItsValue) {
  std::string form = Application("患者本人", "", "呼吸回内科");
  form.replace(form.find("希望診療科"), std::string("希望診療科").size(), "笛当有療科");
  AddPage(form);
  Run();
  EXPECT_EQ(FactOf("department"), FactValue(std::string("呼吸器内科")));
  NewCase();
  form = Application("患者本人", "", "さくら通り診療所");
  form.replace(form.find("希望診療科"), std::string("希望診療科").size(), "笛当有療科");
  AddPage(form);
  Run();
  EXPECT_EQ(c_.FindFact("department"), nullptr);
}

// A row of boxes read as glyphs, with options that are part of each other (患者本人 in
// 患者本人と家族): each box is followed by the longest option there, and the one box read as
// neither an empty box nor a glyph of an option marks its option. No such box, or two, mark
// nothing.
TEST_F(FactsRulesTest, ABoxReadAsAGlyphMarksItsOptionAmongNestedOnes) {
  const std::vector<std::pair<std::string, std::optional<std::string>>> rows{
      {"画患者本人　口患者本人と家族　口家族のみ", "patient"},
      {"口患者本人　品患者本人と家族　口家族のみ", "patient_and_family"},
      {"口患者本人　口患者本人と家族　一家族のみ", "family_only"},
      {"口患者本人　口患者本人と家族　口家族のみ", std::nullopt},
      {"画患者本人　品患者本人と家族　口家族のみ", std::nullopt},
  };
  for (const auto& [row, want] : rows) {
    NewCase();
    AddPage(Application(row, "", "消化器内科"));
    Run();
    const Fact* attendance = c_.FindFact("attendance");
    if (want) {
      ASSERT_NE(attendance, nullptr) << row;
      EXPECT_EQ(attendance->value, FactValue(*want)) << row;
    } else {
      EXPECT_EQ(attendance, nullptr) << row;
    }
  }
}

// A ring whose edge was drawn through its word puts the ■ inside it (同■居□): the option that
// spans the ■ and ends at the □ is the marked one; a ■ that falls between words is read as before.
TEST_F(FactsRulesTest, AMarkInsideAnOptionMarksThatOption) {
  AddPage(Application("患者本人と家族", "同■居□列属", "消化器内科"));
  Run();
  EXPECT_EQ(FactOf("living_together"), FactValue(true));
  NewCase();
  AddPage(Application("患者本人と家族", "同居　■別居□", "消化器内科"));
  Run();
  EXPECT_EQ(FactOf("living_together"), FactValue(false));
}

TEST_F(FactsRulesTest, FamilyOnlyWithoutConsentIsIncomplete) {
  AddPage(kReferral);
  AddPage(Application("家族のみ", "別居", "消化器内科"));
  AddPage(kConsultation);
  AddPage(kBlood);
  AddPage("戸籍全部事項証明書\n本籍\n筆頭者\n戸籍に記録されている者");
  AddPage("運転免許証\n氏名　山田　花子\n交付\n有効期限\n東京都公安委員会");
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("family_only")));
  EXPECT_EQ(FactOf("living_together"), FactValue(false));
  EXPECT_EQ(FactOf("attendee_relation"), FactValue(std::string("長女")));
  const auto s = Statuses();
  EXPECT_EQ(s.at("consent_form"), "missing");
  EXPECT_EQ(s.at("kinship_proof"), "present");
  EXPECT_EQ(s.at("attendee_id"), "present");
  EXPECT_EQ(c_.verdict, Verdict::kIncomplete);
  for (const auto& r : c_.requirements) {
    if (r.id == "consent_form") {
      EXPECT_FALSE(r.ask.empty());
    }
  }
}

TEST_F(FactsRulesTest, KosekiDoesNotProveKinshipWhenLivingTogether) {
  AddPage(Application("家族のみ", "同居", "消化器内科"));
  AddPage("戸籍全部事項証明書\n本籍\n筆頭者\n戸籍に記録されている者");
  Run();
  EXPECT_EQ(Statuses().at("kinship_proof"), "missing");
}

TEST_F(FactsRulesTest, CheckboxesAreRead) {
  AddPage(Application("□患者本人　□患者本人と家族　■家族のみ", "■同居　□別居", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("family_only")));
  EXPECT_EQ(FactOf("living_together"), FactValue(true));
  EXPECT_EQ(Statuses().at("medication_list"), "missing");
}

TEST_F(FactsRulesTest, AMarkedOptionReadWithItsSecondGlyphWrongIsStillItsOption) {
  // 同居 / 別居 in a hand-like face: the second glyph misread, the first tells the two apart.
  AddPage(Application("家族のみ", "■同怖　□別怖", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("living_together"), FactValue(true));
}

TEST_F(FactsRulesTest, AnUnmarkedMisreadOptionIsNoAnswer) {
  AddPage(Application("家族のみ", "同怖　別怖", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("living_together"), FactValue());
}

TEST_F(FactsRulesTest, PrintedChoicesWithNoMarkSeenAreNoAnswer) {
  // A ring drawn by hand around one option, not read: the options alone do not say which.
  AddPage(Application("患者本人　患者本人と家族　家族のみ", "同居　別居", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue());
  EXPECT_EQ(FactOf("living_together"), FactValue());
}

TEST_F(FactsRulesTest, ARingReadAsBracketsMarksTheOptionInside) {
  // Hand-drawn rings on a noisy scan, read by OCR as brackets; 患 misread as 屋 inside one.
  AddPage(Application("患者本人　<屋者本人と家族)　家族のみ", "(同居)　別居・", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("patient_and_family")));
  EXPECT_EQ(FactOf("living_together"), FactValue(true));
}

TEST_F(FactsRulesTest, ARingedOptionAnswersARowWhoseLabelWasMisread) {
  std::string form = Application("馬者本人.<屋者本人と家族)　家族のみ", "(別居)　同居", "老年病科");
  form.replace(form.find("受診者"), std::string("受診者").size(), "妥昌痢");
  form.replace(form.find("患者との同居"), std::string("患者との同居").size(), "1思考の同居");
  AddPage(form);
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("patient_and_family")));
  EXPECT_EQ(FactOf("living_together"), FactValue(false));
}

TEST_F(FactsRulesTest, BoxesReadAsGlyphsMarkTheOptionWhoseBoxIsNotAnEmptyOne) {
  // □ read as the kanji 口, ■ or a ticked box as some other glyph.
  AddPage(Application("家族のみ", "口同居 画別居", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("living_together"), FactValue(false));
}

TEST_F(FactsRulesTest, AnOptionWithoutABoxReadBeforeItIsNotMarkedByTheOthersEmptyBox) {
  for (const char* row : {"口同居 別居", "口同居 口別居", "画同居 品別居"}) {
    NewCase();
    AddPage(Application("家族のみ", row, "老年病科"));
    Run();
    EXPECT_EQ(FactOf("living_together"), FactValue()) << row;
  }
}

TEST_F(FactsRulesTest, AnOptionAfterAnEmptyBoxIsNeverTheAnswerByItself) {
  // A ticked box read as M, its option's second glyph misread: the first glyph still finds it.
  AddPage(Application("家族のみ", "口同居 M別由", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("living_together"), FactValue(false));
  // The empty box read as the katakana ロ, the ticked one as 急.
  for (const auto& [row, together] : {std::pair{"急同居 ロ別居", true}, {"□同居 画別居", false}}) {
    NewCase();
    AddPage(Application("家族のみ", row, "老年病科"));
    Run();
    EXPECT_EQ(FactOf("living_together"), FactValue(together)) << row;
  }
  // The other option not read at all: the one printed after an empty box is no answer.
  NewCase();
  AddPage(Application("家族のみ", "口同居", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("living_together"), FactValue());
}

TEST_F(FactsRulesTest, AMarkedOptionMisreadWholeIsTheOneWhoseBoxIsNotEmpty) {
  AddPage(Application("家族のみ", "■司居 □口別居", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("living_together"), FactValue(true));
}

TEST_F(FactsRulesTest, AMarkedAttendanceOptionMisreadIsTheNearestOption) {
  // A ringed 患者本人 read again as 愚者本/ (the ring's row: the ringed words between ■ and □).
  AddPage(Application("■愚者本/□つ 患者本人と家族 家族のみ", "同居", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("patient")));
  // Too far from any option (two glyphs of four right): no answer.
  NewCase();
  AddPage(Application("患者本人 患者本人と家族 ■ぐま族の□ み", "同居", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue());
}

TEST_F(FactsRulesTest, ARingReadAsBracesWithItsWordMisreadMarksTheOption) {
  // On a noisy scan: the ring read as { and >, 患 as 二 and 人 as 大 (folded back to 人).
  AddPage(Application("{二者本大> 患者本人と家族 家族のみ", "同居", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("patient")));
}

TEST_F(FactsRulesTest, SpecksAndRulesBeforeAValueAreNotPartOfIt) {
  std::string form = Application("家族のみ", "別居", "._| 呼吸器内科");
  form.replace(form.find("続柄　長女"), std::string("続柄　長女").size(), "続柄.長女");
  AddPage(form);
  Run();
  EXPECT_EQ(FactOf("department"), FactValue(std::string("呼吸器内科")));
  EXPECT_EQ(FactOf("attendee_relation"), FactValue(std::string("長女")));
}

TEST_F(FactsRulesTest, APrintedRemarkInBracketsMarksNothing) {
  AddPage(Application("患者本人　患者本人と家族　家族のみ(本人は来院しない)",
                      "同居　別居（いずれかに○）", "老年病科"));
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue());
  EXPECT_EQ(FactOf("living_together"), FactValue());
}

TEST_F(FactsRulesTest, ARelationIsAKinshipWordWithoutTheSpecksReadAfterIt) {
  std::string form = Application("家族のみ", "別居", "消化器内科");
  form.replace(form.find("続柄　長女"), std::string("続柄　長女").size(), "続柄　夫.");
  AddPage(form);
  Run();
  EXPECT_EQ(FactOf("attendee_relation"), FactValue(std::string("夫")));
}

TEST_F(FactsRulesTest, AMisreadRelationIsNoRelation) {
  std::string form = Application("家族のみ", "別居", "消化器内科");
  form.replace(form.find("続柄　長女"), std::string("続柄　長女").size(), "続柄　加");
  AddPage(form);
  Run();
  EXPECT_EQ(FactOf("attendee_relation"), FactValue());
  EXPECT_EQ(FactOf("attending_family_count"), FactValue(std::int64_t{1}));  // the row still counts
}

TEST_F(FactsRulesTest, OtherHospitalsWordingOfTheFieldsIsReadToo) {
  AddPage(
      "セカンドオピニオン外来申込書\n患者様氏名　山田　太郎\nふりがな　やまだ　たろう\n"
      "生年月日　昭和45年3月2日\nご希望の診療科　老年病科\n"
      "来院される方　□患者本人　□患者本人と家族　■家族のみ\n来院する家族の氏名　山田　花子\n"
      "患者との関係　長女\n同居/別居　□同居　■別居\n");
  Run();
  EXPECT_EQ(FactOf("patient_name"), FactValue(std::string("山田太郎")));
  EXPECT_EQ(FactOf("patient_name_kana"), FactValue(std::string("やまだたろう")));
  EXPECT_EQ(FactOf("department"), FactValue(std::string("老年病科")));
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("family_only")));
  EXPECT_EQ(FactOf("attendee_relation"), FactValue(std::string("長女")));
  EXPECT_EQ(FactOf("attending_family_count"), FactValue(std::int64_t{1}));
  EXPECT_EQ(FactOf("living_together"), FactValue(false));
}

TEST_F(FactsRulesTest, TheAnswerBesideAMisreadLabelIsNotTakenForAnotherLabel) {
  // 患者 read as 愚者 (a phone photo): the label is found with a character dropped, and the
  // line, without its spaces, must not read as a label 同居別居 with no answer after it.
  std::string form = Application("家族のみ", "別居", "消化器内科");
  form.replace(form.find("患者との同居"), std::string("患者との同居").size(), "愚者との同居");
  AddPage(form);
  Run();
  EXPECT_EQ(FactOf("living_together"), FactValue(false));
}

TEST_F(FactsRulesTest, AShortLabelWithACharacterDroppedIsNotFoundInOtherLines) {
  // 相談者 is not a label: dropped to 相談 it would read the 相談内容 line as the answer.
  std::string form = Application("", "", "消化器内科");
  form.replace(form.find("受診者　"), std::string("受診者　").size(), "相談内容　本人の治療方針");
  AddPage(form);
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue());
}

TEST_F(FactsRulesTest, ADepartmentReadAsNoDepartmentsNameIsNotTrusted) {
  // 泌尿器科 in a hand-like face read as 導M: shown, but the rules that ask for the department
  // (老年病科's medication list) cannot rely on it.
  AddPage(kReferral);
  AddPage(Application("患者本人", "", "導M"));
  AddPage(kConsultation);
  AddPage(kBlood);
  Run();
  EXPECT_EQ(FactOf("department"), FactValue(std::string("導M")));
  EXPECT_LT(c_.FindFact("department")->confidence, profile_.min_confidence);
  EXPECT_EQ(Statuses().at("medication_list"), "needs_review");
  EXPECT_EQ(c_.verdict, Verdict::kNeedsReview);
}

TEST_F(FactsRulesTest, SpecksReadAfterADepartmentAreNotPartOfIt) {
  // A noisy scan: the department's row ends in specks read as ._。」R0, its first glyph lost.
  AddPage(Application("患者本人", "", "腺・内分泌外科._。」R0"));
  Run();
  EXPECT_EQ(FactOf("department"), FactValue(std::string("乳腺・内分泌外科")));
  EXPECT_EQ(c_.FindFact("department")->read_as, "腺・内分泌外科._。」R0");
}

TEST_F(FactsRulesTest, LabelWithACharacterDroppedByOcrIsStillRead) {
  // Seen from Tesseract on a generated scan: 受診者 read as 診者.
  std::string form = Application("患者本人", "", "消化器内科");
  form.replace(form.find("受診者"), std::string("受診者").size(), "診者");
  AddPage(form);
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("patient")));
}

TEST_F(FactsRulesTest, KinshipDegreeAndLeadTimeAreDerived) {
  std::string form = Application("家族のみ", "別居", "消化器内科");
  form += "受診希望日　令和8年12月1日\n";
  AddPage(form);
  Run();
  EXPECT_EQ(FactOf("attendee_kinship_degree"), FactValue(std::int64_t{1}));  // 長女
  EXPECT_EQ(FactOf("lead_time_days"), FactValue(std::int64_t{10}));          // from 2026-11-21
}

TEST_F(FactsRulesTest, KinshipDegreeFollowsTheRelation) {
  const std::vector<std::pair<std::string, FactValue>> relations{
      {"妻", std::int64_t{0}},     {"長男", std::int64_t{1}},   {"孫", std::int64_t{2}},
      {"祖母", std::int64_t{2}},   {"曾祖母", std::int64_t{3}}, {"叔父", std::int64_t{3}},
      {"いとこ", std::int64_t{4}}, {"友人", FactValue{}}};
  for (const auto& [relation, degree] : relations) {
    c_ = Case{};
    c_.submission_date = "2026-11-21";
    std::string form = Application("家族のみ", "別居", "消化器内科");
    form.replace(form.find("長女"), std::string("長女").size(), relation);
    AddPage(form);
    Run();
    EXPECT_EQ(FactOf("attendee_kinship_degree"), degree) << relation;
  }
}

TEST_F(FactsRulesTest, UnknownAttendanceNeedsReviewNotAGuess) {
  AddPage(kReferral);
  AddPage(kConsultation);
  AddPage(kBlood);
  Run();  // no application form: who attends is unknown
  const auto s = Statuses();
  EXPECT_EQ(s.at("application_form"), "missing");
  EXPECT_EQ(s.at("consent_form"), "needs_review");
  EXPECT_EQ(s.at("attendee_id"), "needs_review");
  EXPECT_EQ(s.at("medication_list"), "needs_review");
  EXPECT_EQ(c_.verdict, Verdict::kIncomplete);
}

TEST_F(FactsRulesTest, ReasonCodesSayWhyForTheAuditTrail) {
  AddPage(kReferral);
  AddPage(kConsultation);
  AddPage(kBlood);
  Run();  // no application form: who attends is unknown
  std::map<std::string, std::string> codes;
  for (const auto& r : c_.requirements) codes[r.id] = r.reason_code;
  EXPECT_EQ(codes.at("referral_letter"), "evidence_found");
  EXPECT_EQ(codes.at("application_form"), "no_document");
  EXPECT_EQ(codes.at("consent_form"), "need_unknown");

  c_ = Case{};
  c_.submission_date = "2026-11-21";
  AddPage(kReferral);
  AddPage(Application("患者本人", "", "消化器内科"));
  Run();
  codes.clear();
  for (const auto& r : c_.requirements) codes[r.id] = r.reason_code;
  EXPECT_EQ(codes.at("consent_form"), "condition_not_met");
  for (const auto& [id, code] : codes) EXPECT_FALSE(code.empty()) << id;
}

TEST_F(FactsRulesTest, LowConfidenceFactsAreNotTrusted) {
  AddPage(kReferral);
  AddPage(Application("患者本人", "", "消化器内科"), /*confidence=*/0.3);
  AddPage(kConsultation);
  AddPage(kBlood);
  Run();
  EXPECT_EQ(Statuses().at("consent_form"), "needs_review");
  EXPECT_EQ(c_.verdict, Verdict::kNeedsReview);
}

TEST_F(FactsRulesTest, MinorNeedsKinshipProofButNoConsent) {
  AddPage(Application("患者本人と家族", "同居", "小児科", "平成24年5月5日"));
  AddPage("被保険者証\n健康保険\n保険者番号\n記号\n番号");
  Run();
  EXPECT_EQ(FactOf("patient_age"), FactValue(std::int64_t{14}));
  const auto s = Statuses();
  EXPECT_EQ(s.at("consent_form"), "not_required");
  EXPECT_EQ(s.at("kinship_proof"), "present");
  EXPECT_EQ(s.at("attendee_id"), "not_required");  // the child attends: no ID asked for
}

TEST_F(FactsRulesTest, SurgeryAttachmentForGastricCancerWithPeritonealDissemination) {
  AddPage("診療情報提供書\n紹介先医療機関\n傷病名　胃癌（腹膜播種）\n紹介目的");
  AddPage(Application("患者本人", "", "一般外科"));
  Run();
  EXPECT_EQ(Statuses().at("surgery_attachment_form"), "missing");
}

TEST_F(FactsRulesTest, ManifestFactsWinAndAreMarked) {
  const fs::path manifest = fs::temp_directory_path() / "intake_facts_test_intake.yaml";
  std::ofstream(manifest) << "schema: intake.manifest/1\nfacts:\n  attendance: family_only\n"
                             "  living_together: true\n  department: 老年病科\n";
  SourceFile f;
  f.id = "f0009";
  f.path = manifest;
  f.relative_path = "intake.yaml";
  f.kind = FileKind::kManifest;
  c_.files.push_back(f);
  AddPage(Application("患者本人", "", "消化器内科"));
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("family_only")));
  EXPECT_EQ(FactOf("living_together"), FactValue(true));
  EXPECT_EQ(FactOf("department"), FactValue(std::string("老年病科")));
  EXPECT_TRUE(c_.FindFact("attendance")->source.from_manifest);
  EXPECT_FALSE(c_.FindFact("patient_birth_date")->source.from_manifest);
}

TEST_F(FactsRulesTest, MalformedManifestIsAFindingAndDocumentsStillCount) {
  // Found by fuzz/fuzz_manifest: a manifest that is a bare scalar threw from root["facts"].
  int n = 0;
  for (const char* text : {"z\"{fac\"t", "facts: [1, 2]", "facts:\n  ? [a, b]\n  : 1\n"}) {
    const fs::path manifest =
        fs::temp_directory_path() / ("intake_facts_test_bad" + std::to_string(n++) + ".yaml");
    std::ofstream(manifest) << text;
    Case c;
    c.id = "bad-manifest";
    c.submission_date = "2026-11-21";
    SourceFile f;
    f.id = "f0001";
    f.path = manifest;
    f.relative_path = "intake.yaml";
    f.kind = FileKind::kManifest;
    c.files.push_back(f);
    ASSERT_TRUE(MakeFactsStage()->Run(c).ok()) << text;
    if (std::string(text).find('?') == std::string::npos) {
      ASSERT_EQ(c.findings.size(), 1u) << text;
      EXPECT_EQ(c.findings[0].code, FindingCode::kCorruptFile);
    }
  }
}

TEST_F(FactsRulesTest, ExclusionRejectsTheCase) {
  const fs::path manifest = fs::temp_directory_path() / "intake_facts_test_excl.yaml";
  std::ofstream(manifest) << "facts:\n  patient_deceased: true\n";
  SourceFile f;
  f.id = "f0001";
  f.path = manifest;
  f.relative_path = "intake.yaml";
  f.kind = FileKind::kManifest;
  c_.files.push_back(f);
  AddPage(kReferral);
  Run();
  ASSERT_FALSE(c_.findings.empty());
  EXPECT_EQ(c_.findings.back().code, FindingCode::kExcludedCase);
  EXPECT_EQ(c_.verdict, Verdict::kRejected);
}

// --- physician's approval and the exclusion facts: only from form fields ---------------------

TEST_F(FactsRulesTest, PhysicianApprovalFromTheCheckedBox) {
  AddPage(Application("患者本人", "", "消化器内科") + "主治医の了承　■有　□無\n");
  Run();
  const Fact* approval = c_.FindFact("physician_approval");
  ASSERT_NE(approval, nullptr);
  EXPECT_EQ(approval->value, FactValue(true));
  EXPECT_EQ(approval->source.page_id, "p0001");
  EXPECT_FALSE(approval->source.document_id.empty());
  EXPECT_NEAR(approval->confidence, 0.9, 1e-9);  // the page's OCR confidence caps it
}

TEST_F(FactsRulesTest, NoApprovalRejectsTheCase) {
  AddPage(Application("患者本人", "", "消化器内科") + "主治医の了承　□有　■無\n");
  Run();
  EXPECT_EQ(FactOf("physician_approval"), FactValue(false));
  ASSERT_FALSE(c_.findings.empty());
  EXPECT_EQ(c_.findings.back().code, FindingCode::kExcludedCase);
  EXPECT_NE(c_.findings.back().message.find("主治医の了承"), std::string::npos);
  EXPECT_EQ(c_.verdict, Verdict::kRejected);
}

TEST_F(FactsRulesTest, PhysicianApprovalWrittenOutOrInTheReferralLetter) {
  AddPage(Application("患者本人", "", "消化器内科") + "主治医の了承　有（令和8年11月1日説明）\n");
  Run();
  EXPECT_EQ(FactOf("physician_approval"), FactValue(true));

  c_ = Case{};
  c_.submission_date = "2026-11-21";
  AddPage(std::string(kReferral) + "\n主治医の了承　あり\n");
  Run();
  EXPECT_EQ(FactOf("physician_approval"), FactValue(true));
  EXPECT_EQ(c_.FindFact("physician_approval")->source.document_id, c_.documents[0].id);
}

TEST_F(FactsRulesTest, UnansweredOrContradictoryApprovalStaysUnknown) {
  for (const char* answer : {"□有　□無", "■有　■無", "有　無", "確認中", ""}) {
    c_ = Case{};
    c_.submission_date = "2026-11-21";
    AddPage(Application("患者本人", "", "消化器内科") + "主治医の了承　" + answer + "\n");
    Run();
    EXPECT_EQ(FactOf("physician_approval"), FactValue{}) << answer;
    for (const auto& f : c_.findings) EXPECT_NE(f.code, FindingCode::kExcludedCase) << answer;
  }
}

TEST_F(FactsRulesTest, ExclusionFactsFromFormFields) {
  AddPage(Application("患者本人", "", "消化器内科") +
          "転院のご希望　□有　■無\n医療訴訟　■有　□無\nお住まい　海外（シンガポール）\n"
          "患者の生死　□存命　■死亡\n");
  Run();
  EXPECT_EQ(FactOf("transfer_request"), FactValue(false));
  EXPECT_EQ(FactOf("litigation"), FactValue(true));
  EXPECT_EQ(FactOf("from_abroad"), FactValue(true));
  EXPECT_EQ(FactOf("patient_deceased"), FactValue(true));
  std::set<std::string> excluded;
  for (const auto& f : c_.findings)
    if (f.code == FindingCode::kExcludedCase) excluded.insert(f.message);
  EXPECT_EQ(excluded.size(), 3u);  // litigation, from abroad, deceased; not transfer
  EXPECT_EQ(c_.verdict, Verdict::kRejected);
}

TEST_F(FactsRulesTest, ExclusionFactsNeverFromFreeText) {
  // Words that a keyword search would take for exclusions, in sentences and notes: no fact.
  AddPage(std::string(kReferral) +
          "\n患者は転院希望ではありません。医療訴訟の予定もありません。\n"
          "母は昨年死亡。海外在住の長男が心配している。\n");
  AddPage(Application("患者本人", "", "消化器内科") +
          "※亡くなられた患者さんのご相談、医療訴訟に関するご相談はお受けできません。\n"
          "医療訴訟は考えていません\n転院希望　について主治医と相談中\n");
  AddPage(std::string(kConsultation) + "\n転院希望　有\n");  // not the application form
  Run();
  for (const char* fact : {"transfer_request", "litigation", "from_abroad", "patient_deceased"}) {
    EXPECT_EQ(FactOf(fact), FactValue{}) << fact;
  }
  for (const auto& f : c_.findings) EXPECT_NE(f.code, FindingCode::kExcludedCase) << f.message;
}

TEST_F(FactsRulesTest, ALawsuitStatedInThePatientsWordsIsRaisedForReview) {
  AddPage(std::string(kReferral));
  AddPage(Application("患者本人", "", "消化器内科"));
  AddPage(std::string(kConsultation) +
          "\n手術の説明が不十分で、病院を相手に医療訴訟を起こすことも考えています。\n"
          "質問2　裁判で使うための意見書を書いていただけますか。\n");
  Run();
  const auto excluded = std::find_if(c_.findings.begin(), c_.findings.end(), [](const Finding& f) {
    return f.code == FindingCode::kExcludedCase;
  });
  ASSERT_NE(excluded, c_.findings.end());
  EXPECT_NE(excluded->message.find("訴訟"), std::string::npos) << excluded->message;
  EXPECT_NE(c_.verdict, Verdict::kRejected);  // a mention is for a person to confirm
  EXPECT_NE(c_.verdict, Verdict::kComplete);
}

TEST_F(FactsRulesTest, NothingReadableIsRejectedWithItsCauseOnly) {
  c_.AddFinding(FindingCode::kEncryptedArchive, "x");
  Run();
  EXPECT_EQ(c_.verdict, Verdict::kRejected);
  for (const auto& f : c_.findings) EXPECT_NE(f.code, FindingCode::kEmptySubmission);
  const auto s = Statuses();
  EXPECT_EQ(s.at("consent_form"), "needs_review");  // a fact it depends on is unknown
}

TEST_F(FactsRulesTest, AnEmptySubmissionIsRejected) {
  Run();
  EXPECT_EQ(c_.verdict, Verdict::kRejected);
  ASSERT_FALSE(c_.findings.empty());
  EXPECT_EQ(c_.findings.back().code, FindingCode::kEmptySubmission);
}

TEST_F(FactsRulesTest, ManifestWinsOverTheFormsFlags) {
  const fs::path manifest = fs::temp_directory_path() / "intake_facts_test_flags.yaml";
  std::ofstream(manifest) << "facts:\n  physician_approval: true\n";
  SourceFile f;
  f.id = "f0009";
  f.path = manifest;
  f.relative_path = "intake.yaml";
  f.kind = FileKind::kManifest;
  c_.files.push_back(f);
  AddPage(Application("患者本人", "", "消化器内科") + "主治医の了承　□有　■無\n");
  Run();
  EXPECT_EQ(FactOf("physician_approval"), FactValue(true));
  EXPECT_TRUE(c_.FindFact("physician_approval")->source.from_manifest);
  EXPECT_EQ(c_.verdict == Verdict::kRejected, false);
}

// --- attending family members: how many, and an ID for each --------------------------------

const char* kTwoAttendees =
    "セカンドオピニオン外来申込書\n患者氏名　山田　太郎\n生年月日　昭和20年3月2日\n"
    "希望診療科　消化器内科\n受診者　家族のみ\n"
    "受診する家族の氏名　山田　花子　続柄　長女\n受診する家族の氏名　佐藤　一郎　続柄　孫\n"
    "受診する家族の氏名\n患者との同居　別居\n";

TEST_F(FactsRulesTest, EveryAttendingFamilyMemberIsCounted) {
  AddPage(kTwoAttendees);
  Run();
  EXPECT_EQ(FactOf("attending_family_count"), FactValue(std::int64_t{2}));  // the blank row not
  EXPECT_EQ(FactOf("attendee_relation"), FactValue(std::string("長女、孫")));
  EXPECT_EQ(FactOf("attendee_kinship_degree"), FactValue(std::int64_t{2}));  // the furthest
  EXPECT_EQ(c_.FindFact("attending_family_count")->source.page_id, "p0001");
}

TEST_F(FactsRulesTest, AnIdForEveryAttendingFamilyMember) {
  AddPage(kTwoAttendees);
  AddPage("運転免許証\n氏名　山田　花子\n交付\n有効期限\n東京都公安委員会");
  Run();
  auto attendee_id = [&] {
    for (const auto& r : c_.requirements)
      if (r.id == "attendee_id") return r;
    return RequirementResult{};
  };
  EXPECT_EQ(attendee_id().status, RequirementStatus::kMissing);
  EXPECT_NE(attendee_id().reason.find("必要な2通のうち1通"), std::string::npos)
      << attendee_id().reason;

  // The grandchild's licence, copied right after the daughter's: two documents, two IDs.
  AddPage("運転免許証\n氏名　佐藤　一郎\n交付\n有効期限\n東京都公安委員会");
  Run();
  EXPECT_EQ(attendee_id().status, RequirementStatus::kPresent);
  EXPECT_EQ(attendee_id().evidence_document_ids.size(), 2u);
}

TEST_F(FactsRulesTest, NoFamilyMemberAttendsWithThePatientAlone) {
  AddPage(Application("患者本人", "", "消化器内科"));
  Run();
  EXPECT_EQ(FactOf("attending_family_count"), FactValue(std::int64_t{0}));
}

TEST_F(FactsRulesTest, AttendeeRowsAreCountedWithTheirBirthDates) {
  AddPage(
      "セカンドオピニオン外来申込書\n患者氏名　石井　隆\n生年月日　昭和30年2月11日\n"
      "受診者　家族のみ（続柄：妻）\n受診する家族　石井　恵子　昭和32年6月30日生　続柄：妻\n"
      "（氏名・生年月日）\n同居・別居　同居\n"
      "・患者さんご本人が受診されない場合は、相談同意書と続柄を確認できる書類が必要です。\n");
  Run();
  EXPECT_EQ(FactOf("attending_family_count"), FactValue(std::int64_t{1}));
  EXPECT_EQ(FactOf("attendee_relation"), FactValue(std::string("妻")));
}

TEST_F(FactsRulesTest, ARelationIsAKinshipWordNotTheFormsPrintedText) {
  AddPage(
      "セカンドオピニオン外来申込書\n患者氏名　石井　隆\n受診者　家族のみ\n"
      "・続柄を確認できる書類（戸籍謄本・住民票の写し等）が必要です。\n");
  Run();
  EXPECT_EQ(FactOf("attendee_relation"), FactValue{});
}

TEST_F(FactsRulesTest, ChoicesMarkedInBoxesAndCommonMisreadings) {
  // The OCR adapter writes boxes as ■ / □ (ocr_forms_test); a fax reads 本人 as 本大.
  AddPage(
      "セカンドオピニオン外来申込書\n患者氏名　山田　太郎\n"
      "受診者　□本人　■本人と家族　□家族のみ（続柄：夫）\n同居・別居　■題同居　□別居\n"
      "主治医の了承　■田有　□無\n");
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("patient_and_family")));
  EXPECT_EQ(FactOf("living_together"), FactValue(true));
  EXPECT_EQ(FactOf("physician_approval"), FactValue(true));
  c_ = Case{};
  AddPage("セカンドオピニオン外来申込書\n患者氏名　山田　太郎\n受診　ーー　本大\n");
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("patient")));
}

TEST_F(FactsRulesTest, ARowOfMarkedChoicesAnswersWithItsLabelMisread) {
  // 受診者 read as 受及話 beside a punch hole, 患者との同居 lost: the rows still offer the
  // field's choices with one marked.
  AddPage(
      "セカンドオピニオン外来申込書\n患者氏名　山田　明美\n"
      "信 受及話 口患者本人 人□患者本人と家族 ■家族のみ\n"
      "受診する家族の氏名　山田　花子　続柄　長女\n□口同居 ■別居\n");
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue(std::string("family_only")));
  EXPECT_EQ(FactOf("living_together"), FactValue(false));
  // Choices offered with none marked, or one choice alone, answer nothing.
  c_ = Case{};
  AddPage(
      "セカンドオピニオン外来申込書\n患者氏名　山田　明美\n受及話 □患者本人 □家族のみ\n"
      "■別居\n");
  Run();
  EXPECT_EQ(FactOf("attendance"), FactValue{});
  EXPECT_EQ(FactOf("living_together"), FactValue{});
}

TEST_F(FactsRulesTest, TheManifestsRelationsCountTheFamilyMembers) {
  const fs::path manifest = fs::temp_directory_path() / "intake_facts_test_relation.yaml";
  std::ofstream(manifest) << "facts:\n  attendance: family_only\n  attendee_relation: 長女\n";
  SourceFile f;
  f.id = "f0009";
  f.path = manifest;
  f.relative_path = "intake.yaml";
  f.kind = FileKind::kManifest;
  c_.files.push_back(f);
  AddPage(Application("患者本人", "", "消化器内科"));
  Run();
  EXPECT_EQ(FactOf("attending_family_count"), FactValue(std::int64_t{1}));
}

TEST_F(FactsRulesTest, ANearMissDiagnosisIsCorrectedAndTheReadingKept) {
  AddPage("診療情報提供書\n紹介先医療機関\n傷病名　右肺上葉肺腺問　cT2aN2M1a\n紹介目的");
  Run();
  EXPECT_EQ(FactOf("diagnosis"), FactValue(std::string("右肺上葉肺腺癌cT2aN2M1a")));
  EXPECT_EQ(c_.FindFact("diagnosis")->read_as, "右肺上葉肺腺問cT2aN2M1a");
}

TEST_F(FactsRulesTest, FamilyAttendsButNoRowIsReadable) {
  AddPage(
      "セカンドオピニオン外来申込書\n患者氏名　山田　太郎\n生年月日　昭和20年3月2日\n"
      "受診者　家族のみ\n患者との同居　別居\n");
  AddPage("運転免許証\n氏名　山田　花子\n交付\n有効期限\n東京都公安委員会");
  Run();
  EXPECT_EQ(FactOf("attending_family_count"), FactValue{});
  EXPECT_EQ(Statuses().at("attendee_id"), "needs_review");  // one ID, but for how many?
}

TEST_F(FactsRulesTest, ManifestGivesTheNumberOfAttendingFamilyMembers) {
  const fs::path manifest = fs::temp_directory_path() / "intake_facts_test_count.yaml";
  std::ofstream(manifest) << "facts:\n  attending_family_count: 3\n";
  SourceFile f;
  f.id = "f0009";
  f.path = manifest;
  f.relative_path = "intake.yaml";
  f.kind = FileKind::kManifest;
  c_.files.push_back(f);
  AddPage(kTwoAttendees);
  Run();
  EXPECT_EQ(FactOf("attending_family_count"), FactValue(std::int64_t{3}));
  EXPECT_TRUE(c_.FindFact("attending_family_count")->source.from_manifest);
}

}  // namespace
}  // namespace intake::stages

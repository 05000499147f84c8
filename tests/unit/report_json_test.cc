// report.json: the shape and values the schema (docs/report-schema.md) promises.
#include "report/report_json.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "pipeline/findings.h"
#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"
#include "tests/unit/case_builders.h"

using intake::testing::IsOk;

namespace intake::report {
namespace {

using intake::testing::Doc;
using intake::testing::File;
using intake::testing::MakePage;
using intake::testing::Patient;
using intake::testing::Req;
using intake::testing::Series;

using nlohmann::json;

Case SampleCase() {
  Case c;
  c.id = "20261121-1a2b3c4d";
  c.submission_sha256 = std::string(64, 'a');
  c.submission_name = "山田様_提出書類";
  c.received_at = "2026-11-21T09:15:00+09:00";
  c.submission_date = "2026-11-21";
  c.profile_id = "utokyo-online";
  c.profile_sha256 = std::string(64, 'b');

  c.files.push_back(
      File("f0001", "scans/envelope.pdf", FileKind::kPdf, 1234567, {}, "application/pdf"));
  c.files.push_back(File("f0002", "disc.zip", FileKind::kArchive, 900000, {}, "application/zip"));
  c.files.push_back(
      File("f0003", "disc/DICOM/IM000001", FileKind::kDicom, 526000, "f0002", "application/dicom"));
  c.files.push_back(File("f0004", "intake.yaml", FileKind::kManifest, 120, {}, "text/plain"));
  c.files.push_back(
      File("f0005", "scans/相談シート.pdf", FileKind::kPdf, 65000, {}, "application/pdf"));

  c.pages.push_back(MakePage("p0001", "f0001", 1, "referral_letter", 0.93,
                             TextSource::kPdfTextLayer, std::nullopt));
  c.pages.push_back(MakePage("p0002", "f0001", 2, "referral_letter", 0.81, TextSource::kOcr, 0.88));
  c.pages.push_back(MakePage("p0003", "f0001", 3, "application_form", 0.9, TextSource::kOcr, 0.91));
  c.pages.push_back(
      MakePage("p0004", "f0005", 1, "consultation_sheet", 0.77, TextSource::kOcr, 0.42));
  c.pages.push_back(
      MakePage("p0005", "f0005", 2, "consultation_sheet", 0.7, TextSource::kOcr, 0.65));

  c.documents.push_back(Doc("d001", "referral_letter", {"p0001", "p0002"}, 0.81));
  c.documents.push_back(Doc("d002", "application_form", {"p0003"}, 0.9));
  c.documents.push_back(Doc("d003", "consultation_sheet", {"p0004", "p0005"}, 0.7));

  c.SetFact(Fact{"attendance", std::string("family_only"), 1.0, {"", "", true}});
  c.SetFact(Fact{"department", std::string("消化器内科"), 0.9, {"d002", "p0003", false}});
  c.SetFact(Fact{"living_together", false, 1.0, {"", "", true}});
  c.SetFact(Fact{"patient_age", std::int64_t{72}, 0.8, {"d002", "p0003", false}});
  c.SetFact(Fact{"attendee_relation", std::string("長女"), 1.0, {"", "", true}});

  c.AddFinding(FindingCode::kLowOcrConfidence, "p.1 の文字認識の確度が 42% です", "f0005");
  c.AddFinding(FindingCode::kPatientMismatch, "申込書と画像データの患者氏名が異なります");
  c.AddFinding(FindingCode::kMyNumber, "住民票に個人番号が記載されています（マスクしました）",
               "f0001");

  c.requirements.push_back(
      Req("referral_letter", "診療情報提供書（紹介状）", RequirementStatus::kPresent, {"d001"}));
  c.requirements.push_back(Req("application_form", "セカンドオピニオン外来申込書",
                               RequirementStatus::kPresent, {"d002"}));
  c.requirements.push_back(Req("consultation_sheet", "セカンドオピニオン外来相談シート",
                               RequirementStatus::kPresent, {"d003"}));
  c.requirements.push_back(
      Req("test_data", "検査データ", RequirementStatus::kPresent, {kImagingEvidence}));
  c.requirements.push_back(Req("consent_form", "相談同意書（患者本人の署名）",
                               RequirementStatus::kNeedsReview, {},
                               "患者さんの年齢が分からないため判定できません"));
  c.requirements.push_back(Req("kinship_proof", "続柄を確認できる書類", RequirementStatus::kMissing,
                               {}, "別居のため戸籍謄本が必要です", "戸籍謄本をお送りください。"));
  c.requirements.push_back(Req("medication_list", "お薬手帳・薬剤情報提供書（老年病科）",
                               RequirementStatus::kNotRequired, {},
                               "希望診療科が老年病科ではありません"));
  c.verdict = Verdict::kIncomplete;

  DicomSeries ct = Series("1.2.3.4.1", "CT", "胸部単純", "CHEST", "2026-10-01", 120,
                          "1.2.840.10008.1.2.1", {"f0003"});
  ct.transfer_syntax_name = "Explicit VR Little Endian";
  ct.pixels_decodable = true;
  ct.key_image = "09_画像/1/キー画像.png";
  ct.folder = "09_画像/1";
  DicomSeries sr = Series("1.2.3.4.2", "SR", "", "", "", 1, "1.2.840.10008.1.2", {});
  sr.transfer_syntax_name = "Implicit VR Little Endian";
  sr.pixels_note = "画素データのないシリーズです（構造化レポート・文書など）";
  DicomStudy study{"1.2.3", "2026-10-01", "CT 胸部", "CT\\SR", {ct, sr}};
  DicomPatient patient = Patient("P0012345", "ﾌﾙﾊｼ^ﾀﾞｲﾁ=古橋^大地", "1954-03-02", "M", {study});
  patient.name_alphabetic = "ﾌﾙﾊｼ ﾀﾞｲﾁ";
  patient.name_ideographic = "古橋 大地";
  patient.document_match = PatientMatch::kMatch;
  patient.document_match_note = "書類と一致: 生年月日";
  c.dicom_patients.push_back(patient);
  return c;
}

ReportContext SampleContext() {
  ReportContext context;
  context.program_version = "intake 0.1.0";
  context.profile_id = "utokyo-online";
  context.profile_name = "東京大学医学部附属病院 セカンドオピニオン外来（オンライン）";
  context.ocr_engine = "tesseract 5.3.0 (jpn)";
  context.dicom_library = "DCMTK 3.6.7";
  context.document_type_labels = {{"referral_letter", "診療情報提供書（紹介状）"},
                                  {"application_form", "セカンドオピニオン外来申込書"},
                                  {"consultation_sheet", "セカンドオピニオン外来相談シート"}};
  return context;
}

TEST(ReportJson, TopLevelFields) {
  const json r = ReportJson(SampleCase(), SampleContext());
  EXPECT_EQ(r["schema"], "intake.report/1");
  EXPECT_EQ(r["case_id"], "20261121-1a2b3c4d");
  EXPECT_EQ(r["generated_at"], "2026-11-21T09:15:00+09:00");
  EXPECT_EQ(r["verdict"], "incomplete");
  EXPECT_EQ(r["profile"],
            json({{"id", "utokyo-online"},
                  {"name", "東京大学医学部附属病院 セカンドオピニオン外来（オンライン）"},
                  {"sha256", std::string(64, 'b')}}));
  EXPECT_EQ(r["versions"], json({{"intake", "intake 0.1.0"},
                                 {"ocr", "tesseract 5.3.0 (jpn)"},
                                 {"dicom", "DCMTK 3.6.7"}}));
  std::set<std::string> keys;
  for (const auto& [key, value] : r.items()) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{"schema", "case_id", "generated_at", "verdict", "summary",
                                         "submission", "envelopes", "state", "letter", "profile",
                                         "versions", "requirements", "facts", "documents", "pages",
                                         "findings", "imaging"}));
}

TEST(ReportJson, VerdictNames) {
  Case c = SampleCase();
  const std::pair<Verdict, const char*> cases[] = {{Verdict::kComplete, "complete"},
                                                   {Verdict::kIncomplete, "incomplete"},
                                                   {Verdict::kNeedsReview, "needs_review"},
                                                   {Verdict::kRejected, "rejected"}};
  for (const auto& [verdict, name] : cases) {
    c.verdict = verdict;
    EXPECT_EQ(ReportJson(c, SampleContext())["verdict"], name);
  }
}

TEST(ReportJson, SummaryCountsFromModel) {
  const json s = ReportJson(SampleCase(), SampleContext())["summary"];
  EXPECT_EQ(s["missing"], json::array({"kinship_proof"}));
  EXPECT_EQ(s["needs_review"], json::array({"consent_form"}));
  EXPECT_EQ(s["errors"], 1);    // PATIENT_MISMATCH
  EXPECT_EQ(s["warnings"], 2);  // LOW_OCR_CONFIDENCE, MY_NUMBER
}

TEST(ReportJson, SubmissionFiles) {
  const json s = ReportJson(SampleCase(), SampleContext())["submission"];
  EXPECT_EQ(s["name"], "山田様_提出書類");
  EXPECT_EQ(s["sha256"], std::string(64, 'a'));
  EXPECT_EQ(s["submission_date"], "2026-11-21");
  ASSERT_EQ(s["files"].size(), 5u);
  EXPECT_EQ(s["files"][0], json({{"id", "f0001"},
                                 {"path", "scans/envelope.pdf"},
                                 {"kind", "pdf"},
                                 {"mime", "application/pdf"},
                                 {"size", 1234567},
                                 {"container", nullptr},
                                 {"envelope", 1}}));
  EXPECT_EQ(s["files"][2]["container"], "f0002");
  EXPECT_EQ(s["files"][2]["kind"], "dicom");
  EXPECT_EQ(s["files"][3]["kind"], "manifest");
}

TEST(ReportJson, RequirementsKeepOrderStatusAndEvidence) {
  const json reqs = ReportJson(SampleCase(), SampleContext())["requirements"];
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"referral_letter", "present"},     {"application_form", "present"},
      {"consultation_sheet", "present"},  {"test_data", "present"},
      {"consent_form", "needs_review"},   {"kinship_proof", "missing"},
      {"medication_list", "not_required"}};
  ASSERT_EQ(reqs.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(reqs[i]["id"], expected[i].first);
    EXPECT_EQ(reqs[i]["status"], expected[i].second);
  }
  // "ask" appears only when the model has one.
  EXPECT_FALSE(reqs[0].contains("ask"));
  EXPECT_EQ(reqs[5]["ask"], "戸籍謄本をお送りください。");
  EXPECT_EQ(reqs[5]["reason"], "別居のため戸籍謄本が必要です");
  EXPECT_EQ(reqs[5]["evidence"], json::array());

  // Evidence pages are numbers within the file, not positions in the submission.
  EXPECT_EQ(reqs[0]["evidence"], json::parse(R"([{"document":"d001","type":"referral_letter",
      "label":"診療情報提供書（紹介状）","file":"f0001","pages":[1,2]}])"));
  const json sheet = reqs[2]["evidence"][0];
  EXPECT_EQ(sheet["file"], "f0005");
  EXPECT_EQ(sheet["pages"], json::array({1, 2}));

  const json imaging = reqs[3]["evidence"][0];
  EXPECT_EQ(imaging["document"], "imaging");
  EXPECT_EQ(imaging["type"], "dicom_images");
  EXPECT_EQ(imaging["label"], "画像データ（DICOM）");
  EXPECT_EQ(imaging["file"], nullptr);
  EXPECT_EQ(imaging["pages"], json::array());
}

TEST(ReportJson, ContractFactsAlwaysPresent) {
  const json facts = ReportJson(SampleCase(), SampleContext())["facts"];
  for (const char* name : {"attendance", "living_together", "department", "patient_birth_date",
                           "patient_age", "diagnosis", "attendee_relation"}) {
    EXPECT_TRUE(facts.contains(name)) << name;
  }
  EXPECT_EQ(facts.size(), 7u);

  const json unknown = json::parse(
      R"({"value":null,"confidence":0.0,"source":{"document":null,"page":null,"manifest":false,"boxes":[]}})");
  EXPECT_EQ(facts["patient_birth_date"], unknown);
  EXPECT_EQ(facts["diagnosis"], unknown);

  EXPECT_EQ(facts["attendance"]["value"], "family_only");
  EXPECT_EQ(facts["attendance"]["confidence"], 1.0);
  EXPECT_EQ(facts["attendance"]["source"],
            json::parse(R"({"document":null,"page":null,"manifest":true,"boxes":[]})"));
  EXPECT_TRUE(facts["living_together"]["value"].is_boolean());
  EXPECT_EQ(facts["living_together"]["value"], false);
  EXPECT_TRUE(facts["patient_age"]["value"].is_number_integer());
  EXPECT_EQ(facts["patient_age"]["value"], 72);
  EXPECT_EQ(facts["department"]["value"], "消化器内科");
  EXPECT_EQ(facts["department"]["source"],
            json::parse(R"({"document":"d002","page":"p0003","manifest":false,"boxes":[]})"));
  EXPECT_EQ(facts["attendee_relation"]["value"], "長女");
}

TEST(ReportJson, KnownFactWithUnknownValueIsNull) {
  Case c = SampleCase();
  c.SetFact(Fact{"diagnosis", std::monostate{}, 0.3, {"d001", "p0001", false}});
  const json fact = ReportJson(c, SampleContext())["facts"]["diagnosis"];
  EXPECT_TRUE(fact["value"].is_null());
  EXPECT_EQ(fact["source"]["document"], "d001");
}

TEST(ReportJson, DocumentsAndPages) {
  const json r = ReportJson(SampleCase(), SampleContext());
  ASSERT_EQ(r["documents"].size(), 3u);
  const json d1 = r["documents"][0];
  EXPECT_EQ(d1["id"], "d001");
  EXPECT_EQ(d1["label"], "診療情報提供書（紹介状）");
  EXPECT_EQ(d1["file"], "f0001");
  EXPECT_EQ(d1["pages"], json::array({1, 2}));
  EXPECT_EQ(d1["page_ids"], json::array({"p0001", "p0002"}));
  EXPECT_EQ(d1["text_source"], "mixed");
  const json d3 = r["documents"][2];
  EXPECT_EQ(d3["file"], "f0005");
  EXPECT_EQ(d3["pages"], json::array({1, 2}));
  EXPECT_EQ(d3["page_ids"], json::array({"p0004", "p0005"}));
  EXPECT_EQ(d3["text_source"], "ocr");
  EXPECT_DOUBLE_EQ(d3["confidence"].get<double>(), 0.7);

  ASSERT_EQ(r["pages"].size(), 5u);
  EXPECT_EQ(r["pages"][0]["ocr_confidence"], nullptr);
  EXPECT_EQ(r["pages"][0]["text_source"], "pdf_text");
  EXPECT_EQ(r["pages"][3]["number"], 1);
  EXPECT_EQ(r["pages"][3]["file"], "f0005");
  EXPECT_DOUBLE_EQ(r["pages"][3]["ocr_confidence"].get<double>(), 0.42);
  EXPECT_EQ(r["pages"][3]["evidence"], json::array({"診療情報提供書"}));
  EXPECT_FALSE(r["pages"][3].contains("text"));
  EXPECT_EQ(r.dump().find(intake::testing::kSecretPageText), std::string::npos)
      << "page text leaked into JSON";
}

TEST(ReportJson, DocumentPdfIsARelativePathOrNull) {
  Case c = SampleCase();
  c.documents[0].pdf = "documents/01_referral_letter.pdf";
  const json r = ReportJson(c, SampleContext());
  EXPECT_EQ(r["documents"][0]["pdf"], "documents/01_referral_letter.pdf");
  EXPECT_EQ(r["documents"][1]["pdf"], nullptr);
}

TEST(ReportJson, FindingTitlesFromTable) {
  const json findings = ReportJson(SampleCase(), SampleContext())["findings"];
  ASSERT_EQ(findings.size(), 3u);
  for (const auto& f : findings) {
    const auto code = ParseFindingCode(f["code"].get<std::string>());
    ASSERT_THAT(code, IsOk());
    const FindingCodeInfo& info = FindingInfo(*code);
    EXPECT_EQ(f["title"], std::string(info.title_ja));
    EXPECT_EQ(f["severity"], std::string(SeverityName(info.severity)));
  }
  EXPECT_EQ(findings[0]["code"], "LOW_OCR_CONFIDENCE");
  EXPECT_EQ(findings[0]["file"], "f0005");
  EXPECT_EQ(findings[1]["severity"], "error");
  EXPECT_EQ(findings[1]["file"], nullptr);
  EXPECT_EQ(findings[1]["message"], "申込書と画像データの患者氏名が異なります");
}

TEST(ReportJson, ImagingNested) {
  const json patients = ReportJson(SampleCase(), SampleContext())["imaging"]["patients"];
  ASSERT_EQ(patients.size(), 1u);
  EXPECT_EQ(patients[0]["patient_id"], "P0012345");
  EXPECT_EQ(patients[0]["name"], "ﾌﾙﾊｼ^ﾀﾞｲﾁ=古橋^大地");
  EXPECT_EQ(patients[0]["name_groups"],
            json({{"alphabetic", "ﾌﾙﾊｼ ﾀﾞｲﾁ"}, {"ideographic", "古橋 大地"}, {"phonetic", ""}}));
  EXPECT_EQ(patients[0]["document_match"],
            json({{"status", "match"}, {"note", "書類と一致: 生年月日"}}));
  EXPECT_EQ(patients[0]["birth_date"], "1954-03-02");
  EXPECT_EQ(patients[0]["sex"], "M");
  ASSERT_EQ(patients[0]["studies"].size(), 1u);
  const json study = patients[0]["studies"][0];
  EXPECT_EQ(study["study_uid"], "1.2.3");
  EXPECT_EQ(study["modalities"], "CT\\SR");
  ASSERT_EQ(study["series"].size(), 2u);
  EXPECT_EQ(study["series"][0], json({{"series_uid", "1.2.3.4.1"},
                                      {"modality", "CT"},
                                      {"description", "胸部単純"},
                                      {"body_part", "CHEST"},
                                      {"date", "2026-10-01"},
                                      {"instance_count", 120},
                                      {"transfer_syntax", "1.2.840.10008.1.2.1"},
                                      {"transfer_syntax_name", "Explicit VR Little Endian"},
                                      {"lossy", false},
                                      {"pixels_decodable", true},
                                      {"pixels_note", nullptr},
                                      {"key_image", "09_画像/1/キー画像.png"},
                                      {"folder", "09_画像/1"}}));
  const json sr = study["series"][1];
  EXPECT_EQ(sr["modality"], "SR");
  EXPECT_EQ(sr["pixels_decodable"], false);
  EXPECT_EQ(sr["pixels_note"], "画素データのないシリーズです（構造化レポート・文書など）");
  EXPECT_EQ(sr["key_image"], nullptr);
}

TEST(ReportJson, EmptyCaseHasEveryArray) {
  const json r = ReportJson(Case{}, ReportContext{});
  for (const char* key : {"requirements", "documents", "pages", "findings"}) {
    EXPECT_TRUE(r[key].is_array()) << key;
  }
  EXPECT_TRUE(r["submission"]["files"].is_array());
  EXPECT_TRUE(r["imaging"]["patients"].is_array());
  EXPECT_EQ(r["facts"].size(), 6u);
  EXPECT_EQ(r["verdict"], "needs_review");
}

TEST(ReportJson, Deterministic) {
  const Case c = SampleCase();
  const Case copy = c;
  const std::string first = ReportJson(c, SampleContext()).dump(2);
  EXPECT_EQ(first, ReportJson(c, SampleContext()).dump(2));
  EXPECT_EQ(first, ReportJson(copy, SampleContext()).dump(2));
}

TEST(ReportJson, InvalidUtf8FromSubmissionIsRepaired) {
  Case c = SampleCase();
  c.files[0].relative_path = "scans/\x8e\x52\x93\x63.pdf";  // Shift_JIS bytes of a name
  c.dicom_patients[0].name = "YAMADA\xff";
  const json r = ReportJson(c, SampleContext());
  std::string dumped;
  ASSERT_NO_THROW(dumped = r.dump());
  EXPECT_EQ(r["submission"]["files"][0]["path"],
            "scans/\xEF\xBF\xBDR\xEF\xBF\xBD"
            "c.pdf");
  EXPECT_EQ(r["imaging"]["patients"][0]["name"], "YAMADA\xEF\xBF\xBD");
}

// Every field name the writer produces is documented in docs/report-schema.md.
void CollectKeys(const json& j, std::set<std::string>& keys) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      keys.insert(key);
      CollectKeys(value, keys);
    }
  } else if (j.is_array()) {
    for (const auto& item : j) CollectKeys(item, keys);
  }
}

TEST(ReportJson, SchemaDocumentNamesEveryField) {
  std::ifstream in(std::string(INTAKE_SOURCE_DIR) + "/docs/report-schema.md");
  ASSERT_TRUE(in) << "docs/report-schema.md missing";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();

  const json r = ReportJson(SampleCase(), SampleContext());
  std::set<std::string> keys;
  for (const auto& [key, value] : r.items()) {
    keys.insert(key);
    if (key == "facts") {
      for (const auto& [name, fact] : value.items()) CollectKeys(fact, keys);
    } else {
      CollectKeys(value, keys);
    }
  }
  for (const auto& key : keys) {
    EXPECT_NE(doc.find("`" + key + "`"), std::string::npos) << "undocumented field: " << key;
  }
  EXPECT_NE(doc.find("intake.report/1"), std::string::npos);
}

// Every finding code of the table (pipeline/findings.cc) is listed in docs/report-schema.md.
TEST(ReportJson, SchemaDocumentNamesEveryFindingCode) {
  std::ifstream in(std::string(INTAKE_SOURCE_DIR) + "/docs/report-schema.md");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  for (const auto& info : AllFindingCodes()) {
    EXPECT_NE(doc.find("`" + std::string(info.code) + "`"), std::string::npos)
        << "undocumented finding code: " << info.code;
  }
}

// A case of two envelopes: each listed, each document and file names the one it came in, and
// the letter and the state are there.
TEST(ReportJson, EnvelopesLetterAndState) {
  Case c = SampleCase();
  c.envelopes = {Envelope{1, "first.zip", std::string(64, 'a'), "2026-11-21T09:15:00+09:00",
                          "11_原本/first.zip", "11_原本/SHA256SUMS", ""},
                 Envelope{2, "reply", std::string(64, 'c'), "2026-12-01T10:00:00+09:00",
                          "11_原本/封筒2/reply", "11_原本/封筒2/SHA256SUMS", "reply_slip"}};
  c.files.back().envelope = 2;
  c.letter = PatientLetterRecord{"不足書類のご案内.pdf", "2026-11-21", "2026-12-05", {"consent_form"}};
  c.state = "waiting_for_patient";
  c.waiting_since = "2026-11-21";
  c.days_waited = 3;
  const json r = ReportJson(c, SampleContext());
  ASSERT_EQ(r["envelopes"].size(), 2u);
  EXPECT_EQ(r["envelopes"][1]["matched_by"], "reply_slip");
  EXPECT_EQ(r["envelopes"][0]["matched_by"], nullptr);
  EXPECT_EQ(r["submission"]["files"].back()["envelope"], 2);
  EXPECT_EQ(r["letter"]["deadline"], "2026-12-05");
  EXPECT_EQ(r["letter"]["asks"], json::array({"consent_form"}));
  EXPECT_EQ(r["state"]["days_waited"], 3);
  for (const auto& d : r["documents"]) EXPECT_TRUE(d["envelope"].is_number_integer());
  EXPECT_EQ(ReportJson(SampleCase(), SampleContext())["letter"], nullptr);
}

}  // namespace
}  // namespace intake::report

// report.html: order of sections, Japanese wording per status, escaping of submission strings,
// self-containment. Set INTAKE_REPORT_SAMPLE_HTML=/path to also write the sample page there.
#include "report/report_html.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/support/findings.h"
#include "tests/unit/case_builders.h"

namespace intake::report {
namespace {

using intake::testing::File;
using intake::testing::MakePage;
using intake::testing::Patient;
using intake::testing::Req;
using intake::testing::Series;

Case SampleCase() {
  Case c;
  c.id = "20261121-1a2b3c4d";
  c.submission_sha256 = "3f1c9a0e5b7d2468ace13579bdf02468ace13579bdf02468ace13579bdf0246a";
  c.received_at = "2026-11-21T09:15:00+09:00";
  c.submission_date = "2026-11-21";
  c.profile_id = "utokyo-online";
  c.profile_sha256 = "9b2e6f01c3d5a7b9e1f3a5c7d9e1b3f5a7c9e1d3b5f7a9c1e3d5b7f9a1c3e5d7";

  c.files.push_back(File("f0001", "scan/封筒1_スキャン.pdf", FileKind::kPdf, 2456789));
  c.files.push_back(File("f0002", "CD.iso", FileKind::kArchive, 48234567));
  c.files.push_back(
      File("f0003", "CD.iso/DICOM/ST000001/SE000001/IM000001", FileKind::kDicom, 526402, "f0002"));
  c.files.push_back(File("f0004", "CD.iso/DICOMDIR", FileKind::kDicomdir, 4096, "f0002"));
  c.files.push_back(File("f0005", "CD.iso/VIEWER.EXE", FileKind::kExecutable, 8123456, "f0002"));
  c.files.push_back(File("f0006", "intake.yaml", FileKind::kManifest, 142));

  c.pages.push_back(MakePage("p0001", "f0001", 1, "referral_letter", 0.94, TextSource::kOcr, 0.91));
  c.pages.push_back(MakePage("p0002", "f0001", 2, "referral_letter", 0.88, TextSource::kOcr, 0.87));
  c.pages.push_back(MakePage("p0003", "f0001", 3, "application_form", 0.92, TextSource::kOcr, 0.9));
  c.pages.push_back(
      MakePage("p0004", "f0001", 4, "consultation_sheet", 0.45, TextSource::kOcr, 0.48));
  c.pages.push_back(MakePage("p0005", "f0001", 5, "blood_test", 0.86, TextSource::kOcr, 0.83));
  c.documents.push_back(Document{"d001", "referral_letter", {"p0001", "p0002"}, 0.88});
  c.documents.push_back(Document{"d002", "application_form", {"p0003"}, 0.92});
  c.documents.push_back(Document{"d003", "consultation_sheet", {"p0004"}, 0.45});
  c.documents.push_back(Document{"d004", "blood_test", {"p0005"}, 0.86});

  c.SetFact(Fact{"attendance", std::string("family_only"), 1.0, {"", "", true}});
  c.SetFact(Fact{"living_together", false, 1.0, {"", "", true}});
  c.SetFact(Fact{"department", std::string("消化器内科"), 0.92, {"d002", "p0003", false}});
  c.SetFact(Fact{"patient_age", std::int64_t{72}, 0.9, {"d002", "p0003", false}});
  c.SetFact(Fact{"diagnosis", std::string("膵臓癌（膵頭部）"), 0.85, {"d001", "p0001", false}});
  c.SetFact(Fact{"attendee_relation", std::string("長女"), 1.0, {"", "", true}});

  c.AddFinding(FindingCode::kLowOcrConfidence, "相談シート（p.4）の文字認識の確度が 48% です。",
               "f0001");
  c.AddFinding(FindingCode::kNonDicomImages,
               "ディスクに画像ビューア（実行ファイル）が含まれています。", "f0005");
  c.AddFinding(FindingCode::kPatientMismatch,
               "申込書の患者氏名と画像データの患者氏名が一致しません。");

  c.requirements.push_back(
      Req("referral_letter", "診療情報提供書（紹介状）", RequirementStatus::kPresent, {"d001"}));
  c.requirements.push_back(Req("application_form", "セカンドオピニオン外来申込書",
                               RequirementStatus::kPresent, {"d002"}));
  c.requirements.push_back(Req("consultation_sheet", "セカンドオピニオン外来相談シート",
                               RequirementStatus::kNeedsReview, {"d003"},
                               "分類の確度が低いため（45%）、目視で確認してください。"));
  c.requirements.push_back(Req("test_data",
                               "検査データ（血液検査・生理検査・画像・病理のいずれか）",
                               RequirementStatus::kPresent, {"d004", kImagingEvidence}));
  c.requirements.push_back(
      Req("consent_form", "相談同意書（患者本人の署名）", RequirementStatus::kMissing, {},
          "ご家族のみの受診で、患者さんは18歳以上です。",
          "ご家族のみで受診される場合は、患者さんご本人が署名した相談同意書をお送りください。"));
  c.requirements.push_back(
      Req("kinship_proof", "続柄を確認できる書類（戸籍謄本・住民票など）",
          RequirementStatus::kMissing, {}, "別居のため戸籍謄本が必要です。",
          "患者さんとの続柄が確認できる書類（別居の場合は戸籍謄本）をお送りください。"));
  c.requirements.push_back(Req("medication_list", "お薬手帳・薬剤情報提供書（老年病科）",
                               RequirementStatus::kNotRequired, {},
                               "希望診療科が老年病科ではありません。"));
  c.verdict = Verdict::kIncomplete;

  DicomSeries s1 = Series("1.2.392.1.1", "CT", "腹部 造影 動脈相", "ABDOMEN", "2026-10-01", 212,
                          "1.2.840.10008.1.2.1", {"f0003"});
  s1.transfer_syntax_name = "Explicit VR Little Endian";
  s1.pixels_decodable = true;
  s1.key_image = "key_images/1.png";
  s1.folder = "series/1";
  DicomSeries s2 = Series("1.2.392.1.2", "CT", "腹部 造影 門脈相", "ABDOMEN", "2026-10-01", 198,
                          "1.2.840.10008.1.2.4.91", {});
  s2.transfer_syntax_name = "JPEG 2000 Image Compression";
  s2.lossy = true;
  s2.pixels_note =
      "JPEG 2000 Image Compression の画像は、この環境の DCMTK 3.6.7 では展開できません";
  DicomStudy study{"1.2.392.1", "2026-10-01", "腹部CT（造影）", "CT", {s1, s2}};
  DicomPatient patient = Patient("00123456", "ﾔﾏﾀﾞ^ﾊﾅｺ=山田^花子", "1954-03-02", "F", {study});
  patient.document_match = PatientMatch::kMismatch;
  patient.document_match_note =
      "書類と一致しません: 生年月日（書類: 1954-03-20／画像: 1954-03-02）";
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
                                  {"consultation_sheet", "セカンドオピニオン外来相談シート"},
                                  {"blood_test", "血液検査結果"}};
  return context;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

std::size_t Count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

// The <tr>...</tr> that holds `label`.
std::string RowOf(const std::string& html, const std::string& label) {
  const auto at = html.find(">" + label + "<");
  if (at == std::string::npos) return {};
  const auto begin = html.rfind("<tr", at);
  const auto end = html.find("</tr>", at);
  if (begin == std::string::npos || end == std::string::npos) return {};
  return html.substr(begin, end - begin);
}

// The <section id="...">...</section>.
std::string SectionOf(const std::string& html, const std::string& id) {
  const auto begin = html.find("<section id=\"" + id + "\"");
  if (begin == std::string::npos) return {};
  return html.substr(begin, html.find("</section>", begin) - begin);
}

TEST(HtmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(HtmlEscape(R"(a&b<c>"d'e)"), "a&amp;b&lt;c&gt;&quot;d&#39;e");
  EXPECT_EQ(HtmlEscape("山田　花子"), "山田　花子");
  EXPECT_EQ(HtmlEscape(""), "");
}

TEST(HtmlEscape, RepairsInvalidUtf8AndControls) {
  EXPECT_EQ(HtmlEscape("a\xff"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(HtmlEscape("\xe5\xb1"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated 山
  EXPECT_EQ(HtmlEscape(std::string("x\0y", 3)), "x\xEF\xBF\xBDy");
}

TEST(ReportHtml, IsASelfContainedJapanesePage) {
  const std::string html = ReportHtml(SampleCase(), SampleContext());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<html lang=\"ja\">"), std::string::npos);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("@page { size: A4"), std::string::npos);
  const std::string lower = Lower(html);
  for (const char* external :
       {"<script", "<link", "http://", "https://", "url(", "@import", "@font-face"}) {
    EXPECT_EQ(lower.find(external), std::string::npos) << external;
  }
  // The only resources are the key images beside the report, by relative path.
  const std::string key_image_src = "src=\"key_images/";
  std::size_t images = 0;
  for (std::size_t at = lower.find("src="); at != std::string::npos;
       at = lower.find("src=", at + 1)) {
    EXPECT_EQ(lower.compare(at, key_image_src.size(), key_image_src), 0) << lower.substr(at, 40);
    ++images;
  }
  EXPECT_EQ(images, Count(lower, "<img"));
  EXPECT_EQ(images, 1u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_EQ(html.find(intake::testing::kSecretPageText), std::string::npos)
      << "page text does not belong here";
}

TEST(ReportHtml, HeaderNamesCaseDateAndProfile) {
  const std::string html = ReportHtml(SampleCase(), SampleContext());
  const auto header_end = html.find("</header>");
  ASSERT_NE(header_end, std::string::npos);
  const std::string header = html.substr(0, header_end);
  EXPECT_NE(header.find("20261121-1a2b3c4d"), std::string::npos);
  EXPECT_NE(header.find("2026年11月21日 09:15"), std::string::npos);
  EXPECT_NE(header.find("東京大学医学部附属病院 セカンドオピニオン外来（オンライン）"),
            std::string::npos);
}

TEST(ReportHtml, SectionsInOrder) {
  const std::string html = ReportHtml(SampleCase(), SampleContext());
  std::size_t previous = html.find("</header>");
  ASSERT_NE(previous, std::string::npos);
  for (const char* id :
       {"verdict", "requirements", "findings", "facts", "documents", "imaging", "files"}) {
    const auto at = html.find(std::string("<section id=\"") + id + "\"");
    ASSERT_NE(at, std::string::npos) << id;
    EXPECT_GT(at, previous) << id << " is out of order";
    EXPECT_EQ(Count(html, std::string("id=\"") + id + "\""), 1u) << id;
    previous = at;
  }
  EXPECT_GT(html.find("<footer>"), previous);
}

TEST(ReportHtml, VerdictWordColourAndAction) {
  Case c = SampleCase();
  const std::string incomplete = SectionOf(ReportHtml(c, SampleContext()), "verdict");
  EXPECT_NE(incomplete.find("verdict-incomplete"), std::string::npos);
  EXPECT_NE(incomplete.find("不足あり"), std::string::npos);
  EXPECT_NE(incomplete.find("不足書類を患者さんに連絡してください"), std::string::npos);
  EXPECT_NE(
      incomplete.find("相談同意書（患者本人の署名）、続柄を確認できる書類（戸籍謄本・住民票など）"),
      std::string::npos);
  EXPECT_NE(incomplete.find("セカンドオピニオン外来相談シート"), std::string::npos)
      << "the needs_review item is named too";

  const std::pair<Verdict, const char*> words[] = {{Verdict::kComplete, "完備"},
                                                   {Verdict::kNeedsReview, "要確認"},
                                                   {Verdict::kRejected, "受付不可"}};
  for (const auto& [verdict, word] : words) {
    c.verdict = verdict;
    const std::string section = SectionOf(ReportHtml(c, SampleContext()), "verdict");
    EXPECT_NE(section.find(std::string("<div class=\"verdict-word\">") + word + "</div>"),
              std::string::npos)
        << word;
    EXPECT_NE(section.find(std::string("verdict-") + std::string(VerdictName(verdict))),
              std::string::npos);
  }
}

TEST(ReportHtml, RejectedVerdictNamesTheReason) {
  Case c = SampleCase();
  c.AddFinding(FindingCode::kEncryptedArchive, "パスワード付きの圧縮ファイルがあります。");
  c.verdict = Verdict::kRejected;
  const std::string verdict = SectionOf(ReportHtml(c, SampleContext()), "verdict");
  EXPECT_NE(verdict.find("暗号化（パスワード付き）された圧縮ファイルは開けません"),
            std::string::npos);
}

TEST(ReportHtml, EachStatusHasItsBadgeWord) {
  const std::string html = ReportHtml(SampleCase(), SampleContext());
  const std::string requirements = SectionOf(html, "requirements");
  const std::pair<const char*, const char*> rows[] = {
      {"診療情報提供書（紹介状）", "提出あり"},
      {"セカンドオピニオン外来相談シート", "要確認"},
      {"相談同意書（患者本人の署名）", "不足"},
      {"お薬手帳・薬剤情報提供書（老年病科）", "対象外"}};
  for (const auto& [label, word] : rows) {
    const std::string row = RowOf(requirements, label);
    ASSERT_FALSE(row.empty()) << label;
    EXPECT_NE(row.find(std::string("\">") + word + "</span>"), std::string::npos)
        << label << " should show " << word;
  }
  EXPECT_NE(RowOf(requirements, "お薬手帳・薬剤情報提供書（老年病科）").find("status-not_required"),
            std::string::npos);
}

TEST(ReportHtml, RequirementRowsShowEvidenceOrAsk) {
  const std::string requirements =
      SectionOf(ReportHtml(SampleCase(), SampleContext()), "requirements");
  const std::string referral = RowOf(requirements, "診療情報提供書（紹介状）");
  EXPECT_NE(referral.find("p.1–2"), std::string::npos);
  EXPECT_NE(referral.find("scan/封筒1_スキャン.pdf"), std::string::npos);

  const std::string test_data =
      RowOf(requirements, "検査データ（血液検査・生理検査・画像・病理のいずれか）");
  EXPECT_NE(test_data.find("血液検査結果"), std::string::npos);
  EXPECT_NE(test_data.find("p.5"), std::string::npos);
  EXPECT_NE(test_data.find("画像データ（DICOM）"), std::string::npos);
  EXPECT_NE(test_data.find("2シリーズ"), std::string::npos);

  const std::string consent = RowOf(requirements, "相談同意書（患者本人の署名）");
  EXPECT_NE(consent.find("患者さんへのお願い"), std::string::npos);
  EXPECT_NE(consent.find("患者さんご本人が署名した相談同意書"), std::string::npos);

  const std::string review = RowOf(requirements, "セカンドオピニオン外来相談シート");
  EXPECT_NE(review.find("分類の確度が低いため"), std::string::npos);
  const std::string muted = RowOf(requirements, "お薬手帳・薬剤情報提供書（老年病科）");
  EXPECT_NE(muted.find("希望診療科が老年病科ではありません"), std::string::npos);
}

TEST(ReportHtml, FindingsUseTableTitlesErrorsFirst) {
  const std::string findings = SectionOf(ReportHtml(SampleCase(), SampleContext()), "findings");
  const auto error = findings.find("書類と画像データの患者情報が一致しません");
  const auto warning = findings.find("文字認識の確度が低いページがあります");
  ASSERT_NE(error, std::string::npos);
  ASSERT_NE(warning, std::string::npos);
  EXPECT_LT(error, warning);
  EXPECT_NE(findings.find("sev-error"), std::string::npos);
  EXPECT_NE(findings.find("sev-warning"), std::string::npos);
  EXPECT_NE(findings.find("CD.iso/VIEWER.EXE"), std::string::npos);
}

TEST(ReportHtml, FactsInJapaneseWithUnknown) {
  const std::string facts = SectionOf(ReportHtml(SampleCase(), SampleContext()), "facts");
  EXPECT_NE(RowOf(facts, "受診者").find("家族のみ"), std::string::npos);
  EXPECT_NE(RowOf(facts, "受診者").find("マニフェスト"), std::string::npos);
  EXPECT_NE(facts.find("別居"), std::string::npos);
  EXPECT_NE(RowOf(facts, "年齢").find("72歳"), std::string::npos);
  EXPECT_NE(RowOf(facts, "希望診療科").find("セカンドオピニオン外来申込書 p.3"), std::string::npos);
  EXPECT_NE(RowOf(facts, "生年月日").find("不明"), std::string::npos);
  EXPECT_NE(RowOf(facts, "受診するご家族の続柄").find("長女"), std::string::npos);
}

TEST(ReportHtml, DocumentsShowReadingMethodAndLowConfidence) {
  const std::string documents = SectionOf(ReportHtml(SampleCase(), SampleContext()), "documents");
  EXPECT_NE(documents.find("OCR"), std::string::npos);
  const auto d003 = documents.find("d003");
  ASSERT_NE(d003, std::string::npos);
  const std::string row = documents.substr(d003, documents.find("</tr>", d003) - d003);
  EXPECT_NE(row.find("num low\">48%"), std::string::npos) << row;
  const auto d001 = documents.find("d001");
  const std::string good = documents.substr(d001, documents.find("</tr>", d001) - d001);
  EXPECT_EQ(good.find("low"), std::string::npos);
  EXPECT_NE(good.find("87%"), std::string::npos);
}

TEST(ReportHtml, DocumentsLinkTheirSearchablePdf) {
  Case c = SampleCase();
  c.documents[0].pdf = "01_紹介状/01_診療情報提供書（紹介状）.pdf";
  const std::string documents = SectionOf(ReportHtml(c, SampleContext()), "documents");
  const auto d001 = documents.find("d001");
  const std::string row = documents.substr(d001, documents.find("</tr>", d001) - d001);
  // Percent-encoded UTF-8, as a browser opening the report from a file share resolves it.
  EXPECT_NE(row.find("<a href=\"01_%E7%B4%B9%E4%BB%8B%E7%8A%B6/"
                     "01_%E8%A8%BA%E7%99%82%E6%83%85%E5%A0%B1%E6%8F%90%E4%BE%9B%E6%9B%B8"
                     "%EF%BC%88%E7%B4%B9%E4%BB%8B%E7%8A%B6%EF%BC%89.pdf\">"),
            std::string::npos)
      << row;
  const auto d002 = documents.find("d002");
  const std::string other = documents.substr(d002, documents.find("</tr>", d002) - d002);
  EXPECT_EQ(other.find("<a href"), std::string::npos) << other;
}

TEST(ReportHtml, ImagingAndFiles) {
  const std::string html = ReportHtml(SampleCase(), SampleContext());
  const std::string imaging = SectionOf(html, "imaging");
  EXPECT_NE(imaging.find("山田 花子（ﾔﾏﾀﾞ ﾊﾅｺ）"), std::string::npos);
  EXPECT_NE(imaging.find("腹部 造影 動脈相"), std::string::npos);
  EXPECT_NE(imaging.find(">212<"), std::string::npos);
  EXPECT_NE(imaging.find("Explicit VR Little Endian"), std::string::npos);
  EXPECT_NE(imaging.find("<img class=\"key-image\" src=\"key_images/1.png\""), std::string::npos);
  EXPECT_EQ(Count(imaging, "<img"), 1u) << "no key image for the series without one";
  EXPECT_NE(imaging.find("<a href=\"series/1/DICOM/\">DICOMファイル</a>"), std::string::npos);
  EXPECT_EQ(Count(imaging, "DICOMファイル"), 1u) << "no link for the series without a folder";
  EXPECT_NE(imaging.find("<span class=\"unknown\">不可</span><div class=\"reason\">JPEG 2000"),
            std::string::npos);
  EXPECT_NE(imaging.find("<span class=\"lossy\">あり</span>"), std::string::npos);
  EXPECT_NE(imaging.find("書類との照合: <span class=\"unknown\">不一致</span>"), std::string::npos);
  EXPECT_NE(imaging.find("生年月日（書類: 1954-03-20／画像: 1954-03-02）"), std::string::npos);
  const std::string files = SectionOf(html, "files");
  EXPECT_NE(files.find("CD.iso/DICOM/ST000001/SE000001/IM000001"), std::string::npos);
  EXPECT_NE(files.find("2.3 MB"), std::string::npos);
  EXPECT_NE(files.find("<details open>"), std::string::npos);
  EXPECT_EQ(files.find("SHA256SUMS"), std::string::npos) << "no original kept: no link";
  EXPECT_NE(html.find("9b2e6f01c3d5a7b9"), std::string::npos) << "profile hash in the footer";
}

TEST(ReportHtml, LinksTheKeptOriginal) {
  Case c = SampleCase();
  c.original_copy = "11_原本/CD #1.iso";
  c.original_sums = "11_原本/SHA256SUMS";
  const std::string files = SectionOf(ReportHtml(c, SampleContext()), "files");
  EXPECT_NE(files.find("<a href=\"11_%E5%8E%9F%E6%9C%AC/CD%20%231.iso\">11_原本/CD #1.iso</a>"),
            std::string::npos)
      << files;
  EXPECT_NE(files.find("<a href=\"11_%E5%8E%9F%E6%9C%AC/SHA256SUMS\">"), std::string::npos);
}

TEST(ReportHtml, DicomPersonNamesReadable) {
  Case c = SampleCase();
  const std::pair<const char*, const char*> names[] = {
      {"YAMADA^TARO", "患者 YAMADA TARO</h3>"},
      {"ﾔﾏﾀﾞ^ﾀﾛｳ==ﾔﾏﾀﾞ^ﾀﾛｳ", "患者 ﾔﾏﾀﾞ ﾀﾛｳ</h3>"},
      {"=山田^太郎=やまだ^たろう", "患者 山田 太郎（やまだ たろう）</h3>"},
      {"", "患者 <span class=\"unknown\">不明</span></h3>"}};
  for (const auto& [raw, shown] : names) {
    c.dicom_patients[0].name = raw;
    EXPECT_NE(SectionOf(ReportHtml(c, SampleContext()), "imaging").find(shown), std::string::npos)
        << raw;
  }
}

TEST(ReportHtml, MarkupFromTheSubmissionIsEscaped) {
  Case c = SampleCase();
  c.dicom_patients[0].name = "<script>alert(1)</script>";
  c.files[0].relative_path = "scan/<img src=x onerror=alert(1)>.pdf";
  c.findings[0].message = "\"><svg onload=alert(1)>";
  c.SetFact(Fact{"diagnosis", std::string("<b>癌</b>"), 0.9, {"d001", "p0001", false}});
  c.submission_name = "<iframe>";
  // DICOM values (xss_in_names.dcm in the shared data holds such ones) and what is made of them.
  DicomStudy& study = c.dicom_patients[0].studies[0];
  study.description = "<script>study</script>";
  study.modalities = "CT\\<b>";
  study.series[0].description = "../../etc/passwd<script>";
  study.series[0].body_part = "<i>";
  study.series[0].modality = "<u>";
  study.series[0].transfer_syntax_name = "<script>ts";
  study.series[0].key_image = "key_images/1.png\" onerror=\"alert(1)";
  study.series[0].folder = "09_画像/\"><script>";
  c.original_copy = "11_原本/<iframe>";
  c.original_sums = "11_原本/SHA256SUMS";
  study.series[1].pixels_note = "<script>note";
  c.dicom_patients[0].patient_id = "<script>id";
  c.dicom_patients[0].document_match_note = "<script>match";
  const std::string html = ReportHtml(c, SampleContext());
  const std::string lower = Lower(html);
  EXPECT_EQ(lower.find("<script"), std::string::npos);
  EXPECT_EQ(lower.find("<img src"), std::string::npos);
  EXPECT_EQ(lower.find("<i>"), std::string::npos);
  EXPECT_EQ(lower.find("<u>"), std::string::npos);
  EXPECT_EQ(lower.find("\" onerror"), std::string::npos);
  // Paths in href and src are percent-encoded: no quote can end the attribute.
  EXPECT_NE(html.find("src=\"key_images/1.png%22%20onerror%3D%22alert%281%29\""),
            std::string::npos);
  EXPECT_NE(html.find("href=\"09_%E7%94%BB%E5%83%8F/%22%3E%3Cscript%3E/DICOM/\""),
            std::string::npos);
  EXPECT_NE(html.find("href=\"11_%E5%8E%9F%E6%9C%AC/%3Ciframe%3E\""), std::string::npos);
  EXPECT_EQ(lower.find("<svg"), std::string::npos);
  EXPECT_EQ(lower.find("<b>"), std::string::npos);
  EXPECT_EQ(lower.find("<iframe"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("scan/&lt;img src=x onerror=alert(1)&gt;.pdf"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;svg onload=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;癌&lt;/b&gt;"), std::string::npos);
}

TEST(ReportHtml, EmptyCaseStillRenders) {
  const std::string html = ReportHtml(Case{}, ReportContext{});
  EXPECT_NE(html.find("<section id=\"verdict\""), std::string::npos);
  EXPECT_NE(html.find("指摘事項はありません"), std::string::npos);
  EXPECT_NE(html.find("DICOM画像はありません"), std::string::npos);
  EXPECT_EQ(Count(html, "不明"), 6u) << "every contract fact is shown as unknown";
}

TEST(ReportHtml, Deterministic) {
  EXPECT_EQ(ReportHtml(SampleCase(), SampleContext()), ReportHtml(SampleCase(), SampleContext()));
}

TEST(ReportHtml, WritesSampleWhenAsked) {
  const char* path = std::getenv("INTAKE_REPORT_SAMPLE_HTML");
  if (path == nullptr) GTEST_SKIP() << "INTAKE_REPORT_SAMPLE_HTML not set";
  std::ofstream out(path, std::ios::binary);
  out << ReportHtml(SampleCase(), SampleContext());
  ASSERT_TRUE(out.good());
}

}  // namespace
}  // namespace intake::report

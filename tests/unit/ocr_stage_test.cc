// The pages and OCR stages together on real files: rendered Japanese pages, a blank page, an
// image-only PDF, a PDF with a text layer, and a broken image.
#include "stages/ocr.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "ocr/openmp_env.h"
#include "ocr_test_support.h"
#include "stages/pages.h"
#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::stages {
namespace {

namespace fs = std::filesystem;
using intake::testing::FreshTempDir;
using intake::testing::WithoutSpaces;

const std::vector<std::string> kReferral = {"診療情報提供書", "患者氏名　山田　太郎",
                                            "傷病名　胃癌"};

class OcrStageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto pool = ocr::OcrPool::Create({.languages = "jpn", .tessdata_dir = "", .workers = 2});
    if (pool.ok()) {
      pool_ = pool.value().release();
    } else {
      ADD_FAILURE() << pool.message();
    }
  }
  static void TearDownTestSuite() {
    delete pool_;
    pool_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(pool_, nullptr);
    dir_ = FreshTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    c_.id = "20261121-00000002";
    c_.work_dir = dir_ / "work";
    fs::create_directories(c_.work_dir);
  }
  void TearDown() override { fs::remove_all(dir_); }

  SourceFile AddFile(const std::string& relative_path, FileKind kind) {
    return intake::testing::AddSubmissionFile(c_, dir_, relative_path, kind);
  }

  Status RunPagesAndOcr(double threshold = 0.6) {
    Status pages = MakePagesStage({.render_dpi = 150, .min_text_layer_chars = 20})->Run(c_);
    if (!pages.ok()) return pages;
    return MakeOcrStage(*pool_, threshold)->Run(c_);
  }

  std::vector<Finding> FindingsFor(const std::string& file_id) const {
    std::vector<Finding> out;
    std::copy_if(c_.findings.begin(), c_.findings.end(), std::back_inserter(out),
                 [&](const Finding& f) { return f.file_id == file_id; });
    return out;
  }

  static ocr::OcrPool* pool_;
  fs::path dir_;
  Case c_;
};
ocr::OcrPool* OcrStageTest::pool_ = nullptr;

TEST_F(OcrStageTest, ReadsTextPagesAndFlagsBlankAndBrokenOnes) {
  const auto referral = AddFile("紹介状.png", FileKind::kPng);
  ASSERT_TRUE(intake::testing::WriteTextPng(referral.path, kReferral, 900, 360, 32));
  const auto blank = AddFile("白紙.png", FileKind::kPng);
  ASSERT_TRUE(intake::testing::WriteTextPng(blank.path, {}, 1240, 1754));
  const auto text_pdf = AddFile("申込書.pdf", FileKind::kPdf);
  ASSERT_TRUE(intake::testing::WriteTextPdf(
      text_pdf.path,
      {{"セカンドオピニオン外来申込書", "患者氏名　山田　太郎　生年月日　昭和45年3月2日"}}));
  const auto broken = AddFile("写真.png", FileKind::kPng);
  std::ofstream(broken.path, std::ios::binary) << "\x89PNG\r\n\x1a\n broken";
  const auto scan = AddFile("検査結果.pdf", FileKind::kPdf);
  ASSERT_TRUE(
      intake::testing::WriteImageOnlyPdf(scan.path, {"検査結果報告書", "血液検査　基準値"}));

  ASSERT_THAT(RunPagesAndOcr(), IsOk());
  ASSERT_EQ(c_.pages.size(), 5u);
  for (const auto& page : c_.pages) EXPECT_FALSE(page.needs_ocr) << page.id;

  // The rendered referral letter is read, with a good confidence and no finding.
  const Page& p1 = c_.pages[0];
  EXPECT_EQ(p1.text_source, TextSource::kOcr);
  EXPECT_NE(WithoutSpaces(p1.text).find("診療情報提供書"), std::string::npos) << p1.text;
  EXPECT_NE(WithoutSpaces(p1.text).find("患者氏名"), std::string::npos) << p1.text;
  ASSERT_TRUE(p1.ocr_confidence.has_value());
  EXPECT_GT(*p1.ocr_confidence, 0.6);
  EXPECT_TRUE(FindingsFor(referral.id).empty());

  // Tesseract finds no words on a blank page: empty text, confidence 0, and staff are asked to
  // look at it.
  const Page& p2 = c_.pages[1];
  EXPECT_EQ(p2.text_source, TextSource::kOcr);
  EXPECT_EQ(WithoutSpaces(p2.text), "");
  ASSERT_TRUE(p2.ocr_confidence.has_value());
  EXPECT_EQ(*p2.ocr_confidence, 0.0);
  auto blank_findings = FindingsFor(blank.id);
  ASSERT_EQ(blank_findings.size(), 1u);
  EXPECT_EQ(blank_findings[0].code, FindingCode::kLowOcrConfidence);
  EXPECT_NE(blank_findings[0].message.find("白紙.png"), std::string::npos);
  EXPECT_NE(blank_findings[0].message.find("1ページ目"), std::string::npos);

  // The PDF text layer is left alone.
  const Page& p3 = c_.pages[2];
  EXPECT_EQ(p3.text_source, TextSource::kPdfTextLayer);
  EXPECT_FALSE(p3.ocr_confidence.has_value());
  EXPECT_NE(WithoutSpaces(p3.text).find("セカンドオピニオン外来申込書"), std::string::npos);

  // A broken image is a CORRUPT_FILE finding for its file, and the case goes on.
  const Page& p4 = c_.pages[3];
  EXPECT_EQ(p4.text_source, TextSource::kNone);
  EXPECT_TRUE(p4.text.empty());
  auto broken_findings = FindingsFor(broken.id);
  ASSERT_EQ(broken_findings.size(), 1u);
  EXPECT_EQ(broken_findings[0].code, FindingCode::kCorruptFile);
  EXPECT_NE(broken_findings[0].message.find("写真.png"), std::string::npos);

  // The image-only PDF page's scan was taken out of the PDF by an OCR worker, at its own
  // resolution (1190 px across 595 pt: 144 dpi), and read; the image read is kept for the
  // searchable PDF, with the text lines in it.
  const Page& p5 = c_.pages[4];
  EXPECT_EQ(p5.text_source, TextSource::kOcr);
  EXPECT_EQ(p5.read_image, c_.work_dir / "read" / "p0005.jpg");
  EXPECT_TRUE(fs::exists(p5.read_image));
  EXPECT_EQ(p5.read_image_dpi, 144);
  EXPECT_EQ(p5.read_image_width, 1190);
  ASSERT_GE(p5.lines.size(), 2u);
  EXPECT_NE(WithoutSpaces(p5.lines[0].text).find("検査結果報告書"), std::string::npos);
  EXPECT_NE(WithoutSpaces(p5.text).find("検査結果報告書"), std::string::npos) << p5.text;
  EXPECT_TRUE(FindingsFor(scan.id).empty());

  EXPECT_EQ(c_.findings.size(), 2u);
}

TEST_F(OcrStageTest, PageBelowTheThresholdGetsAFindingWithItsConfidence) {
  const auto referral = AddFile("dir/紹介状.png", FileKind::kPng);
  ASSERT_TRUE(intake::testing::WriteTextPng(referral.path, kReferral, 900, 360, 32));

  ASSERT_THAT(RunPagesAndOcr(1.01), IsOk());
  ASSERT_EQ(c_.pages.size(), 1u);
  ASSERT_TRUE(c_.pages[0].ocr_confidence.has_value());
  const std::string percent = std::to_string(std::lround(*c_.pages[0].ocr_confidence * 100)) + "%";
  ASSERT_EQ(c_.findings.size(), 1u);
  EXPECT_EQ(c_.findings[0].code, FindingCode::kLowOcrConfidence);
  EXPECT_EQ(c_.findings[0].file_id, referral.id);
  EXPECT_NE(c_.findings[0].message.find("dir/紹介状.png"), std::string::npos);
  EXPECT_NE(c_.findings[0].message.find(percent), std::string::npos) << c_.findings[0].message;
}

TEST_F(OcrStageTest, UnwritableWorkAreaFailsTheCase) {
  const auto scan = AddFile("検査結果.pdf", FileKind::kPdf);
  ASSERT_TRUE(intake::testing::WriteImageOnlyPdf(scan.path, {"検査結果報告書"}));
  std::ofstream(dir_ / "not-a-folder") << "x";
  c_.work_dir = dir_ / "not-a-folder";
  EXPECT_FALSE(RunPagesAndOcr().ok());
}

TEST_F(OcrStageTest, NothingToReadLeavesTheCaseAsItIs) {
  const auto text_pdf = AddFile("申込書.pdf", FileKind::kPdf);
  ASSERT_TRUE(intake::testing::WriteTextPdf(
      text_pdf.path, {{"セカンドオピニオン外来相談シート", "相談内容　今後の治療方針について"}}));
  ASSERT_THAT(RunPagesAndOcr(), IsOk());
  ASSERT_EQ(c_.pages.size(), 1u);
  EXPECT_EQ(c_.pages[0].text_source, TextSource::kPdfTextLayer);
  EXPECT_TRUE(c_.findings.empty());
}

}  // namespace
}  // namespace intake::stages

int main(int argc, char** argv) {
  intake::ocr::ReexecWithOpenMpThreadLimit(argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

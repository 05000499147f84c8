// The write-documents stage end to end on real files: a scanned page (turned, skewed), a
// born-digital PDF and a scanned PDF go through the pages and OCR stages, then each document
// becomes a searchable PDF that Poppler, pdftotext, pdfimages and qpdf read back.
#include "stages/write_documents.h"

#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "config/profile.h"
#include "ocr/ocr_pool.h"
#include "ocr/openmp_env.h"
#include "ocr_test_support.h"
#include "pdf_test_support.h"
#include "stages/ocr.h"
#include "stages/pages.h"
#include "stages/screen.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::stages {
namespace {

namespace fs = std::filesystem;
using intake::testing::FreshTempDir;
using intake::testing::LoadPdf;
using intake::testing::PageText;
using intake::testing::PdfToText;
using intake::testing::PopplerFinds;
using intake::testing::RunCommand;

// A fictional referral letter, as a scan.
const intake::testing::Lines kReferral = {
    "紹介状",
    "患者氏名　山田　太郎",
    "生年月日　昭和四十五年五月六日",
    "傷病名　胃癌",
    "紹介目的　セカンドオピニオンのご依頼",
};
// A fictional application form, born digital, two pages.
const std::vector<intake::testing::Lines> kApplication = {
    {"セカンドオピニオン外来申込書", "患者氏名　山田　太郎", "希望診療科　消化器内科"},
    {"相談内容", "手術以外の治療の選択肢について伺いたい。"},
};

// Writes `lines` as an A4 page at 200 dpi, skewed by `skew_degrees` and turned clockwise by
// `quads` quarter turns, as an 8-bit grey PNG.
void WriteScan(const fs::path& path, const intake::testing::Lines& lines, int quads,
               double skew_degrees) {
  const fs::path clean = path.parent_path() / "clean.png";
  ASSERT_TRUE(intake::testing::WriteTextPng(clean, lines, 1654, 2339, 40));
  Pix* colour = pixRead(clean.c_str());
  Pix* grey = pixConvertTo8(colour, 0);
  Pix* skewed = pixRotate(grey, static_cast<float>(skew_degrees * std::numbers::pi / 180),
                          L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
  Pix* turned = pixRotateOrth(skewed, quads);
  pixSetResolution(turned, 200, 200);
  ASSERT_EQ(pixWrite(path.c_str(), turned, IFF_PNG), 0);
  for (Pix* p : {colour, grey, skewed, turned}) pixDestroy(&p);
  fs::remove(clean);
}

class WriteDocumentsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto pool = ocr::OcrPool::Create({.languages = "jpn", .tessdata_dir = "", .workers = 2});
    ASSERT_THAT(pool, IsOk());
    pool_ = pool.value().release();
  }
  static void TearDownTestSuite() {
    delete pool_;
    pool_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(pool_, nullptr);
    dir_ = FreshTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    c_.id = "20261121-00000002";
    c_.work_dir = dir_ / "case" / "work";
    fs::create_directories(c_.work_dir);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A scanned referral letter (upside down and skewed), a born-digital application form and a
  // scanned PDF of test results, run through the pages and OCR stages, as documents d001 (1
  // page), d002 (2 pages) and d003 (1 page).
  void PrepareCase() {
    const SourceFile scan =
        intake::testing::AddSubmissionFile(c_, dir_, "山田太郎_紹介状.png", FileKind::kPng);
    WriteScan(scan.path, kReferral, 2, 1.5);
    const SourceFile pdf =
        intake::testing::AddSubmissionFile(c_, dir_, "山田太郎_申込書.pdf", FileKind::kPdf);
    ASSERT_TRUE(intake::testing::WriteTextPdf(pdf.path, kApplication));
    const SourceFile results =
        intake::testing::AddSubmissionFile(c_, dir_, "検査結果.pdf", FileKind::kPdf);
    ASSERT_TRUE(intake::testing::WriteImageOnlyPdf(results.path, {"検査結果報告書", "血液検査"}));
    ASSERT_THAT(MakePagesStage()->Run(c_), IsOk());
    ASSERT_THAT(MakeOcrStage(*pool_)->Run(c_), IsOk());
    ASSERT_EQ(c_.pages.size(), 4u);
    c_.documents.push_back(
        {.id = "d001", .type = "referral_letter", .page_ids = {"p0001"}, .confidence = 0.9});
    c_.documents.push_back({.id = "d002",
                            .type = "application_form",
                            .page_ids = {"p0002", "p0003"},
                            .confidence = 0.9});
    c_.documents.push_back(
        {.id = "d003", .type = "blood_test", .page_ids = {"p0004"}, .confidence = 0.9});
  }

  Status RunStage() {
    WriteDocumentsOptions options;
    options.case_dir = dir_ / "case";
    auto profile = config::LoadProfile(config::DefaultProfilePath());
    EXPECT_THAT(profile, IsOk());
    if (profile.ok()) options.layout = CaseFolderLayout(*profile);
    options.glyph_font = pool_->tessdata_dir() / "pdf.ttf";
    return MakeWriteDocumentsStage(options)->Run(c_);
  }

  static ocr::OcrPool* pool_;
  fs::path dir_;
  Case c_;
};
ocr::OcrPool* WriteDocumentsTest::pool_ = nullptr;

TEST_F(WriteDocumentsTest, EachDocumentBecomesASearchablePdf) {
  PrepareCase();
  const Page& scanned = c_.pages[0];
  ASSERT_EQ(scanned.text_source, TextSource::kOcr);
  EXPECT_EQ(scanned.rotation_degrees, 180);
  EXPECT_EQ(scanned.read_image.extension(), ".jpg");
  EXPECT_EQ(scanned.read_image_dpi, 200);
  EXPECT_FALSE(scanned.lines.empty());
  ASSERT_EQ(c_.pages[1].text_source, TextSource::kPdfTextLayer);

  Status status = RunStage();
  ASSERT_THAT(status, IsOk());
  // Each in its type's folder, numbered in the profile's order.
  ASSERT_EQ(c_.documents[0].pdf, "01_紹介状/01_診療情報提供書（紹介状）.pdf");
  ASSERT_EQ(c_.documents[1].pdf, "02_申込書/02_セカンドオピニオン外来申込書.pdf");
  const fs::path letter = dir_ / "case" / c_.documents[0].pdf;
  const fs::path form = dir_ / "case" / c_.documents[1].pdf;

  // The scan: one page, A4 at the scan's 200 dpi, upright (portrait), its words found.
  auto doc = LoadPdf(letter);
  ASSERT_NE(doc, nullptr);
  ASSERT_EQ(doc->pages(), 1);
  std::unique_ptr<poppler::page> page(doc->create_page(0));
  EXPECT_NEAR(page->page_rect().width(), 595, 3);
  EXPECT_NEAR(page->page_rect().height(), 842, 3);
  EXPECT_TRUE(PopplerFinds(*page, "紹介状")) << PageText(*page);
  EXPECT_TRUE(PopplerFinds(*page, "患者氏名")) << PageText(*page);
  EXPECT_TRUE(PopplerFinds(*page, "山田太郎")) << PageText(*page);
  const std::string letter_text = PdfToText(letter);
  EXPECT_NE(letter_text.find("紹介状"), std::string::npos) << letter_text;
  EXPECT_NE(letter_text.find("患者氏名"), std::string::npos) << letter_text;

  // The born-digital form: two rendered pages with Poppler's words as the invisible text.
  doc = LoadPdf(form);
  ASSERT_NE(doc, nullptr);
  ASSERT_EQ(doc->pages(), 2);
  page.reset(doc->create_page(0));
  EXPECT_NEAR(page->page_rect().width(), 595, 3);
  EXPECT_TRUE(PopplerFinds(*page, "患者氏名")) << PageText(*page);
  EXPECT_TRUE(PopplerFinds(*page, "セカンドオピニオン外来申込書")) << PageText(*page);
  page.reset(doc->create_page(1));
  EXPECT_TRUE(PopplerFinds(*page, "相談内容")) << PageText(*page);
  EXPECT_NE(PdfToText(form).find("希望診療科"), std::string::npos) << PdfToText(form);

  // Each page is an image: the scan at its pixel size, the form pages rendered at 150 dpi.
  auto images = RunCommand("pdfimages -list '" + letter.string() + "'");
  ASSERT_TRUE(images.has_value());
  EXPECT_NE(images->find(" image    1654  2339  gray    1   8  jpeg"), std::string::npos)
      << *images;
  images = RunCommand("pdfimages -list '" + form.string() + "'");
  ASSERT_TRUE(images.has_value());
  EXPECT_NE(images->find("1     0 image    1240  1754  gray    1   8  jpeg"), std::string::npos)
      << *images;
  EXPECT_NE(images->find("2     1 image    1240  1754  gray    1   8  jpeg"), std::string::npos)
      << *images;
  // The scanned PDF: its scan taken as stored (144 dpi) for OCR, the image OCR read is the page.
  ASSERT_EQ(c_.documents[2].pdf, "08_検査データ/03_血液検査結果.pdf");
  const fs::path results = dir_ / "case" / c_.documents[2].pdf;
  doc = LoadPdf(results);
  ASSERT_NE(doc, nullptr);
  ASSERT_EQ(doc->pages(), 1);
  page.reset(doc->create_page(0));
  EXPECT_NEAR(page->page_rect().width(), 595, 3);
  EXPECT_TRUE(PopplerFinds(*page, "検査結果報告書")) << PageText(*page);
  images = RunCommand("pdfimages -list '" + results.string() + "'");
  ASSERT_TRUE(images.has_value());
  EXPECT_NE(images->find(" image    1190  1684  gray    1   8  jpeg"), std::string::npos)
      << *images;
  for (const auto& path : {letter, form, results}) {
    auto check = RunCommand("qpdf --check '" + path.string() + "'");
    ASSERT_TRUE(check.has_value()) << path;
    EXPECT_NE(check->find("No syntax or stream encoding errors"), std::string::npos) << *check;
  }
  // Nothing else: no temporary files.
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "case")) {
    if (entry.path().string().find("/case/work/") != std::string::npos) continue;
    if (entry.is_regular_file())
      files.push_back(fs::relative(entry.path(), dir_ / "case").string());
  }
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{c_.documents[0].pdf, c_.documents[1].pdf,
                                             c_.documents[2].pdf}));
}

TEST_F(WriteDocumentsTest, UnshowablePagesAreLeftOut) {
  PrepareCase();
  // d001 lost its image, a fourth document has no page at all, a type the profile does not know.
  fs::remove(c_.pages[0].read_image);
  c_.documents[1].type = "../Other Type";
  c_.documents.push_back({.id = "d004", .type = "other", .page_ids = {}, .confidence = 0});

  Status status = RunStage();
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(c_.documents[0].pdf, "");
  EXPECT_EQ(c_.documents[1].pdf, "10_その他/02_その他の書類.pdf");
  EXPECT_EQ(c_.documents[3].pdf, "");
  EXPECT_FALSE(fs::exists(dir_ / "case" / "01_紹介状")) << "no empty folder";
  EXPECT_TRUE(fs::exists(dir_ / "case" / "08_検査データ/03_血液検査結果.pdf"));
  EXPECT_TRUE(fs::exists(dir_ / "case" / c_.documents[1].pdf));
}

// Mean grey level of `box` in the first image of page 1 of `pdf` (extracted by pdfimages).
double MeanInBox(const fs::path& pdf, const fs::path& dir, int left, int top, int width,
                 int height) {
  if (!RunCommand("pdfimages -f 1 -l 1 -png '" + pdf.string() + "' '" + (dir / "img").string() +
                  "'")) {
    return -1;
  }
  Pix* image = pixRead((dir / "img-000.png").c_str());
  if (image == nullptr) return -1;
  Pix* grey = pixConvertTo8(image, 0);
  BOX* box = boxCreate(left, top, width, height);
  l_float32 mean = -1;
  Pix* clip = pixClipRectangle(grey, box, nullptr);
  pixGetAverageMasked(clip, nullptr, 0, 0, 1, L_MEAN_ABSVAL, &mean);
  for (Pix* p : {image, grey, clip}) pixDestroy(&p);
  boxDestroy(&box);
  fs::remove(dir / "img-000.png");
  return mean;
}

TEST_F(WriteDocumentsTest, MyNumberIsNeitherInTheTextNorInThePicture) {
  // 123456789018 carries a valid check digit (made up). A scanned juminhyo and a born-digital one.
  const intake::testing::Lines juminhyo = {"住民票の写し", "世帯主　山田　太郎",
                                           "個人番号　1234 5678 9018"};
  const SourceFile scan =
      intake::testing::AddSubmissionFile(c_, dir_, "住民票.png", FileKind::kPng);
  WriteScan(scan.path, juminhyo, 0, 0);
  const SourceFile digital =
      intake::testing::AddSubmissionFile(c_, dir_, "住民票.pdf", FileKind::kPdf);
  ASSERT_TRUE(intake::testing::WriteTextPdf(digital.path, {juminhyo}));
  ASSERT_THAT(MakePagesStage()->Run(c_), IsOk());
  ASSERT_THAT(MakeOcrStage(*pool_)->Run(c_), IsOk());
  ASSERT_THAT(MakeScreenStage()->Run(c_), IsOk());
  ASSERT_EQ(c_.findings.size(), 2u);
  c_.documents.push_back(
      {.id = "d001", .type = "juminhyo", .page_ids = {"p0001"}, .confidence = 0.9});
  c_.documents.push_back(
      {.id = "d002", .type = "juminhyo", .page_ids = {"p0002"}, .confidence = 0.9});
  ASSERT_THAT(RunStage(), IsOk());

  for (const auto& document : c_.documents) {
    SCOPED_TRACE(document.id);
    const fs::path pdf = dir_ / "case" / document.pdf;
    const std::string text = PdfToText(pdf);
    EXPECT_NE(text.find("世帯主"), std::string::npos) << text;
    EXPECT_EQ(text.find("9018"), std::string::npos) << text;
    EXPECT_EQ(text.find("5678"), std::string::npos) << text;
  }

  // The scanned page: the line that held the number is black in the PDF's image.
  const Page& scanned = c_.pages[0];
  const auto line = std::find_if(scanned.lines.begin(), scanned.lines.end(),
                                 [](const TextLine& l) { return l.redact; });
  ASSERT_NE(line, scanned.lines.end());
  EXPECT_LT(MeanInBox(dir_ / "case" / c_.documents[0].pdf, dir_, line->left, line->top, line->width,
                      line->height),
            10);
  // The born-digital page, drawn at 150 dpi: where Poppler finds the number in the source file.
  auto source = LoadPdf(digital.path);
  ASSERT_NE(source, nullptr);
  std::unique_ptr<poppler::page> page(source->create_page(0));
  bool found = false;
  for (const auto& word : page->text_list()) {
    const poppler::byte_array utf8 = word.text().to_utf8();
    if (std::string(utf8.begin(), utf8.end()).find("5678") == std::string::npos) continue;
    found = true;
    const double s = 150.0 / 72;
    const poppler::rectf b = word.bbox();
    EXPECT_LT(MeanInBox(dir_ / "case" / c_.documents[1].pdf, dir_, static_cast<int>(b.left() * s),
                        static_cast<int>(b.top() * s), static_cast<int>(b.width() * s),
                        static_cast<int>(b.height() * s)),
              10);
  }
  EXPECT_TRUE(found);
}

TEST_F(WriteDocumentsTest, UnwritableFolderFailsTheCase) {
  PrepareCase();
  fs::create_directories(dir_ / "case");
  std::ofstream(dir_ / "case" / "01_紹介状") << "a file where the folder should be";
  Status status = RunStage();
  EXPECT_FALSE(status.ok());
}

}  // namespace
}  // namespace intake::stages

int main(int argc, char** argv) {
  intake::ocr::ReexecWithOpenMpThreadLimit(argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// The pages stage on real files made in the test: born-digital and image-only PDFs (cairo),
// multi-frame TIFF (Leptonica), images, and broken or locked PDFs.
#include "stages/pages.h"

#include <cairo.h>
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ocr/page_image.h"
#include "ocr_test_support.h"
#include "pdf_test_support.h"
#include "pdf/pdf_render.h"
#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::stages {
namespace {

namespace fs = std::filesystem;
using pdf::RenderDpi;
using pdf::RenderPdfPage;
using intake::testing::FreshTempDir;
using intake::testing::Stream;
using intake::testing::WithoutSpaces;
using intake::testing::WritePdf;

// A minimal PDF with a standard security handler whose user password is not empty: Poppler
// opens it as locked.
void WriteLockedPdf(const fs::path& path) {
  WritePdf(path,
           {
               "<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
               "<< /Filter /Standard /V 1 /R 2 /P -44 /O <" + std::string(64, 'a') + "> /U <" +
                   std::string(64, 'b') + "> >>",
           },
           " /Encrypt 4 0 R /ID [<" + std::string(32, 'c') + "> <" + std::string(32, 'c') + ">]");
}

// Frames of page size (bilevel, blank: a few hundred bytes each), or of `side` px when given.
void WriteTiffFrames(const fs::path& path, int frames, int side = 0) {
  for (int i = 0; i < frames; ++i) {
    Pix* pix = side > 0 ? pixCreate(side, side, 1) : pixCreate(800 + 10 * i, 1100, 1);
    ASSERT_EQ(pixWriteTiff(path.c_str(), pix, IFF_TIFF_G4, i == 0 ? "w" : "a"), 0);
    pixDestroy(&pix);
  }
}

class PagesStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    c_.id = "20261121-00000001";
    c_.work_dir = dir_ / "work";
    fs::create_directories(c_.work_dir);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Adds a file of the submission, as unpack and identify would have; returns a copy.
  SourceFile AddFile(const std::string& relative_path, FileKind kind) {
    return intake::testing::AddSubmissionFile(c_, dir_, relative_path, kind);
  }

  Status RunStage(PagesOptions options = {}) { return MakePagesStage(options)->Run(c_); }

  fs::path dir_;
  Case c_;
};

TEST_F(PagesStageTest, BornDigitalPdfUsesTheTextLayer) {
  const auto& pdf = AddFile("紹介状/診療情報提供書.pdf", FileKind::kPdf);
  ASSERT_TRUE(intake::testing::WriteTextPdf(
      pdf.path,
      {{"診療情報提供書", "紹介先医療機関　東京第一病院　消化器内科", "患者氏名　山田　太郎",
        "傷病名　胃癌"},
       {"検査結果報告書", "WBC 5.6  RBC 4.52  Hb 13.2  PLT 24.1", "基準値を参照のこと"}}));

  ASSERT_THAT(RunStage(), IsOk());
  EXPECT_TRUE(c_.findings.empty());
  ASSERT_EQ(c_.pages.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const Page& page = c_.pages[i];
    EXPECT_EQ(page.id, i == 0 ? "p0001" : "p0002");
    EXPECT_EQ(page.file_id, "f0001");
    EXPECT_EQ(page.number_in_file, i + 1);
    EXPECT_EQ(page.text_source, TextSource::kPdfTextLayer);
    EXPECT_FALSE(page.needs_ocr);
    EXPECT_TRUE(page.image_path.empty());
  }
  const std::string first = WithoutSpaces(c_.pages[0].text);
  EXPECT_NE(first.find("診療情報提供書"), std::string::npos) << c_.pages[0].text;
  EXPECT_NE(first.find("山田太郎"), std::string::npos) << c_.pages[0].text;
  const std::string second = WithoutSpaces(c_.pages[1].text);
  EXPECT_NE(second.find("検査結果報告書"), std::string::npos) << c_.pages[1].text;
  EXPECT_NE(second.find("Hb13.2"), std::string::npos) << c_.pages[1].text;
  EXPECT_FALSE(fs::exists(c_.work_dir / "pages" / "p0001.png"));
}

TEST_F(PagesStageTest, ImageOnlyPdfPageIsMarkedForOcrAndDrawnOnDemand) {
  const auto& pdf = AddFile("scan.pdf", FileKind::kPdf);
  ASSERT_TRUE(
      intake::testing::WriteImageOnlyPdf(pdf.path, {"診療情報提供書", "患者氏名　山田　太郎"}));

  ASSERT_THAT(RunStage({.render_dpi = 100, .min_text_layer_chars = 20}), IsOk());
  EXPECT_TRUE(c_.findings.empty());
  ASSERT_EQ(c_.pages.size(), 1u);
  const Page& page = c_.pages[0];
  EXPECT_TRUE(page.needs_ocr);
  EXPECT_EQ(page.text_source, TextSource::kNone);
  EXPECT_TRUE(page.text.empty());
  EXPECT_TRUE(page.image_path.empty());
  EXPECT_DOUBLE_EQ(page.pdf_render_dpi, 100);
  EXPECT_TRUE(fs::is_empty(c_.work_dir)) << "nothing is drawn or written before OCR";

  // Drawn when OCR reads it: A4 at 100 dpi is 827 x 1169 px, with the page's ink.
  auto drawn = RenderPdfPage(pdf.path, 0, page.pdf_render_dpi);
  ASSERT_THAT(drawn, IsOk());
  EXPECT_NEAR(drawn->width, 827, 2);
  EXPECT_NEAR(drawn->height, 1169, 2);
  EXPECT_EQ(drawn->dpi, 100);
  EXPECT_NE(*std::min_element(drawn->pixels.begin(), drawn->pixels.end()), 255);
  EXPECT_FALSE(RenderPdfPage(pdf.path, 1, 100).ok()) << "there is no second page";
}

TEST_F(PagesStageTest, PdfWithTooLittleTextIsDrawnForOcr) {
  const auto& pdf = AddFile("cover.pdf", FileKind::kPdf);
  ASSERT_TRUE(intake::testing::WriteTextPdf(pdf.path, {{"表紙　写し"}}));

  ASSERT_THAT(RunStage({.render_dpi = 50, .min_text_layer_chars = 20}), IsOk());
  ASSERT_EQ(c_.pages.size(), 1u);
  EXPECT_TRUE(c_.pages[0].needs_ocr);
  EXPECT_DOUBLE_EQ(c_.pages[0].pdf_render_dpi, 50);

  c_.pages.clear();
  ASSERT_THAT(RunStage({.render_dpi = 50, .min_text_layer_chars = 4}), IsOk());
  ASSERT_EQ(c_.pages.size(), 1u);
  EXPECT_EQ(c_.pages[0].text_source, TextSource::kPdfTextLayer);
}

TEST_F(PagesStageTest, GarbledTextLayerIsReadWithOcrInstead) {
  // A font whose Unicode map points into the private use area, as broken embedded fonts do: the
  // page shows letters, its text layer holds 26 private-use characters.
  const auto& pdf = AddFile("garbled.pdf", FileKind::kPdf);
  WritePdf(pdf.path,
           {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            " /Resources << /Font << /F1 5 0 R >> >> >>",
            Stream("BT /F1 24 Tf 72 700 Td (ABCDEFGHIJKLMNOPQRSTUVWXYZ) Tj ET"),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
            Stream("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
                   "/CMapName /Broken def 1 begincodespacerange <00> <FF> endcodespacerange\n"
                   "1 beginbfrange <41> <5A> <E041> endbfrange\n"
                   "endcmap CMapName currentdict /CMap defineresource pop end end")});

  // The layer is there (more than min_text_layer_chars), only garbled.
  auto doc = intake::testing::LoadPdf(pdf.path);
  ASSERT_NE(doc, nullptr);
  std::unique_ptr<poppler::page> page(doc->create_page(0));
  const std::string layer = intake::testing::PageText(*page);
  EXPECT_EQ(layer.substr(0, 3), "\xEE\x81\x81") << "U+E041";
  EXPECT_GE(layer.size(), 26u * 3);

  ASSERT_THAT(RunStage(), IsOk());
  ASSERT_EQ(c_.pages.size(), 1u);
  EXPECT_TRUE(c_.pages[0].needs_ocr);
  EXPECT_EQ(c_.pages[0].text_source, TextSource::kNone);
}

TEST(RenderDpi, StaysWithinWhatOcrReads) {
  EXPECT_DOUBLE_EQ(RenderDpi(595, 842, 300), 300);  // A4: 8.7 megapixels
  // A3 at 300 dpi would be 17 megapixels: drawn at the OCR budget instead.
  const double a3 = RenderDpi(842, 1191, 300);
  EXPECT_LT(a3, 300);
  EXPECT_LE(842 * a3 / 72 * 1191 * a3 / 72, static_cast<double>(ocr::kMaxOcrPixels));
  // A banner 100 inches long: limited by the longest side.
  EXPECT_LE(7200 * RenderDpi(7200, 72, 300) / 72, ocr::kMaxImageSide);
}

TEST_F(PagesStageTest, TiffFramesTooSmallForAPageAreCountedNotRead) {
  const auto& tiff = AddFile("fax.tif", FileKind::kTiff);
  WriteTiffFrames(tiff.path, 40, 8);
  ASSERT_THAT(RunStage(), IsOk());
  EXPECT_TRUE(c_.pages.empty());
  ASSERT_EQ(c_.findings.size(), 1u);
  EXPECT_EQ(c_.findings[0].code, FindingCode::kUnsupportedFile);
  EXPECT_NE(c_.findings[0].message.find("40"), std::string::npos) << c_.findings[0].message;
}

TEST_F(PagesStageTest, ThreeFrameTiffGivesThreePages) {
  const auto& tiff = AddFile("scan.tif", FileKind::kTiff);
  WriteTiffFrames(tiff.path, 3);

  ASSERT_THAT(RunStage(), IsOk());
  EXPECT_TRUE(c_.findings.empty());
  ASSERT_EQ(c_.pages.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c_.pages[i].image_frame, i);
    EXPECT_EQ(c_.pages[i].number_in_file, i + 1);
    EXPECT_EQ(c_.pages[i].image_path, tiff.path);
    EXPECT_TRUE(c_.pages[i].needs_ocr);
    EXPECT_EQ(c_.pages[i].file_id, "f0001");
  }
}

TEST_F(PagesStageTest, FilesBecomePagesInSubmissionOrder) {
  const auto& pdf = AddFile("a.pdf", FileKind::kPdf);
  ASSERT_TRUE(intake::testing::WriteTextPdf(pdf.path,
                                            {{"セカンドオピニオン外来申込書　患者氏名　山田　太郎"},
                                             {"セカンドオピニオン外来相談シート　相談内容"}}));
  const auto& png = AddFile("photo.png", FileKind::kPng);
  ASSERT_TRUE(intake::testing::WriteTextPng(png.path, {"お薬手帳"}));
  const auto& text = AddFile("readme.txt", FileKind::kText);
  std::ofstream(text.path) << "not a page\n";
  const auto& jpeg = AddFile("card.jpg", FileKind::kJpeg);
  Pix* pix = pixCreate(1200, 800, 8);
  ASSERT_EQ(pixWrite(jpeg.path.c_str(), pix, IFF_JFIF_JPEG), 0);
  pixDestroy(&pix);
  const auto& tiff = AddFile("fax.tif", FileKind::kTiff);
  WriteTiffFrames(tiff.path, 2);
  AddFile("IMG0001", FileKind::kDicom);

  ASSERT_THAT(RunStage(), IsOk());
  EXPECT_TRUE(c_.findings.empty());
  const std::vector<std::pair<std::string, int>> expected = {
      {"f0001", 1}, {"f0001", 2}, {"f0002", 1}, {"f0004", 1}, {"f0005", 1}, {"f0005", 2}};
  ASSERT_EQ(c_.pages.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(c_.pages[i].id, "p000" + std::to_string(i + 1));
    EXPECT_EQ(c_.pages[i].file_id, expected[i].first) << i;
    EXPECT_EQ(c_.pages[i].number_in_file, expected[i].second) << i;
  }
  EXPECT_EQ(c_.pages[2].image_path, png.path);
  EXPECT_EQ(c_.pages[3].image_path, jpeg.path);
}

TEST_F(PagesStageTest, PagesPastTheBudgetAreCountedNotRead) {
  // A PDF of 4 blank pages, a photo and a fax of 3 frames: with room for 6 pages, the fax's last
  // two frames are left, and one finding says how many.
  const auto& pdf = AddFile("blank.pdf", FileKind::kPdf);
  std::vector<std::string> objects = {"<< /Type /Catalog /Pages 2 0 R >>",
                                      "<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R 6 0 R] /Count 4 >>"};
  for (int i = 0; i < 4; ++i)
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>");
  WritePdf(pdf.path, objects);
  const auto& png = AddFile("photo.png", FileKind::kPng);
  ASSERT_TRUE(intake::testing::WriteTextPng(png.path, {"お薬手帳"}));
  const auto& tiff = AddFile("fax.tif", FileKind::kTiff);
  WriteTiffFrames(tiff.path, 3);

  PagesOptions options;
  options.max_pages = 6;
  ASSERT_THAT(RunStage(options), IsOk());
  ASSERT_EQ(c_.pages.size(), 6u);
  EXPECT_EQ(c_.pages.back().file_id, "f0003");
  EXPECT_EQ(c_.pages.back().number_in_file, 1);
  ASSERT_EQ(c_.findings.size(), 1u);
  EXPECT_EQ(c_.findings[0].code, FindingCode::kPageLimitExceeded);
  EXPECT_NE(c_.findings[0].message.find("残りの 2 ページ"), std::string::npos)
      << c_.findings[0].message;

  // A PDF past the budget is not opened page by page.
  c_.pages.clear();
  c_.findings.clear();
  options.max_pages = 2;
  ASSERT_THAT(RunStage(options), IsOk());
  EXPECT_EQ(c_.pages.size(), 2u);
  ASSERT_EQ(c_.findings.size(), 1u);
  EXPECT_NE(c_.findings[0].message.find("残りの 6 ページ"), std::string::npos)
      << c_.findings[0].message;
}

TEST_F(PagesStageTest, ThumbnailsAreNotPages) {
  // Viewer software on CT discs ships small JPEG previews; they cannot hold a document page.
  for (int i = 0; i < 3; ++i) {
    const auto& thumb = AddFile("thumbs/IM" + std::to_string(i) + ".jpg", FileKind::kJpeg);
    Pix* pix = pixCreate(256, 256, 8);
    ASSERT_EQ(pixWrite(thumb.path.c_str(), pix, IFF_JFIF_JPEG), 0);
    pixDestroy(&pix);
  }
  const auto& photo = AddFile("photo.jpg", FileKind::kJpeg);
  Pix* pix = pixCreate(1600, 1200, 8);
  ASSERT_EQ(pixWrite(photo.path.c_str(), pix, IFF_JFIF_JPEG), 0);
  pixDestroy(&pix);

  ASSERT_THAT(RunStage(), IsOk());
  ASSERT_EQ(c_.pages.size(), 1u);
  EXPECT_EQ(c_.pages[0].image_path, photo.path);
  ASSERT_EQ(c_.findings.size(), 1u);  // one finding for all of them, not one per thumbnail
  EXPECT_EQ(c_.findings[0].code, FindingCode::kUnsupportedFile);
  EXPECT_NE(c_.findings[0].message.find("3 件"), std::string::npos) << c_.findings[0].message;
}

TEST_F(PagesStageTest, CorruptPdfIsAFindingAndNamesNoFileInTheLog) {
  const auto& bad = AddFile("紹介状/yamada_referral.pdf", FileKind::kPdf);
  {
    std::ofstream out(bad.path, std::ios::binary);
    out << "%PDF-1.4\n";
    std::mt19937 random(42);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>(random() & 0xFF));
  }
  const auto& good = AddFile("after.tif", FileKind::kTiff);
  WriteTiffFrames(good.path, 1);

  ::testing::internal::CaptureStderr();
  const Status status = RunStage();
  const std::string err = ::testing::internal::GetCapturedStderr();

  ASSERT_THAT(status, IsOk());
  ASSERT_EQ(c_.findings.size(), 1u);
  EXPECT_EQ(c_.findings[0].code, FindingCode::kCorruptFile);
  EXPECT_EQ(c_.findings[0].file_id, "f0001");
  EXPECT_NE(c_.findings[0].message.find("紹介状/yamada_referral.pdf"), std::string::npos);
  ASSERT_EQ(c_.pages.size(), 1u) << "the case goes on with the next file";
  EXPECT_EQ(c_.pages[0].file_id, "f0002");
  EXPECT_EQ(err.find("yamada"), std::string::npos) << err;
  EXPECT_EQ(err.find("poppler"), std::string::npos) << "Poppler must be quiet: " << err;
}

TEST_F(PagesStageTest, LockedPdfIsAFinding) {
  const auto& locked = AddFile("locked.pdf", FileKind::kPdf);
  WriteLockedPdf(locked.path);

  ASSERT_THAT(RunStage(), IsOk());
  EXPECT_TRUE(c_.pages.empty());
  ASSERT_EQ(c_.findings.size(), 1u);
  EXPECT_EQ(c_.findings[0].code, FindingCode::kCorruptFile);
  EXPECT_NE(c_.findings[0].message.find("パスワード"), std::string::npos) << c_.findings[0].message;
  EXPECT_NE(c_.findings[0].message.find("locked.pdf"), std::string::npos);
}

TEST_F(PagesStageTest, CorruptTiffIsAFinding) {
  const auto& bad = AddFile("yamada_fax.tif", FileKind::kTiff);
  std::ofstream(bad.path, std::ios::binary) << std::string("II*\0\xff\xff\x00\x00garbage", 16);

  ::testing::internal::CaptureStderr();
  ASSERT_THAT(RunStage(), IsOk());
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("yamada"), std::string::npos) << err;
  EXPECT_TRUE(c_.pages.empty());
  ASSERT_EQ(c_.findings.size(), 1u);
  EXPECT_EQ(c_.findings[0].code, FindingCode::kCorruptFile);
  EXPECT_EQ(c_.findings[0].file_id, "f0001");
}

}  // namespace
}  // namespace intake::stages

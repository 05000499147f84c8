// The searchable PDF writer, checked with real readers: Poppler (poppler-cpp search and text),
// pdftotext, pdfimages and qpdf --check on the written files.
#include "pdf/searchable_pdf.h"

#include <gtest/gtest.h>
#include <leptonica/allheaders.h>
#include <poppler-document.h>
#include <poppler-page.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "ocr_test_support.h"
#include "pdf_test_support.h"

namespace intake::pdf {
namespace {

namespace fs = std::filesystem;
using intake::testing::FreshTempDir;
using intake::testing::LoadPdf;
using intake::testing::PageText;
using intake::testing::PdfToText;
using intake::testing::PopplerFinds;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A grey page image of `lines` (Noto Sans CJK JP) at `dpi`, encoded by Leptonica.
PageImage RenderPage(const intake::testing::Lines& lines, int width, int height, double font_px,
                     ImageCodec codec, int dpi = 300, bool bilevel = false) {
  cairo_surface_t* surface = intake::testing::MakeTextSurface(lines, width, height, font_px);
  const fs::path dir = FreshTempDir("pdf-render");
  const fs::path png = dir / "page.png";
  cairo_surface_write_to_png(surface, png.c_str());
  cairo_surface_destroy(surface);
  Pix* colour = pixRead(png.c_str());
  Pix* grey = pixConvertTo8(colour, 0);
  Pix* page = bilevel ? pixConvertTo1(grey, 128) : pixClone(grey);
  pixSetResolution(page, dpi, dpi);
  l_uint8* data = nullptr;
  size_t size = 0;
  if (codec == ImageCodec::kJpeg) {
    pixWriteMemJpeg(&data, &size, page, 75, 0);
  } else {
    pixWriteMemPng(&data, &size, page, 0);
  }
  PageImage image{codec, std::string(reinterpret_cast<char*>(data), size),
                  static_cast<double>(dpi)};
  lept_free(data);
  pixDestroy(&page);
  pixDestroy(&grey);
  pixDestroy(&colour);
  fs::remove_all(dir);
  return image;
}

const intake::testing::Lines kLetter = {"紹介状", "患者氏名　山田　太郎", "CEA 5.2 ng/mL"};

// Boxes for kLetter as MakeTextSurface draws it at 40 px margins (28 px glyphs, 0.6 spacing).
std::vector<TextLine> LetterLines(double font_px = 28) {
  std::vector<TextLine> lines;
  const int pitch = static_cast<int>(font_px * 1.6 + font_px * 0.6);
  // As Tesseract gives them: spaces between the Japanese words.
  const std::vector<std::string> texts = {"紹 介 状", "患者 氏名 山田 太郎", "CEA 5.2 ng/mL"};
  for (std::size_t i = 0; i < texts.size(); ++i) {
    lines.push_back({.left = 40,
                     .top = 40 + static_cast<int>(i) * pitch,
                     .width = static_cast<int>(font_px * 9),
                     .height = static_cast<int>(font_px * 1.2),
                     .vertical = false,
                     .text = texts[i]});
  }
  return lines;
}

class SearchablePdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::vector<PageImage>& images,
                 const std::vector<std::vector<TextLine>>& lines, WriterOptions options = {}) {
    const fs::path path = dir_ / name;
    auto writer = SearchablePdfWriter::Open(path, options);
    EXPECT_TRUE(writer.ok()) << writer.message();
    if (!writer.ok()) return path;
    for (std::size_t i = 0; i < images.size(); ++i) {
      Status added = (*writer)->AddPage(images[i], lines[i]);
      EXPECT_TRUE(added.ok()) << added.message();
    }
    Status finished = (*writer)->Finish();
    EXPECT_TRUE(finished.ok()) << finished.message();
    return path;
  }

  fs::path dir_;
};

TEST(JoinJapaneseWords, DropsSpacesNextToJapaneseOnly) {
  EXPECT_EQ(JoinJapaneseWords("紹 介 状"), "紹介状");
  EXPECT_EQ(JoinJapaneseWords("患者 氏名  山田 太郎"), "患者氏名山田太郎");
  EXPECT_EQ(JoinJapaneseWords("CEA 5.2 ng/mL"), "CEA 5.2 ng/mL");
  EXPECT_EQ(JoinJapaneseWords("CEA 高値 5.2"), "CEA高値5.2");
  EXPECT_EQ(JoinJapaneseWords("昭和 ４５ 年"), "昭和４５年");
  EXPECT_EQ(JoinJapaneseWords(" 先頭と末尾 "), "先頭と末尾");
  EXPECT_EQ(JoinJapaneseWords("a  b"), "a  b");
}

TEST(InspectImage, ReadsJpegAndPngHeadersAndRefusesOthers) {
  const PageImage jpeg = RenderPage(kLetter, 600, 300, 28, ImageCodec::kJpeg);
  auto info = InspectImage(jpeg);
  ASSERT_TRUE(info.ok()) << info.message();
  EXPECT_EQ(info->width, 600);
  EXPECT_EQ(info->height, 300);
  EXPECT_EQ(info->colours, 1);

  const PageImage bilevel = RenderPage(kLetter, 600, 300, 28, ImageCodec::kPng, 300, true);
  info = InspectImage(bilevel);
  ASSERT_TRUE(info.ok()) << info.message();
  EXPECT_EQ(info->width, 600);
  EXPECT_EQ(info->bits_per_component, 1);
  EXPECT_FALSE(info->flate_data.empty());

  EXPECT_FALSE(InspectImage({ImageCodec::kJpeg, "not a jpeg", 300}).ok());
  EXPECT_FALSE(InspectImage({ImageCodec::kPng, jpeg.bytes, 300}).ok());
  PageImage truncated = bilevel;
  truncated.bytes.resize(truncated.bytes.size() / 2);
  EXPECT_FALSE(InspectImage(truncated).ok());
}

TEST_F(SearchablePdfTest, JapaneseWordsAreFoundByPopplerAndPdftotext) {
  const PageImage jpeg = RenderPage(kLetter, 1240, 600, 28, ImageCodec::kJpeg, 150);
  const PageImage png = RenderPage(kLetter, 1240, 600, 28, ImageCodec::kPng, 150);
  const PageImage fax = RenderPage(kLetter, 1240, 600, 28, ImageCodec::kPng, 150, true);
  const fs::path path =
      Write("letter.pdf", {jpeg, png, fax}, {LetterLines(), LetterLines(), LetterLines()});
  ASSERT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(dir_ / "letter.pdf.tmp"));

  auto doc = LoadPdf(path);
  ASSERT_NE(doc, nullptr);
  ASSERT_EQ(doc->pages(), 3);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE("page " + std::to_string(i + 1));
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    ASSERT_NE(page, nullptr);
    // 1240 x 600 px at 150 dpi.
    EXPECT_NEAR(page->page_rect().width(), 1240 * 72.0 / 150, 0.01);
    EXPECT_NEAR(page->page_rect().height(), 600 * 72.0 / 150, 0.01);
    EXPECT_TRUE(PopplerFinds(*page, "紹介状")) << PageText(*page);
    EXPECT_TRUE(PopplerFinds(*page, "患者氏名")) << PageText(*page);
    EXPECT_TRUE(PopplerFinds(*page, "山田太郎")) << PageText(*page);
    EXPECT_TRUE(PopplerFinds(*page, "CEA 5.2")) << PageText(*page);
  }

  auto text = intake::testing::RunCommand("pdftotext -enc UTF-8 " + path.string() + " -");
  ASSERT_TRUE(text.has_value()) << "pdftotext failed";
  EXPECT_NE(text->find("紹介状"), std::string::npos) << *text;
  EXPECT_NE(text->find("患者氏名"), std::string::npos) << *text;

  auto images = intake::testing::RunCommand("pdfimages -list " + path.string());
  ASSERT_TRUE(images.has_value()) << "pdfimages failed";
  // One image per page, at its pixel size, with the codec it came in.
  EXPECT_NE(images->find("1     0 image    1240   600  gray    1   8  jpeg"), std::string::npos)
      << *images;
  EXPECT_NE(images->find("2     1 image    1240   600  gray    1   8  image"), std::string::npos)
      << *images;
  EXPECT_NE(images->find("3     2 image    1240   600"), std::string::npos) << *images;

  auto check = intake::testing::RunCommand("qpdf --check " + path.string());
  ASSERT_TRUE(check.has_value()) << "qpdf --check failed";
  EXPECT_NE(check->find("No syntax or stream encoding errors"), std::string::npos) << *check;
}

TEST_F(SearchablePdfTest, PngImagesDecodeToTheSamePixels) {
  const PageImage fax = RenderPage(kLetter, 600, 300, 28, ImageCodec::kPng, 300, true);
  const PageImage grey = RenderPage(kLetter, 600, 300, 28, ImageCodec::kPng, 300);
  const fs::path path = Write("pixels.pdf", {fax, grey}, {{}, {}});
  ASSERT_TRUE(intake::testing::RunCommand("pdfimages -png " + path.string() + " " +
                                          (dir_ / "out").string()));
  for (const auto& [index, source] : {std::pair{0, &fax}, std::pair{1, &grey}}) {
    SCOPED_TRACE(index);
    const fs::path extracted = dir_ / ("out-00" + std::to_string(index) + ".png");
    Pix* got = pixRead(extracted.c_str());
    Pix* want =
        pixReadMem(reinterpret_cast<const l_uint8*>(source->bytes.data()), source->bytes.size());
    ASSERT_NE(got, nullptr);
    ASSERT_NE(want, nullptr);
    Pix* got8 = pixConvertTo8(got, 0);
    Pix* want8 = pixConvertTo8(want, 0);
    l_int32 same = 0;
    pixEqual(got8, want8, &same);
    EXPECT_TRUE(same);
    pixDestroy(&got8);
    pixDestroy(&want8);
    pixDestroy(&got);
    pixDestroy(&want);
  }
}

TEST_F(SearchablePdfTest, VerticalLinesAndCharactersOutsideTheBmpAreFound) {
  const PageImage image = RenderPage({}, 800, 1200, 28, ImageCodec::kJpeg, 200);
  // Two columns, right to left, as Tesseract reads vertical Japanese; 𠮷 is outside the BMP.
  const std::vector<TextLine> lines = {
      {.left = 700, .top = 50, .width = 40, .height = 600, .vertical = true, .text = "戸籍 謄本"},
      {.left = 640,
       .top = 50,
       .width = 40,
       .height = 600,
       .vertical = true,
       .text = "紹介状 𠮷田 花子"},
  };
  const fs::path path = Write("vertical.pdf", {image}, {lines});
  auto doc = LoadPdf(path);
  ASSERT_NE(doc, nullptr);
  std::unique_ptr<poppler::page> page(doc->create_page(0));
  ASSERT_NE(page, nullptr);
  EXPECT_TRUE(PopplerFinds(*page, "戸籍謄本")) << PageText(*page);
  EXPECT_TRUE(PopplerFinds(*page, "紹介状")) << PageText(*page);
  auto text = intake::testing::RunCommand("pdftotext -enc UTF-8 " + path.string() + " -");
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(text->find("戸籍謄本"), std::string::npos) << *text;
  EXPECT_NE(text->find("𠮷田花子"), std::string::npos) << *text;
  ASSERT_TRUE(intake::testing::RunCommand("qpdf --check " + path.string()).has_value());
}

TEST_F(SearchablePdfTest, WithoutTheGlyphFontTheTextIsStillThere) {
  const PageImage image = RenderPage(kLetter, 1240, 600, 28, ImageCodec::kJpeg, 150);
  const fs::path with_font = Write("with.pdf", {image}, {LetterLines()});
  const fs::path without_font =
      Write("without.pdf", {image}, {LetterLines()}, {.glyph_font = dir_ / "absent.ttf"});
  EXPECT_GT(fs::file_size(with_font), fs::file_size(without_font));
  auto fonts = intake::testing::RunCommand("pdffonts " + with_font.string());
  ASSERT_TRUE(fonts.has_value());
  EXPECT_NE(fonts->find("CID TrueType      Identity-H       yes"), std::string::npos) << *fonts;
  auto text = intake::testing::RunCommand("pdftotext -enc UTF-8 " + without_font.string() + " -");
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(text->find("患者氏名"), std::string::npos) << *text;
  ASSERT_TRUE(intake::testing::RunCommand("qpdf --check " + without_font.string()).has_value());
}

TEST_F(SearchablePdfTest, SamePagesGiveTheSameBytes) {
  const PageImage image = RenderPage(kLetter, 600, 300, 28, ImageCodec::kJpeg);
  const fs::path a = Write("a.pdf", {image}, {LetterLines()});
  const fs::path b = Write("b.pdf", {image}, {LetterLines()});
  EXPECT_EQ(ReadFile(a), ReadFile(b));
}

TEST_F(SearchablePdfTest, BadImageFailsItsPageOnlyAndUnfinishedFilesAreRemoved) {
  const PageImage good = RenderPage(kLetter, 600, 300, 28, ImageCodec::kJpeg);
  const fs::path path = dir_ / "doc.pdf";
  {
    auto writer = SearchablePdfWriter::Open(path);
    ASSERT_TRUE(writer.ok()) << writer.message();
    EXPECT_FALSE((*writer)->AddPage({ImageCodec::kJpeg, "garbage", 300}, {}).ok());
    EXPECT_TRUE((*writer)->AddPage(good, LetterLines()).ok());
    EXPECT_EQ((*writer)->pages(), 1);
    ASSERT_TRUE((*writer)->Finish().ok());
  }
  auto doc = LoadPdf(path);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(doc->pages(), 1);
  ASSERT_TRUE(intake::testing::RunCommand("qpdf --check " + path.string()).has_value());

  const fs::path abandoned = dir_ / "abandoned.pdf";
  {
    auto writer = SearchablePdfWriter::Open(abandoned);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->AddPage(good, {}).ok());
    EXPECT_TRUE(fs::exists(dir_ / "abandoned.pdf.tmp"));
  }
  EXPECT_FALSE(fs::exists(abandoned));
  EXPECT_FALSE(fs::exists(dir_ / "abandoned.pdf.tmp"));

  auto empty = SearchablePdfWriter::Open(dir_ / "empty.pdf");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE((*empty)->Finish().ok());
  EXPECT_FALSE(SearchablePdfWriter::Open(dir_ / "no-such-folder" / "x.pdf").ok());
}

}  // namespace
}  // namespace intake::pdf

// Page images as they arrive, through the OCR pool: a phone photo with uneven light and a
// shadow, a colour form with red seals over the names, a fax-like bilevel TIFF, a huge photo,
// and headers that declare absurd sizes.
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ocr/ocr_pool.h"
#include "ocr/openmp_env.h"
#include "ocr/page_image.h"
#include "ocr/page_loader.h"
#include "ocr_test_support.h"

namespace intake::ocr {
namespace {

namespace fs = std::filesystem;
using intake::testing::CharacterErrorRate;
using intake::testing::FreshTempDir;
using intake::testing::Lines;
using intake::testing::WithoutSpaces;

// A fictional page of an お薬手帳.
const Lines kMedication = {
    "お薬手帳",
    "調剤日　令和8年10月1日",
    "処方　アムロジピン錠5mg",
    "用法　1日1回　朝食後",
    "用量　1回1錠　28日分",
    "薬剤情報提供書",
    "患者氏名　山田　太郎",
    "医療機関　本郷九丁目クリニック",
};

std::string Joined(const Lines& lines) {
  std::string out;
  for (const auto& line : lines) out += line;
  return out;
}

std::unique_ptr<OcrPool> MakePool(bool normalize_background = true) {
  OcrOptions options;
  options.workers = 2;
  options.normalize_background = normalize_background;
  auto pool = OcrPool::Create(options);
  if (!pool.ok()) ADD_FAILURE() << pool.message();
  return pool.ok() ? std::move(pool.value()) : nullptr;
}

// `lines` drawn in black at (200, 300) on a white RGB page, as a Leptonica 32-bit image.
Pix* DrawPage(const Lines& lines, int width, int height, double font_px) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  intake::testing::DrawLines(cr, lines, font_px, 200, 300);
  cairo_destroy(cr);
  cairo_surface_flush(surface);
  Pix* pix = pixCreate(width, height, 32);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  for (int y = 0; y < height; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(data + y * stride);
    l_uint32* line = pixGetData(pix) + y * pixGetWpl(pix);
    for (int x = 0; x < width; ++x) {
      line[x] = static_cast<l_uint32>(row[x] & 0xFFFFFF) << 8;  // xRGB to Leptonica's RGBA
    }
  }
  cairo_surface_destroy(surface);
  return pix;
}

// A phone photo of `page`: light falling off towards the bottom right, warm, and the soft shadow
// of the phone over the lower left, where the text is.
void PhotographUnevenly(Pix* page) {
  const int width = pixGetWidth(page);
  const int height = pixGetHeight(page);
  for (int y = 0; y < height; ++y) {
    l_uint32* line = pixGetData(page) + y * pixGetWpl(page);
    for (int x = 0; x < width; ++x) {
      const double fx = static_cast<double>(x) / width;
      const double fy = static_cast<double>(y) / height;
      double light = 1.0 - 0.45 * (0.6 * fx + 0.4 * fy);
      const double shade = 1.0 / (1.0 + std::exp((fx * 0.8 - fy + 0.12) * 40));
      light *= 1.0 - 0.6 * shade;
      l_int32 r = 0, g = 0, b = 0;
      extractRGBValues(line[x], &r, &g, &b);
      composeRGBPixel(static_cast<l_int32>(r * light * 0.98),
                      static_cast<l_int32>(g * light * 0.92),
                      static_cast<l_int32>(b * light * 0.78), &line[x]);
    }
  }
}

class OcrImages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pool_ = MakePool().release(); }
  static void TearDownTestSuite() {
    delete pool_;
    pool_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(pool_, nullptr);
    dir_ = FreshTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { fs::remove_all(dir_); }

  static OcrPool* pool_;
  fs::path dir_;
};
OcrPool* OcrImages::pool_ = nullptr;

TEST(EstimateDpi, KeepsPlausibleResolutionsAndFitsOthersToA4) {
  EXPECT_EQ(EstimateDpi(2480, 3508, 300), 300);  // A4 scan
  EXPECT_EQ(EstimateDpi(1012, 638, 300), 300);   // a card scanned at 300 dpi
  EXPECT_EQ(EstimateDpi(3508, 4961, 300), 300);  // A3
  EXPECT_EQ(EstimateDpi(2480, 3508, 0), 300);    // none recorded: as long as A4
  EXPECT_EQ(EstimateDpi(4032, 3024, 72), 345);   // phone photo claiming 72 dpi (56 in wide)
  EXPECT_EQ(EstimateDpi(12000, 9000, 0), 1027);
}

TEST_F(OcrImages, PhonephotoWithAShadowIsEvenedOutAndRead) {
  Pix* page = DrawPage(kMedication, 3000, 4000, 50);
  Pix* clean_grey = pixConvertRGBToLuminance(page);
  EXPECT_FALSE(HasUnevenBackground(clean_grey));
  pixDestroy(&clean_grey);
  PhotographUnevenly(page);
  Pix* photo_grey = pixConvertRGBToLuminance(page);
  EXPECT_TRUE(HasUnevenBackground(photo_grey));
  pixDestroy(&photo_grey);
  const fs::path jpeg = dir_ / "photo.jpg";
  ASSERT_EQ(pixWriteJpeg(jpeg.c_str(), page, 85, 0), 0);
  pixDestroy(&page);

  auto results = pool_->RecognizeAll({{.path = jpeg, .frame = 0, .keep_as = dir_ / "read"}});
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  const OcrPageResult& r = *results[0];
  EXPECT_TRUE(r.background_normalized);
  const double cer = CharacterErrorRate(r.text, Joined(kMedication));
  std::printf("photo, background normalised: CER %.3f, confidence %.2f\n", cer, r.confidence);
  EXPECT_LT(cer, 0.08) << r.text;
  EXPECT_NE(WithoutSpaces(r.text).find("患者氏名山田太郎"), std::string::npos) << r.text;

  // The kept image is what OCR read: grey, the paper white again on both sides of the shadow.
  Pix* kept = pixRead(r.kept_image.c_str());
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(pixGetDepth(kept), 8);
  l_uint32 bright = 0, shaded = 0;
  pixGetPixel(kept, 2900, 100, &bright);
  pixGetPixel(kept, 50, 3900, &shaded);
  EXPECT_GT(bright, 230u);
  EXPECT_GT(shaded, 230u);
  pixDestroy(&kept);

  // Measured without the normalisation: the lines in the shadow are lost (CER about 0.2).
  auto plain_pool = MakePool(/*normalize_background=*/false);
  ASSERT_NE(plain_pool, nullptr);
  auto plain = plain_pool->RecognizeAll({{.path = jpeg}});
  ASSERT_TRUE(plain[0].ok()) << plain[0].message();
  EXPECT_FALSE(plain[0]->background_normalized);
  const double plain_cer = CharacterErrorRate(plain[0]->text, Joined(kMedication));
  std::printf("photo, as it is: CER %.3f, confidence %.2f\n", plain_cer, plain[0]->confidence);
  EXPECT_GT(plain_cer, cer + 0.05) << plain[0]->text;
}

TEST_F(OcrImages, RedSealsOverNamesFadeAndTheNamesAreRead) {
  const Lines form = {"相談同意書", "患者氏名　山田　太郎　自署", "私は代理受診に同意します",
                      "令和8年10月1日　山田　太郎"};
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 2480, 1200);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  intake::testing::DrawLines(cr, form, 50, 150, 150);
  // Name seals (朱肉, translucent red) half over the names.
  for (const auto& [cx, cy] : std::vector<std::pair<double, double>>{{700, 450}, {760, 600}}) {
    cairo_new_path(cr);
    cairo_set_source_rgba(cr, 0.85, 0.1, 0.1, 0.8);
    cairo_set_line_width(cr, 8);
    cairo_arc(cr, cx, cy, 70, 0, 2 * M_PI);
    cairo_stroke(cr);
    cairo_new_path(cr);
    PangoLayout* layout = pango_cairo_create_layout(cr);
    PangoFontDescription* font = pango_font_description_from_string("Noto Serif CJK JP Bold");
    pango_font_description_set_absolute_size(font, 55 * PANGO_SCALE);
    pango_layout_set_font_description(layout, font);
    pango_layout_set_text(layout, "山田", -1);
    cairo_set_source_rgba(cr, 0.85, 0.1, 0.1, 0.8);
    cairo_move_to(cr, cx - 55, cy - 40);
    pango_cairo_show_layout(cr, layout);
    pango_font_description_free(font);
    g_object_unref(layout);
  }
  cairo_destroy(cr);
  const fs::path png = dir_ / "consent.png";
  ASSERT_EQ(cairo_surface_write_to_png(surface, png.c_str()), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy(surface);

  auto results = pool_->RecognizeAll({{.path = png, .frame = 0, .keep_as = dir_ / "read"}});
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  const std::string text = WithoutSpaces(results[0]->text);
  // Measured with luminance instead of the red channel: confidence 0.50, the names lost.
  EXPECT_NE(text.find("私は代理受診に同意します"), std::string::npos) << results[0]->text;
  EXPECT_NE(text.find("令和8年10月1日山田太郎"), std::string::npos) << results[0]->text;
  EXPECT_GT(results[0]->confidence, 0.75);
  // The seal's ring is paper in the image read; the black text is still ink.
  Pix* kept = pixRead(results[0]->kept_image.c_str());
  ASSERT_NE(kept, nullptr);
  l_uint32 ring = 0;
  pixGetPixel(kept, 700 + 70, 450, &ring);
  EXPECT_GT(ring, 170u);
  pixDestroy(&kept);
}

// The fax-like お薬手帳 page of the bilevel tests, read: kept as a 1-bit PNG, 1728 px wide,
// at most 8 % of its characters wrong.
void ExpectReadBilevelMedicationPage(const OcrPageResult& result) {
  EXPECT_EQ(result.kept_image.extension(), ".png");
  Pix* kept = pixRead(result.kept_image.c_str());
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(pixGetDepth(kept), 1);
  EXPECT_EQ(pixGetWidth(kept), 1728);
  pixDestroy(&kept);
  EXPECT_LT(CharacterErrorRate(result.text, Joined(kMedication)), 0.08) << result.text;
}

TEST_F(OcrImages, BilevelFaxStaysBilevel) {
  const fs::path png = dir_ / "page.png";
  ASSERT_TRUE(intake::testing::WriteTextPng(png, kMedication, 1728, 1400, 40));
  Pix* page = pixRead(png.c_str());
  Pix* grey = pixConvertTo8(page, 0);
  Pix* bw = pixConvertTo1(grey, 128);
  pixSetResolution(bw, 200, 200);
  const fs::path tiff = dir_ / "fax.tif";
  ASSERT_EQ(pixWriteTiff(tiff.c_str(), bw, IFF_TIFF_G4, "w"), 0);
  for (Pix* p : {page, grey, bw}) pixDestroy(&p);

  auto results = pool_->RecognizeAll({{.path = tiff, .frame = 0, .keep_as = dir_ / "read"}});
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_EQ(results[0]->image_dpi, 200);
  EXPECT_FALSE(results[0]->background_normalized);
  ExpectReadBilevelMedicationPage(*results[0]);
}

// A 1-bit scan taken out of a PDF page that shows it turned: the pool turns it as the page says
// and keeps it bilevel, like a fax TIFF.
TEST_F(OcrImages, BilevelScanFromAPdfIsTurnedAndStaysBilevel) {
  const fs::path png = dir_ / "page.png";
  ASSERT_TRUE(intake::testing::WriteTextPng(png, kMedication, 1728, 1400, 40));
  Pix* page = pixRead(png.c_str());
  Pix* grey = pixConvertTo8(page, 0);
  Pix* stored = pixRotateOrth(grey, 3);  // stored a quarter turn anticlockwise
  GrayImage image;
  image.width = pixGetWidth(stored);
  image.height = pixGetHeight(stored);
  image.stride = image.width;
  image.dpi = 200;
  image.quarter_turns = 1;
  image.bilevel = true;
  for (int y = 0; y < image.height; ++y) {
    const l_uint32* line = pixGetData(stored) + y * pixGetWpl(stored);
    for (int x = 0; x < image.width; ++x) {
      image.pixels.push_back(GET_DATA_BYTE(line, x) < 128 ? 0 : 255);
    }
  }
  for (Pix* p : {page, grey, stored}) pixDestroy(&p);

  OcrImage to_read;
  to_read.keep_as = dir_ / "read";
  to_read.render = [&image](auto) { return Result<GrayImage>(image); };
  auto results = pool_->RecognizeAll({to_read});
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_EQ(results[0]->image_dpi, 200);
  EXPECT_EQ(results[0]->rotation_degrees, 0) << "turned before reading, not by OSD";
  ExpectReadBilevelMedicationPage(*results[0]);
}

TEST_F(OcrImages, HugePhotoIsScaledToAboutA4At300Dpi) {
  // 12000 x 9000 (108 megapixels): a text page at 3000 x 2250 scaled up four times.
  Pix* page = DrawPage(kMedication, 3000, 2250, 50);
  Pix* grey = pixConvertRGBToLuminance(page);
  Pix* huge = pixScale(grey, 4.0f, 4.0f);
  ASSERT_NE(huge, nullptr);
  ASSERT_EQ(pixGetWidth(huge), 12000);
  const fs::path jpeg = dir_ / "huge.jpg";
  ASSERT_EQ(pixWriteJpeg(jpeg.c_str(), huge, 70, 0), 0);
  for (Pix* p : {page, grey, huge}) pixDestroy(&p);

  auto results = pool_->RecognizeAll({{.path = jpeg, .frame = 0, .keep_as = dir_ / "read"}});
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  const OcrPageResult& r = *results[0];
  EXPECT_LT(r.scale, 0.3);
  EXPECT_LE(static_cast<std::int64_t>(r.image_width) * r.image_height, kMaxOcrPixels);
  EXPECT_GE(static_cast<std::int64_t>(r.image_width) * r.image_height, kTargetOcrPixels * 9 / 10);
  EXPECT_NEAR(r.image_dpi, 291, 10);  // 12000 px as long as A4, then scaled
  EXPECT_LT(CharacterErrorRate(r.text, Joined(kMedication)), 0.08) << r.text;
}

// An RGBA image shows its transparent parts as the paper under it: a screenshot whose background
// is transparent black (RGB 0, alpha 0) is white paper with its black text, half-transparent ink
// is grey, and the text is read.
TEST_F(OcrImages, TransparentPartsOfAnImageAreWhitePaper) {
  Pix* page = DrawPage(kMedication, 1600, 1000, 40);
  ASSERT_NE(page, nullptr);
  Pix* rgba = pixCreate(1600, 1000, 32);
  pixSetSpp(rgba, 4);
  for (int y = 0; y < 1000; ++y) {
    for (int x = 0; x < 1600; ++x) {
      l_uint32 drawn = 0;
      pixGetPixel(page, x, y, &drawn);
      l_int32 r = 0, g = 0, b = 0;
      extractRGBValues(drawn, &r, &g, &b);
      // Ink as black of its own darkness in alpha; in the band x < 100, ink at half opacity.
      const int ink = 255 - r;
      l_uint32 pixel = 0;
      composeRGBAPixel(0, 0, 0, x < 100 ? 128 : ink, &pixel);
      pixSetPixel(rgba, x, y, pixel);
    }
  }
  const fs::path png = dir_ / "transparent.png";
  ASSERT_EQ(pixWrite(png.c_str(), rgba, IFF_PNG), 0);
  for (Pix* p : {page, rgba}) pixDestroy(&p);

  auto loaded = LoadPage(png, 0, false);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  ASSERT_EQ(pixGetDepth(loaded->pix.get()), 8);
  l_uint32 paper = 0, half = 0;
  pixGetPixel(loaded->pix.get(), 1500, 50, &paper);
  pixGetPixel(loaded->pix.get(), 50, 50, &half);
  EXPECT_EQ(paper, 255U) << "transparent black is white paper";
  EXPECT_NEAR(static_cast<double>(half), 127, 2) << "black at half opacity is mid grey";
  auto results = pool_->RecognizeAll({{.path = png}});
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_LT(CharacterErrorRate(results[0]->text, Joined(kMedication)), 0.08) << results[0]->text;
}

TEST_F(OcrImages, JpegHeaderDeclaringAnAbsurdSizeIsRefusedUndecoded) {
  Pix* small = pixCreate(64, 64, 8);
  pixSetAll(small);
  l_uint8* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(pixWriteMemJpeg(&data, &size, small, 75, 0), 0);
  std::string bytes(reinterpret_cast<char*>(data), size);
  lept_free(data);
  pixDestroy(&small);
  // Patch the frame header (SOF0: FF C0, length, precision, height, width) to 65000 x 65000.
  const auto sof = bytes.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  for (std::size_t at : {sof + 5, sof + 7}) {
    bytes[at] = static_cast<char>(0xFD);
    bytes[at + 1] = static_cast<char>(0xE8);
  }
  const fs::path bomb = dir_ / "bomb.jpg";
  std::ofstream(bomb, std::ios::binary) << bytes;
  auto header = ReadImageHeader(bomb);
  ASSERT_TRUE(header.ok()) << header.message();
  EXPECT_EQ(header->width, 65000);

  auto results = pool_->RecognizeAll({{.path = bomb}});
  ASSERT_FALSE(results[0].ok());
  EXPECT_NE(results[0].message().find("too large"), std::string::npos) << results[0].message();
}

}  // namespace
}  // namespace intake::ocr

int main(int argc, char** argv) {
  intake::ocr::ReexecWithOpenMpThreadLimit(argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

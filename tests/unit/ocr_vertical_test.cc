// Vertical Japanese (縦書き, old koseki): a generated vertical page is found vertical by the
// layout analysis of the first reading and read again with jpn_vert, in reading order (columns
// right to left), within a measured character error rate; horizontal pages never pay for it.
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "ocr/ocr_pool.h"
#include "ocr/openmp_env.h"
#include "ocr_test_support.h"

namespace intake::ocr {
namespace {

namespace fs = std::filesystem;
using intake::testing::CharacterErrorRate;
using intake::testing::FreshTempDir;
using intake::testing::Lines;
using intake::testing::WithoutSpaces;

// A fictional koseki in vertical writing, with kanji numerals.
const Lines kKoseki = {
    "戸籍謄本　全部事項証明書",
    "本籍　東京都文京区本郷九丁目九十九番地",
    "氏名　山田　太郎",
    "戸籍事項　戸籍改製　平成十二年三月四日",
    "戸籍に記録されている者　名　太郎",
    "生年月日　昭和四十五年三月二日",
    "父　山田　一郎　母　山田　花子",
    "続柄　長男",
    "身分事項　出生　昭和四十五年三月二日",
    "出生地　東京都文京区",
};

std::string Joined(const Lines& lines) {
  std::string out;
  for (const auto& line : lines) out += line;
  return out;
}

std::unique_ptr<OcrPool> MakePool(const std::string& vertical_languages) {
  OcrOptions options;
  options.languages = "jpn";
  options.workers = 1;
  options.vertical_languages = vertical_languages;
  auto pool = OcrPool::Create(options);
  if (!pool.ok()) ADD_FAILURE() << pool.message();
  return pool.ok() ? std::move(pool.value()) : nullptr;
}

class OcrVertical : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(FreshTempDir("ocr-vertical"));
    page_ = new fs::path(*dir_ / "koseki.png");
    // A4 at 300 dpi, 14 pt glyphs.
    ASSERT_TRUE(intake::testing::WriteVerticalTextPng(*page_, kKoseki, 2480, 3508, 58));
    pool_ = MakePool("jpn_vert").release();
  }
  static void TearDownTestSuite() {
    delete pool_;
    fs::remove_all(*dir_);
    delete page_;
    delete dir_;
  }
  void SetUp() override { ASSERT_NE(pool_, nullptr); }

  static fs::path* dir_;
  static fs::path* page_;
  static OcrPool* pool_;
};
fs::path* OcrVertical::dir_ = nullptr;
fs::path* OcrVertical::page_ = nullptr;
OcrPool* OcrVertical::pool_ = nullptr;

TEST_F(OcrVertical, VerticalPageIsReadWithTheVerticalModelInReadingOrder) {
  auto results = pool_->RecognizeAll({{.path = *page_}});
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  const OcrPageResult& r = *results[0];
  EXPECT_TRUE(r.vertical);
  EXPECT_EQ(r.rotation_degrees, 0) << "vertical writing is upright, not a sideways page";
  EXPECT_GT(r.timings.vertical_ms, 0);

  // Measured: CER 0.02 (謄 read as 膳, one 太郎 as 大役), confidence 0.88.
  const double cer = CharacterErrorRate(r.text, Joined(kKoseki));
  std::printf("vertical page: CER %.3f, confidence %.2f, %zu lines\n", cer, r.confidence,
              r.lines.size());
  EXPECT_LT(cer, 0.08) << r.text;
  EXPECT_GT(r.confidence, 0.75);
  const std::string text = WithoutSpaces(r.text);
  EXPECT_NE(text.find("全部事項証明書"), std::string::npos) << r.text;
  EXPECT_NE(text.find("昭和四十五年三月二日"), std::string::npos) << r.text;
  // Reading order: the first column (rightmost) first, the last one last.
  EXPECT_LT(text.find("全部事項証明書"), text.find("本籍"));
  EXPECT_LT(text.find("本籍"), text.find("出生地"));

  // Lines are columns, from right to left, in the pixels of the page.
  ASSERT_GE(r.lines.size(), kKoseki.size());
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(r.lines[i].vertical);
    EXPECT_GT(r.lines[i].height, r.lines[i].width);
    if (i > 0) {
      EXPECT_LT(r.lines[i].left, r.lines[i - 1].left);
    }
    EXPECT_LE(r.lines[i].left + r.lines[i].width, r.image_width);
  }
}

TEST_F(OcrVertical, HorizontalPageIsNotReadTwice) {
  const fs::path png = *dir_ / "horizontal.png";
  ASSERT_TRUE(intake::testing::WriteTextPng(png, kKoseki, 2480, 1600, 58));
  auto results = pool_->RecognizeAll({{.path = png}});
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_FALSE(results[0]->vertical);
  EXPECT_EQ(results[0]->timings.vertical_ms, 0);
  EXPECT_LT(CharacterErrorRate(results[0]->text, Joined(kKoseki)), 0.08) << results[0]->text;
  for (const auto& line : results[0]->lines) EXPECT_FALSE(line.vertical);
}

TEST_F(OcrVertical, SkewedVerticalPageIsStraightenedAndRead) {
  const fs::path skewed = *dir_ / "skewed.png";
  Pix* page = pixRead(page_->c_str());
  ASSERT_NE(page, nullptr);
  Pix* grey = pixConvertTo8(page, 0);
  Pix* turned = pixRotate(grey, static_cast<float>(2.5 * std::numbers::pi / 180), L_ROTATE_AREA_MAP,
                          L_BRING_IN_WHITE, 0, 0);
  ASSERT_EQ(pixWrite(skewed.c_str(), turned, IFF_PNG), 0);
  pixDestroy(&turned);
  pixDestroy(&grey);
  pixDestroy(&page);
  auto results = pool_->RecognizeAll({{.path = skewed}});
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_TRUE(results[0]->vertical);
  EXPECT_NEAR(results[0]->skew_degrees, -2.5, 0.3);
  EXPECT_LT(CharacterErrorRate(results[0]->text, Joined(kKoseki)), 0.08) << results[0]->text;
}

TEST(OcrVerticalOff, WithoutTheVerticalModelTheColumnsAreNotRead) {
  auto pool = MakePool("");
  ASSERT_NE(pool, nullptr);
  const fs::path dir = FreshTempDir("ocr-vertical-off");
  const fs::path png = dir / "koseki.png";
  ASSERT_TRUE(intake::testing::WriteVerticalTextPng(png, kKoseki, 2480, 3508, 58));
  auto results = pool->RecognizeAll({{.path = png}});
  fs::remove_all(dir);
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_FALSE(results[0]->vertical);
  // Measured: CER about 0.9, confidence 0.17: jpn reads the columns as nonsense.
  EXPECT_GT(CharacterErrorRate(results[0]->text, Joined(kKoseki)), 0.5);
  EXPECT_LT(results[0]->confidence, 0.4);
}

}  // namespace
}  // namespace intake::ocr

int main(int argc, char** argv) {
  intake::ocr::ReexecWithOpenMpThreadLimit(argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

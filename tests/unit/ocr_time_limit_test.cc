// The per-page OCR time limit on real pages: Tesseract's recognition stopped by its progress
// monitor, the pool's result for a page over the limit, and the OCR stage's finding for it.
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "ocr/ocr_pool.h"
#include "ocr/openmp_env.h"
#include "ocr/page_reader.h"
#include "ocr_test_support.h"
#include "stages/ocr.h"
#include "stages/pages.h"
#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using intake::testing::FreshTempDir;
using intake::testing::WithoutSpaces;

// A page of many lines, so that recognising it takes a while (about a second).
intake::testing::Lines ManyLines() {
  const intake::testing::Lines sentences = {
      "患者氏名　山田　太郎　生年月日　昭和四十五年三月三日",
      "傷病名　胃癌の疑い　既往歴　高血圧症",
      "紹介目的　セカンドオピニオン外来への相談",
      "現病歴　健診で異常を指摘され精密検査を行った",
      "処方内容　降圧剤を一日一回朝食後に服用",
  };
  intake::testing::Lines lines = {"診療情報提供書"};
  for (int i = 0; i < 24; ++i) lines.push_back(sentences[i % sentences.size()]);
  return lines;
}

std::unique_ptr<ocr::OcrPool> MakePool(std::chrono::milliseconds page_time_limit) {
  ocr::OcrOptions options;
  options.workers = 1;
  options.page_time_limit = page_time_limit;
  auto pool = ocr::OcrPool::Create(options);
  if (!pool.ok()) ADD_FAILURE() << pool.message();
  return pool.ok() ? std::move(pool.value()) : nullptr;
}

class OcrTimeLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    page_ = dir_ / "page.png";
    ASSERT_TRUE(intake::testing::WriteTextPng(page_, ManyLines(), 1240, 1754, 36));
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  fs::path page_;
};

TEST_F(OcrTimeLimitTest, TesseractStopsRecognisingAtTheDeadline) {
  tesseract::TessBaseAPI engine;
  ASSERT_EQ(engine.Init(nullptr, "jpn", tesseract::OEM_LSTM_ONLY), 0);
  engine.SetVariable("debug_file", "/dev/null");
  Pix* pix = pixRead(page_.c_str());
  ASSERT_NE(pix, nullptr);
  pixSetResolution(pix, 150, 150);

  // Two whole readings (a deadline far away changes nothing); the faster is the reference.
  auto timed_read = [&](ocr::Deadline deadline, std::chrono::steady_clock::duration& took) {
    const auto start = std::chrono::steady_clock::now();
    auto reading = ocr::ReadPage(engine, pix, deadline);
    took = std::chrono::steady_clock::now() - start;
    return reading;
  };
  std::chrono::steady_clock::duration first_time{}, second_time{};
  auto whole = timed_read(ocr::kNoDeadline, first_time);
  ASSERT_THAT(whole, IsOk());
  EXPECT_FALSE(whole->cut_short);
  EXPECT_GE(whole->lines.size(), 20u);
  auto again = timed_read(std::chrono::steady_clock::now() + 10min, second_time);
  ASSERT_THAT(again, IsOk());
  EXPECT_FALSE(again->cut_short);
  EXPECT_EQ(again->text, whole->text);
  const auto whole_time = std::min(first_time, second_time);

  // A deadline in the middle of the reading: the lines recognised before it are kept, whole.
  // The machine is shared: when a reading runs slower or faster than the reference, the deadline
  // may fall before the first line or after the last, so other fractions are tried too.
  Result<ocr::PageReading> half = Error{"not read"};
  int tenths = 0;
  for (int fraction : {6, 4, 8, 3, 9}) {
    tenths = fraction;
    half =
        ocr::ReadPage(engine, pix, std::chrono::steady_clock::now() + whole_time * fraction / 10);
    ASSERT_THAT(half, IsOk());
    if (half->cut_short && !half->lines.empty() && half->lines.size() < whole->lines.size()) break;
  }
  EXPECT_TRUE(half->cut_short);
  EXPECT_GT(half->lines.size(), 0u);
  EXPECT_LT(half->lines.size(), whole->lines.size());
  for (std::size_t i = 0; i < half->lines.size() && i < whole->lines.size(); ++i) {
    EXPECT_EQ(half->lines[i].line.text, whole->lines[i].line.text) << "line " << i;
  }
  EXPECT_EQ(half->confidence, 0.0) << "a reading cut short has no confidence of its own";
  std::cout << "whole reading: " << whole->lines.size() << " lines in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(whole_time).count()
            << " ms; deadline at " << tenths * 10 << " %: " << half->lines.size() << " lines\n";

  // The deadline passes during the layout analysis, which Tesseract does not interrupt; its
  // monitor then stops the recognition before the first line.
  auto cut = ocr::ReadPage(engine, pix, std::chrono::steady_clock::now() + 1ms);
  ASSERT_THAT(cut, IsOk());
  EXPECT_TRUE(cut->cut_short);
  EXPECT_TRUE(cut->lines.empty());

  // A deadline already passed reads nothing at all.
  auto none = ocr::ReadPage(engine, pix, std::chrono::steady_clock::now() - 1ms);
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->cut_short);
  EXPECT_TRUE(none->lines.empty());
  EXPECT_TRUE(none->text.empty());
  pixDestroy(&pix);
}

TEST_F(OcrTimeLimitTest, APageOverTheLimitKeepsItsImageAndHasConfidenceZero) {
  auto pool = MakePool(1ms);
  ASSERT_NE(pool, nullptr);
  auto results = pool->RecognizeAll({{.path = page_, .keep_as = dir_ / "kept"}});
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_TRUE(results[0]->time_limited);
  EXPECT_EQ(results[0]->confidence, 0.0);
  EXPECT_TRUE(fs::exists(results[0]->kept_image)) << "the page image is kept for the PDF";
}

TEST_F(OcrTimeLimitTest, APageWithinTheLimitIsReadInFull) {
  auto pool = MakePool(120s);
  ASSERT_NE(pool, nullptr);
  auto results = pool->RecognizeAll({{.path = page_}});
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_FALSE(results[0]->time_limited);
  EXPECT_GT(results[0]->confidence, 0.7);
  EXPECT_NE(WithoutSpaces(results[0]->text).find("診療情報提供書"), std::string::npos);
}

// The pages and OCR stages on a submission file, with a pool of the given page time limit.
std::vector<Finding> FindingsOfOcr(const fs::path& dir, const fs::path& png,
                                   std::chrono::milliseconds page_time_limit, Case& c) {
  c.id = "20261121-00000003";
  c.work_dir = dir / "work";
  fs::create_directories(c.work_dir);
  SourceFile file = intake::testing::AddSubmissionFile(c, dir, "紹介状.png", FileKind::kPng);
  fs::copy_file(png, file.path);
  auto pool = MakePool(page_time_limit);
  if (!pool) return {};
  EXPECT_THAT(stages::MakePagesStage({.render_dpi = 150, .min_text_layer_chars = 20})->Run(c),
              IsOk());
  EXPECT_THAT(stages::MakeOcrStage(*pool)->Run(c), IsOk());
  return c.findings;
}

TEST_F(OcrTimeLimitTest, TheStageRaisesOcrTimeLimitForAPageOverTheLimit) {
  Case c;
  const auto findings = FindingsOfOcr(dir_, page_, 1ms, c);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].code, FindingCode::kOcrTimeLimit);
  EXPECT_EQ(findings[0].file_id, "f0001");
  EXPECT_NE(findings[0].message.find("紹介状.png"), std::string::npos) << findings[0].message;
  EXPECT_NE(findings[0].message.find("目視で確認してください"), std::string::npos);
  ASSERT_EQ(c.pages.size(), 1u);
  EXPECT_EQ(c.pages[0].ocr_confidence, 0.0);
  EXPECT_FALSE(c.pages[0].read_image.empty());
}

TEST_F(OcrTimeLimitTest, TheStageRaisesNothingWithinTheLimit) {
  Case c;
  const auto findings = FindingsOfOcr(dir_, page_, 120s, c);
  EXPECT_TRUE(findings.empty()) << FindingCodeName(findings.front().code);
  ASSERT_EQ(c.pages.size(), 1u);
  EXPECT_GT(c.pages[0].ocr_confidence.value_or(0), 0.7);
}

}  // namespace
}  // namespace intake

int main(int argc, char** argv) {
  intake::ocr::ReexecWithOpenMpThreadLimit(argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// Per-step timings of one page for the throughput baseline (not run by default):
//   build/tests/ocr_timing_test --gtest_also_run_disabled_tests
// A 300-dpi A4 page of Japanese text (about 30 lines of 10 pt), skewed 1.5 degrees, as a grey
// JPEG like an office scanner's, read by a one-worker pool several times; then OSD on its own
// (upright pages no longer need it, turned and badly read ones do) and the searchable PDF.
#include <gtest/gtest.h>
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>
#include <string>
#include <vector>

#include "ocr/ocr_pool.h"
#include "ocr/openmp_env.h"
#include "ocr/preprocess.h"
#include "ocr_test_support.h"
#include "pdf/searchable_pdf.h"

namespace intake::ocr {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

const intake::testing::Lines kParagraph = {
    "診療情報提供書",
    "患者氏名　山田　太郎　　生年月日　昭和四十五年五月六日（五十六歳）",
    "紹介目的　セカンドオピニオンのご依頼　傷病名　胃癌（幽門前庭部）",
    "既往歴及び家族歴　高血圧症（平成三十年より内服加療中）、父が大腸癌",
    "症状経過及び検査結果　令和八年八月頃より心窩部痛と食欲低下があり受診。",
    "上部消化管内視鏡検査で胃体下部小弯に潰瘍を伴う腫瘍を認め、生検で腺癌。",
    "腹部ＣＴでは明らかな遠隔転移を認めない。ＣＥＡ　５．２　ｎｇ／ｍＬ。",
    "治療経過　幽門側胃切除術を提案。術前化学療法の要否についてご意見を伺いたい。",
    "現在の処方　アムロジピン錠５ｍｇ　１回１錠　１日１回　朝食後",
    "備考　検査結果を添付いたします。ご高診のほどよろしくお願い申し上げます。",
};

TEST(OcrTiming, DISABLED_PerStepOnA4Page) {
  const fs::path dir = intake::testing::FreshTempDir("ocr-timing");
  intake::testing::Lines page;
  for (int i = 0; i < 3; ++i) page.insert(page.end(), kParagraph.begin(), kParagraph.end());
  const fs::path png = dir / "clean.png";
  ASSERT_TRUE(intake::testing::WriteTextPng(png, page, 2480, 3508, 42));
  Pix* colour = pixRead(png.c_str());
  Pix* grey = pixConvertTo8(colour, 0);
  Pix* skewed = pixRotate(grey, static_cast<float>(1.5 * std::numbers::pi / 180), L_ROTATE_AREA_MAP,
                          L_BRING_IN_WHITE, 0, 0);
  pixSetResolution(skewed, 300, 300);
  const fs::path scan = dir / "scan.jpg";
  ASSERT_EQ(pixWriteJpeg(scan.c_str(), skewed, 85, 0), 0);

  OcrOptions options;
  options.workers = 1;
  auto pool = OcrPool::Create(options);
  ASSERT_TRUE(pool.ok()) << pool.message();
  constexpr int kRuns = 5;
  std::vector<double> decode, deskew, recognize, keep, total;
  OcrPageResult last;
  for (int run = 0; run < kRuns; ++run) {
    const auto start = Clock::now();
    auto results = (*pool)->RecognizeAll(
        {{.path = scan, .frame = 0, .keep_as = dir / ("read" + std::to_string(run))}});
    total.push_back(Ms(start));
    ASSERT_TRUE(results[0].ok()) << results[0].message();
    const OcrPageTimings& t = results[0]->timings;
    EXPECT_EQ(t.orient_ms, 0);
    decode.push_back(t.decode_ms);
    deskew.push_back(t.deskew_ms);
    recognize.push_back(t.recognize_ms);
    keep.push_back(t.keep_ms);
    last = std::move(*results[0]);
  }
  EXPECT_NEAR(last.skew_degrees, -1.5, 0.2);

  // OSD as a badly read page pays for it: the 2-inch window first, the whole page when unsure.
  auto osd = CreateOsdEngine("");
  ASSERT_TRUE(osd.ok()) << osd.message();
  Pix* upright = pixRead(last.kept_image.c_str());
  std::vector<double> orientation;
  for (int run = 0; run < kRuns; ++run) {
    const auto start = Clock::now();
    PixPtr binary = Binarize(upright);
    EXPECT_EQ(DetectUprightRotation(**osd, binary.get()), 0);
    orientation.push_back(Ms(start));
  }

  // The searchable PDF page: the kept JPEG and the lines.
  std::ifstream in(last.kept_image, std::ios::binary);
  pdf::PageImage image{pdf::ImageCodec::kJpeg, std::string(std::istreambuf_iterator<char>(in), {}),
                       static_cast<double>(last.image_dpi)};
  std::vector<pdf::TextLine> lines;
  for (const auto& l : last.lines) {
    lines.push_back({l.left, l.top, l.width, l.height, l.vertical, l.text});
  }
  std::vector<double> pdf_ms;
  for (int run = 0; run < kRuns; ++run) {
    const auto start = Clock::now();
    auto writer = pdf::SearchablePdfWriter::Open(dir / "doc.pdf");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->AddPage(image, lines).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    pdf_ms.push_back(Ms(start));
  }

  std::printf(
      "A4 300 dpi, %zu lines, median of %d (ms): decode %.0f, deskew %.0f (1.5 deg), recognize "
      "%.0f, keep JPEG %.0f (%ju bytes), page total %.0f; OSD when asked %.0f; PDF page %.1f\n",
      last.lines.size(), kRuns, Median(decode), Median(deskew), Median(recognize), Median(keep),
      static_cast<std::uintmax_t>(fs::file_size(last.kept_image)), Median(total),
      Median(orientation), Median(pdf_ms));
  pixDestroy(&upright);
  for (Pix* p : {colour, grey, skewed}) pixDestroy(&p);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace intake::ocr

int main(int argc, char** argv) {
  intake::ocr::ReexecWithOpenMpThreadLimit(argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

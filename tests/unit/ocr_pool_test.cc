// The Tesseract pool on real images: English scans, Japanese rendered pages, several workers,
// TIFF frames, and inputs that must fail one page only.
#include "ocr/ocr_pool.h"

#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>

#include "ocr/openmp_env.h"
#include "ocr/page_image.h"
#include "ocr_test_support.h"

namespace intake::ocr {
namespace {

namespace fs = std::filesystem;
using intake::testing::FreshTempDir;
using intake::testing::WithoutSpaces;
using intake::testing::WriteTextPng;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

std::unique_ptr<OcrPool> MakePool(const std::string& languages, int workers) {
  auto pool = OcrPool::Create({.languages = languages, .tessdata_dir = "", .workers = workers});
  if (!pool.ok()) ADD_FAILURE() << pool.message();
  return pool.ok() ? std::move(pool.value()) : nullptr;
}

// Writes a TIFF with one 1-bit frame per PNG (a fax-like multi-page scan).
void WriteMultipageTiff(const fs::path& tiff, const std::vector<fs::path>& pngs) {
  for (std::size_t i = 0; i < pngs.size(); ++i) {
    Pix* colour = pixRead(pngs[i].c_str());
    ASSERT_NE(colour, nullptr);
    Pix* bw = pixConvertTo1(colour, 128);
    ASSERT_NE(bw, nullptr);
    ASSERT_EQ(pixWriteTiff(tiff.c_str(), bw, IFF_TIFF_G4, i == 0 ? "w" : "a"), 0);
    pixDestroy(&bw);
    pixDestroy(&colour);
  }
}

class OcrPoolTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { eng_ = MakePool("eng", 2).release(); }
  static void TearDownTestSuite() {
    delete eng_;
    eng_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(eng_, nullptr);
    dir_ = FreshTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override { fs::remove_all(dir_); }

  static OcrPool* eng_;
  fs::path dir_;
};
OcrPool* OcrPoolTest::eng_ = nullptr;

TEST(OcrPoolCreate, FailsWithAMessageWhenTheLanguageIsMissing) {
  auto pool = OcrPool::Create({.languages = "xxnolang", .tessdata_dir = "", .workers = 1});
  ASSERT_FALSE(pool.ok());
  EXPECT_NE(pool.message().find("xxnolang"), std::string::npos) << pool.message();
}

TEST(OcrPoolCreate, FailsWhenOneOfSeveralLanguagesIsMissing) {
  auto pool = OcrPool::Create({.languages = "eng+xxnolang", .tessdata_dir = "", .workers = 1});
  ASSERT_FALSE(pool.ok());
  EXPECT_NE(pool.message().find("xxnolang"), std::string::npos) << pool.message();
}

TEST(OcrPoolCreate, OpenMpIsLimitedToOneThread) {
  EXPECT_EQ(OpenMpThreadLimit(), 1) << "main() must re-exec with OMP_THREAD_LIMIT=1";
}

TEST_F(OcrPoolTest, ReportsWorkersAndEngineVersion) {
  EXPECT_EQ(eng_->workers(), 2);
  EXPECT_EQ(eng_->engine_version().rfind("tesseract 5.", 0), 0u) << eng_->engine_version();
  EXPECT_NE(eng_->engine_version().find("(eng)"), std::string::npos);
}

TEST_F(OcrPoolTest, ReadsTesseractPhototest) {
  const fs::path image = fs::path(INTAKE_SHARED_DATA_DIR) / "ocr/tesseract-test/phototest.tif";
  if (!fs::exists(image)) GTEST_SKIP() << "shared OCR data is absent";
  auto results = eng_->RecognizeAll({{.path = image}});
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  // The page reads "The quick brown dog jumped over the lazy fox." (phototest.txt).
  const std::string text = Lower(results[0]->text);
  EXPECT_NE(text.find("quick brown dog"), std::string::npos) << text;
  EXPECT_NE(text.find("lazy fox"), std::string::npos) << text;
  EXPECT_GT(results[0]->confidence, 0.7);
  EXPECT_LE(results[0]->confidence, 1.0);
}

TEST_F(OcrPoolTest, FourImagesOnTwoWorkersComeBackInInputOrder) {
  const std::vector<std::string> words = {"apple", "banana", "cherry", "lemon"};
  std::vector<OcrImage> images;
  for (const auto& word : words) {
    const fs::path png = dir_ / (word + ".png");
    ASSERT_TRUE(WriteTextPng(png, {"Page about the " + word, "The " + word + " is on the table"}));
    images.push_back({.path = png});
  }
  auto results = eng_->RecognizeAll(images);
  ASSERT_EQ(results.size(), words.size());
  for (std::size_t i = 0; i < words.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].message();
    const std::string text = Lower(results[i]->text);
    EXPECT_NE(text.find(words[i]), std::string::npos) << i << ": " << text;
    for (std::size_t j = 0; j < words.size(); ++j) {
      if (j != i) {
        EXPECT_EQ(text.find(words[j]), std::string::npos) << i << ": " << text;
      }
    }
    EXPECT_GT(results[i]->confidence, 0.7);
  }
}

TEST_F(OcrPoolTest, ReadsTheRequestedTiffFrame) {
  const std::vector<std::string> words = {"alpha", "bravo", "charlie"};
  std::vector<fs::path> pngs;
  for (const auto& word : words) {
    pngs.push_back(dir_ / (word + ".png"));
    ASSERT_TRUE(WriteTextPng(pngs.back(), {"Frame " + word, "Checking the " + word + " frame"}));
  }
  const fs::path tiff = dir_ / "scan.tif";
  WriteMultipageTiff(tiff, pngs);
  auto frames = CountImageFrames(tiff);
  ASSERT_TRUE(frames.ok()) << frames.message();
  ASSERT_EQ(*frames, 3);

  auto results = eng_->RecognizeAll({{.path = tiff, .frame = 2},
                                     {.path = tiff},
                                     {.path = tiff, .frame = 1},
                                     {.path = tiff, .frame = 3}});
  ASSERT_EQ(results.size(), 4u);
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  ASSERT_TRUE(results[1].ok()) << results[1].message();
  ASSERT_TRUE(results[2].ok()) << results[2].message();
  EXPECT_NE(Lower(results[0]->text).find("charlie"), std::string::npos) << results[0]->text;
  EXPECT_NE(Lower(results[1]->text).find("alpha"), std::string::npos) << results[1]->text;
  EXPECT_NE(Lower(results[2]->text).find("bravo"), std::string::npos) << results[2]->text;
  EXPECT_FALSE(results[3].ok()) << "frame 3 of a 3-frame TIFF";
}

TEST_F(OcrPoolTest, BadInputsFailTheirOwnPageOnlyAndNameNoFile) {
  const fs::path good = dir_ / "good.png";
  ASSERT_TRUE(WriteTextPng(good, {"Readable page with kiwi"}));
  const fs::path missing = dir_ / "yamada_taro_missing.png";
  const fs::path not_image = dir_ / "yamada_taro_notes.png";
  std::ofstream(not_image) << "this is a text file, not an image\n";
  const fs::path truncated = dir_ / "yamada_taro_truncated.png";
  {
    std::ifstream in(good, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  }

  ::testing::internal::CaptureStderr();
  auto results = eng_->RecognizeAll(
      {{.path = missing}, {.path = good}, {.path = not_image}, {.path = truncated}});
  const std::string err = ::testing::internal::GetCapturedStderr();

  ASSERT_EQ(results.size(), 4u);
  EXPECT_FALSE(results[0].ok());
  ASSERT_TRUE(results[1].ok()) << results[1].message();
  EXPECT_NE(Lower(results[1]->text).find("kiwi"), std::string::npos) << results[1]->text;
  EXPECT_FALSE(results[2].ok());
  EXPECT_FALSE(results[3].ok());
  for (int i : {0, 2, 3}) {
    EXPECT_FALSE(results[i].message().empty());
    EXPECT_EQ(results[i].message().find("yamada"), std::string::npos) << results[i].message();
  }
  EXPECT_EQ(err.find("yamada"), std::string::npos) << err;
}

TEST_F(OcrPoolTest, RefusesImagesWithAbsurdDimensions) {
  const fs::path wide = dir_ / "wide.png";
  Pix* pix = pixCreate(kMaxImageSide + 1, 8, 1);
  ASSERT_EQ(pixWrite(wide.c_str(), pix, IFF_PNG), 0);
  pixDestroy(&pix);
  const fs::path huge = dir_ / "huge.png";  // 225 megapixels, a few kB as a file
  pix = pixCreate(15000, 15000, 1);
  ASSERT_EQ(pixWrite(huge.c_str(), pix, IFF_PNG), 0);
  pixDestroy(&pix);
  EXPECT_LT(fs::file_size(huge), 1'000'000u);

  auto results = eng_->RecognizeAll({{.path = wide}, {.path = huge}});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("too large"), std::string::npos) << r.message();
  }
}

TEST(OcrPoolJapanese, ReadsARenderedJapanesePage) {
  auto pool = MakePool("jpn", 1);
  ASSERT_NE(pool, nullptr);
  const fs::path dir = FreshTempDir("ocr-japanese");
  const fs::path png = dir / "referral.png";
  ASSERT_TRUE(
      WriteTextPng(png, {"診療情報提供書", "患者氏名　山田　太郎", "傷病名　胃癌"}, 900, 360, 32));
  auto results = pool->RecognizeAll({{.path = png}});
  fs::remove_all(dir);
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  const std::string text = WithoutSpaces(results[0]->text);
  EXPECT_NE(text.find("診療情報提供書"), std::string::npos) << results[0]->text;
  EXPECT_NE(text.find("患者氏名"), std::string::npos) << results[0]->text;
  EXPECT_NE(text.find("山田太郎"), std::string::npos) << results[0]->text;
  EXPECT_GT(results[0]->confidence, 0.7);
}

TEST(OcrPoolEmpty, NoImagesGiveNoResults) {
  auto pool = MakePool("eng", 2);
  ASSERT_NE(pool, nullptr);
  EXPECT_TRUE(pool->RecognizeAll({}).empty());
}

// A run whose cases have no page to read (a DICOM disc) must not pay for the engines: about
// 0.15 s and 85 MiB per worker.
TEST(OcrPoolLazy, LoadsEnginesOnlyForTheWorkersThatTakeAPage) {
  auto pool = MakePool("eng", 2);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->workers_loaded(), 0);
  EXPECT_TRUE(pool->RecognizeAll({}).empty());
  EXPECT_EQ(pool->workers_loaded(), 0);
  // Known without an engine: what the audit trail and the searchable PDFs need.
  EXPECT_TRUE(fs::exists(pool->tessdata_dir() / "eng.traineddata")) << pool->tessdata_dir();
  ASSERT_FALSE(pool->model_files().empty());
  EXPECT_EQ(pool->model_files().front().name, "eng.traineddata");
  EXPECT_EQ(pool->model_files().front().sha256.size(), 64u);

  const fs::path dir = FreshTempDir("ocr_pool_lazy");
  const fs::path png = dir / "one.png";
  ASSERT_TRUE(WriteTextPng(png, {"A single page about a walrus"}));
  auto results = pool->RecognizeAll({{.path = png}});
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_NE(Lower(results[0]->text).find("walrus"), std::string::npos) << results[0]->text;
  EXPECT_EQ(pool->workers_loaded(), 1);  // one page: one worker, one engine

  results = pool->RecognizeAll({{.path = png}, {.path = png}});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].ok() && results[1].ok());
  EXPECT_GE(pool->workers_loaded(), 1);
  EXPECT_LE(pool->workers_loaded(), 2);
  fs::remove_all(dir);
}

// Language data that is installed but cannot be loaded is found when a page needs it: the pages
// fail with the reason, the run does not crash.
TEST(OcrPoolLazy, DataThatDoesNotLoadFailsThePagesWithTheReason) {
  const fs::path dir = FreshTempDir("ocr_pool_broken_data");
  std::ofstream(dir / "xxbroken.traineddata") << "";
  auto pool = OcrPool::Create({.languages = "xxbroken", .tessdata_dir = dir.string(),
                               .workers = 1, .preprocess = false});
  ASSERT_TRUE(pool.ok()) << pool.message();
  EXPECT_EQ((*pool)->tessdata_dir(), dir);
  const fs::path png = dir / "page.png";
  ASSERT_TRUE(WriteTextPng(png, {"Nothing will read this"}));
  for (int batch = 0; batch < 2; ++batch) {  // tried once, the same reason after
    auto results = (*pool)->RecognizeAll({{.path = png}});
    ASSERT_EQ(results.size(), 1u);
    ASSERT_FALSE(results[0].ok());
    EXPECT_NE(results[0].message().find("xxbroken"), std::string::npos) << results[0].message();
  }
  EXPECT_EQ((*pool)->workers_loaded(), 0);
  fs::remove_all(dir);
}

TEST(OcrPoolCreate, FailsWhenTheLanguageIsMissingFromTheGivenFolder) {
  const fs::path dir = FreshTempDir("ocr_pool_empty_tessdata");
  auto pool = OcrPool::Create({.languages = "eng", .tessdata_dir = dir.string(), .workers = 1});
  ASSERT_FALSE(pool.ok());
  EXPECT_NE(pool.message().find("tesseract-ocr-eng"), std::string::npos) << pool.message();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace intake::ocr

int main(int argc, char** argv) {
  intake::ocr::ReexecWithOpenMpThreadLimit(argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

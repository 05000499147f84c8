// The letter to the patient (letter/): read back with pdftotext (every item, the case id, the
// deadline), fonts embedded (pdffonts), and the reply slip's QR code decoded with zxing-cpp
// (barcode/) from a rendering degraded like a scan of a printout (pdftoppm, then blur, skew,
// noise). Also the reply slip payload and the profile's letter settings.
#include "letter/patient_letter.h"

#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "barcode/qr_reader.h"
#include "config/profile.h"
#include "letter/qr_code.h"
#include "letter/reply_slip.h"
#include "ocr/page_image.h"
#include "stages/write_letter.h"

namespace intake::letter {
namespace {

namespace fs = std::filesystem;

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

PatientLetter SampleLetter() {
  PatientLetter letter;
  letter.case_id = "20261121-1a2b3c4d";
  letter.addressee = "中村　和夫";
  letter.hospital = "東京大学医学部附属病院 セカンドオピニオン外来（オンライン）";
  letter.letter_date = "2026-11-21";
  letter.received_date = "2026-11-20";
  letter.deadline = "2026-12-05";
  letter.office = "セカンドオピニオン外来 受付";
  letter.address = "〒113-8655 東京都文京区本郷7-3-1";
  letter.phone = "03-0000-0000";
  letter.hours = "平日 9:00〜17:00";
  letter.how_to_send = "返信用紙を書類の一番上に重ねて簡易書留でお送りください。";
  letter.items = {
      {"相談同意書（患者本人の署名）", "患者さんご本人が署名した相談同意書をお送りください。", false},
      {"続柄を確認できる書類", "戸籍謄本（3か月以内に発行されたもの）をお送りください。", true},
      {"受診者全員の本人確認書類", "運転免許証等の写しをお送りください。", false},
  };
  return letter;
}

class PatientLetterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("intake_letter_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    pdf_ = dir_ / kLetterFileName;
    ASSERT_TRUE(WritePatientLetter(pdf_, SampleLetter()).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  fs::path pdf_;
};

TEST_F(PatientLetterTest, TextLayerNamesEveryItemTheCaseAndTheDeadline) {
  const std::string text = RunCommand("pdftotext -layout '" + pdf_.string() + "' -");
  const PatientLetter letter = SampleLetter();
  for (const LetterItem& item : letter.items) {
    EXPECT_NE(text.find(item.label), std::string::npos) << item.label;
    EXPECT_NE(text.find(item.ask), std::string::npos) << item.ask;
  }
  EXPECT_NE(text.find("（再送）"), std::string::npos);  // the koseki to be sent again
  EXPECT_NE(text.find("20261121-1a2b3c4d"), std::string::npos);
  EXPECT_NE(text.find("2026年12月5日まで"), std::string::npos);
  EXPECT_NE(text.find("不足書類のご案内"), std::string::npos);
  EXPECT_NE(text.find("返信用紙"), std::string::npos);
  EXPECT_NE(text.find("03-0000-0000"), std::string::npos);
  EXPECT_NE(text.find("和夫 様"), std::string::npos);
}

TEST_F(PatientLetterTest, IsOneA4PageWithItsFontsEmbedded) {
  const std::string info = RunCommand("pdfinfo '" + pdf_.string() + "'");
  const auto pages = info.find("Pages:");
  ASSERT_NE(pages, std::string::npos) << info;
  EXPECT_EQ(std::stoi(info.substr(pages + 6)), 1) << info;
  EXPECT_NE(info.find("(A4)"), std::string::npos) << info;
  const std::string fonts = RunCommand("pdffonts '" + pdf_.string() + "'");
  std::istringstream lines(fonts);
  std::string line;
  int listed = 0;
  for (int n = 0; std::getline(lines, line); ++n) {
    if (n < 2 || line.empty()) continue;  // the header lines
    ++listed;
    // name type encoding emb sub uni object ID: "emb" is the fifth field from the end.
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    ASSERT_GE(f.size(), 5u) << line;
    EXPECT_EQ(f[f.size() - 5], "yes") << "not embedded: " << line;
  }
  EXPECT_GE(listed, 1) << fonts;
}

// The page as it comes back from a scanner: blurred, a little turned, grey paper, noise.
void DegradeLikeScan(const fs::path& in, const fs::path& out) {
  PIX* page = pixRead(in.c_str());
  ASSERT_NE(page, nullptr);
  PIX* grey = pixConvertTo8(page, 0);
  PIX* blurred = pixBlockconvGray(grey, nullptr, 1, 1);  // 3 x 3 box blur
  PIX* turned = pixRotate(blurred, 0.012, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);  // 0.7°
  std::mt19937 random(15);
  std::normal_distribution<double> noise(0.0, 14.0);
  const int w = static_cast<int>(pixGetWidth(turned));
  const int h = static_cast<int>(pixGetHeight(turned));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      l_uint32 v = 0;
      pixGetPixel(turned, x, y, &v);
      const double paper = 20 + static_cast<double>(v) * 215.0 / 255.0 + noise(random);
      pixSetPixel(turned, x, y, static_cast<l_uint32>(std::clamp(paper, 0.0, 255.0)));
    }
  }
  ASSERT_EQ(pixWrite(out.c_str(), turned, IFF_JFIF_JPEG), 0);
  for (PIX* p : {page, grey, blurred, turned}) pixDestroy(&p);
}

TEST_F(PatientLetterTest, QrCodeReadsFromADegradedScanOfThePrintout) {
  // 150 dpi, like a cheap office scan of the printed letter.
  RunCommand("pdftoppm -r 150 -gray -png '" + pdf_.string() + "' '" + (dir_ / "page").string() +
             "'");
  const fs::path drawn = dir_ / "page-1.png";
  ASSERT_TRUE(fs::exists(drawn));
  const fs::path scanned = dir_ / "scan.jpg";
  DegradeLikeScan(drawn, scanned);
  auto image = ocr::ReadGrayImage(scanned);
  ASSERT_TRUE(image.ok()) << image.message();
  const auto codes = barcode::ReadQrCodes(
      barcode::GreyView{image->pixels.data(), image->width, image->height, image->stride});
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0], "INTAKE-CASE:20261121-1A2B3C4D");
  EXPECT_EQ(CaseIdFromReplySlip(codes[0]), "20261121-1a2b3c4d");
}

TEST(ReplySlip, PayloadRoundTripsAndRefusesOtherCodes) {
  EXPECT_EQ(ReplySlipPayload("20261121-1a2b3c4d"), "INTAKE-CASE:20261121-1A2B3C4D");
  EXPECT_EQ(CaseIdFromReplySlip("INTAKE-CASE:20261121-1A2B3C4D\n"), "20261121-1a2b3c4d");
  EXPECT_FALSE(CaseIdFromReplySlip("20261121-1a2b3c4d"));             // no prefix
  EXPECT_FALSE(CaseIdFromReplySlip("INTAKE-CASE:20261121-1a2b3c4"));  // too short
  EXPECT_FALSE(CaseIdFromReplySlip("INTAKE-CASE:2026112X-1a2b3c4d"));
  EXPECT_FALSE(CaseIdFromReplySlip("https://example.jp/insurance?no=123"));
  EXPECT_TRUE(LooksLikeCaseId("20261121-1a2b3c4d"));
  EXPECT_FALSE(LooksLikeCaseId("20261121-1A2B3C4D"));
}

TEST(ReplySlip, OnlyTextThatMayBeTheSlipsIsWorthAQrSearch) {
  // The slip's words as Tesseract spaces them, each enough alone (a slip read badly in places).
  EXPECT_TRUE(MayShowReplySlip("返 信 用 紙\nこの用紙を切り取り、お送りいただく書類の一番上に"));
  EXPECT_TRUE(MayShowReplySlip("受付 番号 : 20261121-1a2b3c4d"));
  EXPECT_TRUE(MayShowReplySlip("受付番号: 2O261121-1a2b3c4d\n"));  // the id misread: the word
  EXPECT_TRUE(MayShowReplySlip("キ リ ト リ 線"));
  EXPECT_TRUE(MayShowReplySlip("受付番号のQRコード"));
  EXPECT_TRUE(MayShowReplySlip("20261121-1a2b3c4d"));  // only the id read
  EXPECT_TRUE(MayShowReplySlip("返\u3000信"));          // an ideographic space
  // A form, a referral letter, an insurance card: none of them.
  EXPECT_FALSE(MayShowReplySlip("セカンドオピニオン外来申込書\n患者氏名 山田 太郎\n"));
  EXPECT_FALSE(MayShowReplySlip("生年月日 1970年1月2日 電話番号 03-1234-5678"));
  EXPECT_FALSE(MayShowReplySlip("被保険者証 記号 1234 番号 5678"));
  EXPECT_FALSE(MayShowReplySlip(""));
}

TEST(QrCode, EncodesWithHighErrorCorrection) {
  auto symbol = EncodeQr(ReplySlipPayload("20261121-1a2b3c4d"));
  ASSERT_TRUE(symbol.ok());
  EXPECT_GE(symbol->size, 21);
  EXPECT_EQ(symbol->dark.size(), static_cast<std::size_t>(symbol->size * symbol->size));
}

TEST(LetterDates, JapaneseDatesAndDeadlines) {
  EXPECT_EQ(JapaneseDate("2026-01-05"), "2026年1月5日");
  EXPECT_EQ(JapaneseDate("unknown"), "unknown");
  EXPECT_EQ(stages::AddDays("2026-12-20", 14), "2027-01-03");
  EXPECT_EQ(stages::AddDays("2028-02-27", 2), "2028-02-29");
}

TEST(LetterSettings, DefaultProfileHasThemAndBadOnesAreNamed) {
  auto profile = config::LoadProfile(config::DefaultProfilePath());
  ASSERT_TRUE(profile.ok()) << profile.message();
  EXPECT_EQ(profile->letter.deadline_days, 14);
  EXPECT_FALSE(profile->letter.phone.empty());
  EXPECT_FALSE(profile->letter.address.empty());
  for (const auto& r : profile->requirements) EXPECT_FALSE(r.ask.empty()) << r.id;

  const fs::path bad = fs::temp_directory_path() / "intake_letter_bad_profile.yaml";
  std::ifstream in(config::DefaultProfilePath());
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  yaml.replace(yaml.find("deadline_days: 14"), 17, "deadline_days: 0\n  fax: 1");
  std::ofstream(bad) << yaml;
  const auto errors = config::ValidateProfileFile(bad);
  fs::remove(bad);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].key, "letter.fax");
  EXPECT_EQ(errors[1].key, "letter.deadline_days");
}

}  // namespace
}  // namespace intake::letter

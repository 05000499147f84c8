// Tests of the synthetic disc writer: what it writes must read back with our reader and DCMTK.
#include "dicom/synthetic_series.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "dicom/dicom_reader.h"

namespace intake::dicom {
namespace {

namespace fs = std::filesystem;

class SyntheticSeriesTest : public testing::Test {
 protected:
  void SetUp() override {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("intake_synth_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    spec_.patient_name = "ヤマダ^タロウ=山田^太郎";
    spec_.patient_id = "SYN0001";
    spec_.patient_birth_date = "19600102";
    spec_.patient_sex = "M";
    spec_.study_date = "20240301";
    spec_.study_description = "腹部単純CT";
    spec_.series_description = "腹部 5mm";
    spec_.slices = 4;
    spec_.rows = 64;
    spec_.columns = 48;
    spec_.uid_seed = "seed-A";
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static bool IsUid(const std::string& uid) {
    if (uid.empty() || uid.size() > 64) return false;
    return uid.find_first_not_of("0123456789.") == std::string::npos;
  }

  fs::path dir_;
  SyntheticSeriesSpec spec_;
};

TEST_F(SyntheticSeriesTest, WritesImagesThatReadBack) {
  auto images = WriteSyntheticDisc(dir_ / "disc", spec_);
  ASSERT_TRUE(images.ok()) << images.message();
  ASSERT_EQ(images->size(), 4u);

  std::set<std::string> sop_uids;
  std::string study_uid, series_uid;
  for (std::size_t i = 0; i < images->size(); ++i) {
    const fs::path& p = (*images)[i];
    EXPECT_EQ(p.parent_path(), dir_ / "disc" / "IMAGES");
    EXPECT_EQ(p.filename().string(), "IM00000" + std::to_string(i + 1));
    EXPECT_TRUE(LooksLikeDicom(p));
    // 16-bit pixels: the file holds at least rows x columns x 2 bytes.
    EXPECT_GT(fs::file_size(p), 64u * 48u * 2u);

    auto h = ReadHeader(p);
    ASSERT_TRUE(h.ok()) << h.message();
    EXPECT_EQ(h->patient_name, "ヤマダ^タロウ=山田^太郎");
    EXPECT_EQ(h->patient_id, "SYN0001");
    EXPECT_EQ(h->patient_birth_date, "1960-01-02");
    EXPECT_EQ(h->patient_sex, "M");
    EXPECT_EQ(h->study_date, "2024-03-01");
    EXPECT_EQ(h->series_date, "2024-03-01");
    EXPECT_EQ(h->study_description, "腹部単純CT");
    EXPECT_EQ(h->series_description, "腹部 5mm");
    EXPECT_EQ(h->modality, "CT");
    EXPECT_EQ(h->body_part, "ABDOMEN");
    EXPECT_EQ(h->specific_character_set, "ISO_IR 192");
    EXPECT_EQ(h->transfer_syntax_uid, "1.2.840.10008.1.2.1");
    EXPECT_EQ(h->sop_class_uid, "1.2.840.10008.5.1.4.1.1.2");
    EXPECT_FALSE(h->is_dicomdir);
    EXPECT_TRUE(IsUid(h->sop_instance_uid)) << h->sop_instance_uid;
    EXPECT_EQ(h->sop_instance_uid.rfind("2.25.", 0), 0u);
    sop_uids.insert(h->sop_instance_uid);
    if (i == 0) {
      study_uid = h->study_uid;
      series_uid = h->series_uid;
    }
    EXPECT_EQ(h->study_uid, study_uid);
    EXPECT_EQ(h->series_uid, series_uid);
  }
  EXPECT_EQ(sop_uids.size(), 4u);
  EXPECT_TRUE(IsUid(study_uid));
  EXPECT_TRUE(IsUid(series_uid));
  EXPECT_NE(study_uid, series_uid);
}

TEST_F(SyntheticSeriesTest, DicomdirAndDcmtkTools) {
  auto images = WriteSyntheticDisc(dir_ / "disc", spec_);
  ASSERT_TRUE(images.ok()) << images.message();
  const fs::path dicomdir = dir_ / "disc" / "DICOMDIR";
  ASSERT_TRUE(fs::exists(dicomdir));
  auto h = ReadHeader(dicomdir);
  ASSERT_TRUE(h.ok()) << h.message();
  EXPECT_TRUE(h->is_dicomdir);

  const std::string dump = "dcmdump -q \"" + images->front().string() + "\" > /dev/null 2>&1";
  EXPECT_EQ(std::system(dump.c_str()), 0);
  // dcmftest checks the Part 10 preamble; dcmdump on the DICOMDIR parses its records.
  const std::string ftest = "dcmftest \"" + images->back().string() + "\" > /dev/null 2>&1";
  EXPECT_EQ(std::system(ftest.c_str()), 0);
  const std::string dirdump =
      "dcmdump -q \"" + dicomdir.string() + "\" | grep -q 'IMAGES\\\\IM000004'";
  EXPECT_EQ(std::system(dirdump.c_str()), 0);
}

TEST_F(SyntheticSeriesTest, SameSeedSameBytesOtherSeedOtherUids) {
  auto a = WriteSyntheticDisc(dir_ / "a", spec_);
  auto b = WriteSyntheticDisc(dir_ / "b", spec_);
  SyntheticSeriesSpec other = spec_;
  other.uid_seed = "seed-B";
  auto c = WriteSyntheticDisc(dir_ / "c", other);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());

  EXPECT_EQ(Slurp((*a)[2]), Slurp((*b)[2]));
  EXPECT_EQ(Slurp(dir_ / "a" / "DICOMDIR"), Slurp(dir_ / "b" / "DICOMDIR"));

  auto ha = ReadHeader((*a)[0]);
  auto hb = ReadHeader((*b)[0]);
  auto hc = ReadHeader((*c)[0]);
  ASSERT_TRUE(ha.ok() && hb.ok() && hc.ok());
  EXPECT_EQ(ha->study_uid, hb->study_uid);
  EXPECT_EQ(ha->series_uid, hb->series_uid);
  EXPECT_EQ(ha->sop_instance_uid, hb->sop_instance_uid);
  EXPECT_NE(ha->study_uid, hc->study_uid);
  EXPECT_NE(ha->series_uid, hc->series_uid);
  EXPECT_NE(ha->sop_instance_uid, hc->sop_instance_uid);
}

TEST_F(SyntheticSeriesTest, OtherModalityAndBadSpecs) {
  SyntheticSeriesSpec mr = spec_;
  mr.modality = "MR";
  mr.body_part = "HEAD";
  mr.slices = 2;
  auto images = WriteSyntheticDisc(dir_ / "mr", mr);
  ASSERT_TRUE(images.ok()) << images.message();
  auto h = ReadHeader(images->front());
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->modality, "MR");
  EXPECT_EQ(h->sop_class_uid, "1.2.840.10008.5.1.4.1.1.4");

  SyntheticSeriesSpec bad = spec_;
  bad.slices = 0;
  EXPECT_FALSE(WriteSyntheticDisc(dir_ / "bad", bad).ok());
  bad = spec_;
  bad.rows = 100000;
  EXPECT_FALSE(WriteSyntheticDisc(dir_ / "bad", bad).ok());
}

}  // namespace
}  // namespace intake::dicom

// Tests of the DICOM stage: grouping by UIDs, unreadable files, several patients.
#include "stages/dicom_scan.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "dicom/synthetic_series.h"

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(INTAKE_SHARED_DATA_DIR) / "dicom";

class DicomScanTest : public testing::Test {
 protected:
  void SetUp() override {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("intake_dicom_scan_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    spec_.patient_name = "スズキ^ハナコ=鈴木^花子";
    spec_.patient_id = "SYN0042";
    spec_.patient_birth_date = "19751224";
    spec_.patient_sex = "F";
    spec_.study_date = "20240510";
    spec_.study_description = "胸部CT";
    spec_.series_description = "肺野条件";
    spec_.body_part = "CHEST";
    spec_.slices = 5;
    spec_.rows = 32;
    spec_.columns = 32;
    spec_.uid_seed = "scan-test-1";
  }
  void TearDown() override { fs::remove_all(dir_); }

  void AddFile(Case& c, const fs::path& path, FileKind kind, const std::string& relative) {
    SourceFile f;
    f.id = c.NextFileId();
    f.path = path;
    f.relative_path = relative;
    f.kind = kind;
    f.size = fs::file_size(path);
    c.files.push_back(f);
  }

  // Adds the images of a synthetic disc under a folder name that means nothing.
  void AddDisc(Case& c, const fs::path& root, const dicom::SyntheticSeriesSpec& spec,
               const std::string& folder) {
    auto images = dicom::WriteSyntheticDisc(root, spec);
    ASSERT_TRUE(images.ok()) << images.message();
    for (const auto& p : *images) {
      AddFile(c, p, FileKind::kDicom, folder + "/" + p.filename().string());
    }
    AddFile(c, root / "DICOMDIR", FileKind::kDicomdir, folder + "/DICOMDIR");
  }

  static int CountFindings(const Case& c, const std::string& code) {
    return static_cast<int>(std::count_if(c.findings.begin(), c.findings.end(),
                                          [&](const Finding& f) { return f.code == code; }));
  }

  fs::path dir_;
  dicom::SyntheticSeriesSpec spec_;
};

TEST_F(DicomScanTest, OneDiscOneSeriesAndAnUnreadableFile) {
  Case c;
  c.id = "test-case";
  AddDisc(c, dir_ / "disc", spec_, "CDROM");
  const fs::path broken = dir_ / "BROKEN";
  std::ofstream(broken) << "this is not a DICOM file, although the name says so\n";
  AddFile(c, broken, FileKind::kDicom, "CDROM/IMAGES/BROKEN");
  // A DICOMDIR that identify took for an image is still not an image.
  AddFile(c, dir_ / "disc" / "DICOMDIR", FileKind::kDicom, "CDROM/DICOMDIR_COPY");

  auto stage = MakeDicomStage();
  ASSERT_NE(stage, nullptr);
  EXPECT_EQ(stage->name(), "dicom");
  ASSERT_TRUE(stage->Run(c).ok());

  ASSERT_EQ(c.dicom_patients.size(), 1u);
  const DicomPatient& p = c.dicom_patients[0];
  EXPECT_EQ(p.patient_id, "SYN0042");
  EXPECT_EQ(p.name, "スズキ^ハナコ=鈴木^花子");
  EXPECT_EQ(p.birth_date, "1975-12-24");
  EXPECT_EQ(p.sex, "F");
  ASSERT_EQ(p.studies.size(), 1u);
  const DicomStudy& st = p.studies[0];
  EXPECT_EQ(st.date, "2024-05-10");
  EXPECT_EQ(st.description, "胸部CT");
  EXPECT_EQ(st.modalities, "CT");
  EXPECT_FALSE(st.study_uid.empty());
  ASSERT_EQ(st.series.size(), 1u);
  const DicomSeries& se = st.series[0];
  EXPECT_EQ(se.instance_count, 5);
  EXPECT_EQ(se.modality, "CT");
  EXPECT_EQ(se.description, "肺野条件");
  EXPECT_EQ(se.body_part, "CHEST");
  EXPECT_EQ(se.date, "2024-05-10");
  EXPECT_EQ(se.transfer_syntax, "1.2.840.10008.1.2.1");
  EXPECT_EQ(se.file_ids, (std::vector<std::string>{"f0001", "f0002", "f0003", "f0004", "f0005"}));
  EXPECT_EQ(c.DicomSeriesCount(), 1);

  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].code, "DICOM_UNREADABLE");
  EXPECT_EQ(c.findings[0].file_id, "f0007");
  EXPECT_NE(c.findings[0].message.find("CDROM/IMAGES/BROKEN"), std::string::npos);
  EXPECT_EQ(CountFindings(c, "MULTIPLE_PATIENTS"), 0);
}

TEST_F(DicomScanTest, GroupsByUidsNotByFolders) {
  Case c;
  // Two exams of the same patient, the files of both mixed into the same folder, and one exam
  // split over two folders.
  dicom::SyntheticSeriesSpec second = spec_;
  second.uid_seed = "scan-test-2";
  second.study_date = "20230101";
  second.study_description = "胸部CT 前回";
  second.slices = 3;
  auto a = dicom::WriteSyntheticDisc(dir_ / "a", spec_);
  auto b = dicom::WriteSyntheticDisc(dir_ / "b", second);
  ASSERT_TRUE(a.ok() && b.ok());
  AddFile(c, (*a)[0], FileKind::kDicom, "X/1");
  AddFile(c, (*b)[0], FileKind::kDicom, "X/2");
  AddFile(c, (*a)[1], FileKind::kDicom, "Y/3");
  AddFile(c, (*b)[1], FileKind::kDicom, "X/4");
  AddFile(c, (*b)[2], FileKind::kDicom, "Y/5");

  ASSERT_TRUE(MakeDicomStage()->Run(c).ok());
  ASSERT_EQ(c.dicom_patients.size(), 1u);
  const auto& studies = c.dicom_patients[0].studies;
  ASSERT_EQ(studies.size(), 2u);
  // Ordered by date: the 2023 exam first.
  EXPECT_EQ(studies[0].date, "2023-01-01");
  EXPECT_EQ(studies[0].description, "胸部CT 前回");
  ASSERT_EQ(studies[0].series.size(), 1u);
  EXPECT_EQ(studies[0].series[0].instance_count, 3);
  EXPECT_EQ(studies[0].series[0].file_ids, (std::vector<std::string>{"f0002", "f0004", "f0005"}));
  EXPECT_EQ(studies[1].date, "2024-05-10");
  ASSERT_EQ(studies[1].series.size(), 1u);
  EXPECT_EQ(studies[1].series[0].instance_count, 2);
  EXPECT_EQ(studies[1].series[0].file_ids, (std::vector<std::string>{"f0001", "f0003"}));
  EXPECT_TRUE(c.findings.empty());
}

TEST_F(DicomScanTest, SameInstanceTwiceCountsOnce) {
  Case c;
  auto a = dicom::WriteSyntheticDisc(dir_ / "a", spec_);
  ASSERT_TRUE(a.ok());
  const fs::path copy = dir_ / "copy_of_first";
  fs::copy_file((*a)[0], copy);
  for (const auto& p : *a) AddFile(c, p, FileKind::kDicom, p.filename().string());
  AddFile(c, copy, FileKind::kDicom, "copy");
  ASSERT_TRUE(MakeDicomStage()->Run(c).ok());
  ASSERT_EQ(c.DicomSeriesCount(), 1);
  const DicomSeries& se = c.dicom_patients[0].studies[0].series[0];
  EXPECT_EQ(se.instance_count, 5);
  EXPECT_EQ(se.file_ids.size(), 6u);
}

TEST_F(DicomScanTest, TwoPatientsFromSharedData) {
  if (!fs::exists(kData / "files")) GTEST_SKIP() << "shared DICOM data absent";
  Case c;
  AddFile(c, kData / "files/transfer_syntax/pydicom/MR_small.dcm", FileKind::kDicom, "a/MR");
  AddFile(c, kData / "files/transfer_syntax/pydicom/CT_small.dcm", FileKind::kDicom, "a/CT");
  AddFile(c, kData / "files/malformed/synthetic/jpeg_named_as_dcm.dcm", FileKind::kDicom,
          "a/thumb.dcm");
  // A JPEG thumbnail is not this stage's concern.
  AddFile(c, kData / "discs/jp_wakasa_mri_pdi/IHE_PDI/THUMBNIL/D0000000.JPG", FileKind::kJpeg,
          "IHE_PDI/THUMBNIL/D0000000.JPG");
  ASSERT_TRUE(MakeDicomStage()->Run(c).ok());

  ASSERT_EQ(c.dicom_patients.size(), 2u);
  EXPECT_EQ(c.dicom_patients[0].patient_id, "1CT1");  // ordered by patient id
  EXPECT_EQ(c.dicom_patients[1].patient_id, "4MR1");
  EXPECT_EQ(c.dicom_patients[0].studies.at(0).modalities, "CT");
  EXPECT_EQ(c.dicom_patients[1].studies.at(0).modalities, "MR");
  EXPECT_EQ(CountFindings(c, "MULTIPLE_PATIENTS"), 1);
  EXPECT_EQ(CountFindings(c, "DICOM_UNREADABLE"), 1);
  const auto it = std::find_if(c.findings.begin(), c.findings.end(),
                               [](const Finding& f) { return f.code == "MULTIPLE_PATIENTS"; });
  ASSERT_NE(it, c.findings.end());
  EXPECT_NE(it->message.find("2名"), std::string::npos);
  EXPECT_EQ(it->severity, Severity::kError);
}

TEST_F(DicomScanTest, RunTwiceGivesTheSameModel) {
  Case c;
  AddDisc(c, dir_ / "disc", spec_, "D");
  auto stage = MakeDicomStage();
  ASSERT_TRUE(stage->Run(c).ok());
  const auto first = c.dicom_patients;
  ASSERT_TRUE(stage->Run(c).ok());
  ASSERT_EQ(c.dicom_patients.size(), first.size());
  EXPECT_EQ(c.dicom_patients[0].studies[0].series[0].file_ids,
            first[0].studies[0].series[0].file_ids);
  EXPECT_EQ(c.DicomSeriesCount(), 1);
}

}  // namespace
}  // namespace intake::stages

// Tests of the DICOM stage: grouping by UIDs, unreadable and truncated files, several patients,
// per-series pixel details and key images, encapsulated PDFs.
#include "stages/dicom.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "dicom/key_image.h"
#include "dicom/synthetic_series.h"
#include "ocr_test_support.h"
#include "stages/identify.h"
#include "stages/pages.h"
#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::stages {
namespace {

namespace fs = std::filesystem;
using intake::testing::CountFindings;
using intake::testing::FirstFinding;

const fs::path kData = fs::path(INTAKE_SHARED_DATA_DIR) / "dicom";

class DicomScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
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
    ASSERT_THAT(images, IsOk());
    for (const auto& p : *images) {
      AddFile(c, p, FileKind::kDicom, folder + "/" + fs::relative(p, root).generic_string());
    }
    AddFile(c, root / "DICOMDIR", FileKind::kDicomdir, folder + "/DICOMDIR");
  }

  // Adds a file as unpack would: kind by content.
  void AddIdentified(Case& c, const fs::path& path, const std::string& relative) {
    AddFile(c, path, IdentifyFile(path, false).kind, relative);
  }

  static std::string ReadBytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
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
  ASSERT_THAT(stage->Run(c), IsOk());

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

  ASSERT_EQ(c.findings.size(), 2u);
  EXPECT_EQ(c.findings[0].code, FindingCode::kDicomUnreadable);
  EXPECT_EQ(c.findings[0].file_id, "f0007");
  EXPECT_NE(c.findings[0].message.find("CDROM/IMAGES/BROKEN"), std::string::npos);
  EXPECT_EQ(CountFindings(c, FindingCode::kMultiplePatients), 0);
  // The broken file sits in the disc's tree but not in its DICOMDIR.
  EXPECT_EQ(c.findings[1].code, FindingCode::kDicomdirMismatch);
  EXPECT_EQ(c.findings[1].file_id, "f0006");
  EXPECT_NE(c.findings[1].message.find("記載のないDICOMファイル 1 件（CDROM/IMAGES/BROKEN）"),
            std::string::npos)
      << c.findings[1].message;
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

  ASSERT_THAT(MakeDicomStage()->Run(c), IsOk());
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
  ASSERT_THAT(a, IsOk());
  const fs::path copy = dir_ / "copy_of_first";
  fs::copy_file((*a)[0], copy);
  for (const auto& p : *a) AddFile(c, p, FileKind::kDicom, p.filename().string());
  AddFile(c, copy, FileKind::kDicom, "copy");
  ASSERT_THAT(MakeDicomStage()->Run(c), IsOk());
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
  ASSERT_THAT(MakeDicomStage()->Run(c), IsOk());

  ASSERT_EQ(c.dicom_patients.size(), 2u);
  EXPECT_EQ(c.dicom_patients[0].patient_id, "1CT1");  // ordered by patient id
  EXPECT_EQ(c.dicom_patients[1].patient_id, "4MR1");
  EXPECT_EQ(c.dicom_patients[0].studies.at(0).modalities, "CT");
  EXPECT_EQ(c.dicom_patients[1].studies.at(0).modalities, "MR");
  EXPECT_EQ(CountFindings(c, FindingCode::kMultiplePatients), 1);
  EXPECT_EQ(CountFindings(c, FindingCode::kDicomUnreadable), 1);
  const auto it = std::find_if(c.findings.begin(), c.findings.end(), [](const Finding& f) {
    return f.code == FindingCode::kMultiplePatients;
  });
  ASSERT_NE(it, c.findings.end());
  EXPECT_NE(it->message.find("2名"), std::string::npos);
  EXPECT_EQ(it->severity, Severity::kError);
}

TEST_F(DicomScanTest, RunTwiceGivesTheSameModel) {
  Case c;
  AddDisc(c, dir_ / "disc", spec_, "D");
  auto stage = MakeDicomStage();
  ASSERT_THAT(stage->Run(c), IsOk());
  const auto first = c.dicom_patients;
  ASSERT_THAT(stage->Run(c), IsOk());
  ASSERT_EQ(c.dicom_patients.size(), first.size());
  EXPECT_EQ(c.dicom_patients[0].studies[0].series[0].file_ids,
            first[0].studies[0].series[0].file_ids);
  EXPECT_EQ(c.DicomSeriesCount(), 1);
}

TEST_F(DicomScanTest, FilesWithoutPreambleNamedDcmOrCutShort) {
  if (!fs::exists(kData / "files")) GTEST_SKIP() << "shared DICOM data absent";
  Case c;
  const fs::path m = kData / "files/malformed";
  AddIdentified(c, m / "pydicom/ExplVR_LitEndNoMeta.dcm", "a/nometa_le");    // f0001
  AddIdentified(c, m / "pydicom/ExplVR_BigEndNoMeta.dcm", "a/nometa_be");    // f0002
  AddIdentified(c, m / "synthetic/jpeg_named_as_dcm.dcm", "a/thumb.DCM");    // f0003
  AddIdentified(c, m / "synthetic/empty_0_bytes.dcm", "a/empty.dcm");        // f0004
  AddIdentified(c, m / "synthetic/truncated_in_pixel_data.dcm", "a/cut1");   // f0005
  AddIdentified(c, m / "synthetic/truncated_in_meta_header.dcm", "a/cut2");  // f0006
  AddIdentified(c, m / "pydicom/MR_truncated.dcm", "a/cut3");                // f0007
  AddIdentified(c, m / "orthanc/not_dicom_HelloWorld.pdf", "a/letter.pdf");  // f0008
  ASSERT_EQ(c.files[0].kind, FileKind::kDicom);
  ASSERT_EQ(c.files[1].kind, FileKind::kDicom);

  ASSERT_THAT(MakeDicomStage()->Run(c), IsOk());
  // No preamble, no meta header: read all the same (CT_small and MR_small inside).
  int instances = 0;
  std::size_t files = 0;
  for (const auto& p : c.dicom_patients) {
    for (const auto& st : p.studies) {
      for (const auto& se : st.series) {
        instances += se.instance_count;
        files += se.file_ids.size();
      }
    }
  }
  // The two without meta header (one instance in two encodings) and the two cut in their pixels.
  EXPECT_EQ(files, 4u);
  EXPECT_EQ(instances, 3);
  const Finding* jpeg = FirstFinding(c, FindingCode::kDicomUnreadable, "f0003");
  ASSERT_NE(jpeg, nullptr);
  EXPECT_NE(jpeg->message.find("JPEG画像"), std::string::npos) << jpeg->message;
  const Finding* empty = FirstFinding(c, FindingCode::kDicomUnreadable, "f0004");
  ASSERT_NE(empty, nullptr);
  EXPECT_NE(empty->message.find("空のファイル"), std::string::npos);
  EXPECT_NE(FirstFinding(c, FindingCode::kCorruptFile, "f0005"), nullptr);
  EXPECT_NE(FirstFinding(c, FindingCode::kCorruptFile, "f0007"), nullptr);
  EXPECT_NE(FirstFinding(c, FindingCode::kDicomUnreadable, "f0006"), nullptr);
  EXPECT_EQ(FirstFinding(c, FindingCode::kDicomUnreadable, "f0008"), nullptr)
      << "a PDF named .pdf is fine";
  EXPECT_EQ(CountFindings(c, FindingCode::kDicomUnreadable), 3);
  EXPECT_EQ(CountFindings(c, FindingCode::kCorruptFile), 2);
}

TEST_F(DicomScanTest, KeyImageIsTheMiddleInstanceByInstanceNumber) {
  Case c;
  spec_.slices = 5;
  auto images = dicom::WriteSyntheticDisc(dir_ / "disc", spec_);
  ASSERT_THAT(images, IsOk());
  // Listed in reverse order: the middle by Instance Number is still IM000003.
  for (auto it = images->rbegin(); it != images->rend(); ++it) {
    AddFile(c, *it, FileKind::kDicom, "disc/IMAGES/" + it->filename().string());
  }
  const fs::path case_dir = dir_ / "case";
  fs::create_directories(case_dir / "key_images");
  std::ofstream(case_dir / "key_images" / "9.png") << "left over from an earlier run";
  DicomStageOptions options;
  options.case_dir = case_dir;
  ASSERT_THAT(MakeDicomStage(options)->Run(c), IsOk());

  const DicomSeries& se = c.dicom_patients.at(0).studies.at(0).series.at(0);
  EXPECT_EQ(se.key_image, "key_images/1.png");
  EXPECT_TRUE(se.pixels_decodable);
  EXPECT_TRUE(se.pixels_note.empty());
  EXPECT_FALSE(se.lossy);
  EXPECT_EQ(se.transfer_syntax_name, "Explicit VR Little Endian");
  ASSERT_TRUE(fs::exists(case_dir / "key_images/1.png"));
  EXPECT_FALSE(fs::exists(case_dir / "key_images/9.png"));
  ASSERT_THAT(dicom::WriteKeyImage((*images)[2], 0, dir_ / "middle.png"), IsOk());
  ASSERT_THAT(dicom::WriteKeyImage((*images)[1], 0, dir_ / "second.png"), IsOk());
  EXPECT_EQ(ReadBytes(case_dir / "key_images/1.png"), ReadBytes(dir_ / "middle.png"));
  EXPECT_NE(ReadBytes(dir_ / "middle.png"), ReadBytes(dir_ / "second.png"));
}

TEST_F(DicomScanTest, SeriesPixelDetailsAcrossTransferSyntaxes) {
  if (!fs::exists(kData / "files")) GTEST_SKIP() << "shared DICOM data absent";
  Case c;
  const fs::path ts = kData / "files/transfer_syntax";
  // JPEG2000.dcm and JPEG-lossy.dcm are two instances of one series; every other file is a
  // series of its own.
  AddFile(c, ts / "pydicom/JPEG2000.dcm", FileKind::kDicom, "j2k");
  AddFile(c, ts / "pydicom/JPEG-lossy.dcm", FileKind::kDicom, "jpeg");
  AddFile(c, ts / "pydicom/MR_small_RLE.dcm", FileKind::kDicom, "rle");
  AddFile(c, ts / "pydicom-data/JLSL_08_07_0_1F.dcm", FileKind::kDicom, "jpegls7");
  AddFile(c, kData / "files/malformed/orthanc/Issue56-NoPixelData.dcm", FileKind::kDicom, "sr");
  AddFile(c, ts / "pydicom/SC_rgb_jpeg_dcmtk.dcm", FileKind::kDicom, "rgb");
  DicomStageOptions options;
  options.case_dir = dir_ / "case";
  ASSERT_THAT(MakeDicomStage(options)->Run(c), IsOk());

  std::map<std::string, const DicomSeries*> by_file;
  for (const auto& p : c.dicom_patients) {
    for (const auto& st : p.studies) {
      for (const auto& se : st.series) {
        for (const auto& id : se.file_ids) by_file[id] = &se;
      }
    }
  }
  ASSERT_EQ(by_file.size(), 6u);
  ASSERT_EQ(c.DicomSeriesCount(), 5);
  // A mixed series: JPEG 2000 (decoded with OpenJPEG) and JPEG, lossy through the JPEG one.
  const DicomSeries& mixed = *by_file.at("f0001");
  EXPECT_EQ(by_file.at("f0002"), &mixed);
  EXPECT_EQ(mixed.instance_count, 2);
  EXPECT_TRUE(mixed.pixels_decodable) << mixed.pixels_note;
  EXPECT_TRUE(mixed.pixels_note.empty()) << mixed.pixels_note;
  EXPECT_TRUE(fs::exists(options.case_dir / mixed.key_image)) << mixed.key_image;
  EXPECT_TRUE(mixed.lossy);
  EXPECT_EQ(mixed.transfer_syntax_name, "JPEG 2000 Image Compression");
  const DicomSeries& jpeg = *by_file.at("f0006");
  EXPECT_TRUE(jpeg.lossy);
  EXPECT_TRUE(jpeg.pixels_decodable);
  EXPECT_TRUE(fs::exists(options.case_dir / jpeg.key_image)) << jpeg.key_image;
  EXPECT_EQ(jpeg.transfer_syntax_name, "JPEG Baseline (Process 1)");
  const DicomSeries& rle = *by_file.at("f0003");
  EXPECT_FALSE(rle.lossy);
  EXPECT_TRUE(rle.pixels_decodable);
  EXPECT_TRUE(fs::exists(options.case_dir / rle.key_image)) << rle.key_image;
  // JPEG-LS is decodable in principle; this 7-bit file defeats DCMTK's CharLS: a note, no crash.
  const DicomSeries& jls = *by_file.at("f0004");
  EXPECT_FALSE(jls.pixels_decodable);
  EXPECT_TRUE(jls.key_image.empty());
  EXPECT_NE(jls.pixels_note.find("展開できませんでした"), std::string::npos) << jls.pixels_note;
  const DicomSeries& sr = *by_file.at("f0005");
  EXPECT_FALSE(sr.pixels_decodable);
  EXPECT_NE(sr.pixels_note.find("画素データのない"), std::string::npos);
  // Key image files are numbered by series, never named after patient data.
  for (const auto& entry : fs::directory_iterator(options.case_dir / "key_images")) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "1.png" || name == "2.png" || name == "3.png" || name == "4.png" ||
                name == "5.png")
        << name;
  }
}

TEST_F(DicomScanTest, MultiFrameKeyImageIsTheMiddleFrame) {
  if (!fs::exists(kData / "files")) GTEST_SKIP() << "shared DICOM data absent";
  Case c;
  const fs::path file = kData / "files/transfer_syntax/pydicom-data/emri_small.dcm";
  AddFile(c, file, FileKind::kDicom, "emri");
  DicomStageOptions options;
  options.case_dir = dir_ / "case";
  ASSERT_THAT(MakeDicomStage(options)->Run(c), IsOk());
  const DicomSeries& se = c.dicom_patients.at(0).studies.at(0).series.at(0);
  ASSERT_EQ(se.key_image, "key_images/1.png");
  ASSERT_TRUE(dicom::WriteKeyImage(file, 5, dir_ / "frame5.png").ok());  // 10 frames
  ASSERT_THAT(dicom::WriteKeyImage(file, 0, dir_ / "frame0.png"), IsOk());
  EXPECT_EQ(ReadBytes(options.case_dir / se.key_image), ReadBytes(dir_ / "frame5.png"));
  EXPECT_NE(ReadBytes(dir_ / "frame0.png"), ReadBytes(dir_ / "frame5.png"));
}

TEST_F(DicomScanTest, EncapsulatedPdfBecomesAPdfFileAndItsPages) {
  Case c;
  c.id = "test-case";
  c.work_dir = dir_ / "work";
  fs::create_directories(c.work_dir);
  ASSERT_TRUE(intake::testing::WriteTextPdf(
      dir_ / "report.pdf",
      {{"画像診断報告書", "検査：腹部CT（造影）", "所見：肝S6に10mm大の結節"}}));
  const fs::path dcm = dir_ / "disc" / "REPORT01";
  fs::create_directories(dcm.parent_path());
  ASSERT_THAT(dicom::WriteSyntheticEncapsulatedPdf(dcm, dir_ / "report.pdf", spec_), IsOk());
  AddFile(c, dcm, FileKind::kDicom, "CD/REPORT01");

  auto stage = MakeDicomStage();
  ASSERT_THAT(stage->Run(c), IsOk());
  ASSERT_EQ(c.files.size(), 2u);
  const SourceFile& pdf = c.files[1];
  EXPECT_EQ(pdf.kind, FileKind::kPdf);
  EXPECT_EQ(pdf.container_id, "f0001");
  EXPECT_EQ(pdf.relative_path, "CD/REPORT01/encapsulated.pdf");
  EXPECT_EQ(ReadBytes(pdf.path), ReadBytes(dir_ / "report.pdf"));
  EXPECT_TRUE(fs::relative(pdf.path, c.work_dir).native().rfind("..", 0) != 0)
      << "extracted into the work area";
  // The DICOM instance itself stays in the imaging: a DOC series without pixels.
  const DicomSeries& se = c.dicom_patients.at(0).studies.at(0).series.at(0);
  EXPECT_EQ(se.modality, "DOC");
  EXPECT_FALSE(se.pixels_decodable);
  // Running again extracts nothing twice.
  ASSERT_THAT(stage->Run(c), IsOk());
  EXPECT_EQ(c.files.size(), 2u);

  // The pages stage reads it like any PDF.
  ASSERT_THAT(MakePagesStage()->Run(c), IsOk());
  ASSERT_EQ(c.pages.size(), 1u);
  EXPECT_EQ(c.pages[0].file_id, pdf.id);
  EXPECT_EQ(c.pages[0].text_source, TextSource::kPdfTextLayer);
  EXPECT_NE(intake::testing::WithoutSpaces(c.pages[0].text).find("画像診断報告書"),
            std::string::npos)
      << c.pages[0].text;
}

}  // namespace
}  // namespace intake::stages

// File identification by content, and unpacking of real archives and disc images, on the
// public DICOM data in ../shared/data (skipped when it is absent).
#include "stages/identify.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "stages/unpack.h"

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(INTAKE_SHARED_DATA_DIR) / "dicom";

class IdentifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kData)) GTEST_SKIP() << "shared DICOM data absent";
  }
  static FileKind KindOf(const std::string& relative) {
    return IdentifyFile(kData / relative, /*top_level=*/false).kind;
  }
};

TEST_F(IdentifyTest, ByContentNotByName) {
  EXPECT_EQ(KindOf("files/transfer_syntax/pydicom/CT_small.dcm"), FileKind::kDicom);
  EXPECT_EQ(KindOf("files/malformed/pydicom/ExplVR_LitEndNoMeta.dcm"),
            FileKind::kDicom);  // no preamble
  EXPECT_EQ(KindOf("files/malformed/synthetic/jpeg_named_as_dcm.dcm"), FileKind::kJpeg);
  EXPECT_EQ(KindOf("files/malformed/orthanc/not_dicom_HelloWorld.pdf"), FileKind::kPdf);
  EXPECT_EQ(KindOf("files/malformed/synthetic/empty_0_bytes.dcm"), FileKind::kEmpty);
  EXPECT_EQ(KindOf("discs/pydicom_dicomdirtests/DICOMDIR"), FileKind::kDicomdir);
  EXPECT_EQ(KindOf("discs/jp_wakasa_mri_pdi/DICOMDIR"), FileKind::kDicomdir);
  EXPECT_EQ(KindOf("archives/pydicom_dicomdirtests.zip"), FileKind::kArchive);
  EXPECT_EQ(KindOf("archives/pydicom_tiny_alpha_joliet_rr.iso"), FileKind::kArchive);
  EXPECT_EQ(KindOf("archives/zipMR.gz"), FileKind::kArchive);
}

class UnpackRealArchivesTest : public IdentifyTest {
 protected:
  Case Unpack(const std::string& relative) {
    Case c;
    c.id = "test";
    c.work_dir = fs::temp_directory_path() /
                 ("intake_identify_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(c.work_dir);
    fs::create_directories(c.work_dir);
    EXPECT_TRUE(MakeUnpackStage(kData / relative)->Run(c).ok());
    return c;
  }
  static std::size_t Count(const Case& c, FileKind kind) {
    return static_cast<std::size_t>(std::count_if(
        c.files.begin(), c.files.end(), [&](const SourceFile& f) { return f.kind == kind; }));
  }
  void TearDown() override {
    if (!work_dir_.empty()) fs::remove_all(work_dir_);
  }
  fs::path work_dir_;
};

TEST_F(UnpackRealArchivesTest, Iso9660Level1ImageWithMangledNames) {
  Case c = Unpack("archives/pydicom_dicomdirtests_iso9660_level1.iso");
  work_dir_ = c.work_dir;
  EXPECT_GE(Count(c, FileKind::kDicomdir), 1u);
  EXPECT_GE(Count(c, FileKind::kDicom), 5u);
  EXPECT_TRUE(c.findings.empty());
}

TEST_F(UnpackRealArchivesTest, JolietRockRidgeImage) {
  Case c = Unpack("archives/pydicom_tiny_alpha_joliet_rr.iso");
  work_dir_ = c.work_dir;
  EXPECT_GE(Count(c, FileKind::kDicom), 1u);
  EXPECT_TRUE(c.findings.empty());
}

TEST_F(UnpackRealArchivesTest, ZipInsideZip) {
  Case c = Unpack("archives/nested_zip_in_zip.zip");
  work_dir_ = c.work_dir;
  EXPECT_EQ(Count(c, FileKind::kArchive), 2u);  // the outer and the inner zip
  EXPECT_GE(Count(c, FileKind::kDicom), 2u);    // the loose file and the inner disc's images
  for (const auto& f : c.files) {
    if (f.kind == FileKind::kDicom) {
      EXPECT_FALSE(f.container_id.empty());
    }
  }
}

}  // namespace
}  // namespace intake::stages

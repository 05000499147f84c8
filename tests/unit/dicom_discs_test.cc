// Discs as they really arrive: the DICOMDIR cross-check, disc names (lower case, ISO 9660
// version suffixes), viewer software, and the real discs, zips and ISO images of ../shared/data
// read end to end by the unpack and DICOM stages (those tests skip when the data is absent).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dicom/synthetic_series.h"
#include "stages/dicom.h"
#include "stages/disc_layout.h"
#include "stages/identify.h"
#include "stages/unpack.h"
#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::stages {
namespace {

namespace fs = std::filesystem;
using intake::testing::CountFindings;
using intake::testing::FirstFinding;

const fs::path kData = fs::path(INTAKE_SHARED_DATA_DIR) / "dicom";

struct Totals {
  int patients = 0;
  int studies = 0;
  int series = 0;
  int instances = 0;
};

Totals Count(const Case& c) {
  Totals t;
  t.patients = static_cast<int>(c.dicom_patients.size());
  for (const auto& p : c.dicom_patients) {
    t.studies += static_cast<int>(p.studies.size());
    for (const auto& st : p.studies) {
      t.series += static_cast<int>(st.series.size());
      for (const auto& se : st.series) t.instances += se.instance_count;
    }
  }
  return t;
}

class DiscTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("intake_dicom_discs_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "work");
    spec_.patient_name = "ヤマダ^ハナコ=山田^花子";
    spec_.patient_id = "DISC01";
    spec_.patient_birth_date = "19700101";
    spec_.patient_sex = "F";
    spec_.study_date = "20240301";
    spec_.slices = 4;
    spec_.rows = 16;
    spec_.columns = 16;
    spec_.uid_seed = "disc-test";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Unpacks `submission` and runs the DICOM stage on it, as the pipeline does.
  Case Process(const fs::path& submission) {
    Case c;
    c.id = "disc-test";
    c.work_dir = dir_ / "work";
    EXPECT_THAT(MakeUnpackStage(submission)->Run(c), IsOk());
    EXPECT_THAT(MakeDicomStage()->Run(c), IsOk());
    return c;
  }

  fs::path dir_;
  dicom::SyntheticSeriesSpec spec_;
};

TEST(DiscLayout, NamesAsADiscShowsThem) {
  EXPECT_EQ(DiscComponent("DICOMDIR.;1"), "DICOMDIR");
  EXPECT_EQ(DiscComponent("dicomdir"), "DICOMDIR");
  EXPECT_EQ(DiscComponent("IM000001;1"), "IM000001");
  EXPECT_EQ(DiscComponent("README.TXT;1"), "README.TXT");
  EXPECT_EQ(DiscComponent("a;b"), "A;B");  // not a version suffix
  EXPECT_EQ(FileName("CD/DICOM/DICOMDIR"), "DICOMDIR");
  EXPECT_EQ(FolderOf("CD/DICOM/DICOMDIR"), "CD/DICOM");
  EXPECT_EQ(FolderOf("DICOMDIR"), "");

  SourceFile exe;
  exe.relative_path = "CD/Viewer/viewer.EXE;1";
  exe.kind = FileKind::kEmpty;  // disc copies hold empty or damaged executables too
  EXPECT_TRUE(IsViewerFile(exe));
  SourceFile autorun;
  autorun.relative_path = "CD/autorun.inf";
  autorun.kind = FileKind::kText;
  EXPECT_TRUE(IsViewerFile(autorun));
  EXPECT_TRUE(IsAutorunFile(autorun));
  SourceFile letter;
  letter.relative_path = "letter.pdf";
  letter.kind = FileKind::kPdf;
  EXPECT_FALSE(IsViewerFile(letter));

  FileTree top{"", ""};
  FileTree cd{"", "CD"};
  SourceFile in_cd;
  in_cd.relative_path = "CD/IMAGES/IM1";
  SourceFile beside;
  beside.relative_path = "CDX/IM1";
  EXPECT_TRUE(top.Contains(in_cd));
  EXPECT_TRUE(cd.Contains(in_cd));
  EXPECT_FALSE(cd.Contains(beside));
  in_cd.container_id = "f0001";
  EXPECT_FALSE(cd.Contains(in_cd)) << "another medium";
}

TEST_F(DiscTest, DicomdirMissingAndUnlistedFiles) {
  auto images = dicom::WriteSyntheticDisc(dir_ / "in/CD", spec_);
  ASSERT_THAT(images, IsOk());
  fs::remove((*images)[2]);  // listed, not on the disc
  dicom::SyntheticSeriesSpec other = spec_;
  other.uid_seed = "disc-test-other";
  other.slices = 1;
  auto extra = dicom::WriteSyntheticDisc(dir_ / "elsewhere", other);
  ASSERT_THAT(extra, IsOk());
  fs::copy_file((*extra)[0], dir_ / "in/CD/IMAGES/EXTRA001");  // on the disc, not listed
  std::ofstream(dir_ / "in/CD/README.TXT") << "not DICOM, not listed: fine\n";

  Case c = Process(dir_ / "in");
  ASSERT_EQ(CountFindings(c, FindingCode::kDicomdirMismatch), 1);
  const Finding* f = FirstFinding(c, FindingCode::kDicomdirMismatch);
  EXPECT_EQ(c.FindFile(f->file_id)->relative_path, "CD/DICOMDIR");
  EXPECT_EQ(f->severity, Severity::kWarning);
  EXPECT_NE(f->message.find("見つからないファイル 1 件（CD/IMAGES/IM000003）"), std::string::npos)
      << f->message;
  EXPECT_NE(f->message.find("記載のないDICOMファイル 1 件（CD/IMAGES/EXTRA001）"),
            std::string::npos)
      << f->message;
  // The images are read from the files, whatever the DICOMDIR says.
  EXPECT_EQ(Count(c).instances, 4);
  EXPECT_EQ(Count(c).series, 2);
}

TEST_F(DiscTest, LowerCaseCopyMatchesItsDicomdir) {
  auto images = dicom::WriteSyntheticDisc(dir_ / "in/cd", spec_);
  ASSERT_THAT(images, IsOk());
  // A disc copied by a tool that lower-cases names: dicomdir, images/im000001 ...
  fs::rename(dir_ / "in/cd/DICOMDIR", dir_ / "in/cd/dicomdir");
  for (const auto& p : *images) {
    std::string lower = p.filename().string();
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    fs::rename(p, p.parent_path() / lower);
  }
  fs::rename(dir_ / "in/cd/IMAGES", dir_ / "in/cd/images");
  Case c = Process(dir_ / "in");
  EXPECT_EQ(CountFindings(c, FindingCode::kDicomdirMismatch), 0);
  EXPECT_EQ(Count(c).instances, 4);
}

TEST_F(DiscTest, NestedDiscsAreEachCheckedAgainstTheirOwnTree) {
  auto outer = dicom::WriteSyntheticDisc(dir_ / "in/BOX", spec_);
  ASSERT_THAT(outer, IsOk());
  dicom::SyntheticSeriesSpec second = spec_;
  second.uid_seed = "disc-test-second";
  second.slices = 2;
  auto inner = dicom::WriteSyntheticDisc(dir_ / "in/BOX/CD2", second);
  ASSERT_THAT(inner, IsOk());
  Case c = Process(dir_ / "in");
  EXPECT_EQ(CountFindings(c, FindingCode::kDicomdirMismatch), 0)
      << "CD2's files belong to CD2's DICOMDIR";
  EXPECT_EQ(Count(c).instances, 6);

  fs::remove((*inner)[1]);
  fs::remove_all(dir_ / "work");
  fs::create_directories(dir_ / "work");
  Case again = Process(dir_ / "in");
  ASSERT_EQ(CountFindings(again, FindingCode::kDicomdirMismatch), 1);
  const Finding* f = FirstFinding(again, FindingCode::kDicomdirMismatch);
  EXPECT_EQ(again.FindFile(f->file_id)->relative_path, "BOX/CD2/DICOMDIR");
}

TEST_F(DiscTest, RealDiscsReadInPlace) {
  if (!fs::exists(kData / "discs")) GTEST_SKIP() << "shared DICOM data absent";
  struct Expected {
    const char* disc;
    Totals totals;
  };
  const Expected discs[] = {
      {"jp_wakasa_mri_pdi", {1, 1, 5, 67}},
      {"pydicom_tiny_alpha", {1, 1, 1, 50}},
      {"pydicom_dicomdirtests", {2, 6, 13, 31}},
      {"clunie_charset_fileset", {11, 11, 11, 11}},
  };
  for (const auto& [disc, totals] : discs) {
    fs::remove_all(dir_ / "work");
    fs::create_directories(dir_ / "work");
    Case c = Process(kData / "discs" / disc);
    const Totals t = Count(c);
    EXPECT_EQ(t.patients, totals.patients) << disc;
    EXPECT_EQ(t.studies, totals.studies) << disc;
    EXPECT_EQ(t.series, totals.series) << disc;
    EXPECT_EQ(t.instances, totals.instances) << disc;
    // Conformant discs: every DICOMDIR record has its file and every image its record.
    EXPECT_EQ(CountFindings(c, FindingCode::kDicomdirMismatch), 0) << disc;
    EXPECT_EQ(CountFindings(c, FindingCode::kDicomUnreadable), 0) << disc;
    EXPECT_EQ(CountFindings(c, FindingCode::kMultiplePatients), totals.patients > 1 ? 1 : 0)
        << disc;
    EXPECT_TRUE(fs::is_empty(dir_ / "work")) << disc << ": a folder is read in place";
  }
}

TEST_F(DiscTest, ViewerSoftwareIsNotedNeverRun) {
  if (!fs::exists(kData / "discs")) GTEST_SKIP() << "shared DICOM data absent";
  Case c = Process(kData / "discs/jp_wakasa_mri_pdi");
  ASSERT_EQ(CountFindings(c, FindingCode::kViewerSoftware), 1);
  const Finding* f = FirstFinding(c, FindingCode::kViewerSoftware);
  EXPECT_EQ(f->severity, Severity::kInfo);
  // PDSV.EXE (an empty stand-in here) and AUTORUN.INF.
  EXPECT_NE(f->message.find("実行ファイル 1 件、autorun.inf 1 件"), std::string::npos)
      << f->message;
  EXPECT_NE(f->message.find("実行していません"), std::string::npos);
  Case plain = Process(kData / "discs/pydicom_tiny_alpha");
  EXPECT_EQ(CountFindings(plain, FindingCode::kViewerSoftware), 0);
}

// The same discs packed as zips and ISO 9660 images give the same imaging as the folders.
TEST_F(DiscTest, ArchivesAndIsoImages) {
  if (!fs::exists(kData / "archives")) GTEST_SKIP() << "shared DICOM data absent";
  struct Expected {
    const char* archive;
    Totals totals;
  };
  const Expected archives[] = {
      {"pydicom_dicomdirtests.zip", {2, 6, 13, 31}},
      // Level 1, no Joliet / Rock Ridge: "DICOMDIR.;1", long names mangled to DICOM000 ...
      {"pydicom_dicomdirtests_iso9660_level1.iso", {2, 6, 13, 31}},
      {"pydicom_tiny_alpha_joliet_rr.iso", {1, 1, 1, 50}},
      {"clunie_charset_fileset.zip", {11, 11, 11, 11}},
      // inner.zip (the dicomdirtests disc) and a loose CT_small.dcm
      {"nested_zip_in_zip.zip", {3, 7, 14, 32}},
      {"zipMR.gz", {1, 1, 1, 1}},
  };
  for (const auto& [archive, totals] : archives) {
    fs::remove_all(dir_ / "work");
    fs::create_directories(dir_ / "work");
    Case c = Process(kData / "archives" / archive);
    const Totals t = Count(c);
    EXPECT_EQ(t.patients, totals.patients) << archive;
    EXPECT_EQ(t.studies, totals.studies) << archive;
    EXPECT_EQ(t.series, totals.series) << archive;
    EXPECT_EQ(t.instances, totals.instances) << archive;
    EXPECT_EQ(CountFindings(c, FindingCode::kDicomdirMismatch), 0) << archive;
    EXPECT_EQ(CountFindings(c, FindingCode::kDicomUnreadable), 0) << archive;
    for (const auto& f : c.findings) {
      EXPECT_TRUE(f.code == FindingCode::kMultiplePatients)
          << archive << ": " << FindingCodeName(f.code) << " " << f.message;
    }
  }
}

// libarchive reads a level-1 ISO's "DICOMDIR.;1" as "DICOMDIR"; the ISO's root is the disc.
TEST_F(DiscTest, IsoLevel1ImageIsOneDisc) {
  if (!fs::exists(kData / "archives")) GTEST_SKIP() << "shared DICOM data absent";
  Case c = Process(kData / "archives/pydicom_dicomdirtests_iso9660_level1.iso");
  const auto dicomdir = std::find_if(c.files.begin(), c.files.end(), [](const SourceFile& f) {
    return f.kind == FileKind::kDicomdir && DiscComponent(FileName(f.relative_path)) == "DICOMDIR";
  });
  ASSERT_NE(dicomdir, c.files.end());
  EXPECT_TRUE(IsDicomdirFile(*dicomdir)) << dicomdir->relative_path;
  const auto trees = FindDiscTrees(c);
  ASSERT_EQ(trees.size(), 1u);
  EXPECT_EQ(trees[0].folder, "pydicom_dicomdirtests_iso9660_level1.iso");
}

// A disc copied from an ISO mounted without name translation keeps the raw ISO 9660 names:
// "DICOMDIR.;1", "IM000001.;1". The DICOMDIR still finds its files.
TEST_F(DiscTest, RawIsoNamesInACopiedTree) {
  auto images = dicom::WriteSyntheticDisc(dir_ / "in/CDROM", spec_);
  ASSERT_THAT(images, IsOk());
  fs::rename(dir_ / "in/CDROM/DICOMDIR", dir_ / "in/CDROM/DICOMDIR.;1");
  for (const auto& p : *images) fs::rename(p, p.string() + ".;1");
  Case c = Process(dir_ / "in");
  const SourceFile* dicomdir = nullptr;
  for (const auto& f : c.files) {
    if (f.relative_path == "CDROM/DICOMDIR.;1") dicomdir = &f;
  }
  ASSERT_NE(dicomdir, nullptr);
  EXPECT_EQ(dicomdir->kind, FileKind::kDicomdir);
  EXPECT_TRUE(IsDicomdirFile(*dicomdir));
  EXPECT_EQ(CountFindings(c, FindingCode::kDicomdirMismatch), 0);
  EXPECT_EQ(Count(c).instances, 4);
  // And a record whose file is really missing is still found missing.
  fs::remove(images->front().string() + ".;1");
  fs::remove_all(dir_ / "work");
  fs::create_directories(dir_ / "work");
  Case again = Process(dir_ / "in");
  EXPECT_EQ(CountFindings(again, FindingCode::kDicomdirMismatch), 1);
}

}  // namespace
}  // namespace intake::stages

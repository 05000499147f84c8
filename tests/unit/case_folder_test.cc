// Tests of the physician's case folder: the layout from a profile, safe names, and the stage that
// keeps the original submission (checked with sha256sum -c) and files each DICOM series with its
// key image and original files.
#include "stages/case_folder.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "config/profile.h"
#include "dicom/synthetic_series.h"
#include "pdf_test_support.h"
#include "pipeline/folder_walk.h"
#include "pipeline/hash.h"
#include "stages/dicom.h"
#include "stages/unpack.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::stages {
namespace {

namespace fs = std::filesystem;
using intake::testing::RunCommand;

config::DocumentType Type(std::string id, std::string label, std::string folder) {
  config::DocumentType t;
  t.id = std::move(id);
  t.label = std::move(label);
  t.folder = std::move(folder);
  return t;
}

config::Profile DefaultProfile() {
  auto profile = config::LoadProfile(config::DefaultProfilePath());
  EXPECT_THAT(profile, IsOk());
  return profile.ok() ? *profile : config::Profile{};
}

TEST(CaseFolderLayout, NumberedFoldersInProfileOrderSharedByType) {
  const CaseFolderLayout layout(DefaultProfile());
  EXPECT_EQ(layout.DocumentFolder("referral_letter"), "01_紹介状");
  EXPECT_EQ(layout.DocumentFolder("surgery_attachment_form"), "01_紹介状");
  EXPECT_EQ(layout.DocumentFolder("application_form"), "02_申込書");
  EXPECT_EQ(layout.DocumentFolder("koseki"), "05_続柄確認書類");
  EXPECT_EQ(layout.DocumentFolder("juminhyo"), "05_続柄確認書類");
  // Test results together.
  for (const char* type :
       {"blood_test", "physiological_test", "imaging_report", "pathology_report"})
    EXPECT_EQ(layout.DocumentFolder(type), "08_検査データ") << type;
  EXPECT_EQ(layout.imaging_folder(), "09_画像");
  EXPECT_EQ(layout.DocumentFolder("other"), "10_その他");
  EXPECT_EQ(layout.DocumentFolder("no_such_type"), "10_その他");
  EXPECT_EQ(layout.original_folder(), "11_原本");
  EXPECT_EQ(layout.DocumentFileName(4, "blood_test"), "05_血液検査結果.pdf");
  EXPECT_EQ(layout.DocumentFileName(0, "other"), "01_その他の書類.pdf");
}

TEST(CaseFolderLayout, TypeWithoutFolderUsesItsLabel) {
  config::Profile profile;
  profile.document_types.push_back(Type("letter", "紹介状/別紙", ""));
  profile.document_types.push_back(Type("form", "申込書", "書類"));
  const CaseFolderLayout layout(profile);
  EXPECT_EQ(layout.DocumentFolder("letter"), "01_紹介状_別紙");
  EXPECT_EQ(layout.DocumentFolder("form"), "02_書類");
  EXPECT_EQ(layout.imaging_folder(), "03_画像");
}

TEST(CaseFolderLayout, SafeNames) {
  EXPECT_EQ(SafeName("../../etc/passwd"), "etc_passwd");
  EXPECT_EQ(SafeName("a:b*c?d\"e<f>g|h\\i"), "a_b_c_d_e_f_g_h_i");
  EXPECT_EQ(SafeName("line\nbreak\t"), "line_break");
  EXPECT_EQ(SafeName("  胸部 CT.  "), "胸部 CT");
  EXPECT_EQ(SafeName(""), "");
  // Cut at a character boundary: 14 × 3 bytes is 42, so 13 characters remain of 40 bytes.
  const std::string cut = SafeName("あいうえおかきくけこさしすせ", 40);
  EXPECT_EQ(cut, "あいうえおかきくけこさしす");
}

class CaseFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("intake_case_folder_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "in");
    spec_.patient_name = "スズキ^ハナコ=鈴木^花子";
    spec_.patient_id = "SYN/0042";
    spec_.study_date = "20240510";
    spec_.study_description = "胸部CT";
    spec_.series_description = "肺野:条件";
    spec_.slices = 3;
    spec_.rows = 32;
    spec_.columns = 32;
    spec_.uid_seed = "case-folder-test";
    case_.id = "20261121-00000000";
    case_.submission_sha256 = std::string(64, 'a');
    case_.received_at = "2026-11-21T09:00:00+0900";
    case_.work_dir = dir_ / "case" / "work";
    fs::create_directories(case_.work_dir);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A folder submission: a disc tree and a letter.
  fs::path MakeFolderSubmission() {
    const fs::path submission = dir_ / "in" / "提出物";
    EXPECT_THAT(dicom::WriteSyntheticDisc(submission / "CD", spec_), IsOk());
    std::ofstream(submission / "letter #1.txt") << "referral";
    return submission;
  }

  // Unpack, DICOM (key images into the case folder), then the case folder stage; `known` and
  // `ready` as CaseFolderOptions::known_hashes and ready_copies.
  Status Run(const fs::path& submission, bool link_original,
             std::map<std::string, std::string> known = {},
             std::map<std::string, fs::path> ready = {}) {
    case_.submission_name = submission.filename().string();
    if (Status s = MakeUnpackStage(submission)->Run(case_); !s.ok()) return s;
    DicomStageOptions dicom_options;
    dicom_options.case_dir = dir_ / "case";
    if (Status s = MakeDicomStage(dicom_options)->Run(case_); !s.ok()) return s;
    CaseFolderOptions options;
    options.case_dir = dir_ / "case";
    options.submission = submission;
    options.layout = CaseFolderLayout(DefaultProfile());
    options.link_original = link_original;
    options.known_hashes = std::move(known);
    options.ready_copies = std::move(ready);
    return MakeCaseFolderStage(options)->Run(case_);
  }

  static ino_t Inode(const fs::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
  }

  // `sha256sum -c` in the original's folder: its output, and whether every file was OK.
  bool SumsCheck(std::string& output) const {
    auto result = RunCommand("cd '" + (dir_ / "case" / "11_原本").string() +
                             "' && sha256sum -c SHA256SUMS; echo exit=$?");
    output = result.value_or("");
    return output.find("exit=0") != std::string::npos;
  }

  const DicomSeries& OnlySeries() const {
    return case_.dicom_patients.at(0).studies.at(0).series.at(0);
  }

  fs::path dir_;
  dicom::SyntheticSeriesSpec spec_;
  Case case_;
};

TEST_F(CaseFolderTest, FolderSubmissionKeptAndImagingFiled) {
  const fs::path submission = MakeFolderSubmission();
  Status status = Run(submission, false);
  ASSERT_THAT(status, IsOk());
  const fs::path case_dir = dir_ / "case";

  // The original, copied (the sender's files are not linked), checked by sha256sum.
  EXPECT_EQ(case_.original_copy, "11_原本/提出物");
  EXPECT_EQ(case_.original_sums, "11_原本/SHA256SUMS");
  const fs::path kept_letter = case_dir / "11_原本/提出物/letter #1.txt";
  ASSERT_TRUE(fs::is_regular_file(kept_letter));
  EXPECT_NE(Inode(kept_letter), Inode(submission / "letter #1.txt"));
  EXPECT_TRUE(fs::is_regular_file(case_dir / "11_原本/提出物/CD/DICOMDIR"));
  std::string output;
  EXPECT_TRUE(SumsCheck(output)) << output;
  EXPECT_NE(output.find("提出物/letter #1.txt: OK"), std::string::npos) << output;
  std::ifstream about(case_dir / "11_原本/説明.txt");
  const std::string about_text((std::istreambuf_iterator<char>(about)), {});
  EXPECT_NE(about_text.find(case_.submission_sha256), std::string::npos) << about_text;

  // One series: key image and DICOM files in its folder, named from safe DICOM values; the
  // DICOM files share the kept original's bytes (hard links), no third copy.
  const DicomSeries& series = OnlySeries();
  EXPECT_EQ(series.folder,
            "09_画像/患者1_SYN_0042/検査1_20240510_CT_胸部CT/シリーズ1_CT_肺野_条件");
  EXPECT_EQ(series.key_image, series.folder + "/キー画像.png");
  EXPECT_TRUE(fs::is_regular_file(case_dir / series.key_image));
  EXPECT_FALSE(fs::exists(case_dir / "key_images")) << "moved into the series folder";
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(case_dir / series.folder / "DICOM")) {
    names.push_back(entry.path().filename().string());
    EXPECT_EQ(Inode(entry.path()), Inode(case_dir / "11_原本/提出物/CD/IMAGES" / names.back()))
        << names.back();
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"IM000001", "IM000002", "IM000003"}));
}

// `intake process` copies the submission while hashing it (each byte read once): the case folder
// links those copies, so the kept files are the bytes hashed and none is the sender's own file.
TEST_F(CaseFolderTest, CopiesMadeWhileHashingAreLinkedNotCopiedAgain) {
  const fs::path submission = MakeFolderSubmission();
  const auto listing = ListFolder(submission);
  ASSERT_THAT(listing, IsOk());
  const std::vector<fs::path>& files = listing->files;
  fs::create_directories(dir_ / "copies");
  std::vector<fs::path> copies;
  for (std::size_t i = 0; i < files.size(); ++i)
    copies.push_back(dir_ / "copies" / std::to_string(i));
  const auto hashes = Sha256AndCopyFiles(files, copies, 2);
  std::map<std::string, std::string> known;
  std::map<std::string, fs::path> ready;
  for (std::size_t i = 0; i < files.size(); ++i) {
    ASSERT_THAT(hashes[i], IsOk());
    EXPECT_EQ(*hashes[i], *Sha256File(files[i])) << files[i];
    known[files[i].string()] = *hashes[i];
    ready[files[i].string()] = copies[i];
  }
  // A copy that cannot be made fails (the caller hashes that file alone and copies it later).
  EXPECT_FALSE(Sha256AndCopyFiles({files[0]}, {dir_ / "no_such_folder" / "x"})[0].ok());

  ASSERT_THAT(Run(submission, false, known, ready), IsOk());
  const fs::path kept_letter = dir_ / "case" / "11_原本/提出物/letter #1.txt";
  const auto letter = std::find(files.begin(), files.end(), submission / "letter #1.txt");
  ASSERT_NE(letter, files.end());
  EXPECT_EQ(Inode(kept_letter), Inode(copies[static_cast<std::size_t>(letter - files.begin())]));
  EXPECT_NE(Inode(kept_letter), Inode(*letter));
  fs::remove_all(dir_ / "copies");  // as CaseProcessor does after the case: the links stay
  std::string output;
  EXPECT_TRUE(SumsCheck(output)) << output;
  EXPECT_NE(output.find("提出物/CD/DICOMDIR: OK"), std::string::npos) << output;
}

TEST_F(CaseFolderTest, ArchiveSubmissionFilesUnpackedDicomAndKeepsTheArchive) {
  const fs::path tree = MakeFolderSubmission();
  const fs::path tar = dir_ / "in" / "disc.tar";
  ASSERT_TRUE(
      RunCommand("tar -cf '" + tar.string() + "' -C '" + tree.string() + "' .").has_value());
  Status status = Run(tar, false);
  ASSERT_THAT(status, IsOk());
  const fs::path case_dir = dir_ / "case";
  EXPECT_EQ(case_.original_copy, "11_原本/disc.tar");
  std::string output;
  EXPECT_TRUE(SumsCheck(output)) << output;
  // The DICOM files come from the work area; they stay when it is cleaned.
  fs::remove_all(case_.work_dir);
  const DicomSeries& series = OnlySeries();
  EXPECT_TRUE(fs::is_regular_file(case_dir / series.folder / "DICOM/IM000002"));
  EXPECT_EQ(fs::file_size(case_dir / series.folder / "DICOM/IM000002"),
            fs::file_size(tree / "CD/IMAGES/IM000002"));
}

TEST_F(CaseFolderTest, LinkedOriginalSharesTheClaimedCopy) {
  const fs::path file = dir_ / "in" / "scan\\odd\nname.pdf";
  std::ofstream(file) << "%PDF-1.4\n%%EOF\n";
  Status status = Run(file, true);
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(Inode(dir_ / "case" / case_.original_copy), Inode(file));
  // A backslash and a newline in the name: escaped the way sha256sum reads them.
  std::string output;
  EXPECT_TRUE(SumsCheck(output)) << output;
}

TEST_F(CaseFolderTest, UnwritableCaseFolderFailsTheCase) {
  const fs::path file = dir_ / "in" / "scan.pdf";
  std::ofstream(file) << "%PDF-1.4\n%%EOF\n";
  std::ofstream(dir_ / "case" / "11_原本") << "a file where the folder should be";
  Status status = Run(file, false);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("original"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace intake::stages

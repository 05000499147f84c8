#include "stages/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <locale.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

struct Entry {
  std::string path;
  std::string content;
  bool symlink = false;
};

// Writes a zip with libarchive; `passphrase` set: entries encrypted (ZipCrypto).
void WriteZip(const fs::path& out, const std::vector<Entry>& entries,
              const char* passphrase = nullptr, const char* name_charset = "UTF-8") {
  // The writer needs a UTF-8 locale to flag names as UTF-8; the stage under test runs in the
  // test process's plain C locale, as a service would.
  locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  ASSERT_NE(utf8, static_cast<locale_t>(nullptr));
  locale_t previous = uselocale(utf8);
  struct archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  // Names flagged as UTF-8 (general purpose bit 11), as current zip tools write them; or in
  // CP932 without the flag, as Windows' own zip folders do in Japan.
  ASSERT_EQ(archive_write_set_options(a, (std::string("zip:hdrcharset=") + name_charset).c_str()),
            ARCHIVE_OK);
  if (passphrase) {
    ASSERT_EQ(archive_write_set_options(a, "zip:encryption=zipcrypt"), ARCHIVE_OK);
    ASSERT_EQ(archive_write_set_passphrase(a, passphrase), ARCHIVE_OK);
  }
  ASSERT_EQ(archive_write_open_filename(a, out.c_str()), ARCHIVE_OK);
  for (const auto& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    if (e.symlink) {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_symlink(entry, e.content.c_str());
      archive_entry_set_perm(entry, 0777);
      archive_write_header(a, entry);
    } else {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_perm(entry, 0644);
      archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
      archive_write_header(a, entry);
      archive_write_data(a, e.content.data(), e.content.size());
    }
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  uselocale(previous);
  freelocale(utf8);
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class UnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("intake_unpack_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "in");
    c_.id = "test";
    c_.work_dir = root_ / "out" / "work";
    fs::create_directories(c_.work_dir);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::map<std::string, const SourceFile*> ByPath() const {
    std::map<std::string, const SourceFile*> m;
    for (const auto& f : c_.files) m[f.relative_path] = &f;
    return m;
  }
  bool HasFinding(FindingCode code) const { return intake::testing::HasFinding(c_, code); }
  fs::path root_;
  Case c_;
};

TEST_F(UnpackTest, FolderIsWalkedAndFilesIdentifiedByContent) {
  fs::create_directories(root_ / "in/sub");
  std::ofstream(root_ / "in/scan.dat") << "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";
  std::ofstream(root_ / "in/sub/readme.pdf") << "just some text, not a pdf\n";
  std::ofstream(root_ / "in/intake.yaml") << "facts: {}\n";
  std::ofstream(root_ / "in/empty.tif");
  ASSERT_THAT(MakeUnpackStage(root_ / "in")->Run(c_), IsOk());
  auto files = ByPath();
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files["scan.dat"]->kind, FileKind::kPdf);  // the name lies, the content not
  EXPECT_EQ(files["sub/readme.pdf"]->kind, FileKind::kText);
  EXPECT_EQ(files["intake.yaml"]->kind, FileKind::kManifest);
  EXPECT_EQ(files["empty.tif"]->kind, FileKind::kEmpty);
  EXPECT_TRUE(fs::is_empty(c_.work_dir));  // a folder is read in place
}

TEST_F(UnpackTest, NestedZipsAreExtractedWithContainers) {
  WriteZip(root_ / "inner.zip", {{"disc/IMAGE1.txt", "hello"}});
  WriteZip(root_ / "in/outer.zip",
           {{"letter.txt", "紹介状"}, {"inner.zip", ReadFile(root_ / "inner.zip")}});
  ASSERT_THAT(MakeUnpackStage(root_ / "in/outer.zip")->Run(c_), IsOk());
  auto files = ByPath();
  ASSERT_TRUE(files.count("outer.zip/inner.zip/disc/IMAGE1.txt")) << c_.files.size();
  const SourceFile* leaf = files["outer.zip/inner.zip/disc/IMAGE1.txt"];
  EXPECT_EQ(leaf->container_id, files["outer.zip/inner.zip"]->id);
  EXPECT_EQ(ReadFile(leaf->path), "hello");
  EXPECT_EQ(files["outer.zip"]->kind, FileKind::kArchive);
  EXPECT_TRUE(c_.findings.empty());
}

TEST_F(UnpackTest, WindowsZipNamesInCp932AreDecoded) {
  // ソ and 表 end in 0x5C, the byte of '\\': decoding must come before splitting the path.
  WriteZip(root_ / "in/windows.zip",
           {{"書類/紹介状.pdf", "%PDF-1.4\n"}, {"表紙ソフト.txt", "x"}, {"plain.txt", "y"}},
           nullptr, "CP932");
  ASSERT_THAT(MakeUnpackStage(root_ / "in/windows.zip")->Run(c_), IsOk());
  auto files = ByPath();
  EXPECT_TRUE(files.count("windows.zip/書類/紹介状.pdf"));
  EXPECT_TRUE(files.count("windows.zip/表紙ソフト.txt"));
  EXPECT_TRUE(files.count("windows.zip/plain.txt"));
  EXPECT_FALSE(HasFinding(FindingCode::kUnsafePath));
  EXPECT_TRUE(fs::exists(c_.work_dir / "unpacked" / files["windows.zip"]->id / "表紙ソフト.txt"));
}

TEST_F(UnpackTest, ZipSlipAbsolutePathsAndSymlinksStayOut) {
  WriteZip(root_ / "in/evil.zip", {{"../../escaped.txt", "x"},
                                   {"/tmp/intake_absolute_escape.txt", "x"},
                                   {"link", "/etc/passwd", true},
                                   {"ok.txt", "fine"}});
  ASSERT_THAT(MakeUnpackStage(root_ / "in/evil.zip")->Run(c_), IsOk());
  EXPECT_TRUE(HasFinding(FindingCode::kUnsafePath));
  EXPECT_FALSE(fs::exists(root_ / "escaped.txt"));
  EXPECT_FALSE(fs::exists(root_ / "out/escaped.txt"));
  EXPECT_FALSE(fs::exists("/tmp/intake_absolute_escape.txt"));
  for (const auto& f : c_.files) {
    EXPECT_FALSE(fs::is_symlink(f.path));
    if (f.container_id.empty()) continue;
    const auto rel = fs::relative(f.path, c_.work_dir);
    EXPECT_EQ(rel.string().rfind("..", 0), std::string::npos) << "outside the work area";
  }
  EXPECT_EQ(ByPath().count("evil.zip/ok.txt"), 1u);
}

TEST_F(UnpackTest, EncryptedZipIsAFindingNotACrash) {
  WriteZip(root_ / "in/secret.zip", {{"letter.txt", "紹介状"}}, "password");
  ASSERT_THAT(MakeUnpackStage(root_ / "in/secret.zip")->Run(c_), IsOk());
  EXPECT_TRUE(HasFinding(FindingCode::kEncryptedArchive));
  EXPECT_EQ(ByPath().count("secret.zip/letter.txt"), 0u);
}

TEST_F(UnpackTest, NestingDepthIsLimited) {
  WriteZip(root_ / "z0.zip", {{"deep.txt", "x"}});
  for (int i = 1; i <= 3; ++i)
    WriteZip(root_ / ("z" + std::to_string(i) + ".zip"),
             {{"z.zip", ReadFile(root_ / ("z" + std::to_string(i - 1) + ".zip"))}});
  UnpackLimits limits;
  limits.max_depth = 2;
  ASSERT_THAT(MakeUnpackStage(root_ / "z3.zip", limits)->Run(c_), IsOk());
  EXPECT_TRUE(HasFinding(FindingCode::kArchiveLimitExceeded));
}

TEST_F(UnpackTest, Utf8EntryNamesSurviveInAnyLocale) {
  WriteZip(root_ / "in/書類一式.zip", {{"スキャン/紹介状.txt", "紹介状"}});
  ASSERT_THAT(MakeUnpackStage(root_ / "in/書類一式.zip")->Run(c_), IsOk());
  auto files = ByPath();
  ASSERT_EQ(files.count("書類一式.zip/スキャン/紹介状.txt"), 1u) << c_.files.back().relative_path;
  EXPECT_EQ(ReadFile(files["書類一式.zip/スキャン/紹介状.txt"]->path), "紹介状");
  EXPECT_TRUE(c_.findings.empty());
}

TEST_F(UnpackTest, TruncatedZipIsCorruptFile) {
  WriteZip(root_ / "full.zip", {{"a.txt", std::string(100000, 'a')}, {"b.txt", "b"}});
  const std::string bytes = ReadFile(root_ / "full.zip");
  std::ofstream(root_ / "in/cut.zip", std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  ASSERT_THAT(MakeUnpackStage(root_ / "in/cut.zip")->Run(c_), IsOk());
  EXPECT_TRUE(HasFinding(FindingCode::kCorruptFile));
}

TEST_F(UnpackTest, EntryCountAndTotalSizeAreLimited) {
  std::vector<Entry> many;
  for (int i = 0; i < 30; ++i) many.push_back({"f" + std::to_string(i) + ".txt", "x"});
  WriteZip(root_ / "in/many.zip", many);
  UnpackLimits limits;
  limits.max_entries = 10;
  ASSERT_THAT(MakeUnpackStage(root_ / "in/many.zip", limits)->Run(c_), IsOk());
  EXPECT_TRUE(HasFinding(FindingCode::kArchiveLimitExceeded));
  EXPECT_LE(c_.files.size(), 11u);  // the zip and at most 10 entries

  Case big;
  big.id = "big";
  big.work_dir = root_ / "out2" / "work";
  fs::create_directories(big.work_dir);
  WriteZip(root_ / "in/big.zip", {{"a.bin", std::string(300000, 'a')}, {"b.bin", "b"}});
  limits = {};
  limits.max_total_bytes = 100000;
  ASSERT_THAT(MakeUnpackStage(root_ / "in/big.zip", limits)->Run(big), IsOk());
  bool limited = false;
  for (const auto& f : big.findings) limited |= f.code == FindingCode::kArchiveLimitExceeded;
  EXPECT_TRUE(limited);
  std::uintmax_t written = 0;
  for (const auto& e : fs::recursive_directory_iterator(big.work_dir))
    if (e.is_regular_file()) written += e.file_size();
  EXPECT_LE(written, 100000u + (1u << 16));  // stops within one block of the limit
}

TEST_F(UnpackTest, SingleGzippedFileIsUnpacked) {
  // report.dcm.gz as a disc export tool writes it: one compressed file, no archive format.
  struct archive* a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_raw(a);
  ASSERT_EQ(archive_write_open_filename(a, (root_ / "in/report.dcm.gz").c_str()), ARCHIVE_OK);
  struct archive_entry* entry = archive_entry_new();
  archive_entry_set_filetype(entry, AE_IFREG);
  const std::string content(1000, 'x');
  archive_entry_set_size(entry, static_cast<la_int64_t>(content.size()));
  archive_write_header(a, entry);
  archive_write_data(a, content.data(), content.size());
  archive_entry_free(entry);
  archive_write_close(a);
  archive_write_free(a);

  ASSERT_THAT(MakeUnpackStage(root_ / "in/report.dcm.gz")->Run(c_), IsOk());
  auto files = ByPath();
  ASSERT_EQ(files.count("report.dcm.gz/report.dcm"), 1u) << c_.files.back().relative_path;
  EXPECT_EQ(ReadFile(files["report.dcm.gz/report.dcm"]->path), content);
  EXPECT_TRUE(c_.findings.empty());
}

TEST_F(UnpackTest, MissingSubmissionFails) {
  EXPECT_FALSE(MakeUnpackStage(root_ / "nope")->Run(c_).ok());
}

}  // namespace
}  // namespace intake::stages

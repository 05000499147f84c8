// Inbox scanning (watch/inbox.h): ignored names, markers, signatures of files and folders, and
// the format probes that hold back a file whose bytes are not all there yet.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "watch/inbox.h"

namespace intake::watch {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string Le32(std::uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}
std::string Le16(std::uint16_t v) { return Le32(v).substr(0, 2); }

class InboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("intake-inbox-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Completeness Probe(const std::string& bytes) {
    Write(dir_ / "probe", bytes);
    return ProbeFile(dir_ / "probe");
  }
  fs::path dir_;
};

TEST(InboxNames, IgnoredAndInProgressNames) {
  for (const char* name :
       {".DS_Store", ".hidden", ".intake-claimed", "~$紹介状.docx", "scan.pdf.part", "a.PART",
        "x.crdownload", "y.partial", "z.tmp", "w.filepart", "v.download", "Thumbs.db",
        "desktop.ini", "scan.pdf.ready", "X.READY"}) {
    EXPECT_TRUE(IsIgnoredName(name)) << name;
  }
  for (const char* name : {"scan.pdf", "紹介状.pdf", "封筒", "part", "ready", "disc.iso",
                           "report.partially.pdf", "Thumbs.db.zip"}) {
    EXPECT_FALSE(IsIgnoredName(name)) << name;
  }
  EXPECT_TRUE(IsInProgressName("a.part"));
  EXPECT_TRUE(IsInProgressName("~$doc.docx"));
  EXPECT_FALSE(IsInProgressName(".DS_Store"));  // junk, not a copy in progress
  EXPECT_EQ(MarkerTarget("scan.pdf.ready"), "scan.pdf");
  EXPECT_EQ(MarkerTarget("封筒.ready"), "封筒");
  EXPECT_EQ(MarkerTarget(".ready"), "");
  EXPECT_EQ(MarkerTarget("scan.pdf"), "");
}

TEST_F(InboxTest, ScanListsFilesAndFoldersAndSkipsTheRest) {
  Write(dir_ / "b.pdf", "%PDF-1.4 body %%EOF");
  Write(dir_ / "封筒" / "a.pdf", "x");
  Write(dir_ / "封筒" / "sub" / "b.tif", "yy");
  Write(dir_ / ".DS_Store", "junk");
  Write(dir_ / "c.pdf.part", "partial");
  Write(dir_ / "b.pdf.ready", "");
  fs::create_symlink("/etc/passwd", dir_ / "link");
  auto scan = ScanInbox(dir_);
  ASSERT_TRUE(scan.ok()) << scan.message();
  ASSERT_EQ(scan->size(), 2u);
  const InboxEntry& file = (*scan)[0];
  const InboxEntry& folder = (*scan)[1];
  EXPECT_EQ(file.name, "b.pdf");
  EXPECT_EQ(file.kind, EntryKind::kFile);
  EXPECT_EQ(file.size, 19u);
  EXPECT_TRUE(file.has_marker);
  EXPECT_EQ(folder.name, "封筒");
  EXPECT_EQ(folder.kind, EntryKind::kFolder);
  EXPECT_EQ(folder.file_count, 2u);
  EXPECT_EQ(folder.size, 3u);
  EXPECT_FALSE(folder.has_marker);
  EXPECT_FALSE(folder.in_progress_inside);
}

TEST_F(InboxTest, FolderSignatureSeesChangesDeepInside) {
  Write(dir_ / "disc" / "IMAGES" / "IM1", "aaaa");
  auto before = ScanInbox(dir_);
  auto same = ScanInbox(dir_);
  EXPECT_TRUE((*before)[0].SameSignature((*same)[0]));
  Write(dir_ / "disc" / "IMAGES" / "IM2", "bbbb");  // a deep new file
  auto after = ScanInbox(dir_);
  EXPECT_FALSE((*before)[0].SameSignature((*after)[0]));
  // Same size, rewritten: mtime or inode differs.
  auto mid = ScanInbox(dir_);
  fs::remove(dir_ / "disc" / "IMAGES" / "IM2");
  Write(dir_ / "disc" / "IMAGES" / "IM2", "cccc");
  fs::last_write_time(
      dir_ / "disc" / "IMAGES" / "IM2",
      fs::last_write_time(dir_ / "disc" / "IMAGES" / "IM2") + std::chrono::seconds(5));
  auto rewritten = ScanInbox(dir_);
  EXPECT_FALSE((*mid)[0].SameSignature((*rewritten)[0]));
  Write(dir_ / "disc" / "IM3.part", "copying");
  auto copying = ScanInbox(dir_);
  EXPECT_TRUE((*copying)[0].in_progress_inside);
}

TEST_F(InboxTest, MissingInboxFails) { EXPECT_FALSE(ScanInbox(dir_ / "nope").ok()); }

TEST_F(InboxTest, PdfNeedsItsEndMarker) {
  EXPECT_EQ(Probe("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"), Completeness::kIncomplete);
  EXPECT_EQ(Probe("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), Completeness::kComplete);
}

TEST_F(InboxTest, ZipNeedsItsCentralDirectory) {
  std::string local = std::string("PK\x03\x04", 4) + std::string(60, 'x');
  EXPECT_EQ(Probe(local), Completeness::kIncomplete);
  const std::string central = std::string("PK\x01\x02", 4) + std::string(42, 'c');
  std::string eocd = std::string("PK\x05\x06", 4) + std::string(4, '\0') + Le16(1) + Le16(1) +
                     Le32(static_cast<std::uint32_t>(central.size())) +
                     Le32(static_cast<std::uint32_t>(local.size())) + Le16(0);
  EXPECT_EQ(Probe(local + central + eocd), Completeness::kComplete);
  // An end record pointing past itself: a stray signature in a half-copied file.
  std::string bad_eocd = std::string("PK\x05\x06", 4) + std::string(4, '\0') + Le16(1) + Le16(1) +
                         Le32(1000) + Le32(5000) + Le16(0);
  EXPECT_EQ(Probe(local + bad_eocd), Completeness::kIncomplete);
}

TEST_F(InboxTest, PngAndJpegNeedTheirLastChunk) {
  const std::string png_head("\x89PNG\r\n\x1a\n", 8);
  EXPECT_EQ(Probe(png_head + "IHDR...."), Completeness::kIncomplete);
  EXPECT_EQ(Probe(png_head + "IHDR....IEND\xAE\x42\x60\x82"), Completeness::kComplete);
  EXPECT_EQ(Probe(std::string("\xFF\xD8\xFF\xE0", 4) + "data"), Completeness::kIncomplete);
  EXPECT_EQ(Probe(std::string("\xFF\xD8\xFF\xE0", 4) + "data\xFF\xD9"), Completeness::kComplete);
}

TEST_F(InboxTest, TiffStripsMustBeInTheFile) {
  // Little-endian TIFF: header, one IFD with StripOffsets=100, StripByteCounts=50.
  auto tiff = [](std::uint32_t strip_bytes, std::size_t file_size) {
    std::string t = std::string("II*\0", 4) + Le32(8);
    t += Le16(2);
    t += Le16(273) + Le16(4) + Le32(1) + Le32(100);
    t += Le16(279) + Le16(4) + Le32(1) + Le32(strip_bytes);
    t += Le32(0);
    t.resize(file_size, '\x11');
    return t;
  };
  EXPECT_EQ(Probe(tiff(50, 150)), Completeness::kComplete);
  EXPECT_EQ(Probe(tiff(50, 120)), Completeness::kIncomplete);
  EXPECT_EQ(Probe(tiff(50, 20)), Completeness::kIncomplete);  // cut inside the IFD
}

TEST_F(InboxTest, IsoTarAnd7zSizes) {
  std::string iso(0x8000 + 2048, '\0');
  iso.replace(0x8001, 5, "CD001");
  iso.replace(0x8000 + 80, 4, Le32(20));
  iso.replace(0x8000 + 128, 2, Le16(2048));
  EXPECT_EQ(Probe(iso), Completeness::kIncomplete);  // 20 blocks of 2048 = 40960 bytes
  iso.resize(20 * 2048, '\0');
  EXPECT_EQ(Probe(iso), Completeness::kComplete);

  std::string tar(512, '\0');
  tar.replace(257, 5, "ustar");
  tar += std::string(512, 'd');
  EXPECT_EQ(Probe(tar), Completeness::kIncomplete);
  EXPECT_EQ(Probe(tar + std::string(1024, '\0')), Completeness::kComplete);

  std::string sz = std::string("7z\xBC\xAF\x27\x1C\x00\x04", 8) + std::string(4, '\0');
  sz += Le32(100) + Le32(0) + Le32(10) + Le32(0) + Le32(0);
  EXPECT_EQ(Probe(sz), Completeness::kIncomplete);
  sz.resize(32 + 100 + 10, 'z');
  EXPECT_EQ(Probe(sz), Completeness::kComplete);
}

TEST_F(InboxTest, FormatsWithoutEndMarkerAreUnknown) {
  EXPECT_EQ(Probe(std::string(128, '\0') + "DICM" + "rest"), Completeness::kUnknown);
  EXPECT_EQ(Probe("plain text"), Completeness::kUnknown);
  EXPECT_EQ(Probe(""), Completeness::kUnknown);
}

TEST_F(InboxTest, FolderIsIncompleteWhileOneFileIs) {
  Write(dir_ / "env" / "a.pdf", "%PDF-1.4 ok %%EOF");
  Write(dir_ / "env" / "sub" / "b.pdf", "%PDF-1.4 half");
  EXPECT_EQ(ProbeEntry(dir_ / "env", EntryKind::kFolder), Completeness::kIncomplete);
  Write(dir_ / "env" / "sub" / "b.pdf", "%PDF-1.4 whole %%EOF");
  EXPECT_EQ(ProbeEntry(dir_ / "env", EntryKind::kFolder), Completeness::kComplete);
}

}  // namespace
}  // namespace intake::watch

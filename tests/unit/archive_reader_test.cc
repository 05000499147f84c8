// archive/archive_reader.h: entries of archives written here with libarchive's writer, read back
// with their names (UTF-8 and CP932), types, links and data; single compressed files, bytes of no
// format, damaged and encrypted archives.
#include "archive/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace intake::archive {
namespace {

namespace fs = std::filesystem;
using intake::testing::ErrorIs;
using intake::testing::IsOk;

struct Written {
  std::string name;  // bytes as stored: a ustar header keeps them as they are
  EntryType type = EntryType::kFile;
  std::string content;  // a file's data, a link's target
  bool hard_link = false;
};

// Writes `entries` with libarchive; `setup` picks the format, filters and options.
void WriteArchive(const fs::path& out, const std::function<void(struct archive*)>& setup,
                  const std::vector<Written>& entries) {
  struct archive* a = archive_write_new();
  setup(a);
  ASSERT_EQ(archive_write_open_filename(a, out.c_str()), ARCHIVE_OK);
  for (const Written& w : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_copy_pathname(entry, w.name.c_str());
    archive_entry_set_perm(entry, 0644);
    if (w.hard_link) {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_copy_hardlink(entry, w.content.c_str());
    } else if (w.type == EntryType::kSymlink) {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_copy_symlink(entry, w.content.c_str());
    } else if (w.type == EntryType::kFolder) {
      archive_entry_set_filetype(entry, AE_IFDIR);
    } else {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_size(entry, static_cast<la_int64_t>(w.content.size()));
    }
    ASSERT_EQ(archive_write_header(a, entry), ARCHIVE_OK) << w.name;
    if (w.type == EntryType::kFile && !w.hard_link) {
      archive_write_data(a, w.content.data(), w.content.size());
    }
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

void Ustar(struct archive* a) { archive_write_set_format_ustar(a); }

// An entry as read: what the reader said, and its data.
struct Read {
  Entry entry;
  std::string data;
};

// Every entry of the archive; the first error stops the walk and is returned in `error`.
std::vector<Read> ReadAll(ArchiveReader& reader, Status& error) {
  std::vector<Read> out;
  for (;;) {
    auto entry = reader.NextEntry();
    if (!entry.ok()) {
      error = entry.status();
      return out;
    }
    if (!*entry) return out;
    out.push_back({**entry, ""});
    for (;;) {
      auto chunk = reader.ReadChunk();
      if (!chunk.ok()) {
        error = chunk.status();
        return out;
      }
      if (!*chunk) break;
      out.back().data += **chunk;
    }
  }
}

using ArchiveReaderTest = intake::testing::TempDirTest;

TEST_F(ArchiveReaderTest, EntriesComeWithTheirTypesLinksAndData) {
  std::string big(300000, '\0');  // more than one chunk
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  WriteArchive(dir_ / "case.tar", Ustar,
               {{"docs/", EntryType::kFolder, ""},
                {"docs/紹介状.pdf", EntryType::kFile, big},
                {"docs/link", EntryType::kSymlink, "紹介状.pdf"},
                {"docs/again.pdf", EntryType::kFile, "docs/紹介状.pdf", true}});
  auto reader = ArchiveReader::Open(dir_ / "case.tar");
  ASSERT_THAT(reader, IsOk());
  Status error;
  const std::vector<Read> read = ReadAll(*reader, error);
  ASSERT_THAT(error, IsOk());
  EXPECT_EQ(reader->format(), Format::kArchive);
  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(read[0].entry.name, "docs/");
  EXPECT_EQ(read[0].entry.type, EntryType::kFolder);
  EXPECT_EQ(read[1].entry.name, "docs/紹介状.pdf");  // UTF-8 in the C locale of a service
  EXPECT_EQ(read[1].entry.type, EntryType::kFile);
  EXPECT_FALSE(read[1].entry.hard_link);
  EXPECT_FALSE(read[1].entry.encrypted);
  EXPECT_EQ(read[1].data, big);
  EXPECT_EQ(read[2].entry.type, EntryType::kSymlink);
  EXPECT_EQ(read[2].data, "");
  EXPECT_TRUE(read[3].entry.hard_link);
}

TEST_F(ArchiveReaderTest, Cp932NamesAreDecoded) {
  // As a Windows zip folder writes them: CP932 bytes, not said to be anything.
  WriteArchive(dir_ / "sjis.tar", Ustar,
               {{"\x8f\x8a\x8c\xa9.pdf", EntryType::kFile, "x"},
                {"\x83\x5c\x83\x74\x83\x67/a.txt", EntryType::kFile, "y"}});  // ソフト/: '\\'
  auto reader = ArchiveReader::Open(dir_ / "sjis.tar");
  ASSERT_THAT(reader, IsOk());
  Status error;
  const std::vector<Read> read = ReadAll(*reader, error);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].entry.name, "所見.pdf");
  EXPECT_EQ(read[1].entry.name, "ソフト/a.txt");
}

TEST_F(ArchiveReaderTest, ASingleCompressedFileIsOneEntry) {
  WriteArchive(dir_ / "report.dcm.gz",
               [](struct archive* a) {
                 archive_write_add_filter_gzip(a);
                 archive_write_set_format_raw(a);
               },
               {{"data", EntryType::kFile, "DICOM bytes"}});
  auto reader = ArchiveReader::Open(dir_ / "report.dcm.gz");
  ASSERT_THAT(reader, IsOk());
  Status error;
  const std::vector<Read> read = ReadAll(*reader, error);
  ASSERT_THAT(error, IsOk());
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(reader->format(), Format::kCompressedFile);
  EXPECT_EQ(read[0].data, "DICOM bytes");
}

TEST_F(ArchiveReaderTest, BytesOfNoFormatAreNoArchive) {
  std::ofstream(dir_ / "notes.txt") << "plain text, no archive\n";
  auto reader = ArchiveReader::Open(dir_ / "notes.txt");
  ASSERT_THAT(reader, IsOk());
  auto entry = reader->NextEntry();
  ASSERT_THAT(entry, IsOk());
  EXPECT_EQ(reader->format(), Format::kUncompressed);
}

TEST_F(ArchiveReaderTest, ADamagedArchiveIsAnError) {
  std::string big(100000, 'x');
  WriteArchive(dir_ / "whole.tar", Ustar, {{"a.bin", EntryType::kFile, big}});
  const auto size = fs::file_size(dir_ / "whole.tar");
  fs::copy_file(dir_ / "whole.tar", dir_ / "cut.tar");
  fs::resize_file(dir_ / "cut.tar", size / 2);
  auto reader = ArchiveReader::Open(dir_ / "cut.tar");
  ASSERT_THAT(reader, IsOk());
  Status error;
  (void)ReadAll(*reader, error);
  EXPECT_THAT(error, ErrorIs(ErrorCode::kInvalid));
  EXPECT_THAT(ArchiveReader::Open(dir_ / "missing.zip"), ErrorIs(ErrorCode::kInvalid));
}

TEST_F(ArchiveReaderTest, AnEncryptedEntrySaysSoAndItsDataIsAnError) {
  WriteArchive(dir_ / "locked.zip",
               [](struct archive* a) {
                 archive_write_set_format_zip(a);
                 ASSERT_EQ(archive_write_set_options(a, "zip:encryption=zipcrypt"), ARCHIVE_OK);
                 ASSERT_EQ(archive_write_set_passphrase(a, "secret"), ARCHIVE_OK);
               },
               {{"a.pdf", EntryType::kFile, "%PDF-1.4"}});
  auto reader = ArchiveReader::Open(dir_ / "locked.zip");
  ASSERT_THAT(reader, IsOk());
  auto entry = reader->NextEntry();
  ASSERT_THAT(entry, IsOk());
  ASSERT_TRUE(*entry);
  EXPECT_TRUE((*entry)->encrypted);
  EXPECT_THAT(reader->ReadChunk(), ErrorIs(ErrorCode::kInvalid));
}

}  // namespace
}  // namespace intake::archive

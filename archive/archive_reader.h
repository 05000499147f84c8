// Reading archives: the libarchive adapter. Zip, 7z, tar (compressed or not), ISO 9660, RAR and
// single compressed files (report.dcm.gz) are read entry by entry, each entry's header and then,
// chunk by chunk, its data. Nothing outside archive/ sees a libarchive type.
//
//   auto reader = archive::ArchiveReader::Open(path);  // if (!reader.ok()) ...
//   for (auto entry = reader->NextEntry(); entry.ok() && *entry; entry = reader->NextEntry())
//     for (auto chunk = reader->ReadChunk(); chunk.ok() && *chunk; chunk = reader->ReadChunk())
//       use((*entry)->name, **chunk);
//
// Entry names are as the archive writes them, decoded to UTF-8 but not checked: they may be
// absolute or hold "..". A reader belongs to one thread.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/result.h"

namespace intake::archive {

enum class EntryType { kFile, kFolder, kSymlink, kOther };  // kOther: a device, FIFO or socket

struct Entry {
  // UTF-8. Zip tools on Windows write names in CP932 without saying so: those are decoded too.
  std::string name;
  EntryType type = EntryType::kOther;
  bool hard_link = false;  // a hard link to another entry
  bool encrypted = false;  // its data needs a password
};

// What the file is, as libarchive's formats and compression filters read it.
enum class Format {
  kArchive,         // entries of their own (zip, 7z, tar, ISO ...)
  kCompressedFile,  // one compressed file (report.dcm.gz): one entry, without a name of its own
  kUncompressed,    // neither: bytes no format knows, taken as they are
};

class ArchiveReader {
 public:
  // The archive at `path`, opened. An error kEncrypted when it cannot be read for a password
  // (a 7z whose headers are encrypted), kInvalid when it cannot be read otherwise.
  static Result<ArchiveReader> Open(const std::filesystem::path& path);

  ArchiveReader(ArchiveReader&&) noexcept;
  ArchiveReader& operator=(ArchiveReader&&) noexcept;
  ~ArchiveReader();

  // The next entry's header; nullopt after the last. An error when the archive is damaged here:
  // kEncrypted when it stops for a password (a 7z whose headers are encrypted), else kInvalid.
  Result<std::optional<Entry>> NextEntry();

  // The next chunk of the current entry's data, valid until the next call; nullopt after its
  // last. An error (kInvalid) when the data is damaged or encrypted.
  Result<std::optional<std::string_view>> ReadChunk();

  // Known once the first entry's header is read.
  Format format() const;

 private:
  struct Impl;
  explicit ArchiveReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace intake::archive

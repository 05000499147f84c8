#include "archive/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include "text/decode.h"

namespace intake::archive {
namespace {

// libarchive converts entry names to the current locale's charset; in the C locale of a service
// that fails for every Japanese name. A UTF-8 locale for this thread while libarchive opens the
// archive and reads a header (one locale object for the process, never freed).
class ScopedUtf8Locale {
 public:
  ScopedUtf8Locale() {
    if (Utf8() != static_cast<locale_t>(nullptr)) previous_ = uselocale(Utf8());
  }
  ~ScopedUtf8Locale() {
    if (previous_ != static_cast<locale_t>(nullptr)) uselocale(previous_);
  }
  ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
  ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;

 private:
  static locale_t Utf8() {
    static const locale_t utf8 =
        newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    return utf8;
  }
  locale_t previous_ = static_cast<locale_t>(nullptr);
};

// The entry's name in UTF-8. Zip tools on Windows write names in the ANSI code page, CP932 in
// Japan, without the UTF-8 flag; macOS writes UTF-8 without the flag. libarchive hands such a
// name over undecoded, so: valid UTF-8 is taken as it is, anything else is decoded as CP932
// (before the path is split: a CP932 character such as ソ ends in the byte of '\\').
std::string EntryNameUtf8(struct archive_entry* entry) {
  const char* raw = archive_entry_pathname(entry);
  if (raw != nullptr && text::IsValidUtf8(raw)) return raw;
  if (raw != nullptr) {
    std::string decoded = text::Cp932ToUtf8(raw);
    if (!decoded.empty()) return decoded;
  }
  const char* utf8 = archive_entry_pathname_utf8(entry);
  return utf8 != nullptr ? utf8 : (raw != nullptr ? raw : "");
}

EntryType TypeOf(struct archive_entry* entry) {
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
      return EntryType::kFile;
    case AE_IFDIR:
      return EntryType::kFolder;
    case AE_IFLNK:
      return EntryType::kSymlink;
    default:
      return EntryType::kOther;
  }
}

// The error of an archive libarchive stops reading. A 7z whose headers are encrypted (7z a -p
// -mhe=on) stops at its first header, but libarchive knows why: kEncrypted, not a broken file.
Error Unreadable(struct archive* a, const char* what) {
  if (archive_read_has_encrypted_entries(a) > 0) {
    return Error{std::string(what) + ": encrypted", ErrorCode::kEncrypted};
  }
  return Error{std::string(what) + ": damaged or of no known format", ErrorCode::kInvalid};
}

}  // namespace

struct ArchiveReader::Impl {
  struct Free {
    void operator()(struct archive* a) const { archive_read_free(a); }
  };
  std::unique_ptr<struct archive, Free> a;
};

ArchiveReader::ArchiveReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ArchiveReader::ArchiveReader(ArchiveReader&&) noexcept = default;
ArchiveReader& ArchiveReader::operator=(ArchiveReader&&) noexcept = default;
ArchiveReader::~ArchiveReader() = default;

Result<ArchiveReader> ArchiveReader::Open(const std::filesystem::path& path) {
  const ScopedUtf8Locale utf8_names;
  auto impl = std::make_unique<Impl>();
  impl->a.reset(archive_read_new());
  if (impl->a == nullptr) return Error{"archive reader not created", ErrorCode::kOutOfMemory};
  struct archive* a = impl->a.get();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  // A single compressed file (report.dcm.gz): libarchive's raw format, which only wins when no
  // archive format matches (format() tells it apart).
  archive_read_support_format_raw(a);
  if (archive_read_open_filename(a, path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Unreadable(a, "archive could not be opened");
  }
  return ArchiveReader(std::move(impl));
}

Result<std::optional<Entry>> ArchiveReader::NextEntry() {
  const ScopedUtf8Locale utf8_names;
  struct archive_entry* header = nullptr;
  const int r = archive_read_next_header(impl_->a.get(), &header);
  if (r == ARCHIVE_EOF) return std::optional<Entry>();
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return Unreadable(impl_->a.get(), "archive entry");
  Entry entry;
  entry.name = EntryNameUtf8(header);
  entry.type = TypeOf(header);
  entry.hard_link = archive_entry_hardlink(header) != nullptr;
  entry.encrypted = archive_entry_is_encrypted(header) != 0;
  return std::optional<Entry>(std::move(entry));
}

Result<std::optional<std::string_view>> ArchiveReader::ReadChunk() {
  const void* buf = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  const int r = archive_read_data_block(impl_->a.get(), &buf, &size, &offset);
  if (r == ARCHIVE_EOF) return std::optional<std::string_view>();
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
    return Error{"archive entry's data damaged or encrypted", ErrorCode::kInvalid};
  }
  return std::optional<std::string_view>(std::string_view(static_cast<const char*>(buf), size));
}

Format ArchiveReader::format() const {
  struct archive* a = impl_->a.get();
  if (archive_format(a) != ARCHIVE_FORMAT_RAW) return Format::kArchive;
  return archive_filter_count(a) < 2 ? Format::kUncompressed : Format::kCompressedFile;
}

}  // namespace intake::archive

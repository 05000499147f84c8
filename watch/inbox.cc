#include "watch/inbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

namespace intake::watch {
namespace {

namespace fs = std::filesystem;

bool EndsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), s.end() - suffix.size(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && EndsWithNoCase(a, b);
}

constexpr std::array<std::string_view, 6> kInProgressSuffixes{
    ".part", ".partial", ".crdownload", ".download", ".filepart", ".tmp"};

std::int64_t MtimeNs(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

// FNV-1a, 64 bit: a change detector for folder trees, not a cryptographic hash.
class Digest {
 public:
  void Add(std::string_view bytes) {
    for (unsigned char c : bytes) {
      h_ ^= c;
      h_ *= 0x100000001b3ULL;
    }
  }
  void Add(std::uint64_t v) { Add(std::string_view(reinterpret_cast<const char*>(&v), sizeof v)); }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

// Walks a folder submission without following links and fills the folder fields of `entry`.
void DescribeFolder(const fs::path& dir, InboxEntry& entry) {
  Digest digest;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  if (ec) {
    entry.unreadable = true;
    return;
  }
  std::vector<std::string> lines;  // sorted below: the digest must not depend on listing order
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) {
      entry.unreadable = true;
      break;
    }
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;  // vanished meanwhile
    const std::string name = it->path().filename().string();
    if (S_ISREG(st.st_mode)) {
      ++entry.file_count;
      entry.size += static_cast<std::uint64_t>(st.st_size);
      if (IsInProgressName(name)) entry.in_progress_inside = true;
    }
    entry.mtime_ns = std::max(entry.mtime_ns, MtimeNs(st));
    std::string line = it->path().lexically_relative(dir).string();
    line.push_back('\0');
    line += std::to_string(st.st_mode) + ":" + std::to_string(st.st_size) + ":" +
            std::to_string(MtimeNs(st)) + ":" + std::to_string(st.st_ino);
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  for (const auto& line : lines) {
    digest.Add(line);
    digest.Add(std::string_view("\n"));
  }
  entry.tree_digest = digest.value();
}

// --- format probes -------------------------------------------------------------------------

class Reader {
 public:
  explicit Reader(const fs::path& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    struct stat st {};
    if (fd_ >= 0 && ::fstat(fd_, &st) == 0) size_ = static_cast<std::uint64_t>(st.st_size);
  }
  ~Reader() {
    if (fd_ >= 0) ::close(fd_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool ok() const { return fd_ >= 0; }
  std::uint64_t size() const { return size_; }
  // Up to n bytes at offset (fewer at the end of the file).
  std::string At(std::uint64_t offset, std::size_t n) const {
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, out.data() + got, n - got, static_cast<off_t>(offset + got));
      if (r <= 0) break;
      got += static_cast<std::size_t>(r);
    }
    out.resize(got);
    return out;
  }
  std::string Tail(std::size_t n) const {
    const std::uint64_t start = size_ > n ? size_ - n : 0;
    return At(start, static_cast<std::size_t>(size_ - start));
  }

 private:
  int fd_;
  std::uint64_t size_ = 0;
};

std::uint64_t LittleEndian(std::string_view b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}
std::uint64_t BigEndian(std::string_view b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

Completeness Verdict(bool complete) {
  return complete ? Completeness::kComplete : Completeness::kIncomplete;
}

Completeness ProbeZip(const Reader& r) {
  // The end of central directory record sits in the last 22 + 65535 (comment) bytes.
  const std::string tail = r.Tail(22 + 65535);
  const std::size_t eocd = tail.rfind(std::string_view("PK\x05\x06", 4));
  if (eocd == std::string::npos || eocd + 22 > tail.size()) return Completeness::kIncomplete;
  const std::uint64_t eocd_offset = r.size() - tail.size() + eocd;
  const std::uint64_t dir_size = LittleEndian(tail, eocd + 12, 4);
  const std::uint64_t dir_offset = LittleEndian(tail, eocd + 16, 4);
  if (dir_offset == 0xFFFFFFFF || dir_size == 0xFFFFFFFF) return Completeness::kComplete;  // zip64
  return Verdict(dir_offset + dir_size <= eocd_offset);
}

Completeness Probe7z(const Reader& r, std::string_view head) {
  if (head.size() < 32) return Completeness::kIncomplete;
  const std::uint64_t next_offset = LittleEndian(head, 12, 8);
  const std::uint64_t next_size = LittleEndian(head, 20, 8);
  if (next_offset > r.size() || next_size > r.size()) return Completeness::kIncomplete;
  return Verdict(32 + next_offset + next_size <= r.size());
}

// Follows the IFD chain; every IFD and every strip or tile it points to must be in the file.
Completeness ProbeTiff(const Reader& r, std::string_view head) {
  const bool le = head[0] == 'I';
  auto num = [le](std::string_view b, std::size_t at, int bytes) {
    return le ? LittleEndian(b, at, bytes) : BigEndian(b, at, bytes);
  };
  std::uint64_t ifd = num(head, 4, 4);
  if (ifd == 0) return Completeness::kIncomplete;
  for (int guard = 0; ifd != 0; ++guard) {
    if (guard > 100000 || ifd + 2 > r.size()) return Completeness::kIncomplete;
    const std::uint64_t count = num(r.At(ifd, 2), 0, 2);
    const std::string entries = r.At(ifd + 2, static_cast<std::size_t>(count * 12 + 4));
    if (entries.size() < count * 12 + 4) return Completeness::kIncomplete;
    // Offsets (273 strips, 324 tiles) and byte counts (279, 325) of this image.
    std::vector<std::uint64_t> offsets, counts;
    for (std::uint64_t e = 0; e < count; ++e) {
      const std::size_t at = static_cast<std::size_t>(e * 12);
      const std::uint64_t tag = num(entries, at, 2);
      if (tag != 273 && tag != 279 && tag != 324 && tag != 325) continue;
      const std::uint64_t type = num(entries, at + 2, 2);
      const std::uint64_t n = num(entries, at + 4, 4);
      const int width = type == 3 ? 2 : (type == 4 ? 4 : 0);  // SHORT or LONG
      if (width == 0 || n == 0 || n > 1000000) return Completeness::kIncomplete;
      std::string values;
      if (n * width <= 4) {
        values = entries.substr(at + 8, 4);
      } else {
        const std::uint64_t where = num(entries, at + 8, 4);
        if (where + n * width > r.size()) return Completeness::kIncomplete;
        values = r.At(where, static_cast<std::size_t>(n * width));
      }
      auto& out = (tag == 273 || tag == 324) ? offsets : counts;
      for (std::uint64_t i = 0; i < n; ++i) out.push_back(num(values, i * width, width));
    }
    for (std::size_t i = 0; i < std::min(offsets.size(), counts.size()); ++i) {
      if (offsets[i] + counts[i] > r.size()) return Completeness::kIncomplete;
    }
    ifd = num(entries, static_cast<std::size_t>(count * 12), 4);
  }
  return Completeness::kComplete;
}

Completeness ProbeIso(const Reader& r) {
  const std::string pvd = r.At(0x8000, 2048);
  if (pvd.size() < 2048) return Completeness::kIncomplete;
  const std::uint64_t blocks = LittleEndian(pvd, 80, 4);
  const std::uint64_t block_size = LittleEndian(pvd, 128, 2);
  return Verdict(blocks * block_size <= r.size());
}

Completeness ProbeTar(const Reader& r) {
  if (r.size() % 512 != 0 || r.size() < 1536) return Completeness::kIncomplete;
  // An archive ends with at least two zero blocks; writers may pad further with zeros.
  const std::string end = r.Tail(1024);
  return Verdict(std::all_of(end.begin(), end.end(), [](char c) { return c == 0; }));
}

}  // namespace

bool IsInProgressName(std::string_view name) {
  if (name.starts_with("~$")) return true;
  for (std::string_view suffix : kInProgressSuffixes)
    if (EndsWithNoCase(name, suffix)) return true;
  return false;
}

bool IsIgnoredName(std::string_view name) {
  if (name.empty() || name.starts_with(".")) return true;
  if (IsInProgressName(name)) return true;
  if (EqualsNoCase(name, "Thumbs.db") || EqualsNoCase(name, "desktop.ini")) return true;
  return EndsWithNoCase(name, kReadySuffix);
}

std::string MarkerTarget(std::string_view name) {
  if (name.size() <= kReadySuffix.size() || !EndsWithNoCase(name, kReadySuffix)) return {};
  return std::string(name.substr(0, name.size() - kReadySuffix.size()));
}

bool InboxEntry::SameSignature(const InboxEntry& o) const {
  return kind == o.kind && size == o.size && mtime_ns == o.mtime_ns && inode == o.inode &&
         tree_digest == o.tree_digest && file_count == o.file_count &&
         in_progress_inside == o.in_progress_inside && unreadable == o.unreadable;
}

Result<std::vector<InboxEntry>> ScanInbox(const fs::path& inbox) {
  using R = Result<std::vector<InboxEntry>>;
  std::error_code ec;
  fs::directory_iterator it(inbox, ec);
  if (ec) return R::Fail("inbox cannot be listed: " + ec.message());
  std::vector<std::string> names;
  std::vector<std::string> markers;
  for (const fs::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return R::Fail("inbox cannot be listed: " + ec.message());
    const std::string name = it->path().filename().string();
    const std::string target = MarkerTarget(name);
    if (!target.empty() && !name.starts_with(".")) markers.push_back(target);
    if (!IsIgnoredName(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  std::vector<InboxEntry> out;
  for (const auto& name : names) {
    struct stat st {};
    if (::lstat((inbox / name).c_str(), &st) != 0) continue;  // gone since the listing
    InboxEntry entry;
    entry.name = name;
    entry.inode = st.st_ino;
    entry.mtime_ns = MtimeNs(st);
    if (S_ISREG(st.st_mode)) {
      entry.kind = EntryKind::kFile;
      entry.size = static_cast<std::uint64_t>(st.st_size);
    } else if (S_ISDIR(st.st_mode)) {
      entry.kind = EntryKind::kFolder;
      DescribeFolder(inbox / name, entry);
    } else {
      continue;  // links, sockets, devices, pipes
    }
    entry.has_marker = std::find(markers.begin(), markers.end(), name) != markers.end();
    out.push_back(std::move(entry));
  }
  return out;
}

std::string_view CompletenessName(Completeness c) {
  switch (c) {
    case Completeness::kComplete:
      return "complete";
    case Completeness::kIncomplete:
      return "incomplete";
    case Completeness::kUnknown:
      return "unknown";
  }
  return "unknown";
}

Completeness ProbeFile(const fs::path& path) {
  Reader r(path);
  if (!r.ok()) return Completeness::kUnknown;  // the pipeline will report what it cannot read
  const std::string head = r.At(0, 1024);
  auto starts = [&head](std::string_view magic) { return head.starts_with(magic); };
  using namespace std::string_view_literals;
  if (head.find("%PDF-") != std::string::npos) {
    return Verdict(r.Tail(2048).find("%%EOF") != std::string::npos);
  }
  if (starts("PK\x03\x04"sv) || starts("PK\x05\x06"sv)) return ProbeZip(r);
  if (starts("7z\xBC\xAF\x27\x1C"sv)) return Probe7z(r, head);
  if (starts("\x89PNG\r\n\x1a\n"sv)) {
    return Verdict(r.Tail(64).find("IEND\xAE\x42\x60\x82"sv) != std::string::npos);
  }
  if (starts("\xFF\xD8\xFF"sv))
    return Verdict(r.Tail(1024).find("\xFF\xD9"sv) != std::string::npos);
  if (starts("II*\0"sv) || starts("MM\0*"sv)) return ProbeTiff(r, head);
  if (starts("\xFD"
             "7zXZ\0"sv))
    return Verdict(r.Tail(2) == "YZ");
  if (r.At(0x8001, 5) == "CD001") return ProbeIso(r);
  if (head.size() >= 262 && head.compare(257, 5, "ustar") == 0) return ProbeTar(r);
  return Completeness::kUnknown;
}

Completeness ProbeEntry(const fs::path& path, EntryKind kind) {
  if (kind == EntryKind::kFile) return ProbeFile(path);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec) &&
        ProbeFile(it->path()) == Completeness::kIncomplete)
      return Completeness::kIncomplete;
  }
  return Completeness::kComplete;
}

}  // namespace intake::watch

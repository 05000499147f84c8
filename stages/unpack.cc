#include "stages/unpack.h"

#include <limits.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "archive/archive_reader.h"
#include "pipeline/fault_points.h"
#include "pipeline/folder_walk.h"
#include "pipeline/log.h"
#include "pipeline/progress.h"
#include "stages/identify.h"

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

// Splits an archive entry path into safe components, or returns an empty vector when the path
// must not be extracted (absolute, `..`, empty, NUL, overlong component).
std::vector<std::string> SafeComponents(const std::string& entry_path) {
  std::vector<std::string> parts;
  if (entry_path.empty() || entry_path.front() == '/' || entry_path.front() == '\\') return {};
  if (entry_path.size() >= 2 && entry_path[1] == ':') return {};  // C:\...
  std::string part;
  auto flush = [&]() -> bool {
    if (part.empty() || part == ".") {
      part.clear();
      return true;
    }
    if (part == ".." || part.size() > 255) return false;
    parts.push_back(part);
    part.clear();
    return true;
  };
  for (char ch : entry_path) {
    if (ch == '\0') return {};
    if (ch == '/' || ch == '\\') {
      if (!flush()) return {};
    } else {
      part.push_back(ch);
    }
  }
  if (!flush()) return {};
  return parts;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

// `name` with "~N" appended, its end cut (at a UTF-8 character boundary) so that the result
// still fits a file system's 255-byte name limit.
std::string Suffixed(const std::string& name, int n) {
  std::string suffix = "~";  // appended, not `"~" + to_string`: GCC 12 -Wrestrict at -O3
  suffix += std::to_string(n);
  constexpr std::size_t kMaxName = 255;
  std::size_t keep = std::min(name.size(), kMaxName - suffix.size());
  while (keep > 0 && keep < name.size() && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80)
    --keep;
  return name.substr(0, keep) + suffix;
}

// Where the entries of one archive go below its folder of the work area. Names stay as in the
// archive where they can; a name already taken (the same entry twice, or a file `x` beside a
// folder `x/`) gets "~2", "~3" ... Everything is decided in memory, so 20,000 entries of one
// name cost 20,000 steps, not 20,000² file system look-ups.
class EntryPlacer {
 public:
  // The relative path for a file entry with these (safe) components.
  std::string Place(const std::vector<std::string>& parts) {
    std::string requested;
    std::string parent;  // where the folders asked for so far actually are
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      requested += (i == 0 ? "" : "/") + parts[i];
      auto [it, added] = folders_.try_emplace(requested);
      if (added) it->second = Claim(parent, parts[i]);
      parent = it->second;
    }
    return Claim(parent, parts.back());
  }

 private:
  std::string Claim(const std::string& parent, const std::string& name) {
    const std::string prefix = parent.empty() ? "" : parent + "/";
    std::string path = prefix + name;
    if (used_.insert(path).second) return path;
    int& next = next_suffix_[path];
    for (next = std::max(next, 2);; ++next) {
      std::string candidate = prefix;
      candidate += Suffixed(name, next);
      if (used_.insert(candidate).second) return candidate;
    }
  }

  std::unordered_set<std::string> used_;                  // files and folders placed
  std::unordered_map<std::string, std::string> folders_;  // folder asked for -> placed
  std::unordered_map<std::string, int> next_suffix_;      // name taken -> next N to try
};

// The name of the one file inside a compressed single file: "scan.dcm.gz" -> "scan.dcm",
// "zipMR.gz" -> "zipMR" ("data" when nothing is left).
std::string RawEntryName(const std::string& relative_path) {
  std::string name = fs::path(relative_path).filename().string();
  const std::size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot > 0) name.resize(dot);
  return name.empty() ? "data" : name;
}

class UnpackStage final : public Stage {
 public:
  UnpackStage(fs::path submission, UnpackLimits limits)
      : submission_(std::move(submission)), limits_(limits) {}

  std::string_view name() const override { return "unpack"; }

  Status Run(Case& c) override {
    std::error_code ec;
    const auto status = fs::symlink_status(submission_, ec);
    if (ec || !fs::exists(status)) return Status::Fail("submission not found");
    if (fs::is_directory(status)) {
      Status s = AddFolder(c, submission_);
      if (!s.ok()) return s;
    } else if (fs::is_regular_file(status)) {
      AddFile(c, submission_, submission_.filename().string(), "", 0);
    } else {
      return Status::Fail("submission is neither a file nor a folder");
    }
    // Breadth-first over the archives found, so nesting depth is known.
    while (!pending_.empty()) {
      auto [file_index, depth] = pending_.front();
      pending_.pop_front();
      Status s = Extract(c, file_index, depth);
      if (!s.ok()) return s;
    }
    ReportSkipped(c);
    Log()->info("case {} unpack: {} files, {} archives extracted, {} bytes", c.id, c.files.size(),
                archives_, total_bytes_);
    return Status::Ok();
  }

 private:
  // Each file that cannot be read, sub-folder that cannot be listed or entry that is not a file
  // (FIFO, socket, device) is a finding of its own; the rest of the folder goes on.
  Status AddFolder(Case& c, const fs::path& root) {
    auto listing = ListFolder(root);
    if (!listing.ok()) return listing.status();
    skipped_links_ += listing->symlinks;
    const auto relative = [&](const fs::path& p) { return PathBelow(p, root); };
    for (const auto& p : listing->files) {
      if (!std::ifstream(p, std::ios::binary)) {
        c.AddFinding(
            FindingCode::kCorruptFile,
            "ファイルを読み取れません（アクセス権がありません）。読める状態で再送を依頼して"
            "ください: " +
                relative(p));
        continue;
      }
      AddFile(c, p, relative(p), "", 0);
    }
    for (const auto& p : listing->unreadable_dirs) {
      c.AddFinding(FindingCode::kCorruptFile,
                   "フォルダを読み取れません（アクセス権がありません）。中のファイルは読んでいませ"
                   "ん: " +
                       relative(p));
    }
    for (const auto& p : listing->special) {
      c.AddFinding(
          FindingCode::kUnsafePath,
          "ファイルではない項目（FIFO・ソケット・デバイス）は読みませんでした: " + relative(p));
    }
    return Status::Ok();
  }

  void AddFile(Case& c, const fs::path& path, std::string relative, std::string container,
               int depth) {
    SourceFile f;
    f.id = c.NextFileId();
    ReportFile(f.id);
    f.path = path;
    f.relative_path = std::move(relative);
    f.container_id = std::move(container);
    std::error_code ec;
    f.size = fs::file_size(path, ec);
    const bool top_level = f.container_id.empty() && f.relative_path.find('/') == std::string::npos;
    const Identified id = IdentifyFile(path, top_level);
    f.kind = id.kind;
    f.mime = id.mime;
    if (f.kind == FileKind::kArchive) pending_.emplace_back(c.files.size(), depth);
    c.files.push_back(std::move(f));
  }

  // One archive being read: its reader, where its entries go, what the walk has counted so far.
  struct ArchiveWalk {
    archive::ArchiveReader& reader;
    const SourceFile& file;
    fs::path dest_root;
    int depth;
    EntryPlacer placer = {};
    std::uint64_t bytes = 0;
    bool encrypted_reported = false;
    bool limit_hit = false;
  };
  enum class Next { kEntry, kStop };

  Status Extract(Case& c, std::size_t file_index, int depth) {
    const SourceFile archive_file = c.files[file_index];  // copy: c.files grows below
    if (depth >= limits_.max_depth) {
      c.AddFinding(FindingCode::kArchiveLimitExceeded,
                   "圧縮ファイルの入れ子が深すぎるため展開しませんでした（上限 " +
                       std::to_string(limits_.max_depth) + " 階層）: " + archive_file.relative_path,
                   archive_file.id);
      return Status::Ok();
    }
    ReportFile(archive_file.id);
    HangPoint("unpack");
    Result<archive::ArchiveReader> reader = archive::ArchiveReader::Open(archive_file.path);
    if (!reader.ok()) {
      bool encrypted_reported = false;
      ReportUnreadable(c, reader.error(), archive_file,
                       "圧縮ファイルを開けません: ", encrypted_reported);
      return Status::Ok();
    }
    ++archives_;
    ArchiveWalk walk{*reader, archive_file, c.work_dir / "unpacked" / archive_file.id, depth};
    for (;;) {
      const Result<Next> next = ExtractNextEntry(c, walk);
      if (!next.ok()) return next.status();
      if (*next == Next::kStop) break;
    }
    if (walk.limit_hit) {
      c.AddFinding(FindingCode::kArchiveLimitExceeded,
                   "圧縮ファイルが上限（展開後のサイズ・圧縮率・項目数）を超えたため、展開を途中で"
                   "止めました: " +
                       archive_file.relative_path,
                   archive_file.id);
    }
    return Status::Ok();
  }

  // Reads the next entry's header and extracts the entry. kStop at the end, on damage or at a
  // limit; an error when the work area cannot be written.
  Result<Next> ExtractNextEntry(Case& c, ArchiveWalk& walk) {
    const Result<std::optional<archive::Entry>> entry = walk.reader.NextEntry();
    if (!entry.ok()) {
      ReportUnreadable(c, entry.error(), walk.file,
                       "圧縮ファイルが途中で壊れています（読めた部分のみ処理します）: ",
                       walk.encrypted_reported);
      return Next::kStop;
    }
    if (!*entry) return Next::kStop;  // the end
    if (++entries_ > limits_.max_entries) {
      walk.limit_hit = true;
      return Next::kStop;
    }
    const archive::Format format = walk.reader.format();
    if (format == archive::Format::kUncompressed) {  // not an archive after all
      c.AddFinding(FindingCode::kCorruptFile,
                   "圧縮ファイルを開けません: " + walk.file.relative_path, walk.file.id);
      return Next::kStop;
    }
    const std::string entry_path = format == archive::Format::kCompressedFile
                                       ? RawEntryName(walk.file.relative_path)
                                       : (*entry)->name;
    const archive::EntryType type = (*entry)->type;
    if (type == archive::EntryType::kFolder) return Next::kEntry;
    if ((*entry)->encrypted) {
      if (!walk.encrypted_reported) ReportEncrypted(c, walk.file);
      walk.encrypted_reported = true;
      return Next::kEntry;
    }
    const auto parts = SafeComponents(entry_path);
    const bool is_link = type == archive::EntryType::kSymlink || (*entry)->hard_link;
    const bool unsafe = parts.empty() || is_link || type != archive::EntryType::kFile;
    const fs::path dest = unsafe ? fs::path() : walk.dest_root / walk.placer.Place(parts);
    if (unsafe || dest.native().size() >= PATH_MAX) {
      return SkipUnsafeEntry(c, walk, entry_path, unsafe);
    }
    return WriteEntry(c, walk, dest, entry_path, parts);
  }

  // An entry that is not extracted (an unsafe path, a link, a special file, a path too long).
  Next SkipUnsafeEntry(Case& c, ArchiveWalk& walk, const std::string& entry_path, bool unsafe) {
    c.AddFinding(FindingCode::kUnsafePath,
                 unsafe ? "安全でない項目（絶対パス・上位フォルダへのパス・リンク・特殊ファイル）"
                          "を展開しませんでした: " +
                              walk.file.relative_path + " 内の " + entry_path
                        : "パスが長すぎる項目（" + std::to_string(PATH_MAX) +
                              " バイト以上）を展開しませんでした: " + walk.file.relative_path,
                 walk.file.id);
    // Not written, but read through all the same where the format cannot seek past it
    // (a compressed tar): its bytes count against the limits like any other's.
    if (CopyData(walk.reader, nullptr, walk.file, walk.bytes) == Copied::kLimit) {
      walk.limit_hit = true;
      return Next::kStop;
    }
    return Next::kEntry;
  }

  // Writes the current entry to `dest` in the work area and adds it to the case's files.
  Result<Next> WriteEntry(Case& c, ArchiveWalk& walk, const fs::path& dest,
                          const std::string& entry_path, const std::vector<std::string>& parts) {
    std::error_code ec;
    fs::create_directories(dest.parent_path(), ec);
    if (ec) return Error{"could not create a folder in the work area"};
    std::ofstream out(dest, std::ios::binary | std::ios::trunc);
    if (!out) return Error{"could not write to the work area"};
    const Copied copied = CopyData(walk.reader, &out, walk.file, walk.bytes);
    out.close();
    if (copied == Copied::kWriteError) {
      return Error{"write error in the work area (disk full?)"};
    }
    if (copied == Copied::kLimit) {
      walk.limit_hit = true;
      fs::remove(dest, ec);
      return Next::kStop;
    }
    if (copied == Copied::kCorrupt) {
      fs::remove(dest, ec);
      c.AddFinding(FindingCode::kCorruptFile,
                   "圧縮ファイル内の項目を取り出せません: " + walk.file.relative_path + " 内の " +
                       entry_path,
                   walk.file.id);
      return Next::kEntry;
    }
    AddFile(c, dest, walk.file.relative_path + "/" + Join(parts), walk.file.id, walk.depth + 1);
    return Next::kEntry;
  }

  enum class Copied { kDone, kCorrupt, kLimit, kWriteError };

  // Reads the current entry's data into `out` (nullptr: only counted), against the limits on
  // all extracted bytes and on this archive's ratio.
  Copied CopyData(archive::ArchiveReader& reader, std::ofstream* out,
                  const SourceFile& archive_file, std::uint64_t& archive_bytes) {
    const double max_bytes =
        limits_.max_ratio * static_cast<double>(std::max<std::uint64_t>(archive_file.size, 1));
    for (;;) {
      const Result<std::optional<std::string_view>> chunk = reader.ReadChunk();
      if (!chunk.ok()) return Copied::kCorrupt;
      if (!*chunk) return Copied::kDone;
      const std::string_view bytes = **chunk;
      archive_bytes += bytes.size();
      total_bytes_ += bytes.size();
      if (total_bytes_ > limits_.max_total_bytes ||
          (archive_bytes > (64ULL << 20) && static_cast<double>(archive_bytes) > max_bytes)) {
        return Copied::kLimit;
      }
      if (out == nullptr) continue;
      out->write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!*out) return Copied::kWriteError;
    }
  }

  static void ReportEncrypted(Case& c, const SourceFile& archive_file) {
    c.AddFinding(FindingCode::kEncryptedArchive,
                 "パスワード付きの圧縮ファイルは開けません。パスワードを外して再送していただくか、"
                 "書類を郵送してください: " +
                     archive_file.relative_path,
                 archive_file.id);
  }

  // An archive that stops being read: ENCRYPTED_ARCHIVE when it stopped for a password (a 7z
  // whose headers are encrypted stops at its first header), a broken file otherwise.
  static void ReportUnreadable(Case& c, const Error& error, const SourceFile& archive_file,
                               const std::string& message, bool& encrypted_reported) {
    if (error.code == ErrorCode::kEncrypted) {
      if (!encrypted_reported) ReportEncrypted(c, archive_file);
      encrypted_reported = true;
      return;
    }
    c.AddFinding(FindingCode::kCorruptFile, message + archive_file.relative_path, archive_file.id);
  }

  void ReportSkipped(Case& c) {
    if (skipped_links_ > 0) {
      c.AddFinding(FindingCode::kUnsafePath, "提出フォルダ内のシンボリックリンク " +
                                                 std::to_string(skipped_links_) +
                                                 " 件は読みませんでした");
    }
  }

  fs::path submission_;
  UnpackLimits limits_;
  std::deque<std::pair<std::size_t, int>> pending_;  // (index into c.files, depth)
  std::uint64_t total_bytes_ = 0;
  std::uint64_t entries_ = 0;
  int archives_ = 0;
  int skipped_links_ = 0;
};

}  // namespace

std::unique_ptr<Stage> MakeUnpackStage(std::filesystem::path submission, UnpackLimits limits) {
  return std::make_unique<UnpackStage>(std::move(submission), limits);
}

namespace {

// Unpacks one envelope of a case that may span several: its files marked with its number.
class EnvelopeUnpackStage final : public Stage {
 public:
  EnvelopeUnpackStage(fs::path submission, int number)
      : unpack_(MakeUnpackStage(std::move(submission))), number_(number) {}

  std::string_view name() const override { return "unpack"; }

  Status Run(Case& c) override {
    const std::size_t before = c.files.size();
    Status s = unpack_->Run(c);
    for (std::size_t i = before; i < c.files.size(); ++i) c.files[i].envelope = number_;
    return s;
  }

 private:
  std::unique_ptr<Stage> unpack_;
  int number_;
};

}  // namespace

std::unique_ptr<Stage> MakeEnvelopeUnpackStage(fs::path submission, int number) {
  return std::make_unique<EnvelopeUnpackStage>(std::move(submission), number);
}

}  // namespace intake::stages

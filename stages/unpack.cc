#include "stages/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <unicode/ucnv.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/fault_points.h"
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

// A path that does not exist yet: "name", then "name~2", "name~3", ... (duplicate entries).
fs::path Unused(const fs::path& wanted) {
  if (!fs::exists(wanted)) return wanted;
  for (int i = 2;; ++i) {
    fs::path candidate = wanted;
    candidate += "~" + std::to_string(i);
    if (!fs::exists(candidate)) return candidate;
  }
}

bool IsValidUtf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const auto n = static_cast<int32_t>(bytes.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) return false;
  }
  return true;
}

// Windows' Japanese code page (Shift_JIS with the NEC and IBM extensions) to UTF-8; empty when
// the bytes are not valid CP932. ICU knows it as "windows-31j".
std::string Cp932ToUtf8(std::string_view bytes) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* cp932 = ucnv_open("windows-31j", &status);
  if (U_FAILURE(status)) return {};
  ucnv_setToUCallBack(cp932, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  std::u16string units(bytes.size() + 1, u'\0');  // CP932 never takes fewer bytes than UTF-16
  const int32_t length = ucnv_toUChars(cp932, units.data(), static_cast<int32_t>(units.size()),
                                       bytes.data(), static_cast<int32_t>(bytes.size()), &status);
  ucnv_close(cp932);
  if (U_FAILURE(status)) return {};
  std::string out;
  icu::UnicodeString(units.data(), length).toUTF8String(out);
  return out;
}

// The entry's name in UTF-8. Zip tools on Windows write names in the ANSI code page, CP932 in
// Japan, without the UTF-8 flag; macOS writes UTF-8 without the flag. libarchive hands such a
// name over undecoded, so: valid UTF-8 is taken as it is, anything else is decoded as CP932
// (before the path is split: a CP932 character such as ソ ends in the byte of '\\').
std::string EntryNameUtf8(struct archive_entry* entry) {
  const char* raw = archive_entry_pathname(entry);
  if (raw != nullptr && IsValidUtf8(raw)) return raw;
  if (raw != nullptr) {
    std::string decoded = Cp932ToUtf8(raw);
    if (!decoded.empty()) return decoded;
  }
  const char* utf8 = archive_entry_pathname_utf8(entry);
  return utf8 != nullptr ? utf8 : (raw != nullptr ? raw : "");
}

// libarchive converts entry names to the current locale's charset; in the C locale of a service
// that fails for every Japanese name. A UTF-8 locale for this thread, for the stage's duration.
class ScopedUtf8Locale {
 public:
  ScopedUtf8Locale() : utf8_(newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr))) {
    if (utf8_ != static_cast<locale_t>(nullptr)) previous_ = uselocale(utf8_);
  }
  ~ScopedUtf8Locale() {
    if (utf8_ == static_cast<locale_t>(nullptr)) return;
    uselocale(previous_);
    freelocale(utf8_);
  }
  ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
  ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;

 private:
  locale_t utf8_;
  locale_t previous_ = static_cast<locale_t>(nullptr);
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
    const ScopedUtf8Locale utf8_names;
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
  Status AddFolder(Case& c, const fs::path& root) {
    std::error_code ec;
    std::vector<fs::path> paths;
    for (fs::recursive_directory_iterator
             it(root, fs::directory_options::skip_permission_denied, ec),
         end;
         it != end; it.increment(ec)) {
      if (ec) return Status::Fail("submission folder could not be listed");
      const auto st = it->symlink_status(ec);
      if (fs::is_symlink(st)) {
        ++skipped_links_;
        continue;
      }
      if (fs::is_regular_file(st)) paths.push_back(it->path());
    }
    std::sort(paths.begin(), paths.end());  // deterministic ids
    for (const auto& p : paths) {
      const auto rel = fs::relative(p, root, ec).generic_string();
      AddFile(c, p, rel, "", 0);
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

  Status Extract(Case& c, std::size_t file_index, int depth) {
    const SourceFile archive_file = c.files[file_index];  // copy: c.files grows below
    if (depth >= limits_.max_depth) {
      c.AddFinding("ARCHIVE_LIMIT_EXCEEDED",
                   "圧縮ファイルの入れ子が深すぎるため展開しませんでした（上限 " +
                       std::to_string(limits_.max_depth) + " 階層）: " + archive_file.relative_path,
                   archive_file.id);
      return Status::Ok();
    }
    ReportFile(archive_file.id);
    HangPoint("unpack");
    struct archive* a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    // A single compressed file (report.dcm.gz): libarchive's raw format, which only wins when no
    // archive format matches; accepted below only behind a compression filter.
    archive_read_support_format_raw(a);
    if (archive_read_open_filename(a, archive_file.path.c_str(), 1 << 16) != ARCHIVE_OK) {
      c.AddFinding("CORRUPT_FILE", "圧縮ファイルを開けません: " + archive_file.relative_path,
                   archive_file.id);
      archive_read_free(a);
      return Status::Ok();
    }
    ++archives_;
    const fs::path dest_root = c.work_dir / "unpacked" / archive_file.id;
    std::uint64_t archive_bytes = 0;
    bool encrypted_reported = false;
    bool limit_hit = false;
    Status result = Status::Ok();
    struct archive_entry* entry = nullptr;
    for (;;) {
      const int r = archive_read_next_header(a, &entry);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        c.AddFinding("CORRUPT_FILE",
                     "圧縮ファイルが途中で壊れています（読めた部分のみ処理します）: " +
                         archive_file.relative_path,
                     archive_file.id);
        break;
      }
      if (++entries_ > limits_.max_entries) {
        limit_hit = true;
        break;
      }
      std::string entry_path = EntryNameUtf8(entry);
      if (archive_format(a) == ARCHIVE_FORMAT_RAW) {
        if (archive_filter_count(a) < 2) {  // not compressed: not an archive after all
          c.AddFinding("CORRUPT_FILE", "圧縮ファイルを開けません: " + archive_file.relative_path,
                       archive_file.id);
          break;
        }
        entry_path = RawEntryName(archive_file.relative_path);
      }
      const auto type = archive_entry_filetype(entry);
      if (type == AE_IFDIR) continue;
      if (archive_entry_is_encrypted(entry)) {
        if (!encrypted_reported) {
          c.AddFinding(
              "ENCRYPTED_ARCHIVE",
              "パスワード付きの圧縮ファイルは開けません。パスワードを外して再送していただくか、"
              "書類を郵送してください: " +
                  archive_file.relative_path,
              archive_file.id);
          encrypted_reported = true;
        }
        continue;
      }
      const auto parts = SafeComponents(entry_path);
      const bool is_link = type == AE_IFLNK || archive_entry_hardlink(entry) != nullptr;
      if (parts.empty() || is_link || type != AE_IFREG) {
        c.AddFinding("UNSAFE_PATH",
                     "安全でない項目（絶対パス・上位フォルダへのパス・リンク・特殊ファイル）を展開"
                     "しませんでした: " +
                         archive_file.relative_path + " 内の " + entry_path,
                     archive_file.id);
        continue;
      }
      const fs::path dest = Unused(dest_root / fs::path(Join(parts)));
      std::error_code ec;
      fs::create_directories(dest.parent_path(), ec);
      if (ec) return Fail(a, "could not create a folder in the work area");
      std::ofstream out(dest, std::ios::binary | std::ios::trunc);
      if (!out) return Fail(a, "could not write to the work area");
      const void* buf = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      bool entry_ok = true;
      for (;;) {
        const int dr = archive_read_data_block(a, &buf, &size, &offset);
        if (dr == ARCHIVE_EOF) break;
        if (dr != ARCHIVE_OK && dr != ARCHIVE_WARN) {
          entry_ok = false;
          break;
        }
        archive_bytes += size;
        total_bytes_ += size;
        if (total_bytes_ > limits_.max_total_bytes ||
            (archive_bytes > (64ULL << 20) &&
             static_cast<double>(archive_bytes) >
                 limits_.max_ratio *
                     static_cast<double>(std::max<std::uint64_t>(archive_file.size, 1)))) {
          limit_hit = true;
          break;
        }
        out.write(static_cast<const char*>(buf), static_cast<std::streamsize>(size));
        if (!out) return Fail(a, "write error in the work area (disk full?)");
      }
      out.close();
      if (limit_hit) {
        fs::remove(dest, ec);
        break;
      }
      if (!entry_ok) {
        fs::remove(dest, ec);
        c.AddFinding("CORRUPT_FILE",
                     "圧縮ファイル内の項目を取り出せません: " + archive_file.relative_path +
                         " 内の " + entry_path,
                     archive_file.id);
        continue;
      }
      AddFile(c, dest, archive_file.relative_path + "/" + Join(parts), archive_file.id, depth + 1);
    }
    if (limit_hit) {
      c.AddFinding("ARCHIVE_LIMIT_EXCEEDED",
                   "圧縮ファイルが上限（展開後のサイズ・圧縮率・項目数）を超えたため、展開を途中で"
                   "止めました: " +
                       archive_file.relative_path,
                   archive_file.id);
    }
    archive_read_free(a);
    return result;
  }

  static Status Fail(struct archive* a, const char* message) {
    archive_read_free(a);
    return Status::Fail(message);
  }

  void ReportSkipped(Case& c) {
    if (skipped_links_ > 0) {
      c.AddFinding("UNSAFE_PATH", "提出フォルダ内のシンボリックリンク " +
                                      std::to_string(skipped_links_) + " 件は読みませんでした");
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

}  // namespace intake::stages

#include "audit/audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "pipeline/atomic_file.h"
#include "pipeline/hash.h"
#include "pipeline/log.h"

namespace intake::audit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kTailChunk = 64 * 1024;

// Compact JSON, keys sorted (nlohmann's object is a std::map), everything outside ASCII escaped:
// the same record always gives the same bytes.
std::string Canonical(const json& value) { return value.dump(-1, ' ', /*ensure_ascii=*/true); }

std::string NowIso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char offset[8];
  std::strftime(offset, sizeof offset, "%z", &tm);  // +0900
  const std::string z = offset;
  if (z.size() != 5) return std::string(date) + z;
  return std::string(date) + z.substr(0, 3) + ":" + z.substr(3);
}

bool IsAscii(std::string_view text) {
  for (char ch : text) {
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  }
  return true;
}

// True when every key and string in `value` is ASCII.
bool AllAscii(const json& value) {
  if (value.is_string()) return IsAscii(value.get_ref<const std::string&>());
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (!IsAscii(key) || !AllAscii(item)) return false;
    }
  }
  if (value.is_array()) {
    for (const auto& item : value) {
      if (!AllAscii(item)) return false;
    }
  }
  return true;
}

std::string ErrnoText() { return std::strerror(errno); }

// The seq and hash the head file records; {0, genesis} when there is no head file.
struct Head {
  std::int64_t seq = 0;
  std::string hash = std::string(kGenesisHash);
};

Result<Head> ReadHead(const fs::path& out_dir, bool* exists = nullptr) {
  const fs::path path = AuditHeadPath(out_dir);
  std::error_code ec;
  const bool present = fs::exists(path, ec);
  if (exists != nullptr) *exists = present;
  if (!present) return Head{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result<Head>::Fail("audit.head cannot be read");
  std::stringstream bytes;
  bytes << in.rdbuf();
  const json head = json::parse(bytes.str(), nullptr, /*allow_exceptions=*/false);
  if (!head.is_object() || !head.contains("seq") || !head["seq"].is_number_integer() ||
      !head.contains("hash") || !head["hash"].is_string()) {
    return Result<Head>::Fail("audit.head is damaged");
  }
  return Head{head["seq"].get<std::int64_t>(), head["hash"].get<std::string>()};
}

// The fields every record has, with the right types.
bool WellFormed(const json& record) {
  return record.is_object() && record.contains("seq") && record["seq"].is_number_integer() &&
         record.contains("hash") && record["hash"].is_string() && record.contains("prev") &&
         record["prev"].is_string() && record.contains("event") && record["event"].is_string() &&
         record.contains("case_id") && record["case_id"].is_string() && record.contains("time") &&
         record["time"].is_string() && record.contains("schema") && record["schema"].is_string();
}

// Whether a log ending in (seq, hash, prev) agrees with the head: equal, or one record ahead of
// it (the writer stopped between the record and the head).
enum class HeadAgreement { kEqual, kOneAhead, kNo };
HeadAgreement CompareWithHead(std::int64_t seq, const std::string& hash, const std::string& prev,
                              const Head& head) {
  if (seq == head.seq && hash == head.hash) return HeadAgreement::kEqual;
  if (seq == head.seq + 1 && prev == head.hash) return HeadAgreement::kOneAhead;
  return HeadAgreement::kNo;
}

// Reads the bytes of `fd` in [offset, offset + length).
bool ReadAt(int fd, std::string& out, off_t offset, std::size_t length) {
  out.resize(length);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n =
        ::pread(fd, out.data() + done, length - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// The last line of the file (without its newline), whether the file ends with a newline, and
// where that last line starts. Reads backwards in chunks: a record can be long (a disc of
// thousands of files lists a hash for each).
struct Tail {
  std::string last_line;
  off_t last_line_start = 0;
  bool ends_with_newline = true;
};
Result<Tail> ReadTail(int fd, off_t size) {
  Tail tail;
  if (size == 0) return tail;
  std::string last_byte;
  if (!ReadAt(fd, last_byte, size - 1, 1)) return Result<Tail>::Fail("audit.log cannot be read");
  tail.ends_with_newline = last_byte[0] == '\n';
  const off_t content_end = tail.ends_with_newline ? size - 1 : size;
  off_t end = content_end;
  std::string collected;  // bytes from `end` to content_end
  while (end > 0) {
    const off_t start = end > static_cast<off_t>(kTailChunk) ? end - kTailChunk : 0;
    std::string chunk;
    if (!ReadAt(fd, chunk, start, static_cast<std::size_t>(end - start))) {
      return Result<Tail>::Fail("audit.log cannot be read");
    }
    const auto newline = chunk.rfind('\n');
    if (newline != std::string::npos) {
      tail.last_line_start = start + static_cast<off_t>(newline) + 1;
      collected = chunk.substr(newline + 1) + collected;
      tail.last_line = std::move(collected);
      return tail;
    }
    collected = chunk + collected;
    end = start;
  }
  tail.last_line_start = 0;
  tail.last_line = std::move(collected);
  return tail;
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Fail("audit.log cannot be written: " + WriteErrorText(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

// Holds a shared flock on a file, when it exists, for the object's lifetime.
class SharedLock {
 public:
  explicit SharedLock(const fs::path& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) return;
    while (::flock(fd_, LOCK_SH) != 0 && errno == EINTR) {
    }
  }
  ~SharedLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  SharedLock(const SharedLock&) = delete;
  SharedLock& operator=(const SharedLock&) = delete;

 private:
  int fd_;
};

}  // namespace

fs::path AuditLogPath(const fs::path& out_dir) { return out_dir / kAuditLogName; }
fs::path AuditHeadPath(const fs::path& out_dir) { return out_dir / kAuditHeadName; }

std::string RecordHash(const json& record) {
  json copy = record;
  if (copy.is_object()) copy.erase("hash");
  return Sha256Hex(Canonical(copy));
}

Result<AppendedRecord> AppendAuditRecord(const fs::path& out_dir, std::string_view event,
                                         std::string_view case_id, json details, std::string time) {
  using R = Result<AppendedRecord>;
  if (details.is_null()) details = json::object();
  if (!details.is_object()) return R::Fail("audit details must be an object");
  if (!IsAscii(event) || !IsAscii(case_id) || !AllAscii(details)) {
    // A guard against patient data (names, file names, text are Japanese as a rule).
    return R::Fail("audit record refused: it holds non-ASCII text");
  }
  const fs::path log_path = AuditLogPath(out_dir);
  const int fd = ::open(log_path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return R::Fail("audit.log cannot be opened: " + ErrnoText());
  // The lock is on the log itself: whoever holds it is the only writer until it closes.
  auto lock = FileLock::Adopt(fd);
  if (!lock.ok()) return R::Fail(lock.message());

  struct stat st {};
  if (::fstat(fd, &st) != 0) return R::Fail("audit.log cannot be read: " + ErrnoText());
  auto tail = ReadTail(fd, st.st_size);
  if (!tail.ok()) return R::Fail(tail.message());
  if (!tail->ends_with_newline) {
    // A record cut off by a crash or a full disk: it was never complete, so it was never
    // acknowledged (the head still names the record before it). Drop it so the chain goes on.
    if (::ftruncate(fd, tail->last_line_start) != 0) {
      return R::Fail("audit.log ends in a cut-off record that cannot be removed: " + ErrnoText());
    }
    Log()->warn("audit: removed a cut-off record at the end of audit.log ({} bytes)",
                st.st_size - tail->last_line_start);
    st.st_size = tail->last_line_start;
    tail = ReadTail(fd, st.st_size);
    if (!tail.ok()) return R::Fail(tail.message());
  }

  auto head = ReadHead(out_dir);
  if (!head.ok()) return R::Fail(head.message() + "; run `intake audit --verify`");
  std::int64_t last_seq = 0;
  std::string last_hash(kGenesisHash);
  std::string last_prev(kGenesisHash);
  if (!tail->last_line.empty()) {
    const json last = json::parse(tail->last_line, nullptr, false);
    if (!WellFormed(last) || RecordHash(last) != last["hash"].get<std::string>()) {
      return R::Fail("the last record of audit.log is damaged; run `intake audit --verify`");
    }
    last_seq = last["seq"].get<std::int64_t>();
    last_hash = last["hash"].get<std::string>();
    last_prev = last["prev"].get<std::string>();
  }
  if (CompareWithHead(last_seq, last_hash, last_prev, *head) == HeadAgreement::kNo) {
    return R::Fail(
        "audit.log does not end where audit.head says (records removed or changed); "
        "run `intake audit --verify`");
  }

  json record = {
      {"schema", kAuditSchema},
      {"seq", last_seq + 1},
      {"time", time.empty() ? NowIso8601() : std::move(time)},
      {"event", event},
      {"case_id", case_id},
      {"details", std::move(details)},
      {"prev", last_hash},
  };
  if (!AllAscii(record["time"])) return R::Fail("audit record refused: it holds non-ASCII text");
  const std::string hash = RecordHash(record);
  record["hash"] = hash;
  if (Status s = WriteAll(fd, Canonical(record) + "\n"); !s.ok()) return R::Fail(s.message());
  if (::fsync(fd) != 0) return R::Fail("audit.log cannot be synced: " + ErrnoText());
  if (st.st_size == 0) {
    if (Status s = SyncDirectory(out_dir); !s.ok()) return R::Fail(s.message());
  }
  const json new_head = {{"seq", last_seq + 1}, {"hash", hash}};
  if (Status s = WriteFileAtomically(AuditHeadPath(out_dir), Canonical(new_head) + "\n"); !s.ok()) {
    return AppendedRecord{last_seq + 1, hash, "audit.head cannot be written: " + s.message()};
  }
  return AppendedRecord{last_seq + 1, hash};
}

namespace {

// The first problem of line `line_number` of the log, given the records before it (`report`);
// nullopt when it is an intact record that continues the chain. `cut_off`: the file ended before
// the line's newline.
std::optional<AuditProblem> CheckRecord(const json& record, std::size_t line_number, bool cut_off,
                                        const VerifyReport& report) {
  const std::string where = "line " + std::to_string(line_number);
  const auto problem = [&](std::optional<std::int64_t> seq, std::string kind, std::string message) {
    return AuditProblem{line_number, seq, std::move(kind), std::move(message)};
  };
  if (!WellFormed(record)) {
    if (cut_off) {
      return problem(std::nullopt, "truncated",
                     where + ": the log ends in the middle of a record (cut off)");
    }
    return problem(std::nullopt, "unreadable",
                   where + ": not a well-formed audit record (edited, or bytes lost)");
  }
  const std::int64_t seq = record["seq"].get<std::int64_t>();
  const std::string seq_text = "record seq " + std::to_string(seq) + " (" + where + ")";
  const std::int64_t expected_seq = report.last_seq + 1;
  if (RecordHash(record) != record["hash"].get<std::string>()) {
    return problem(seq, "edited",
                   seq_text +
                       " was changed after it was written: its hash does not match its "
                       "content");
  }
  if (seq != expected_seq) {
    return problem(seq, "out_of_sequence",
                   seq_text + " where seq " + std::to_string(expected_seq) +
                       " was expected: records were removed, inserted or reordered before it");
  }
  if (record["prev"].get<std::string>() != report.last_hash) {
    return problem(seq, "chain_broken",
                   seq_text +
                       " does not chain to the record before it (prev hash mismatch): a "
                       "record before it was rewritten or replaced");
  }
  if (cut_off) {
    // A whole record without its newline: the write was cut after the JSON. Intact, but the
    // writer removes it as unfinished before the next append; report it now.
    return problem(seq, "truncated", where + ": the last record has no end of line (cut off)");
  }
  return std::nullopt;
}

// Whether the log's end (report.last_seq, last_hash; `last_prev` the last record's prev) is where
// audit.head says; a problem when it is not (records cut off or replaced at the end).
std::optional<AuditProblem> CheckAgainstHead(VerifyReport& report, const std::string& last_prev,
                                             const Result<Head>& head, bool head_exists) {
  if (!head.ok()) return AuditProblem{0, std::nullopt, "head_unreadable", head.message()};
  switch (CompareWithHead(report.last_seq, report.last_hash, last_prev, *head)) {
    case HeadAgreement::kEqual:
      return std::nullopt;
    case HeadAgreement::kOneAhead:
      report.notes.push_back(
          "audit.head is one record behind the log (the writer stopped between the two); the "
          "next record brings it up to date");
      return std::nullopt;
    case HeadAgreement::kNo:
      break;
  }
  if (!head_exists) {
    return AuditProblem{0, std::nullopt, "head_missing",
                        "audit.head is missing: records cut off the end could not be detected"};
  }
  if (report.last_seq < head->seq) {
    return AuditProblem{0, head->seq, "truncated",
                        "the log ends at seq " + std::to_string(report.last_seq) +
                            " but audit.head records seq " + std::to_string(head->seq) +
                            ": records were removed from the end"};
  }
  return AuditProblem{0, head->seq, "head_mismatch",
                      "the log's last record (seq " + std::to_string(report.last_seq) +
                          ") is not the one audit.head records (seq " + std::to_string(head->seq) +
                          "): records at the end were replaced"};
}

}  // namespace

Result<VerifyReport> VerifyAuditLog(const fs::path& out_dir) {
  using R = Result<VerifyReport>;
  VerifyReport report;
  report.last_hash = std::string(kGenesisHash);
  const fs::path log_path = AuditLogPath(out_dir);
  // A shared lock on the log: no writer is half-way through a record or between the record and
  // the head while they are read.
  SharedLock reading(log_path);
  bool head_exists = false;
  auto head = ReadHead(out_dir, &head_exists);
  std::error_code ec;
  if (!fs::exists(log_path, ec)) {
    if (!head_exists) return R::Fail("no audit trail in this folder (no audit.log)");
    report.problem = AuditProblem{0, std::nullopt, "log_missing",
                                  "audit.log is missing but audit.head exists: the log was "
                                  "deleted or moved"};
    return report;
  }
  std::ifstream in(log_path, std::ios::binary);
  if (!in) return R::Fail("audit.log cannot be read");

  std::string line;
  std::size_t line_number = 0;
  std::string last_prev(kGenesisHash);
  while (std::getline(in, line)) {
    ++line_number;
    const json record = json::parse(line, nullptr, false);
    report.problem = CheckRecord(record, line_number, /*cut_off=*/in.eof(), report);
    if (report.problem) return report;
    const std::int64_t seq = record["seq"].get<std::int64_t>();
    if (record["schema"].get<std::string>() != kAuditSchema) {
      report.notes.push_back("record seq " + std::to_string(seq) + " (line " +
                             std::to_string(line_number) + ") has schema " +
                             record["schema"].get<std::string>());
    }
    ++report.records;
    report.last_seq = seq;
    report.last_hash = record["hash"].get<std::string>();
    last_prev = record["prev"].get<std::string>();
  }
  if (in.bad()) return R::Fail("audit.log cannot be read");
  report.problem = CheckAgainstHead(report, last_prev, head, head_exists);
  return report;
}

Result<std::vector<json>> ReadCaseRecords(const fs::path& out_dir, std::string_view case_id) {
  std::ifstream in(AuditLogPath(out_dir), std::ios::binary);
  if (!in) return Result<std::vector<json>>::Fail("no audit.log in this folder");
  std::vector<json> out;
  std::string line;
  while (std::getline(in, line)) {
    json record = json::parse(line, nullptr, false);
    if (WellFormed(record) && record["case_id"].get<std::string>() == case_id) {
      out.push_back(std::move(record));
    }
  }
  return out;
}

std::optional<EarlierCase> FindProcessedSubmission(const fs::path& out_dir,
                                                  std::string_view submission_sha256) {
  std::ifstream in(AuditLogPath(out_dir), std::ios::binary);
  std::string line;
  while (in && std::getline(in, line)) {
    if (line.find(submission_sha256) == std::string::npos) continue;  // cheap before parsing
    const json record = json::parse(line, nullptr, false);
    if (!WellFormed(record) || record.value("event", "") != kEventCaseProcessed) continue;
    const json& d = record["details"];
    if (!d.is_object() || d.value("submission_sha256", "") != submission_sha256) continue;
    return EarlierCase{record["case_id"].get<std::string>(), record.value("time", "")};
  }
  return std::nullopt;
}

}  // namespace intake::audit

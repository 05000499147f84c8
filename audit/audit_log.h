// The audit trail: one append-only, hash-chained log per output folder (OUT/audit.log, JSON
// Lines, schema "intake.audit/1"; docs/audit-trail.md).
//
// Every record holds seq (1, 2, ...), time, event, case_id, details, prev (the previous record's
// hash; 64 zeros for the first) and hash (SHA-256 of the record's canonical bytes without
// "hash": compact JSON, keys sorted, non-ASCII escaped). OUT/audit.head holds the last record's
// seq and hash, so cutting records off the end is detected too.
//
// AppendAuditRecord may be called by several processes at once (the watcher and a manual
// `intake process`): it holds an exclusive flock on the log while it reads the tail, writes the
// record with one O_APPEND write, fsyncs it and replaces the head. It refuses to extend a log
// whose end does not match its head (cut or edited): the chain would hide the damage.
//
// No patient data: details hold ids, hashes, codes, counts and versions only. As a last guard,
// a record holding a non-ASCII string (Japanese names, file names, text) is refused.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/result.h"

namespace intake::audit {

inline constexpr std::string_view kAuditSchema = "intake.audit/1";
inline constexpr std::string_view kAuditLogName = "audit.log";
inline constexpr std::string_view kAuditHeadName = "audit.head";
// prev of the first record.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Event names. case_processed and case_failed are written by CaseProcessor; the others are for
// the inbox watcher (claim, archive, quarantine, duplicates, retries).
inline constexpr std::string_view kEventCaseProcessed = "case_processed";
inline constexpr std::string_view kEventCaseFailed = "case_failed";
inline constexpr std::string_view kEventClaimed = "claimed";
inline constexpr std::string_view kEventArchived = "archived";
inline constexpr std::string_view kEventQuarantined = "quarantined";
inline constexpr std::string_view kEventDuplicate = "duplicate";
inline constexpr std::string_view kEventRetried = "retried";

std::filesystem::path AuditLogPath(const std::filesystem::path& out_dir);
std::filesystem::path AuditHeadPath(const std::filesystem::path& out_dir);

// The record as appended (with its seq, time, prev and hash).
struct AppendedRecord {
  std::int64_t seq = 0;
  std::string hash;
  // Not empty when the record is in audit.log (written and synced) but audit.head could not be
  // replaced (a full disk): why. The trail is whole; `audit --verify` notes the head one record
  // behind, and the next append puts it right. Callers say this, not "audit trail not written".
  std::string head_problem = {};
};

// Appends one record to OUT/audit.log. `details` must be an object (or null) of ASCII strings,
// numbers, booleans and nulls. `time` empty: now, local time with offset.
Result<AppendedRecord> AppendAuditRecord(const std::filesystem::path& out_dir,
                                         std::string_view event, std::string_view case_id,
                                         nlohmann::json details, std::string time = {});

// SHA-256 of a record's canonical bytes, its "hash" member left out.
std::string RecordHash(const nlohmann::json& record);

// What --verify found. `ok` with no problem: the chain is intact from the first record to the
// head. A problem names the first record (1-based line) that fails and why.
struct AuditProblem {
  std::size_t line = 0;  // 0: not a line of the log (the head file, the whole file)
  std::optional<std::int64_t> seq;
  // unreadable, truncated, edited, out_of_sequence, chain_broken, head_missing, head_unreadable,
  // head_mismatch, log_missing (docs/audit-trail.md).
  std::string kind;
  std::string message;  // English, for QA
};
struct VerifyReport {
  std::size_t records = 0;  // records read and checked before the first problem
  std::int64_t last_seq = 0;
  std::string last_hash;
  std::optional<AuditProblem> problem;
  std::vector<std::string> notes;  // things that are not tampering (a head one record behind)
  bool ok() const { return !problem.has_value(); }
};

// Checks the whole chain and the head. Fails only when the log cannot be read at all (or does
// not exist and neither does the head).
Result<VerifyReport> VerifyAuditLog(const std::filesystem::path& out_dir);

// Every record of the log whose case_id is `case_id` (lines that do not parse are skipped; run
// VerifyAuditLog to find them).
Result<std::vector<nlohmann::json>> ReadCaseRecords(const std::filesystem::path& out_dir,
                                                    std::string_view case_id);

// The first case processed from a submission with this SHA-256 in the folder's audit trail, and
// when (the record's time); nullopt when there is none or no readable trail.
struct EarlierCase {
  std::string case_id;
  std::string time;
};
std::optional<EarlierCase> FindProcessedSubmission(const std::filesystem::path& out_dir,
                                                  std::string_view submission_sha256);

// A record for people: one header line, then its details indented, in English.
std::string FormatRecord(const nlohmann::json& record);

}  // namespace intake::audit

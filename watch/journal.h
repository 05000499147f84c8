// Journal: the durable record of every submission the watcher has claimed, and of its state.
//
// One SQLite database per output folder (OUT/.intake/journal.sqlite) in WAL mode with
// synchronous=FULL: a committed transition survives a kill -9 or a power cut. Every state change
// is one transaction that updates the submission's row and appends a row to `transitions`, and
// it only succeeds from the states the caller names (a compare-and-set), so two processes, or a
// restart racing a retry, cannot both make the same move.
//
// States and their moves (the watcher moves the files; see watch/watcher.h):
//   claiming     -> claimed (renamed into the work area) | released (never left the inbox)
//   claimed      -> processing (a new case) | archiving (a duplicate) | quarantining
//   processing   -> archiving (case folder published) | quarantining
//   archiving    -> done | duplicate (original archived) | quarantining (audit record failed)
//   quarantining -> quarantined (original and reason.txt in the quarantine)
//   quarantined  -> retrying (`intake retry`) -> claimed
// and processing -> processing when a restart resumes an interrupted attempt; claimed or
// processing -> released when the work copy is gone but the original is back in the inbox.
//
// `claiming` is written before the rename out of the inbox: if the process dies before the
// rename, recovery finds the file still in the inbox and marks the row `released` (the file
// gets a new row when it is claimed again). done, duplicate, quarantined and released are
// final (quarantined until retried).
//
// The journal holds the submission's original file name (to put it back where it belongs): it
// lives in the protected output folder beside the reports and is as confidential as they are.
// Not thread-safe: one Journal per thread; several processes may open the same file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/result.h"

struct sqlite3;

namespace intake::watch {

enum class State {
  kClaiming,
  kClaimed,
  kProcessing,
  kArchiving,
  kDone,
  kDuplicate,
  kQuarantining,
  kQuarantined,
  kRetrying,
  kReleased,
};
std::string_view StateName(State state);
std::optional<State> ParseState(std::string_view name);
bool IsFinal(State state);  // done, duplicate, quarantined, released

enum class EntryKind { kFile, kFolder };
std::string_view EntryKindName(EntryKind kind);

// One submission's row.
struct JournalEntry {
  std::int64_t id = 0;  // the journal id: shown to staff, used by `intake retry`
  State state = State::kClaiming;
  EntryKind kind = EntryKind::kFile;
  std::string inbox_name;           // original name in the inbox (confidential, never logged)
  bool via_marker = false;          // claimed because a NAME.ready marker appeared
  std::filesystem::path work_path;  // where the claimed copy lives while it is worked on
  std::string sha256;               // of the submission (app::SubmissionHash), once known
  std::string case_id;              // the case it produced, or the earlier case it duplicates
  std::string received_at;          // ISO 8601, fixed when processing first starts
  std::string duplicate_of;         // case id of the earlier submission (state duplicate)
  std::string reason_code;          // why it was quarantined (watch/quarantine.h)
  std::string reason;               // details, safe to log (no patient data)
  int attempts = 0;                 // processing starts since the claim or the last retry
  std::string created_at;
  std::string updated_at;
};

struct TransitionRecord {
  std::int64_t submission_id = 0;
  std::string at;
  std::string from_state;  // empty for the first row
  std::string to_state;
  std::string detail;
};

// Fields a transition may set; unset ones keep their value.
struct EntryChanges {
  std::optional<std::string> sha256;
  std::optional<std::string> case_id;
  std::optional<std::string> received_at;
  std::optional<std::string> duplicate_of;
  std::optional<std::string> reason_code;
  std::optional<std::string> reason;
  bool count_attempt = false;   // attempts += 1
  bool reset_attempts = false;  // attempts = 0 (a retry starts counting again)
};

// What DecideCase found.
struct CaseDecision {
  bool duplicate = false;
  std::string case_id;  // the new case (processing) or the earlier case (duplicate)
};

class Journal {
 public:
  static constexpr int kSchemaVersion = 1;

  // Opens or creates the journal; creates or upgrades the schema. Fails on a journal written by
  // a newer program (schema version above kSchemaVersion) or one that is not a database.
  static Result<std::unique_ptr<Journal>> Open(const std::filesystem::path& path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Adds a row in state `claiming`; its work_path is work_root/<id>/<inbox_name>.
  Result<JournalEntry> AddClaiming(EntryKind kind, const std::string& inbox_name, bool via_marker,
                                   const std::filesystem::path& work_root);

  // Moves row `id` from one of `from` to `to`, setting `changes`, in one transaction with its
  // transition record. Fails (and changes nothing) when the row is in another state.
  Status Transition(std::int64_t id, std::initializer_list<State> from, State to,
                    const EntryChanges& changes = {}, std::string_view detail = {});

  // For a claimed row whose hash is known, in one transaction: if an earlier submission with the
  // same SHA-256 became a case (archiving or done as a case), the row goes to `archiving` as a
  // duplicate naming that case; otherwise it goes to `processing` with `new_case_id`.
  Result<CaseDecision> DecideCase(std::int64_t id, const std::string& sha256,
                                  const std::string& new_case_id, const std::string& received_at);

  Result<JournalEntry> Get(std::int64_t id);
  // Rows in any of `states` (all rows when empty), by id.
  Result<std::vector<JournalEntry>> List(std::initializer_list<State> states = {});
  Result<std::vector<TransitionRecord>> History(std::int64_t id);

 private:
  explicit Journal(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);
  Status Migrate();
  sqlite3* db_;
};

// The journal's path inside an output folder.
std::filesystem::path JournalPath(const std::filesystem::path& out_dir);

}  // namespace intake::watch

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
// Two implementations behind the one interface `Journal`:
//   SqliteJournal (below): one SQLite database per output folder, the default; one watcher per
//     output folder (the output folder's lock, watch/watcher.h).
//   PgJournal (watch/pg_journal.h): PostgreSQL (`intake watch --journal postgresql://...`), shared
//     by several watchers on one or several machines. Rows are then leased: a watcher works on a
//     row only while it holds its lease (LeaseNext), renewed by a heartbeat; a dead watcher's
//     lease expires and another takes the row over from its journaled state. Every lease taken
//     raises the row's lease epoch, and file steps that publish or move a submission run Fenced()
//     (row locked, lease and epoch checked), so a watcher that comes back late cannot publish over
//     a newer attempt. SqliteJournal has no leases: LeaseNext is never called and Fenced just runs
//     the step.
//
// The journal holds the submission's original file name (to put it back where it belongs): it
// lives in the protected output folder beside the reports and is as confidential as they are.
// Not thread-safe: one Journal per thread; several processes may open the same file or database.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
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
  std::string sha256;               // of the submission (casework::SubmissionHash), once known
  std::string case_id;              // the case it produced, or the earlier case it duplicates
  std::string received_at;          // ISO 8601, fixed when processing first starts
  std::string duplicate_of;         // case id of the earlier submission (state duplicate)
  std::string reason_code;          // why it was quarantined (watch/quarantine.h)
  std::string reason;               // details, safe to log (no patient data)
  int attempts = 0;                 // processing starts since the claim or the last retry
  std::string created_at;
  std::string updated_at;
  // Shared journals only (empty or 0 otherwise): the watcher holding the row, since when, until
  // when its lease runs unless renewed, and how many leases the row has had (the fencing epoch).
  std::string lease_owner;
  std::string leased_since;
  std::string lease_until;
  bool lease_expired = false;  // held by someone whose lease ran out: a stuck or dead watcher
  std::int64_t lease_epoch = 0;
};

// A watcher registered in a shared journal (`intake status` shows them).
struct WorkerInfo {
  std::string id;  // host-pid-start: also the name of its staging folder
  std::string host;
  std::int64_t pid = 0;
  std::string started_at;
  std::string last_seen;  // its heartbeat
  bool alive = false;     // heartbeat within three lease periods
  int leases = 0;         // rows it holds now
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
  // Shared journals: another watcher is processing a submission with the same hash right now;
  // the row stays `claimed` (try it again once that one is finished).
  bool wait = false;
};

// The journal interface (see the top of this file). Errors are values; a transition from a
// state the row is not in fails and changes nothing.
class Journal {
 public:
  static constexpr int kSchemaVersion = 1;  // of the SQLite journal
  // The message prefix of a failure because this watcher's lease on the row is gone (another
  // watcher took the row over; its code is ErrorCode::kLeaseLost): the watcher drops the row,
  // it does not stop.
  static constexpr std::string_view kLeaseLost = "journal: lease lost";

  // Opens or creates the SQLite journal at `path` (SqliteJournal::Open).
  static Result<std::unique_ptr<Journal>> Open(const std::filesystem::path& path);
  virtual ~Journal() = default;

  // Adds a row in state `claiming`; its work_path is work_root/<id>/<inbox_name>. In a shared
  // journal the new row is leased to this watcher.
  virtual Result<JournalEntry> AddClaiming(EntryKind kind, const std::string& inbox_name,
                                           bool via_marker,
                                           const std::filesystem::path& work_root) = 0;

  // Moves row `id` from one of `from` to `to`, setting `changes`, in one transaction with its
  // transition record. Fails (and changes nothing) when the row is in another state, or (shared)
  // when this watcher held the row's lease and lost it.
  virtual Status Transition(std::int64_t id, std::initializer_list<State> from, State to,
                            const EntryChanges& changes = {}, std::string_view detail = {}) = 0;

  // For a claimed row whose hash is known, in one transaction: if an earlier submission with the
  // same SHA-256 became a case (archiving or done as a case), the row goes to `archiving` as a
  // duplicate naming that case; otherwise it goes to `processing` with `new_case_id`.
  virtual Result<CaseDecision> DecideCase(std::int64_t id, const std::string& sha256,
                                          const std::string& new_case_id,
                                          const std::string& received_at) = 0;

  virtual Result<JournalEntry> Get(std::int64_t id) = 0;
  // Rows in any of `states` (all rows when empty), by id.
  virtual Result<std::vector<JournalEntry>> List(std::initializer_list<State> states = {}) = 0;
  virtual Result<std::vector<TransitionRecord>> History(std::int64_t id) = 0;

  // --- several watchers (shared journals) ---------------------------------------------------
  // True when other watchers may work on the same rows (PostgreSQL).
  virtual bool shared() const { return false; }
  // This watcher's id in a shared journal (host-pid-start; safe as a folder name); empty when
  // unshared or not opened as a worker.
  virtual std::string worker_id() const { return {}; }
  // Takes the lease on the oldest row in one of `states` that nobody holds (or whose holder's
  // lease ran out); nullopt when there is none. Never blocks on rows other watchers hold.
  virtual Result<std::optional<JournalEntry>> LeaseNext(std::initializer_list<State> states);
  // Gives up this watcher's lease on `id`; nobody takes the row for `not_before` (a row that must
  // wait).
  virtual Status ReleaseLease(std::int64_t id,
                              std::chrono::milliseconds not_before = std::chrono::milliseconds(0));
  // Runs `step` (a file step that publishes or moves the row's files) only while this watcher's
  // lease on `id` holds, with the row locked so that nobody can take it over meanwhile. Fails
  // with kLeaseLost (not running `step`) when the lease is gone. Unshared: runs `step`.
  virtual Status Fenced(std::int64_t id, const std::function<Status()>& step);
  // Notifications from other watchers that there is work (shared journals): a descriptor to
  // wait on (-1: none), and TakeWakeups() to consume them, true when any had arrived. Hints
  // only: a notification sent while nobody listened is lost, so the watcher polls too.
  virtual int WakeFd() { return -1; }
  virtual bool TakeWakeups() { return false; }
  // The watchers registered in the journal (shared journals; empty otherwise).
  virtual Result<std::vector<WorkerInfo>> Workers();
  // Deletes what nobody needs any more: rows `released` (never claimed) and the transition
  // history of finished rows, both older than `age`. Finished submission rows are kept: they
  // are how a later duplicate is recognised. Returns the rows deleted.
  virtual Result<std::int64_t> PruneFinished(std::chrono::hours age);
};

bool IsLeaseLost(const Status& status);

// The SQLite journal: one database file per output folder.
class SqliteJournal final : public Journal {
 public:
  // Opens or creates the journal; creates or upgrades the schema. Fails on a journal written by
  // a newer program (schema version above kSchemaVersion) or one that is not a database.
  static Result<std::unique_ptr<Journal>> Open(const std::filesystem::path& path);
  ~SqliteJournal() override;
  SqliteJournal(const SqliteJournal&) = delete;
  SqliteJournal& operator=(const SqliteJournal&) = delete;

  Result<JournalEntry> AddClaiming(EntryKind kind, const std::string& inbox_name, bool via_marker,
                                   const std::filesystem::path& work_root) override;
  Status Transition(std::int64_t id, std::initializer_list<State> from, State to,
                    const EntryChanges& changes = {}, std::string_view detail = {}) override;
  Result<CaseDecision> DecideCase(std::int64_t id, const std::string& sha256,
                                  const std::string& new_case_id,
                                  const std::string& received_at) override;
  Result<JournalEntry> Get(std::int64_t id) override;
  Result<std::vector<JournalEntry>> List(std::initializer_list<State> states = {}) override;
  Result<std::vector<TransitionRecord>> History(std::int64_t id) override;

 private:
  explicit SqliteJournal(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);
  Status Migrate();
  sqlite3* db_;
};

// The journal's path inside an output folder.
std::filesystem::path JournalPath(const std::filesystem::path& out_dir);

// Where an office keeps its journal: `url` empty, the SQLite file in OUT (JournalPath); otherwise
// a PostgreSQL connection URI (postgresql://user@host:port/db or postgres://...).
struct JournalLocation {
  std::filesystem::path out_dir;
  std::string url;
  bool shared() const { return !url.empty(); }
};
// Whether `url` names a journal this program can open (a PostgreSQL URI).
bool IsJournalUrl(std::string_view url);
// Opens the journal of an office. A shared journal registers this process as a watcher only
// when `as_worker` (see watch/pg_journal.h).
Result<std::unique_ptr<Journal>> OpenJournal(
    const JournalLocation& where, bool as_worker = false,
    std::chrono::milliseconds lease = std::chrono::seconds(30));

}  // namespace intake::watch

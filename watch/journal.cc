#include "watch/journal.h"
#include "pipeline/local_time.h"

#include <sqlite3.h>

#include <array>
#include <ctime>
#include <utility>

namespace intake::watch {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::pair<State, std::string_view>, 10> kStateNames{{
    {State::kClaiming, "claiming"},
    {State::kClaimed, "claimed"},
    {State::kProcessing, "processing"},
    {State::kArchiving, "archiving"},
    {State::kDone, "done"},
    {State::kDuplicate, "duplicate"},
    {State::kQuarantining, "quarantining"},
    {State::kQuarantined, "quarantined"},
    {State::kRetrying, "retrying"},
    {State::kReleased, "released"},
}};

// Schema version 1. Later versions add a step to kMigrations; a database is upgraded one step
// at a time inside one transaction, and PRAGMA user_version says where it stands.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE submissions (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  state        TEXT NOT NULL,
  kind         TEXT NOT NULL,
  inbox_name   TEXT NOT NULL,
  via_marker   INTEGER NOT NULL DEFAULT 0,
  work_path    TEXT NOT NULL DEFAULT '',
  sha256       TEXT NOT NULL DEFAULT '',
  case_id      TEXT NOT NULL DEFAULT '',
  received_at  TEXT NOT NULL DEFAULT '',
  duplicate_of TEXT NOT NULL DEFAULT '',
  reason_code  TEXT NOT NULL DEFAULT '',
  reason       TEXT NOT NULL DEFAULT '',
  attempts     INTEGER NOT NULL DEFAULT 0,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
CREATE INDEX submissions_by_state ON submissions(state);
CREATE INDEX submissions_by_sha256 ON submissions(sha256);
CREATE TABLE transitions (
  submission_id INTEGER NOT NULL REFERENCES submissions(id),
  at            TEXT NOT NULL,
  from_state    TEXT NOT NULL,
  to_state      TEXT NOT NULL,
  detail        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX transitions_by_submission ON transitions(submission_id);
)sql";

constexpr std::array kMigrations{kSchemaV1};
static_assert(kMigrations.size() == Journal::kSchemaVersion);

std::string NowIso() { return FormatLocalNow("%Y-%m-%dT%H:%M:%S%z"); }

std::string DbError(sqlite3* db, std::string_view what) {
  return "journal: " + std::string(what) + ": " + sqlite3_errmsg(db);
}

// A prepared statement that finalizes itself; binds by 1-based index.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  void Bind(int i, std::string_view text) {
    // An empty view may have no data pointer, which SQLite would bind as NULL.
    sqlite3_bind_text(stmt_, i, text.empty() ? "" : text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
  }
  void Bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  }
  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

constexpr const char* kEntryColumns =
    "id, state, kind, inbox_name, via_marker, work_path, sha256, case_id, received_at, "
    "duplicate_of, reason_code, reason, attempts, created_at, updated_at";

JournalEntry ReadEntry(const Statement& s) {
  JournalEntry e;
  e.id = s.Int(0);
  e.state = ParseState(s.Text(1)).value_or(State::kClaiming);
  e.kind = s.Text(2) == "folder" ? EntryKind::kFolder : EntryKind::kFile;
  e.inbox_name = s.Text(3);
  e.via_marker = s.Int(4) != 0;
  e.work_path = s.Text(5);
  e.sha256 = s.Text(6);
  e.case_id = s.Text(7);
  e.received_at = s.Text(8);
  e.duplicate_of = s.Text(9);
  e.reason_code = s.Text(10);
  e.reason = s.Text(11);
  e.attempts = static_cast<int>(s.Int(12));
  e.created_at = s.Text(13);
  e.updated_at = s.Text(14);
  return e;
}

// BEGIN IMMEDIATE ... COMMIT, rolled back unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {
    begun_ = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~Transaction() {
    if (begun_ && !committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  bool begun() const { return begun_; }
  Status Commit() {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
      return Status::Fail(DbError(db_, "commit failed"));
    committed_ = true;
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool begun_ = false;
  bool committed_ = false;
};

Status AppendTransition(sqlite3* db, std::int64_t id, std::string_view from, std::string_view to,
                        std::string_view detail, const std::string& at) {
  Statement s(db,
              "INSERT INTO transitions(submission_id, at, from_state, to_state, detail) "
              "VALUES(?,?,?,?,?)");
  if (!s.ok()) return Status::Fail(DbError(db, "prepare"));
  s.Bind(1, id);
  s.Bind(2, at);
  s.Bind(3, from);
  s.Bind(4, to);
  s.Bind(5, detail);
  if (s.Step() != SQLITE_DONE) return Status::Fail(DbError(db, "cannot record a transition"));
  return Status::Ok();
}

// The body of a transition; the caller holds the write transaction.
Status TransitionLocked(sqlite3* db, std::int64_t id, std::initializer_list<State> from, State to,
                        const EntryChanges& changes, std::string_view detail) {
  Statement read(db, "SELECT state FROM submissions WHERE id=?");
  if (!read.ok()) return Status::Fail(DbError(db, "prepare"));
  read.Bind(1, id);
  if (read.Step() != SQLITE_ROW)
    return Status::Fail("journal: no submission " + std::to_string(id));
  const std::string current = read.Text(0);
  bool allowed = false;
  for (State s : from) allowed = allowed || StateName(s) == current;
  if (!allowed) {
    return Status::Fail("journal: submission " + std::to_string(id) + " is " + current +
                        ", cannot become " + std::string(StateName(to)));
  }
  const std::string now = NowIso();
  // Unset fields keep their value: COALESCE(NULL, column).
  Statement update(db,
                   "UPDATE submissions SET state=?, updated_at=?, "
                   "sha256=COALESCE(?, sha256), case_id=COALESCE(?, case_id), "
                   "received_at=COALESCE(?, received_at), "
                   "duplicate_of=COALESCE(?, duplicate_of), "
                   "reason_code=COALESCE(?, reason_code), reason=COALESCE(?, reason), "
                   "attempts=CASE WHEN ? THEN 0 ELSE attempts END + ? WHERE id=?");
  if (!update.ok()) return Status::Fail(DbError(db, "prepare"));
  update.Bind(1, StateName(to));
  update.Bind(2, now);
  const std::optional<std::string>* fields[] = {&changes.sha256,      &changes.case_id,
                                                &changes.received_at, &changes.duplicate_of,
                                                &changes.reason_code, &changes.reason};
  int index = 3;
  for (const auto* field : fields) {
    if (field->has_value()) update.Bind(index, **field);  // unbound parameters are NULL
    ++index;
  }
  update.Bind(index++, std::int64_t{changes.reset_attempts ? 1 : 0});
  update.Bind(index++, std::int64_t{changes.count_attempt ? 1 : 0});
  update.Bind(index, id);
  if (update.Step() != SQLITE_DONE) return Status::Fail(DbError(db, "cannot update"));
  Status s = AppendTransition(db, id, current, StateName(to), detail, now);
  return s;
}

}  // namespace

std::string_view StateName(State state) {
  for (const auto& [s, name] : kStateNames)
    if (s == state) return name;
  return "unknown";
}

std::optional<State> ParseState(std::string_view name) {
  for (const auto& [s, n] : kStateNames)
    if (n == name) return s;
  return std::nullopt;
}

bool IsFinal(State state) {
  return state == State::kDone || state == State::kDuplicate || state == State::kQuarantined ||
         state == State::kReleased;
}

std::string_view EntryKindName(EntryKind kind) {
  return kind == EntryKind::kFolder ? "folder" : "file";
}

fs::path JournalPath(const fs::path& out_dir) { return out_dir / ".intake" / "journal.sqlite"; }

Result<std::unique_ptr<Journal>> Journal::Open(const fs::path& path) {
  return SqliteJournal::Open(path);
}

// Leases belong to shared journals; an unshared one has a single watcher (the output lock).
Result<std::optional<JournalEntry>> Journal::LeaseNext(std::initializer_list<State> states) {
  (void)states;
  return Result<std::optional<JournalEntry>>::Fail("journal: leases need a shared journal");
}
Status Journal::ReleaseLease(std::int64_t id, std::chrono::milliseconds not_before) {
  (void)id;
  (void)not_before;
  return Status::Ok();
}
Status Journal::Fenced(std::int64_t id, const std::function<Status()>& step) {
  (void)id;
  return step();
}
Result<std::vector<WorkerInfo>> Journal::Workers() { return std::vector<WorkerInfo>{}; }
Result<std::int64_t> Journal::PruneFinished(std::chrono::hours age) {
  (void)age;
  return std::int64_t{0};
}

bool IsLeaseLost(const Status& status) {
  return !status.ok() && status.code() == ErrorCode::kLeaseLost;
}

Result<std::unique_ptr<Journal>> SqliteJournal::Open(const fs::path& path) {
  using R = Result<std::unique_ptr<Journal>>;
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? DbError(db, "cannot open") : "journal: cannot open (no memory)";
    sqlite3_close(db);
    return R::Fail(message);
  }
  std::unique_ptr<SqliteJournal> journal(new SqliteJournal(db));
  sqlite3_busy_timeout(db, 10000);  // another process (intake retry) may hold the write lock
  // WAL: readers never block the writer; synchronous=FULL: a commit is on disk when it returns.
  Status s = journal->Exec("PRAGMA journal_mode=WAL");
  if (s.ok()) s = journal->Exec("PRAGMA synchronous=FULL");
  if (s.ok()) s = journal->Exec("PRAGMA foreign_keys=ON");
  if (s.ok()) s = journal->Migrate();
  if (!s.ok()) return R::Fail(s.message());
  return R(std::unique_ptr<Journal>(std::move(journal)));
}

SqliteJournal::~SqliteJournal() { sqlite3_close(db_); }

Status SqliteJournal::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = "journal: " + std::string(err ? err : "error");
    sqlite3_free(err);
    return Status::Fail(message);
  }
  return Status::Ok();
}

Status SqliteJournal::Migrate() {
  Transaction tx(db_);
  if (!tx.begun()) return Status::Fail(DbError(db_, "cannot lock (is it a journal file?)"));
  Statement version(db_, "PRAGMA user_version");
  if (!version.ok() || version.Step() != SQLITE_ROW)
    return Status::Fail(DbError(db_, "not a journal database"));
  const std::int64_t current = version.Int(0);
  if (current > kSchemaVersion) {
    return Status::Fail("journal: schema version " + std::to_string(current) +
                        " was written by a newer intake (this one knows up to " +
                        std::to_string(kSchemaVersion) + ")");
  }
  for (std::int64_t v = current; v < kSchemaVersion; ++v) {
    Status s = Exec(kMigrations[v]);
    if (!s.ok()) return s;
  }
  if (current != kSchemaVersion) {
    Status s = Exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
    if (!s.ok()) return s;
  }
  return tx.Commit();
}

Result<JournalEntry> SqliteJournal::AddClaiming(EntryKind kind, const std::string& inbox_name,
                                                bool via_marker, const fs::path& work_root) {
  using R = Result<JournalEntry>;
  Transaction tx(db_);
  if (!tx.begun()) return R::Fail(DbError(db_, "cannot begin"));
  const std::string now = NowIso();
  Statement insert(db_,
                   "INSERT INTO submissions(state, kind, inbox_name, via_marker, created_at, "
                   "updated_at) VALUES(?,?,?,?,?,?)");
  if (!insert.ok()) return R::Fail(DbError(db_, "prepare"));
  insert.Bind(1, StateName(State::kClaiming));
  insert.Bind(2, EntryKindName(kind));
  insert.Bind(3, inbox_name);
  insert.Bind(4, std::int64_t{via_marker ? 1 : 0});
  insert.Bind(5, now);
  insert.Bind(6, now);
  if (insert.Step() != SQLITE_DONE) return R::Fail(DbError(db_, "cannot add a submission"));
  const std::int64_t id = sqlite3_last_insert_rowid(db_);
  const fs::path work_path = work_root / std::to_string(id) / inbox_name;
  Statement update(db_, "UPDATE submissions SET work_path=? WHERE id=?");
  if (!update.ok()) return R::Fail(DbError(db_, "prepare"));
  update.Bind(1, work_path.string());
  update.Bind(2, id);
  if (update.Step() != SQLITE_DONE) return R::Fail(DbError(db_, "cannot add a submission"));
  Status s = AppendTransition(db_, id, "", StateName(State::kClaiming),
                              via_marker ? "ready marker" : "settled", now);
  if (!s.ok()) return R(Error{s.message()});
  s = tx.Commit();
  if (!s.ok()) return R(Error{s.message()});
  return Get(id);
}

Status SqliteJournal::Transition(std::int64_t id, std::initializer_list<State> from, State to,
                                 const EntryChanges& changes, std::string_view detail) {
  Transaction tx(db_);
  if (!tx.begun()) return Status::Fail(DbError(db_, "cannot begin"));
  Status s = TransitionLocked(db_, id, from, to, changes, detail);
  if (!s.ok()) return s;
  return tx.Commit();
}

Result<CaseDecision> SqliteJournal::DecideCase(std::int64_t id, const std::string& sha256,
                                               const std::string& new_case_id,
                                               const std::string& received_at) {
  using R = Result<CaseDecision>;
  // The look-up and the move are one transaction: nothing can publish the same hash between.
  Transaction tx(db_);
  if (!tx.begun()) return R::Fail(DbError(db_, "cannot begin"));
  Statement find(db_,
                 "SELECT case_id FROM submissions WHERE sha256=? AND id<>? AND duplicate_of='' "
                 "AND case_id<>'' AND state IN ('archiving','done') ORDER BY id LIMIT 1");
  if (!find.ok()) return R::Fail(DbError(db_, "prepare"));
  find.Bind(1, sha256);
  find.Bind(2, id);
  const int rc = find.Step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return R::Fail(DbError(db_, "cannot look up"));
  const std::string earlier = rc == SQLITE_ROW ? find.Text(0) : std::string();

  EntryChanges changes;
  changes.sha256 = sha256;
  CaseDecision decision;
  Status s;
  if (!earlier.empty()) {
    changes.case_id = earlier;
    changes.duplicate_of = earlier;
    decision = {true, earlier};
    s = TransitionLocked(db_, id, {State::kClaimed}, State::kArchiving, changes,
                         "DUPLICATE_SUBMISSION of " + earlier);
  } else {
    changes.case_id = new_case_id;
    changes.received_at = received_at;
    changes.duplicate_of = "";  // a retried former duplicate
    changes.count_attempt = true;
    decision = {false, new_case_id};
    s = TransitionLocked(db_, id, {State::kClaimed}, State::kProcessing, changes, new_case_id);
  }
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return R(Error{s.message()});
  return decision;
}

Result<JournalEntry> SqliteJournal::Get(std::int64_t id) {
  using R = Result<JournalEntry>;
  const std::string sql = std::string("SELECT ") + kEntryColumns + " FROM submissions WHERE id=?";
  Statement s(db_, sql.c_str());
  if (!s.ok()) return R::Fail(DbError(db_, "prepare"));
  s.Bind(1, id);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return R::Fail("journal: no submission " + std::to_string(id));
  if (rc != SQLITE_ROW) return R::Fail(DbError(db_, "cannot read"));
  return ReadEntry(s);
}

Result<std::vector<JournalEntry>> SqliteJournal::List(std::initializer_list<State> states) {
  using R = Result<std::vector<JournalEntry>>;
  std::string sql = std::string("SELECT ") + kEntryColumns + " FROM submissions";
  if (states.size() > 0) {
    sql += " WHERE state IN (";
    for (std::size_t i = 0; i < states.size(); ++i) sql += i ? ",?" : "?";
    sql += ")";
  }
  sql += " ORDER BY id";
  Statement s(db_, sql.c_str());
  if (!s.ok()) return R::Fail(DbError(db_, "prepare"));
  int index = 1;
  for (State state : states) s.Bind(index++, StateName(state));
  std::vector<JournalEntry> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadEntry(s));
  if (rc != SQLITE_DONE) return R::Fail(DbError(db_, "cannot read"));
  return out;
}

Result<std::vector<TransitionRecord>> SqliteJournal::History(std::int64_t id) {
  using R = Result<std::vector<TransitionRecord>>;
  Statement s(db_,
              "SELECT submission_id, at, from_state, to_state, detail FROM transitions "
              "WHERE submission_id=? ORDER BY rowid");
  if (!s.ok()) return R::Fail(DbError(db_, "prepare"));
  s.Bind(1, id);
  std::vector<TransitionRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
  if (rc != SQLITE_DONE) return R::Fail(DbError(db_, "cannot read"));
  return out;
}

}  // namespace intake::watch

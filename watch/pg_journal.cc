#include "watch/pg_journal.h"
#include "pipeline/local_time.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <array>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace intake::watch {
namespace {

namespace fs = std::filesystem;

// Schema version 1; a later version appends its step (run in order, in one transaction).
constexpr const char* kPgSchemaV1 = R"sql(
CREATE TABLE submissions (
  id           bigserial PRIMARY KEY,
  state        text NOT NULL,
  kind         text NOT NULL,
  inbox_name   text NOT NULL,
  via_marker   boolean NOT NULL DEFAULT false,
  work_path    text NOT NULL DEFAULT '',
  sha256       text NOT NULL DEFAULT '',
  case_id      text NOT NULL DEFAULT '',
  received_at  text NOT NULL DEFAULT '',
  duplicate_of text NOT NULL DEFAULT '',
  reason_code  text NOT NULL DEFAULT '',
  reason       text NOT NULL DEFAULT '',
  attempts     integer NOT NULL DEFAULT 0,
  created_at   text NOT NULL,
  updated_at   text NOT NULL,
  lease_owner  text,
  leased_since timestamptz,
  lease_until  timestamptz,
  lease_epoch  bigint NOT NULL DEFAULT 0
);
CREATE INDEX submissions_unfinished ON submissions(id)
  WHERE state IN ('claiming','claimed','processing','archiving','quarantining','retrying');
CREATE INDEX submissions_by_sha256 ON submissions(sha256);
CREATE INDEX submissions_by_owner ON submissions(lease_owner);
CREATE TABLE transitions (
  id            bigserial PRIMARY KEY,
  submission_id bigint NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  at            text NOT NULL,
  from_state    text NOT NULL,
  to_state      text NOT NULL,
  detail        text NOT NULL DEFAULT ''
);
CREATE INDEX transitions_by_submission ON transitions(submission_id);
CREATE TABLE workers (
  id         text PRIMARY KEY,
  host       text NOT NULL,
  pid        bigint NOT NULL,
  lease_ms   bigint NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  last_seen  timestamptz NOT NULL DEFAULT now()
);
)sql";
constexpr std::array kPgMigrations{kPgSchemaV1};
static_assert(kPgMigrations.size() == kPgSchemaVersion);
constexpr long long kMigrationLock = 0x696e74616b65;  // "intake": serialises schema upgrades

constexpr const char* kEntryColumns =
    "id, state, kind, inbox_name, via_marker, work_path, sha256, case_id, received_at, "
    "duplicate_of, reason_code, reason, attempts, created_at, updated_at, "
    "COALESCE(lease_owner, ''), COALESCE(leased_since::text, ''), COALESCE(lease_until::text, ''), "
    "COALESCE(lease_owner IS NOT NULL AND lease_until < now(), false), lease_epoch";
constexpr const char* kUnfinished =
    "('claiming','claimed','processing','archiving','quarantining','retrying')";

std::string NowIso() { return FormatLocalNow("%Y-%m-%dT%H:%M:%S%z"); }

// A query's result, cleared when destroyed.
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  ~PgResult() { PQclear(r_); }
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  bool ok() const {
    const auto s = PQresultStatus(r_);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  }
  int rows() const { return PQntuples(r_); }
  std::string Text(int row, int col) const { return PQgetvalue(r_, row, col); }
  std::int64_t Int(int row, int col) const { return std::stoll(PQgetvalue(r_, row, col)); }
  bool Bool(int row, int col) const { return Text(row, col) == "t"; }
  std::int64_t Affected() const { return std::atoll(PQcmdTuples(r_)); }
  std::string Error() const {
    const char* m = PQresultErrorMessage(r_);
    std::string s = m ? m : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

 private:
  PGresult* r_;
};

// Parameters by position ($1...); nullopt is SQL NULL.
using Params = std::vector<std::optional<std::string>>;

// One connection; reconnects once when the server went away between calls.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& url) {
    std::unique_ptr<Connection> c(new Connection(PQconnectdb(url.c_str())));
    if (!c->conn_ || PQstatus(c->conn_) != CONNECTION_OK) {
      std::string m = c->conn_ ? PQerrorMessage(c->conn_) : "no memory";
      while (!m.empty() && m.back() == '\n') m.pop_back();
      return Result<std::unique_ptr<Connection>>::Fail("journal: cannot connect to PostgreSQL: " +
                                                       m);
    }
    c->Run("SET client_min_messages = warning", {});
    return c;
  }
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PgResult Run(const char* sql, const Params& params) {
    if (PQstatus(conn_) != CONNECTION_OK && !in_transaction_) PQreset(conn_);
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    return PgResult(PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0));
  }
  // Several statements, no parameters (schema scripts).
  PgResult RunScript(const char* sql) {
    if (PQstatus(conn_) != CONNECTION_OK && !in_transaction_) PQreset(conn_);
    return PgResult(PQexec(conn_, sql));
  }
  int Socket() const { return PQsocket(conn_); }
  // Reads what the server sent meanwhile; returns the notifications received.
  int TakeNotifications() {
    PQconsumeInput(conn_);
    int n = 0;
    while (PGnotify* note = PQnotifies(conn_)) {
      PQfreemem(note);
      ++n;
    }
    return n;
  }
  Status Begin() {
    PgResult r = Run("BEGIN", {});
    if (!r.ok()) return Status::Fail("journal: cannot begin: " + r.Error());
    in_transaction_ = true;
    return Status::Ok();
  }
  Status Commit() {
    PgResult r = Run("COMMIT", {});
    in_transaction_ = false;
    if (!r.ok()) return Status::Fail("journal: commit failed: " + r.Error());
    return Status::Ok();
  }
  void Rollback() {
    if (in_transaction_) Run("ROLLBACK", {});
    in_transaction_ = false;
  }

 private:
  explicit Connection(PGconn* c) : conn_(c) {}
  PGconn* conn_;
  bool in_transaction_ = false;
};

// Rolls back unless committed.
class PgTransaction {
 public:
  explicit PgTransaction(Connection& c) : c_(c), begun_(c.Begin()) {}
  ~PgTransaction() {
    if (!committed_) c_.Rollback();
  }
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  const Status& begun() const { return begun_; }
  Status Commit() {
    committed_ = true;
    return c_.Commit();
  }

 private:
  Connection& c_;
  Status begun_;
  bool committed_ = false;
};

Status Failed(const PgResult& r, std::string_view what) {
  return Status::Fail("journal: " + std::string(what) + ": " + r.Error());
}

JournalEntry ReadEntry(const PgResult& r, int row) {
  JournalEntry e;
  e.id = r.Int(row, 0);
  e.state = ParseState(r.Text(row, 1)).value_or(State::kClaiming);
  e.kind = r.Text(row, 2) == "folder" ? EntryKind::kFolder : EntryKind::kFile;
  e.inbox_name = r.Text(row, 3);
  e.via_marker = r.Bool(row, 4);
  e.work_path = r.Text(row, 5);
  e.sha256 = r.Text(row, 6);
  e.case_id = r.Text(row, 7);
  e.received_at = r.Text(row, 8);
  e.duplicate_of = r.Text(row, 9);
  e.reason_code = r.Text(row, 10);
  e.reason = r.Text(row, 11);
  e.attempts = static_cast<int>(r.Int(row, 12));
  e.created_at = r.Text(row, 13);
  e.updated_at = r.Text(row, 14);
  e.lease_owner = r.Text(row, 15);
  e.leased_since = r.Text(row, 16);
  e.lease_until = r.Text(row, 17);
  e.lease_expired = r.Bool(row, 18);
  e.lease_epoch = r.Int(row, 19);
  return e;
}

std::string StateArray(std::initializer_list<State> states) {
  std::string a = "{";
  for (State s : states) {
    if (a.size() > 1) a += ',';
    a += StateName(s);  // appended: `"," + string` trips GCC 12's -Wrestrict at -O3
  }
  a += '}';
  return a;
}

std::string Millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()); }

std::string WorkerIdNow() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "host");
  std::string safe;
  for (const char* p = host; *p; ++p) {
    const char ch = *p;
    const bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                       (ch >= '0' && ch <= '9') || ch == '.' || ch == '_';
    safe += plain ? ch : '_';
  }
  return safe + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::time(nullptr));
}

// Renews this watcher's leases and heartbeat every lease/3 on its own connection, until stopped.
class Heartbeat {
 public:
  Heartbeat(std::unique_ptr<Connection> conn, std::string worker, std::chrono::milliseconds lease)
      : conn_(std::move(conn)), worker_(std::move(worker)), lease_(lease) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, lease_ / 3, [this] { return stop_; })) {
      conn_->Run(("UPDATE submissions SET lease_until = now() + ($2 || ' milliseconds')::interval "
                  "WHERE lease_owner = $1 AND state IN " +
                  std::string(kUnfinished))
                     .c_str(),
                 {worker_, Millis(lease_)});
      conn_->Run("UPDATE workers SET last_seen = now() WHERE id = $1", {worker_});
    }
  }

  std::unique_ptr<Connection> conn_;
  std::string worker_;
  std::chrono::milliseconds lease_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

class PgJournal final : public Journal {
 public:
  PgJournal(std::unique_ptr<Connection> conn, const PgJournalOptions& options)
      : conn_(std::move(conn)), options_(options) {}
  ~PgJournal() override;

  Status Start();
  Result<JournalEntry> AddClaiming(EntryKind kind, const std::string& inbox_name, bool via_marker,
                                   const fs::path& work_root) override;
  Status Transition(std::int64_t id, std::initializer_list<State> from, State to,
                    const EntryChanges& changes = {}, std::string_view detail = {}) override;
  Result<CaseDecision> DecideCase(std::int64_t id, const std::string& sha256,
                                  const std::string& new_case_id,
                                  const std::string& received_at) override;
  Result<JournalEntry> Get(std::int64_t id) override;
  Result<std::vector<JournalEntry>> List(std::initializer_list<State> states = {}) override;
  Result<std::vector<TransitionRecord>> History(std::int64_t id) override;

  bool shared() const override { return true; }
  std::string worker_id() const override { return worker_; }
  Result<std::optional<JournalEntry>> LeaseNext(std::initializer_list<State> states) override;
  Status ReleaseLease(std::int64_t id, std::chrono::milliseconds not_before) override;
  Status Fenced(std::int64_t id, const std::function<Status()>& step) override;
  Result<std::vector<WorkerInfo>> Workers() override;
  int WakeFd() override { return worker_.empty() ? -1 : conn_->Socket(); }
  bool TakeWakeups() override { return !worker_.empty() && conn_->TakeNotifications() > 0; }
  Result<std::int64_t> PruneFinished(std::chrono::hours age) override;

 private:
  Status Migrate();
  Status Register();
  Status CheckLease(std::int64_t id, const std::string& owner, std::int64_t epoch);
  Status TransitionLocked(std::int64_t id, std::initializer_list<State> from, State to,
                          const EntryChanges& changes, std::string_view detail);
  Status AppendTransition(std::int64_t id, std::string_view from, std::string_view to,
                          std::string_view detail, const std::string& at);

  std::unique_ptr<Connection> conn_;
  PgJournalOptions options_;
  std::string worker_;
  std::map<std::int64_t, std::int64_t> leases_;  // row id -> the epoch this watcher holds
  std::unique_ptr<Heartbeat> heartbeat_;
};

PgJournal::~PgJournal() {
  heartbeat_.reset();
  if (!worker_.empty()) {  // a clean stop: what this watcher held is free at once
    conn_->Run(
        "UPDATE submissions SET lease_owner = NULL, leased_since = NULL, "
        "lease_until = NULL WHERE lease_owner = $1",
        {worker_});
    conn_->Run("DELETE FROM workers WHERE id = $1", {worker_});
  }
}

Status PgJournal::Start() {
  Status s = Migrate();
  if (!s.ok() || !options_.as_worker) return s;
  return Register();
}

Status PgJournal::Migrate() {
  PgTransaction tx(*conn_);
  if (!tx.begun().ok()) return tx.begun();
  PgResult lock = conn_->Run("SELECT pg_advisory_xact_lock($1)", {std::to_string(kMigrationLock)});
  if (!lock.ok()) return Failed(lock, "cannot lock the schema");
  PgResult exists = conn_->Run("SELECT to_regclass('intake_schema') IS NOT NULL", {});
  if (!exists.ok()) return Failed(exists, "cannot read the schema");
  std::int64_t current = 0;
  if (exists.Bool(0, 0)) {
    PgResult v = conn_->Run("SELECT version FROM intake_schema", {});
    if (!v.ok() || v.rows() != 1) return Failed(v, "cannot read the schema version");
    current = v.Int(0, 0);
  } else {
    PgResult c = conn_->RunScript(
        "CREATE TABLE intake_schema (version integer NOT NULL); "
        "INSERT INTO intake_schema VALUES (0)");
    if (!c.ok()) return Failed(c, "cannot create the schema table");
  }
  if (current > kPgSchemaVersion) {
    return Status::Fail("journal: schema version " + std::to_string(current) +
                        " was written by a newer intake (this one knows up to " +
                        std::to_string(kPgSchemaVersion) + ")");
  }
  for (std::int64_t v = current; v < kPgSchemaVersion; ++v) {
    PgResult step = conn_->RunScript(kPgMigrations[static_cast<std::size_t>(v)]);
    if (!step.ok()) return Failed(step, "cannot upgrade the schema");
  }
  PgResult set =
      conn_->Run("UPDATE intake_schema SET version = $1", {std::to_string(kPgSchemaVersion)});
  if (!set.ok()) return Failed(set, "cannot record the schema version");
  return tx.Commit();
}

Status PgJournal::Register() {
  worker_ = WorkerIdNow();
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  PgResult r = conn_->Run(
      "INSERT INTO workers(id, host, pid, lease_ms) VALUES($1, $2, $3, $4) "
      "ON CONFLICT (id) DO UPDATE SET last_seen = now()",
      {worker_, std::string(host), std::to_string(::getpid()), Millis(options_.lease)});
  if (!r.ok()) return Failed(r, "cannot register this watcher");
  PgResult listen = conn_->Run("LISTEN intake_work", {});
  if (!listen.ok()) return Failed(listen, "cannot listen for work");
  if (!options_.heartbeat) return Status::Ok();
  auto beat = Connection::Open(options_.url);
  if (!beat.ok()) return beat.status();
  heartbeat_ = std::make_unique<Heartbeat>(std::move(*beat), worker_, options_.lease);
  return Status::Ok();
}

Status PgJournal::AppendTransition(std::int64_t id, std::string_view from, std::string_view to,
                                   std::string_view detail, const std::string& at) {
  PgResult r = conn_->Run(
      "INSERT INTO transitions(submission_id, at, from_state, to_state, detail) "
      "VALUES($1, $2, $3, $4, $5)",
      {std::to_string(id), at, std::string(from), std::string(to), std::string(detail)});
  if (!r.ok()) return Failed(r, "cannot record a transition");
  return Status::Ok();
}

Result<JournalEntry> PgJournal::AddClaiming(EntryKind kind, const std::string& inbox_name,
                                            bool via_marker, const fs::path& work_root) {
  using R = Result<JournalEntry>;
  const std::string now = NowIso();
  std::int64_t id = 0;
  {
    PgTransaction tx(*conn_);
    if (!tx.begun().ok()) return R(Error{tx.begun().message()});
    const bool lease = !worker_.empty();
    PgResult insert = conn_->Run(
        "INSERT INTO submissions(state, kind, inbox_name, via_marker, created_at, updated_at, "
        "lease_owner, leased_since, lease_until, lease_epoch) "
        "VALUES($1, $2, $3, $4, $5, $5, $6::text, CASE WHEN $6::text IS NULL THEN NULL ELSE now() "
        "END, "
        "CASE WHEN $6::text IS NULL THEN NULL ELSE now() + ($7 || ' milliseconds')::interval END, "
        "CASE WHEN $6::text IS NULL THEN 0 ELSE 1 END) RETURNING id",
        {std::string(StateName(State::kClaiming)), std::string(EntryKindName(kind)), inbox_name,
         via_marker ? "true" : "false", now,
         lease ? std::optional<std::string>(worker_) : std::nullopt, Millis(options_.lease)});
    if (!insert.ok() || insert.rows() != 1) return R(Error{Failed(insert, "cannot add").message()});
    id = insert.Int(0, 0);
    const fs::path work_path = work_root / std::to_string(id) / inbox_name;
    PgResult update = conn_->Run("UPDATE submissions SET work_path = $1 WHERE id = $2",
                                 {work_path.string(), std::to_string(id)});
    if (!update.ok()) return R(Error{Failed(update, "cannot add").message()});
    Status s = AppendTransition(id, "", StateName(State::kClaiming),
                                via_marker ? "ready marker" : "settled", now);
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) return R(Error{s.message()});
    if (lease) leases_[id] = 1;
  }
  return Get(id);
}

// Inside a transaction: the row locked, and, when this watcher leased it, still its lease.
Status PgJournal::CheckLease(std::int64_t id, const std::string& owner, std::int64_t epoch) {
  auto held = leases_.find(id);
  if (held == leases_.end()) return Status::Ok();  // not leased here (`intake retry`, status)
  // Kept in leases_ until ReleaseLease: every later call on the row fails the same way.
  if (owner != worker_ || epoch != held->second) {
    return Status::Fail(std::string(kLeaseLost) + ": submission " + std::to_string(id) +
                            " was taken over by another watcher",
                        ErrorCode::kLeaseLost);
  }
  return Status::Ok();
}

Status PgJournal::TransitionLocked(std::int64_t id, std::initializer_list<State> from, State to,
                                   const EntryChanges& changes, std::string_view detail) {
  PgResult read = conn_->Run(
      "SELECT state, COALESCE(lease_owner, ''), lease_epoch FROM submissions WHERE id = $1 "
      "FOR UPDATE",
      {std::to_string(id)});
  if (!read.ok()) return Failed(read, "cannot read");
  if (read.rows() != 1) return Status::Fail("journal: no submission " + std::to_string(id));
  if (Status s = CheckLease(id, read.Text(0, 1), read.Int(0, 2)); !s.ok()) return s;
  const std::string current = read.Text(0, 0);
  bool allowed = false;
  for (State s : from) allowed = allowed || StateName(s) == current;
  if (!allowed) {
    return Status::Fail("journal: submission " + std::to_string(id) + " is " + current +
                        ", cannot become " + std::string(StateName(to)));
  }
  const std::string now = NowIso();
  // A final state frees the row: nobody needs to hold it any more.
  PgResult update = conn_->Run(
      "UPDATE submissions SET state = $1, updated_at = $2, sha256 = COALESCE($3, sha256), "
      "case_id = COALESCE($4, case_id), received_at = COALESCE($5, received_at), "
      "duplicate_of = COALESCE($6, duplicate_of), reason_code = COALESCE($7, reason_code), "
      "reason = COALESCE($8, reason), "
      "attempts = CASE WHEN $9::boolean THEN 0 ELSE attempts END + $10::integer, "
      "lease_owner = CASE WHEN $11::boolean THEN NULL ELSE lease_owner END, "
      "leased_since = CASE WHEN $11::boolean THEN NULL ELSE leased_since END, "
      "lease_until = CASE WHEN $11::boolean THEN NULL ELSE lease_until END WHERE id = $12",
      {std::string(StateName(to)), now, changes.sha256, changes.case_id, changes.received_at,
       changes.duplicate_of, changes.reason_code, changes.reason,
       changes.reset_attempts ? "true" : "false", changes.count_attempt ? "1" : "0",
       IsFinal(to) ? "true" : "false", std::to_string(id)});
  if (!update.ok()) return Failed(update, "cannot update");
  if (IsFinal(to)) leases_.erase(id);
  if (to == State::kClaimed || to == State::kRetrying) {
    // Delivered at commit, to the watchers listening then (others find the row by polling).
    PgResult notify = conn_->Run("SELECT pg_notify('intake_work', '')", {});
    if (!notify.ok()) return Failed(notify, "cannot notify");
  }
  return AppendTransition(id, current, StateName(to), detail, now);
}

Status PgJournal::Transition(std::int64_t id, std::initializer_list<State> from, State to,
                             const EntryChanges& changes, std::string_view detail) {
  PgTransaction tx(*conn_);
  if (!tx.begun().ok()) return tx.begun();
  Status s = TransitionLocked(id, from, to, changes, detail);
  if (!s.ok()) return s;
  return tx.Commit();
}

Result<CaseDecision> PgJournal::DecideCase(std::int64_t id, const std::string& sha256,
                                           const std::string& new_case_id,
                                           const std::string& received_at) {
  using R = Result<CaseDecision>;
  PgTransaction tx(*conn_);
  if (!tx.begun().ok()) return R(Error{tx.begun().message()});
  // Two watchers deciding on the same bytes at once: one after the other.
  PgResult lock = conn_->Run("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", {sha256});
  if (!lock.ok()) return R(Error{Failed(lock, "cannot lock").message()});
  PgResult earlier = conn_->Run(
      "SELECT case_id FROM submissions WHERE sha256 = $1 AND id <> $2 AND duplicate_of = '' "
      "AND case_id <> '' AND state IN ('archiving','done') ORDER BY id LIMIT 1",
      {sha256, std::to_string(id)});
  if (!earlier.ok()) return R(Error{Failed(earlier, "cannot look up").message()});
  CaseDecision decision;
  EntryChanges changes;
  changes.sha256 = sha256;
  Status s;
  if (earlier.rows() == 1) {
    const std::string case_id = earlier.Text(0, 0);
    changes.case_id = case_id;
    changes.duplicate_of = case_id;
    decision = {true, case_id};
    s = TransitionLocked(id, {State::kClaimed}, State::kArchiving, changes,
                         "DUPLICATE_SUBMISSION of " + case_id);
  } else {
    // The same bytes in the works elsewhere: its case (same id) is not decided yet.
    PgResult busy = conn_->Run(
        "SELECT 1 FROM submissions WHERE sha256 = $1 AND id <> $2 "
        "AND state IN ('processing','quarantining') LIMIT 1",
        {sha256, std::to_string(id)});
    if (!busy.ok()) return R(Error{Failed(busy, "cannot look up").message()});
    if (busy.rows() > 0) {
      CaseDecision wait;
      wait.wait = true;
      return wait;
    }
    changes.case_id = new_case_id;
    changes.received_at = received_at;
    changes.duplicate_of = "";
    changes.count_attempt = true;
    decision = {false, new_case_id};
    s = TransitionLocked(id, {State::kClaimed}, State::kProcessing, changes, new_case_id);
  }
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return R(Error{s.message()});
  return decision;
}

Result<JournalEntry> PgJournal::Get(std::int64_t id) {
  using R = Result<JournalEntry>;
  const std::string sql = std::string("SELECT ") + kEntryColumns + " FROM submissions WHERE id=$1";
  PgResult r = conn_->Run(sql.c_str(), {std::to_string(id)});
  if (!r.ok()) return R(Error{Failed(r, "cannot read").message()});
  if (r.rows() != 1) return R::Fail("journal: no submission " + std::to_string(id));
  return ReadEntry(r, 0);
}

Result<std::vector<JournalEntry>> PgJournal::List(std::initializer_list<State> states) {
  using R = Result<std::vector<JournalEntry>>;
  std::string sql = std::string("SELECT ") + kEntryColumns + " FROM submissions";
  Params params;
  if (states.size() > 0) {
    sql += " WHERE state = ANY($1::text[])";
    params.push_back(StateArray(states));
  }
  sql += " ORDER BY id";
  PgResult r = conn_->Run(sql.c_str(), params);
  if (!r.ok()) return R(Error{Failed(r, "cannot read").message()});
  std::vector<JournalEntry> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(ReadEntry(r, i));
  return out;
}

Result<std::vector<TransitionRecord>> PgJournal::History(std::int64_t id) {
  using R = Result<std::vector<TransitionRecord>>;
  PgResult r = conn_->Run(
      "SELECT submission_id, at, from_state, to_state, detail FROM transitions "
      "WHERE submission_id = $1 ORDER BY id",
      {std::to_string(id)});
  if (!r.ok()) return R(Error{Failed(r, "cannot read").message()});
  std::vector<TransitionRecord> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)});
  return out;
}

Result<std::optional<JournalEntry>> PgJournal::LeaseNext(std::initializer_list<State> states) {
  using R = Result<std::optional<JournalEntry>>;
  if (worker_.empty()) return R::Fail("journal: leases need a watcher (opened as a worker)");
  PgTransaction tx(*conn_);
  if (!tx.begun().ok()) return R(Error{tx.begun().message()});
  PgResult pick = conn_->Run(
      "SELECT id FROM submissions WHERE state = ANY($1::text[]) "
      "AND (lease_until IS NULL OR lease_until < now()) ORDER BY id LIMIT 1 "
      "FOR UPDATE SKIP LOCKED",
      {StateArray(states)});
  if (!pick.ok()) return R(Error{Failed(pick, "cannot look for work").message()});
  if (pick.rows() == 0) return std::optional<JournalEntry>();
  const std::string sql = std::string(
                              "UPDATE submissions SET lease_owner = $1, leased_since = now(), "
                              "lease_until = now() + ($2 || ' milliseconds')::interval, "
                              "lease_epoch = lease_epoch + 1 WHERE id = $3 RETURNING ") +
                          kEntryColumns;
  PgResult take = conn_->Run(sql.c_str(), {worker_, Millis(options_.lease), pick.Text(0, 0)});
  if (!take.ok() || take.rows() != 1) return R(Error{Failed(take, "cannot lease").message()});
  JournalEntry e = ReadEntry(take, 0);
  if (Status s = tx.Commit(); !s.ok()) return R(Error{s.message()});
  leases_[e.id] = e.lease_epoch;
  return std::optional<JournalEntry>(std::move(e));
}

Status PgJournal::ReleaseLease(std::int64_t id, std::chrono::milliseconds not_before) {
  auto held = leases_.find(id);
  if (held == leases_.end()) return Status::Ok();
  const std::string epoch = std::to_string(held->second);
  leases_.erase(held);
  PgResult r = conn_->Run(
      "UPDATE submissions SET lease_owner = NULL, leased_since = NULL, lease_until = "
      "CASE WHEN $3::bigint > 0 THEN now() + ($3 || ' milliseconds')::interval ELSE NULL END "
      "WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $4",
      {std::to_string(id), worker_, Millis(not_before), epoch});
  if (!r.ok()) return Failed(r, "cannot release a lease");
  return Status::Ok();
}

Status PgJournal::Fenced(std::int64_t id, const std::function<Status()>& step) {
  if (leases_.find(id) == leases_.end()) return step();
  PgTransaction tx(*conn_);
  if (!tx.begun().ok()) return tx.begun();
  PgResult read = conn_->Run(
      "SELECT COALESCE(lease_owner, ''), lease_epoch FROM submissions WHERE id = $1 FOR UPDATE",
      {std::to_string(id)});
  if (!read.ok() || read.rows() != 1) return Failed(read, "cannot lock the submission");
  if (Status s = CheckLease(id, read.Text(0, 0), read.Int(0, 1)); !s.ok()) return s;
  Status s = step();  // nobody can take the row over until the commit
  Status committed = tx.Commit();
  return s.ok() ? committed : s;
}

Result<std::vector<WorkerInfo>> PgJournal::Workers() {
  using R = Result<std::vector<WorkerInfo>>;
  PgResult r = conn_->Run(
      "SELECT w.id, w.host, w.pid, w.started_at::text, w.last_seen::text, "
      "w.last_seen > now() - 3 * (w.lease_ms || ' milliseconds')::interval, "
      "(SELECT count(*) FROM submissions s WHERE s.lease_owner = w.id) "
      "FROM workers w ORDER BY w.started_at, w.id",
      {});
  if (!r.ok()) return R(Error{Failed(r, "cannot read the watchers").message()});
  std::vector<WorkerInfo> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.Text(i, 0), r.Text(i, 1), r.Int(i, 2), r.Text(i, 3), r.Text(i, 4),
                   r.Bool(i, 5), static_cast<int>(r.Int(i, 6))});
  }
  return out;
}

Result<std::int64_t> PgJournal::PruneFinished(std::chrono::hours age) {
  using R = Result<std::int64_t>;
  const std::string hours = std::to_string(age.count());
  // created_at is ISO 8601 text with an offset, which PostgreSQL reads as a timestamptz.
  PgResult released = conn_->Run(
      "DELETE FROM submissions WHERE state = 'released' "
      "AND created_at::timestamptz < now() - ($1 || ' hours')::interval",
      {hours});
  if (!released.ok()) return R(Error{Failed(released, "cannot prune").message()});
  PgResult history = conn_->Run(
      "DELETE FROM transitions t USING submissions s WHERE t.submission_id = s.id "
      "AND s.state IN ('done','duplicate') "
      "AND s.updated_at::timestamptz < now() - ($1 || ' hours')::interval",
      {hours});
  if (!history.ok()) return R(Error{Failed(history, "cannot prune").message()});
  PgResult workers = conn_->Run(
      "DELETE FROM workers WHERE last_seen < now() - ($1 || ' hours')::interval", {hours});
  if (!workers.ok()) return R(Error{Failed(workers, "cannot prune").message()});
  return released.Affected() + history.Affected() + workers.Affected();
}

Result<std::unique_ptr<Journal>> OpenPgJournal(const PgJournalOptions& options) {
  using R = Result<std::unique_ptr<Journal>>;
  auto conn = Connection::Open(options.url);
  if (!conn.ok()) return R(Error{conn.message()});
  auto journal = std::make_unique<PgJournal>(std::move(*conn), options);
  if (Status s = journal->Start(); !s.ok()) return R(Error{s.message()});
  return R(std::unique_ptr<Journal>(std::move(journal)));
}

}  // namespace intake::watch

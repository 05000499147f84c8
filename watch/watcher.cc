#include "watch/watcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

#include "pipeline/exit_codes.h"
#include "pipeline/fault_points.h"
#include "pipeline/log.h"
#include "watch/durable_fs.h"
#include "watch/inbox.h"
#include "watch/inbox_events.h"
#include "watch/pg_journal.h"
#include "watch/quarantine.h"
#include "watch/self_restart.h"
#include "watch/stop_signal.h"

// Crash points (pipeline/fault_points.h), in the order a submission meets them:
//   claim:journaled      row `claiming` committed, the file still in the inbox
//   claim:renamed        the file in the work area, the row still `claiming`
//   process:hashed       hashed, the row still `claimed`
//   process:started      row `processing`, nothing written yet
//   process:written      the case folder complete in staging, not yet published
//   process:published    the case folder in place, the row still `processing`
//   archive:journaled    row `archiving`, the observer not called yet
//   archive:recorded     the observer's record written, the original still in the work area
//   archive:moved        the original archived, the row still `archiving`
//   quarantine:journaled row `quarantining`, the original still in the work area
//   quarantine:moved     the original and reason.txt in the quarantine, row still `quarantining`

namespace intake::watch {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// How often a watcher on a shared journal looks for work other watchers made available.
constexpr auto kSharedJournalPoll = std::chrono::milliseconds(1000);
// How long a shared journal keeps released rows and finished cases' history (pruned hourly).
constexpr auto kKeepFinishedHistory = std::chrono::hours(24 * 30);

bool Exists(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

// Removes a folder only when it is empty (never deletes anything that might be a submission).
void RemoveIfEmpty(const fs::path& dir) { ::rmdir(dir.c_str()); }

long long Ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

bool IsInside(const fs::path& inner, const fs::path& outer) {
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(inner, ec);
  const fs::path b = fs::weakly_canonical(outer, ec);
  auto it = a.begin();
  for (const auto& part : b) {
    if (it == a.end() || *it != part) return false;
    ++it;
  }
  return true;
}

// Removes a published case folder: renamed out of sight first (atomic), then deleted.
Status Withdraw(const fs::path& case_dir, const fs::path& trash) {
  if (!Exists(case_dir)) return Status::Ok();
  std::error_code ec;
  fs::remove_all(trash, ec);
  if (::rename(case_dir.c_str(), trash.c_str()) != 0)
    return Status::Fail(std::string("cannot withdraw a case folder: ") + strerror(errno));
  Status s = FsyncPath(case_dir.parent_path());
  fs::remove_all(trash, ec);
  return s;
}

// Moves a retried submission from the quarantine back to its work path and makes it `claimed`.
// Idempotent (recovery calls it again for a row left `retrying`).
Status FinishRetry(Journal& journal, const OfficeLayout& layout, const JournalEntry& entry) {
  const fs::path from = layout.QuarantinePath(entry);
  Status moved = journal.Fenced(entry.id, [&] {
    if (!Exists(from) && Exists(entry.work_path)) return Status::Ok();
    return MoveDurably(from, entry.work_path);
  });
  if (IsLeaseLost(moved)) return moved;
  if (!moved.ok())
    return Status::Fail("retry " + std::to_string(entry.id) + ": " + moved.message());
  const fs::path dir = layout.QuarantineDir(entry.id);
  std::error_code ec;
  fs::remove(dir / "reason.txt", ec);
  RemoveIfEmpty(dir / "original");
  RemoveIfEmpty(dir);
  EntryChanges changes;
  changes.reason_code = "";
  changes.reason = "";
  changes.reset_attempts = true;
  return journal.Transition(entry.id, {State::kRetrying}, State::kClaimed, changes, "retry");
}

// Runs on the case processor's watchdog thread while the stuck case goes on on the main thread:
// journals the time limit (with a connection of its own: a Journal belongs to one thread), then
// restarts the watcher, whose recovery finishes the quarantine. Never returns.
[[noreturn]] void AfterCaseTimeLimit(const JournalLocation& where, std::int64_t id,
                                     const casework::CaseTimeLimitHit& hit,
                                     const std::vector<std::string>& restart_command) {
  EntryChanges changes;
  changes.reason_code = std::string(QuarantineCodeName(QuarantineCode::kTimeLimit));
  changes.reason = hit.Describe();
  Status s;
  {  // closed before the exec
    auto journal = OpenJournal(where);
    s = journal.ok()
            ? (*journal)->Transition(id, {State::kProcessing}, State::kQuarantining, changes,
                                     QuarantineCodeName(QuarantineCode::kTimeLimit))
            : journal.status();
  }
  if (!s.ok()) {
    // The row stays `processing`: the next start resumes it, and --max-attempts ends that.
    Log()->error("event=time_limit_not_journaled id={} error=\"{}\"", id, s.message());
    Log()->flush();
    std::_Exit(kExitOutput);
  }
  Log()->error("event=time_limit id={} case={} stage={} file={} limit_ms={}", id, hit.case_id,
               hit.stage.empty() ? "-" : hit.stage, hit.file_id.empty() ? "-" : hit.file_id,
               hit.limit.count());
  if (StopRequested() || restart_command.empty()) {
    Log()->info("event=watch_stopped after=time_limit (the next start quarantines {})", id);
    Log()->flush();
    std::_Exit(0);
  }
  Log()->info("event=restarting reason=TIME_LIMIT");
  RestartSelf(restart_command);
  Log()->error("event=restart_failed errno={} reason=\"{}\"", errno, strerror(errno));
  Log()->flush();
  std::_Exit(kExitOutput);
}

}  // namespace

OfficeLayout::OfficeLayout(const fs::path& out_dir)
    : out(out_dir),
      internal(out_dir / ".intake"),
      work(internal / "work"),
      staging(internal / "staging"),
      trash(internal / "trash"),
      archive(out_dir / "archive"),
      quarantine(out_dir / "quarantine"),
      lock(internal / "lock") {}

fs::path OfficeLayout::ArchivePath(const JournalEntry& e) const {
  return archive / std::to_string(e.id) / e.inbox_name;
}
fs::path OfficeLayout::QuarantineDir(std::int64_t id) const {
  return quarantine / std::to_string(id);
}
fs::path OfficeLayout::QuarantinePath(const JournalEntry& e) const {
  return QuarantineDir(e.id) / "original" / e.inbox_name;
}

Result<OutputLock> OutputLock::Acquire(const fs::path& out_dir, bool shared) {
  const OfficeLayout layout(out_dir);
  std::error_code ec;
  fs::create_directories(layout.internal, ec);
  if (ec)
    return Result<OutputLock>::Fail("cannot create folders in the output folder: " + ec.message());
  const int fd = ::open(layout.lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return Result<OutputLock>::Fail(std::string("cannot create the lock file: ") + strerror(errno));
  if (::flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    ::close(fd);
    return Result<OutputLock>::Fail("another intake watch is already running on this output folder",
                                    ErrorCode::kBusy);
  }
  return OutputLock(fd);
}

OutputLock::~OutputLock() {
  if (fd_ >= 0) ::close(fd_);
}

Status CheckWatchFolders(const fs::path& inbox, const fs::path& out_dir) {
  std::error_code ec;
  if (!fs::is_directory(inbox, ec)) return Status::Fail("the inbox is not a folder");
  if (IsInside(out_dir, inbox)) {
    return Status::Fail("the output folder must not be the inbox or inside it");
  }
  return Status::Ok();
}

Watcher::Watcher(WatchOptions options, OfficeLayout layout, fs::path work_root, fs::path staging,
                 std::unique_ptr<Journal> journal, casework::CaseProcessor processor,
                 OutputLock lock, WatchObserver* observer)
    : options_(std::move(options)),
      layout_(std::move(layout)),
      work_root_(std::move(work_root)),
      staging_(std::move(staging)),
      journal_(std::move(journal)),
      processor_(std::move(processor)),
      lock_(std::move(lock)),
      observer_(observer) {}

Result<std::unique_ptr<Watcher>> Watcher::Open(WatchOptions options, OutputLock lock,
                                               const config::Profile& profile, ocr::OcrPool& ocr,
                                               casework::ProcessOptions process_options,
                                               WatchObserver* observer) {
  using R = Result<std::unique_ptr<Watcher>>;
  static WatchObserver no_observer;
  if (!observer) observer = &no_observer;
  std::error_code ec;
  OfficeLayout layout(options.out_dir);
  for (const auto& dir : {layout.out, layout.internal, layout.work, layout.staging, layout.trash,
                          layout.archive, layout.quarantine}) {
    fs::create_directories(dir, ec);
    if (ec) return R::Fail("cannot create folders in the output folder: " + ec.message());
  }
  // A rename is atomic only within one file system: claim beside the inbox when OUT is elsewhere.
  fs::path work_root = layout.work;
  const bool same_fs = SameFileSystem(options.inbox, layout.work);
  if (!same_fs) {
    work_root = options.inbox / ".intake-claimed";
    fs::create_directories(work_root, ec);
    if (ec) return R::Fail("cannot create the claim folder in the inbox: " + ec.message());
  }
  auto journal =
      OpenJournal({options.out_dir, options.journal_url}, /*as_worker=*/true, options.lease);
  if (!journal.ok()) return R::Fail(journal.message());
  const bool shared = (*journal)->shared();
  // Several watchers: each writes its cases into a folder of its own.
  const fs::path staging = shared ? layout.staging / (*journal)->worker_id() : layout.staging;
  fs::create_directories(staging, ec);
  if (ec) return R::Fail("cannot create folders in the output folder: " + ec.message());
  process_options.out_dir = staging;
  process_options.records_dir = layout.out;  // the audit trail is OUT's, not staging's
  process_options.update_index = false;      // the observer rebuilds it once the case is published
  process_options.keep_work = false;
  std::unique_ptr<Watcher> watcher(
      new Watcher(std::move(options), layout, work_root, staging, std::move(*journal),
                  casework::CaseProcessor(profile, ocr, std::move(process_options)),
                  std::move(lock), observer));
  Log()->info("event=watch_open work_area={} journal={} journal_schema={}",
              same_fs ? "output" : "inbox (other file system)", shared ? "postgresql" : "sqlite",
              shared ? kPgSchemaVersion : Journal::kSchemaVersion);
  if (shared) {
    // Other watchers' rows are theirs while their leases run: recovery is the main loop's
    // leasing of rows nobody holds.
    watcher->RemoveDeadStaging();
    return R(std::move(watcher));
  }
  Status s = watcher->Recover();
  if (!s.ok()) return R::Fail(s.message());
  return R(std::move(watcher));
}

// --- recovery ------------------------------------------------------------------------------

Status Watcher::Recover() {
  auto rows = journal_->List({State::kClaiming, State::kClaimed, State::kProcessing,
                              State::kArchiving, State::kQuarantining, State::kRetrying});
  if (!rows.ok()) return rows.status();
  for (const JournalEntry& e : *rows) {
    Log()->info("event=recover id={} state={}", e.id, StateName(e.state));
    Status s = Resume(e, /*work=*/false);
    if (!s.ok()) return s;
  }
  // Half-written case folders and replaced ones: processing restarts from the journal anyway.
  std::error_code ec;
  for (const auto& dir : {layout_.staging, layout_.trash}) {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      fs::remove_all(it->path(), ec);
  }
  return Status::Ok();
}

// Finishes the step row `e` was left in by a run that stopped (or, shared, by a watcher whose
// lease ran out). Claimed and processing rows are worked on only when `work` (otherwise the main
// loop does it).
Status Watcher::Resume(const JournalEntry& e, bool work) {
  switch (e.state) {
    case State::kClaiming:
      if (Exists(e.work_path)) {
        return journal_->Transition(e.id, {State::kClaiming}, State::kClaimed, {},
                                    "recovered: the rename had happened");
      }
      RemoveIfEmpty(e.work_path.parent_path());
      ++counts_.released;
      return journal_->Transition(e.id, {State::kClaiming}, State::kReleased, {},
                                  "recovered: never left the inbox");
    case State::kClaimed:
    case State::kProcessing:
      if (!Exists(e.work_path)) return ReleaseOrLose(e);
      return work ? Work(e) : Status::Ok();
    case State::kArchiving:
      return FinishArchiving(e, nullptr);
    case State::kQuarantining:
      return FinishQuarantine(e);
    case State::kRetrying:
      return FinishRetry(*journal_, layout_, e);
    default:
      return Status::Ok();
  }
}

// Shared journal: leases the oldest unfinished row nobody holds, finishes it, gives the lease
// back; until there is none left (or a stop). A row taken over by another watcher meanwhile
// (lease lost) is dropped; its staging folder goes with it.
Status Watcher::WorkLeased() {
  if (const auto now = Clock::now(); now >= next_prune_) {
    next_prune_ = now + std::chrono::hours(1);
    auto pruned = journal_->PruneFinished(kKeepFinishedHistory);
    if (pruned.ok() && *pruned > 0) Log()->info("event=journal_pruned rows={}", *pruned);
    if (!pruned.ok()) Log()->warn("event=journal_prune_failed error=\"{}\"", pruned.message());
  }
  while (!StopRequested()) {
    auto next = journal_->LeaseNext({State::kClaiming, State::kClaimed, State::kProcessing,
                                     State::kArchiving, State::kQuarantining, State::kRetrying});
    if (!next.ok()) return next.status();
    if (!next->has_value()) return Status::Ok();
    JournalEntry e = std::move(**next);
    const std::int64_t id = e.id;
    const std::string case_id = e.case_id;
    Log()->info("event=leased id={} state={} epoch={}", id, StateName(e.state), e.lease_epoch);
    must_wait_ = false;
    Status s = Resume(e, /*work=*/true);
    Status released = journal_->ReleaseLease(
        id, must_wait_ ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(0));
    if (IsLeaseLost(s)) {
      Log()->warn("event=lease_lost id={} (another watcher took it over)", id);
      std::error_code ec;
      if (!case_id.empty()) fs::remove_all(staging_ / case_id, ec);
      continue;
    }
    if (!s.ok()) return s;
    if (!released.ok()) return released;
  }
  return Status::Ok();
}

namespace {
// A watcher's heartbeat is recent, and, on this machine, its process still exists (one killed a
// moment ago has a recent heartbeat but no process).
bool StillRunning(const WorkerInfo& w) {
  if (!w.alive) return false;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  if (w.host != host) return true;
  return ::kill(static_cast<pid_t>(w.pid), 0) == 0 || errno == EPERM;
}
}  // namespace

// Shared: staging folders of watchers that are no longer alive (killed mid-case).
void Watcher::RemoveDeadStaging() {
  auto workers = journal_->Workers();
  if (!workers.ok()) return;
  std::error_code ec;
  for (fs::directory_iterator it(layout_.staging, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    bool alive = false;
    for (const WorkerInfo& w : *workers) alive = alive || (w.id == name && StillRunning(w));
    if (!alive) {
      std::error_code rm;
      fs::remove_all(it->path(), rm);
    }
  }
  for (fs::directory_iterator it(layout_.trash, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code rm;
    fs::remove_all(it->path(), rm);  // replaced or withdrawn folders: deleted whoever left them
  }
}

// A claimed row whose work copy is gone. If the claim's rename was lost (a power cut before the
// folder reached the disk), the original is back in the inbox: release the row and the file is
// claimed again. Otherwise someone moved it by hand: quarantine the row with no original.
Status Watcher::ReleaseOrLose(const JournalEntry& e) {
  if (Exists(options_.inbox / e.inbox_name)) {
    ++counts_.released;
    return journal_->Transition(e.id, {State::kClaimed, State::kProcessing}, State::kReleased, {},
                                "work copy missing, original still in the inbox");
  }
  return Quarantine(e, QuarantineCode::kWorkCopyMissing,
                    "the claimed copy is not in the work area");
}

// --- claiming ------------------------------------------------------------------------------

Status Watcher::Claim(const SettleTracker::Candidate& candidate) {
  const InboxEntry& in = candidate.entry;
  // Shared: another watcher may have claimed it since the scan; no row for what is gone.
  if (journal_->shared() && !Exists(options_.inbox / in.name)) return Status::Ok();
  auto added = journal_->AddClaiming(in.kind, in.name, candidate.by_marker, work_root_);
  if (!added.ok()) return added.status();
  const JournalEntry& e = *added;
  CrashPoint("claim:journaled");
  const fs::path source = options_.inbox / in.name;
  if (candidate.by_marker) {
    // The marker goes first: if we die before the rename, the file settles normally next time.
    std::error_code ec;
    for (fs::directory_iterator it(options_.inbox, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (MarkerTarget(name) == in.name) fs::remove(it->path(), ec);
    }
  }
  std::error_code ec;
  fs::create_directories(e.work_path.parent_path(), ec);
  if (ec) return Status::Fail("cannot create the work folder: " + ec.message());
  if (::rename(source.c_str(), e.work_path.c_str()) != 0) {
    const int err = errno;
    Status s = journal_->Transition(e.id, {State::kClaiming}, State::kReleased, {},
                                    std::string("rename failed: ") + strerror(err));
    RemoveIfEmpty(e.work_path.parent_path());
    if (!s.ok()) return s;
    if (err == EACCES || err == EPERM || err == EROFS || err == ENOSPC || err == EDQUOT) {
      // Permissions, a read-only or full file system: the office cannot work; say so and stop.
      return Status::Fail(std::string("cannot move submissions out of the inbox: ") +
                          strerror(err));
    }
    // Taken away before we could claim it (ENOENT), or this one entry cannot be moved: nothing
    // was ours yet. The scan sees it again if it is still there.
    ++counts_.released;
    if (journal_->shared() && err == ENOENT) {
      Log()->info("event=released id={} reason=claimed_by_another_watcher", e.id);
    } else {
      Log()->warn("event=released id={} errno={} reason=\"{}\"", e.id, err, strerror(err));
    }
    return Status::Ok();
  }
  Status s = FsyncPath(e.work_path.parent_path());
  if (s.ok()) s = FsyncPath(options_.inbox);
  if (!s.ok()) Log()->warn("event=claim_not_synced id={} error=\"{}\"", e.id, s.message());
  CrashPoint("claim:renamed");
  s = journal_->Transition(e.id, {State::kClaiming}, State::kClaimed);
  if (s.ok()) s = journal_->ReleaseLease(e.id);  // shared: any watcher may work on it now
  if (!s.ok()) return s;
  Log()->info("event=claimed id={} kind={} by={} bytes={} files={}", e.id, EntryKindName(in.kind),
              candidate.by_marker ? "marker" : "settle", in.size,
              in.kind == EntryKind::kFolder ? in.file_count : 1);
  return Status::Ok();
}

// --- processing ----------------------------------------------------------------------------

Status Watcher::Work(JournalEntry e) {
  const auto start = Clock::now();
  if (!Exists(e.work_path)) return ReleaseOrLose(e);
  std::map<std::string, std::string> file_hashes;  // for the audit record; empty after a restart
  if (e.state == State::kClaimed) {
    auto hash = casework::SubmissionHash(e.work_path, &file_hashes);
    if (!hash.ok()) return Quarantine(e, QuarantineCode::kUnreadableSubmission, hash.message());
    CrashPoint("process:hashed");
    const casework::CaseIdentity identity = casework::NewCaseIdentity(*hash);
    auto decision = journal_->DecideCase(e.id, *hash, identity.case_id, identity.received_at);
    if (!decision.ok()) return decision.status();
    if (decision->wait) {
      must_wait_ = true;
      Log()->info("event=waiting id={} reason=same_bytes_in_progress", e.id);
      return Status::Ok();
    }
    auto updated = journal_->Get(e.id);
    if (!updated.ok()) return updated.status();
    e = std::move(*updated);
    if (decision->duplicate) {
      Log()->warn("event=duplicate id={} code=DUPLICATE_SUBMISSION of={}", e.id, e.duplicate_of);
      return FinishArchiving(std::move(e), nullptr);
    }
  } else if (e.state == State::kProcessing) {
    if (e.attempts >= options_.max_attempts) {
      return Quarantine(e, QuarantineCode::kCrashedRepeatedly,
                        "processing was interrupted " + std::to_string(e.attempts) + " times");
    }
    EntryChanges changes;
    changes.count_attempt = true;
    Status s = journal_->Transition(e.id, {State::kProcessing}, State::kProcessing, changes,
                                    "resumed after an interruption");
    if (!s.ok()) return s;
    ++e.attempts;
    Log()->info("event=resumed id={} case={} attempt={}", e.id, e.case_id, e.attempts);
  } else {
    return Status::Ok();
  }
  CrashPoint("process:started");

  const fs::path staged = staging_ / e.case_id;
  std::error_code ec;
  fs::remove_all(staged, ec);  // a run killed while writing this case
  casework::Outcome outcome = processor_.Process(
      e.work_path,
      casework::CaseIdentity{e.sha256, e.case_id, e.received_at, std::move(file_hashes), {}},
      [this, id = e.id](const casework::CaseTimeLimitHit& hit) {
        AfterCaseTimeLimit({options_.out_dir, options_.journal_url}, id, hit,
                           options_.restart_command);
      });
  if (InjectedFailure("process"))
    outcome.status = Status::Fail("injected failure (INTAKE_FAIL_AT)");
  if (!outcome.status.ok()) {
    fs::remove_all(staged, ec);
    return Quarantine(e, QuarantineCode::kProcessingFailed, outcome.status.message());
  }
  if (Status s = JournalWrittenCase(e, outcome.case_id); !s.ok()) return s;
  CrashPoint("process:written");
  const fs::path written = staging_ / e.case_id;
  Status s = SyncTree(written);
  if (s.ok()) s = journal_->Fenced(e.id, [&] { return Publish(e, written); });
  if (IsLeaseLost(s)) return s;
  if (!s.ok()) return Quarantine(e, QuarantineCode::kPublishFailed, s.message());
  CrashPoint("process:published");
  s = journal_->Transition(
      e.id, {State::kProcessing}, State::kArchiving, {},
      std::string("published, verdict ") + std::string(VerdictName(outcome.verdict)));
  if (!s.ok()) return s;
  e.state = State::kArchiving;
  Log()->info("event=published id={} case={} verdict={} ms={}", e.id, e.case_id,
              VerdictName(outcome.verdict), Ms(Clock::now() - start));
  CrashPoint("archive:journaled");
  return FinishArchiving(std::move(e), &outcome);
}

// A follow-up envelope was attached to an earlier case (followup/): that case, `case_id`, is what
// was written, and the journal says so before it is published (a restart redoes that case).
Status Watcher::JournalWrittenCase(JournalEntry& e, const std::string& case_id) {
  if (case_id.empty() || case_id == e.case_id) return Status::Ok();
  EntryChanges changes;
  changes.case_id = case_id;
  Status s = journal_->Transition(e.id, {State::kProcessing}, State::kProcessing, changes,
                                  "follow-up of case " + case_id);
  if (s.ok()) e.case_id = case_id;
  return s;
}

// Renames the staged case folder into OUT, replacing a folder of the same case that a killed run
// published before it could record so (same submission, same case id).
Status Watcher::Publish(const JournalEntry& e, const fs::path& staged) {
  const fs::path target = layout_.out / e.case_id;
  fs::path old;
  if (Exists(target)) {
    old = layout_.trash / (e.case_id + "." + std::to_string(e.id));
    std::error_code ec;
    fs::remove_all(old, ec);
    if (::rename(target.c_str(), old.c_str()) != 0)
      return Status::Fail(std::string("cannot replace the earlier case folder: ") +
                          strerror(errno));
  }
  if (::rename(staged.c_str(), target.c_str()) != 0)
    return Status::Fail(std::string("cannot publish the case folder: ") + strerror(errno));
  Status s = FsyncPath(layout_.out);
  if (!s.ok()) return s;
  if (!old.empty()) {
    std::error_code ec;
    fs::remove_all(old, ec);
  }
  return Status::Ok();
}

Status Watcher::FinishArchiving(JournalEntry e, const casework::Outcome* outcome) {
  const bool duplicate = !e.duplicate_of.empty();
  if (Exists(e.work_path)) {
    // Not archived yet, so the observer may not have recorded it: (re)record before archiving.
    const fs::path case_dir = duplicate ? fs::path() : layout_.out / e.case_id;
    Status s = InjectedFailure("record") ? Status::Fail("injected failure (INTAKE_FAIL_AT)")
                                         : observer_->BeforeArchive(e, case_dir);
    if (!s.ok()) return Quarantine(e, QuarantineCode::kAuditFailed, s.message());
    CrashPoint("archive:recorded");
  }
  Status s =
      journal_->Fenced(e.id, [&] { return MoveDurably(e.work_path, layout_.ArchivePath(e)); });
  if (IsLeaseLost(s)) return s;
  if (!s.ok())
    return Status::Fail("cannot archive submission " + std::to_string(e.id) + ": " + s.message());
  RemoveIfEmpty(e.work_path.parent_path());
  CrashPoint("archive:moved");
  const State final_state = duplicate ? State::kDuplicate : State::kDone;
  s = journal_->Transition(e.id, {State::kArchiving}, final_state, {}, "original archived");
  if (!s.ok()) return s;
  e.state = final_state;
  if (duplicate) {
    ++counts_.duplicates;
    std::cout << "duplicate " << e.id << " DUPLICATE_SUBMISSION of case " << e.duplicate_of << "\n";
  } else {
    ++counts_.cases;
    std::cout << "case " << e.case_id;
    if (outcome) {
      std::cout << " " << VerdictName(outcome->verdict);
      if (!outcome->missing.empty()) {
        std::cout << " missing=";
        for (std::size_t m = 0; m < outcome->missing.size(); ++m)
          std::cout << (m ? "," : "") << outcome->missing[m];
      }
    }
    std::cout << " id=" << e.id << " report=" << (layout_.out / e.case_id / "report.html").string()
              << "\n";
  }
  std::cout.flush();
  Log()->info("event={} id={} case={}", StateName(final_state), e.id, e.case_id);
  observer_->AfterFinal(e);
  return Status::Ok();
}

// --- quarantine ----------------------------------------------------------------------------

Status Watcher::Quarantine(const JournalEntry& e, QuarantineCode reason,
                           const std::string& detail) {
  const std::string_view code = QuarantineCodeName(reason);
  EntryChanges changes;
  changes.reason_code = std::string(code);
  changes.reason = detail;
  Status s = journal_->Transition(e.id, {State::kClaimed, State::kProcessing, State::kArchiving},
                                  State::kQuarantining, changes, std::string(code));
  if (!s.ok()) return s;
  Log()->error("event=quarantining id={} code={} detail=\"{}\"", e.id, code, detail);
  CrashPoint("quarantine:journaled");
  auto updated = journal_->Get(e.id);
  if (!updated.ok()) return updated.status();
  return FinishQuarantine(std::move(*updated));
}

// The file steps of a quarantine: the original and reason.txt into quarantine/<id>/, a case
// folder of this submission withdrawn. Idempotent.
Status Watcher::QuarantineFiles(const JournalEntry& e) {
  const fs::path dir = layout_.QuarantineDir(e.id);
  std::error_code ec;
  if (Exists(e.work_path)) {
    Status s = MoveDurably(e.work_path, layout_.QuarantinePath(e));
    if (!s.ok())
      return Status::Fail("cannot quarantine submission " + std::to_string(e.id) + ": " +
                          s.message());
  } else {
    fs::create_directories(dir, ec);  // WORK_COPY_MISSING: the reason still goes here
  }
  RemoveIfEmpty(e.work_path.parent_path());
  if (!e.case_id.empty() && e.duplicate_of.empty()) {
    fs::remove_all(staging_ / e.case_id, ec);
    // A case folder published before the failure (the audit record could not be written, or a
    // resumed run failed after a killed one had published) is withdrawn: a quarantined
    // submission has no case. `intake retry` makes it again from the original.
    Status s = Withdraw(layout_.out / e.case_id, layout_.trash / (e.case_id + ".withdrawn"));
    if (!s.ok()) return s;
  }
  Status s = WriteFileDurably(dir / "reason.txt", QuarantineReasonText(e));
  if (!s.ok()) return Status::Fail("cannot write the quarantine reason: " + s.message());
  return Status::Ok();
}

Status Watcher::FinishQuarantine(JournalEntry e) {
  const fs::path dir = layout_.QuarantineDir(e.id);
  Status s = journal_->Fenced(e.id, [&] { return QuarantineFiles(e); });
  if (!s.ok()) return s;
  CrashPoint("quarantine:moved");
  s = journal_->Transition(e.id, {State::kQuarantining}, State::kQuarantined, {},
                           "original in the quarantine");
  if (!s.ok()) return s;
  e.state = State::kQuarantined;
  ++counts_.quarantined;
  std::cout << "quarantined " << e.id << " " << e.reason_code << " "
            << (dir / "reason.txt").string() << "\n";
  std::cout.flush();
  Log()->info("event=quarantined id={} code={}", e.id, e.reason_code);
  observer_->AfterFinal(e);
  return Status::Ok();
}

// --- the loop ------------------------------------------------------------------------------

// Shared, --once: rows other watchers hold (or will take over) are not done yet; this watcher
// stays until they are, and takes a row over if its holder dies.
bool Watcher::OthersStillWorking() {
  if (!journal_->shared()) return false;
  auto rows = journal_->List({State::kClaiming, State::kClaimed, State::kProcessing,
                              State::kArchiving, State::kQuarantining, State::kRetrying});
  return !rows.ok() || !rows->empty();
}

// The order to claim ready drops in. Shared: each watcher in an order of its own (a rotation
// that differs by process), so that watchers scanning the same inbox mostly claim different
// drops instead of racing for the same one (the loser's claim is journaled `released`).
std::vector<SettleTracker::Candidate> Watcher::ReadyInTurn(
    std::vector<SettleTracker::Candidate> ready) const {
  if (!journal_->shared() || ready.size() < 2) return ready;
  const std::size_t start = static_cast<std::size_t>(::getpid()) % ready.size();
  std::rotate(ready.begin(), ready.begin() + static_cast<std::ptrdiff_t>(start), ready.end());
  return ready;
}

Status Watcher::WorkPending() {
  if (journal_->shared()) return WorkLeased();
  auto pending = journal_->List({State::kClaimed, State::kProcessing});
  if (!pending.ok()) return pending.status();
  for (JournalEntry& e : *pending) {
    if (StopRequested()) break;
    Status s = Work(std::move(e));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status Watcher::Run() {
  InboxEvents events(options_.inbox);
  SettleTracker tracker(options_.settle);
  Log()->info("event=watch_started inbox_events={} settle_ms={} rescan_ms={} once={}",
              events.active() ? "inotify" : "none", options_.settle.count(),
              options_.rescan.count(), options_.once);
  constexpr auto kMinScanInterval = std::chrono::milliseconds(200);
  Clock::time_point last_scan{};
  bool scan_failed = false;

  while (!StopRequested()) {
    // 1. Whatever is claimed (just now, by a retry, or left by a killed run), in journal order.
    if (Status s = WorkPending(); !s.ok()) return s;
    if (StopRequested()) break;

    // 2. One look at the inbox.
    const auto since_scan = Clock::now() - last_scan;
    if (since_scan < kMinScanInterval) std::this_thread::sleep_for(kMinScanInterval - since_scan);
    events.Drain();
    const Clock::time_point now = Clock::now();
    last_scan = now;
    auto scan = ScanInbox(options_.inbox);
    if (!scan.ok()) {
      // A network share that went away: keep trying, it may come back.
      if (!scan_failed) Log()->error("event=inbox_unreadable error=\"{}\"", scan.message());
      scan_failed = true;
      if (options_.once) return Status::Fail(scan.message());
      events.Wait(options_.rescan);
      continue;
    }
    if (scan_failed) Log()->info("event=inbox_readable_again");
    scan_failed = false;
    tracker.Observe(*scan, now);

    bool claimed = false;
    std::optional<Clock::time_point> held_until;
    for (const auto& candidate : ReadyInTurn(tracker.Ready(now))) {
      if (!candidate.by_marker && candidate.quiet_for < options_.incomplete_grace) {
        const Completeness c =
            ProbeEntry(options_.inbox / candidate.entry.name, candidate.entry.kind);
        if (c == Completeness::kIncomplete) {
          const auto due = now + (options_.incomplete_grace - candidate.quiet_for);
          if (!held_until || due < *held_until) held_until = due;
          Log()->debug("event=held reason=format_incomplete quiet_ms={}", Ms(candidate.quiet_for));
          continue;
        }
      }
      Status s = Claim(candidate);
      if (!s.ok()) return s;
      tracker.Forget(candidate.entry.name);
      claimed = true;
    }
    if (claimed) continue;  // work on them at once
    const std::size_t waiting = tracker.waiting(now);
    Log()->debug("event=scan entries={} waiting={}", scan->size(), waiting);
    if (options_.once && waiting == 0 && !OthersStillWorking()) break;

    // 3. Sleep until an event, a stop, a settle deadline or the next periodic rescan.
    Clock::time_point wake = now + options_.rescan;
    // Shared: other watchers' claims and retries wake this one (NOTIFY, WakeFd), but a
    // notification sent while it was not listening is lost and an expired lease sends none: the
    // journal is polled too.
    if (journal_->shared() && now + kSharedJournalPoll < wake) wake = now + kSharedJournalPoll;
    if (auto due = tracker.NextDeadline(now); due && *due < wake) wake = *due;
    if (held_until && *held_until < wake) wake = *held_until;
    if (journal_->TakeWakeups()) continue;  // another watcher made work available meanwhile
    events.Wait(std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()) +
                    std::chrono::milliseconds(1),
                journal_->WakeFd());
    journal_->TakeWakeups();
  }
  if (journal_->shared()) {
    std::error_code ec;
    fs::remove_all(staging_, ec);  // this watcher's own; nothing in it is published
  }
  Log()->info("event=watch_stopped cases={} duplicates={} quarantined={} released={}",
              counts_.cases, counts_.duplicates, counts_.quarantined, counts_.released);
  return Status::Ok();
}

// --- retry ---------------------------------------------------------------------------------

Result<std::vector<std::int64_t>> RequeueQuarantined(const fs::path& out_dir,
                                                     const std::vector<std::int64_t>& ids,
                                                     const std::string& journal_url) {
  using R = Result<std::vector<std::int64_t>>;
  const JournalLocation where{out_dir, journal_url};
  if (!where.shared() && !Exists(JournalPath(out_dir)))
    return R::Fail("no journal in this output folder");
  auto journal = OpenJournal(where);
  if (!journal.ok()) return R::Fail(journal.message());
  const OfficeLayout layout(out_dir);
  std::vector<JournalEntry> targets;
  if (ids.empty()) {
    auto rows = (*journal)->List({State::kQuarantined, State::kRetrying});
    if (!rows.ok()) return R::Fail(rows.message());
    targets = std::move(*rows);
  } else {
    for (std::int64_t id : ids) {
      auto row = (*journal)->Get(id);
      if (!row.ok()) return R::Fail(row.message());
      if (row->state != State::kQuarantined && row->state != State::kRetrying) {
        return R::Fail("submission " + std::to_string(id) + " is " +
                       std::string(StateName(row->state)) + ", not quarantined");
      }
      targets.push_back(std::move(*row));
    }
  }
  std::vector<std::int64_t> done;
  for (const JournalEntry& e : targets) {
    if (e.state == State::kQuarantined) {
      if (!Exists(layout.QuarantinePath(e))) {
        return R::Fail("submission " + std::to_string(e.id) +
                       " has no original in the quarantine (" + e.reason_code + ")");
      }
      Status s =
          (*journal)->Transition(e.id, {State::kQuarantined}, State::kRetrying, {}, "intake retry");
      if (!s.ok()) return R::Fail(s.message());
    }
    // Shared: the watcher that leases the row moves the original (it may be working on the
    // row's files this very moment; `intake retry` holds no lease).
    Status s = where.shared() ? Status::Ok() : FinishRetry(**journal, layout, e);
    if (!s.ok()) return R::Fail(s.message());
    Log()->info("event=requeued id={}", e.id);
    done.push_back(e.id);
  }
  return done;
}

}  // namespace intake::watch

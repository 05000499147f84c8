// The inbox watcher behind `intake watch INBOX --out OUT`: claims what staff drop into the
// inbox, makes one case of each submission, and keeps the original until the case is safe.
//
// Under OUT:
//   <case-id>/                         published case folders
//   archive/<id>/<name>                originals of finished submissions (id: the journal id)
//   quarantine/<id>/original/<name>    originals that could not become a case,
//   quarantine/<id>/reason.txt           with the reason (Japanese, code, how to retry)
//   .intake/journal.sqlite             every submission's state (watch/journal.h)
//   .intake/lock                       held by the running watcher: one per output folder
//   .intake/work/<id>/<name>           claimed submissions being worked on
//   .intake/staging/<case-id>/         a case folder being written
//   .intake/trash/                     a case folder being replaced (removed at once)
// A claim is a rename(2), atomic only within one file system. When INBOX and OUT are on
// different file systems (an inbox on a network share, say), claims go to
// INBOX/.intake-claimed/<id>/<name> instead, and archiving copies across (durably: copy, fsync,
// rename, then remove).
//
// One submission's way (each arrow a journal transition, written before or after the file step
// as recovery needs it):
//   1. ready (watch/settle.h) -> journal `claiming` -> marker removed -> renamed into the work
//      area -> `claimed`;
//   2. hashed (SHA-256); a hash that already made a case -> `archiving` as a duplicate
//      (DUPLICATE_SUBMISSION naming the earlier case); otherwise -> `processing` with the case id
//      (date + hash prefix, kept in the journal so a restart on another day rewrites the same
//      case);
//   3. the case folder is written to staging, fsynced, and renamed into place (replacing a
//      folder of the same case left by a killed run) -> `archiving`;
//   4. the observer records the audit entry (durably) -> the original is moved to archive/ ->
//      `done` (or `duplicate`);
//   failures -> `quarantining` -> original moved to quarantine/ with reason.txt -> `quarantined`.
// A restart finishes every half-done step from the journal before it looks at the inbox again;
// a submission whose processing was interrupted `max_attempts` times is quarantined
// (CRASHED_REPEATEDLY) instead of crashing the watcher forever.
//
// A case that runs over its time limit (casework::ProcessOptions::case_time_limit) cannot be
// stopped: the case processor's watchdog thread moves its row from `processing` to `quarantining`
// with TIME_LIMIT and the stage and file id it was stuck in, then the watcher restarts itself
// (watch/self_restart.h) and the new run's recovery moves the original to the quarantine and goes
// on with the next submission. With a stop requested (or no restart command) it exits instead.
//
// Several watchers on one office (`--journal postgresql://...`, watch/pg_journal.h): each takes a
// shared lock on OUT/.intake/lock (a watcher with the SQLite journal takes it exclusively, so the
// two kinds never mix on one folder), writes cases into its own staging folder
// (.intake/staging/<worker id>/), and works on a row only while it holds the row's lease: new
// claims are leased to their claimer until `claimed`, then free for any watcher; every loop
// leases the oldest unfinished row nobody holds (a claim, a case, an archiving or quarantine
// left half-done by a watcher that died, a retry) and finishes it as recovery would. The lease
// is the per-case lock: publishing a case folder and moving an original run Journal::Fenced, so a
// watcher whose lease ran out (paused, cut off) finds the row taken over and drops it instead of
// publishing over the newer attempt. Two submissions with the same bytes are decided one after
// the other (the second waits while the first is processing, then becomes its duplicate).
// The audit trail and index.html are already safe with several writers (flock on audit.log and
// on the index's lock; audit/audit_log.h, dashboard/).
//
// Single-threaded (the OCR pool inside the case processor has its own threads; a shared journal
// renews its leases on a heartbeat thread of its own).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "casework/case_processor.h"
#include "config/profile.h"
#include "ocr/ocr_pool.h"
#include "pipeline/result.h"
#include "watch/journal.h"
#include "watch/quarantine.h"
#include "watch/settle.h"
#include "watch/watch_observer.h"

namespace intake::watch {

struct WatchOptions {
  std::filesystem::path inbox;
  std::filesystem::path out_dir;
  std::chrono::milliseconds settle{5000};   // quiet time before a drop counts as complete
  std::chrono::milliseconds rescan{10000};  // full rescan period (events or not)
  // How long a drop whose bytes look incomplete for its format waits before it is claimed
  // anyway (and reported as a corrupt file by the pipeline).
  std::chrono::milliseconds incomplete_grace{std::chrono::minutes(10)};
  int max_attempts = 3;  // interrupted processing attempts before CRASHED_REPEATEDLY
  bool once = false;     // exit when nothing is left that could become ready
  // A shared journal (PostgreSQL URI; empty: the SQLite journal in OUT) and how long a lease lasts
  // without renewal (a dead watcher's rows wait this long before another takes them over).
  std::string journal_url;
  std::chrono::milliseconds lease{std::chrono::seconds(30)};
  // The command line to restart with after a case time limit (argv, argv[0] first); empty: exit
  // (code 0) after journaling the time limit, and the next start finishes the quarantine.
  std::vector<std::string> restart_command;
};

// The folders of an output folder (see the layout above).
struct OfficeLayout {
  explicit OfficeLayout(const std::filesystem::path& out_dir);
  std::filesystem::path out, internal, work, staging, trash, archive, quarantine, lock;
  std::filesystem::path ArchivePath(const JournalEntry& e) const;
  std::filesystem::path QuarantineDir(std::int64_t id) const;
  std::filesystem::path QuarantinePath(const JournalEntry& e) const;  // .../original/<name>
};

// The output folder's lock (OUT/.intake/lock, flock): one watcher per output folder. Released
// when destroyed (and by the kernel when the process dies, however it dies).
class OutputLock {
 public:
  // Creates OUT/.intake if needed and takes the lock without waiting; fails with
  // ErrorCode::kBusy when another process holds it. `shared`: a shared lock (watchers with a
  // shared journal), which excludes only exclusive holders.
  static Result<OutputLock> Acquire(const std::filesystem::path& out_dir, bool shared = false);
  OutputLock(OutputLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  OutputLock& operator=(OutputLock&&) = delete;
  OutputLock(const OutputLock&) = delete;
  ~OutputLock();

 private:
  explicit OutputLock(int fd) : fd_(fd) {}
  int fd_;
};

// Checks what `intake watch` needs of its folders: the inbox is a folder and the output folder
// is not inside it (it would be claimed as a submission).
Status CheckWatchFolders(const std::filesystem::path& inbox, const std::filesystem::path& out_dir);

struct WatchCounts {
  int cases = 0;
  int duplicates = 0;
  int quarantined = 0;
  int released = 0;
};

class Watcher {
 public:
  // Creates the output folder's layout, opens the journal and finishes every step a previous
  // run left half-done. The caller checked the folders (CheckWatchFolders) and holds `lock`.
  // `observer` may be null; it must outlive the watcher.
  static Result<std::unique_ptr<Watcher>> Open(WatchOptions options, OutputLock lock,
                                               const config::Profile& profile, ocr::OcrPool& ocr,
                                               casework::ProcessOptions process_options,
                                               WatchObserver* observer);

  // Watches until a stop is requested (watch/stop_signal.h) or, with `once`, until nothing in
  // the inbox can become ready. Returns an error only for failures that stop the office (the
  // journal or the output folder cannot be written); a submission's failure is a quarantine.
  Status Run();

  const WatchCounts& counts() const { return counts_; }

 private:
  Watcher(WatchOptions options, OfficeLayout layout, std::filesystem::path work_root,
          std::filesystem::path staging, std::unique_ptr<Journal> journal,
          casework::CaseProcessor processor, OutputLock lock, WatchObserver* observer);

  Status Recover();
  Status Resume(const JournalEntry& entry, bool work);
  Status WorkPending();
  bool OthersStillWorking();
  std::vector<SettleTracker::Candidate> ReadyInTurn(
      std::vector<SettleTracker::Candidate> ready) const;
  Status WorkLeased();
  void RemoveDeadStaging();
  Status Claim(const SettleTracker::Candidate& candidate);
  Status Work(JournalEntry entry);
  Status JournalWrittenCase(JournalEntry& entry, const std::string& case_id);
  Status FinishArchiving(JournalEntry entry, const casework::Outcome* outcome);
  Status Quarantine(const JournalEntry& entry, QuarantineCode reason, const std::string& detail);
  Status FinishQuarantine(JournalEntry entry);
  Status QuarantineFiles(const JournalEntry& entry);
  Status Publish(const JournalEntry& entry, const std::filesystem::path& staged);
  Status ReleaseOrLose(const JournalEntry& entry);

  WatchOptions options_;
  OfficeLayout layout_;
  std::filesystem::path work_root_;
  std::filesystem::path staging_;  // where this watcher's processor writes case folders
  std::unique_ptr<Journal> journal_;
  casework::CaseProcessor processor_;
  OutputLock lock_;
  WatchObserver* observer_;
  WatchCounts counts_;
  bool must_wait_ = false;  // the row just worked on waits for another with the same bytes
  std::chrono::steady_clock::time_point next_prune_{};  // shared journal: next pruning
};

// Puts quarantined submissions back to work (`intake retry`): each goes quarantined -> retrying
// -> (original moved back to the work area) -> claimed, and the watcher processes it at its next
// look (or the next `intake watch --once`). `ids` empty: every quarantined submission. Returns
// the ids requeued; fails for an id that is not quarantined. With a shared journal (`journal_url`)
// only the journal moves (-> retrying); the watcher that leases the row moves the original.
Result<std::vector<std::int64_t>> RequeueQuarantined(const std::filesystem::path& out_dir,
                                                     const std::vector<std::int64_t>& ids,
                                                     const std::string& journal_url = {});

}  // namespace intake::watch

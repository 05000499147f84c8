// Hooks for what other parts of the intake office record about each submission the watcher
// finishes: the audit trail (before the original is archived) and the index page (after).
//
// Called on the watcher thread. The default implementation does nothing; app wiring passes an
// observer that writes the audit record and rewrites index.html.
#pragma once

#include <filesystem>

#include "pipeline/result.h"
#include "watch/journal.h"

namespace intake::watch {

class WatchObserver {
 public:
  virtual ~WatchObserver() = default;

  // The submission is about to be archived: either its case folder `case_dir` (OUT/<case id>)
  // is published and on disk, or it is a duplicate (entry.duplicate_of names the earlier case;
  // case_dir is empty). Whatever this records must be on disk (fsync) when it returns Ok: the
  // original leaves the work area only afterwards. An error sends the submission to the
  // quarantine (AUDIT_FAILED), from where `intake retry` can try again.
  // After a crash this can be called again for the same entry (same id and sha256): a repeat must
  // be harmless (skip it, or record it as a repeat).
  virtual Status BeforeArchive(const JournalEntry& entry, const std::filesystem::path& case_dir) {
    (void)entry;
    (void)case_dir;
    return Status::Ok();
  }

  // The submission reached a final state: done, duplicate or quarantined (entry.state). Best
  // effort (e.g. rewrite index.html): errors are the observer's to log.
  virtual void AfterFinal(const JournalEntry& entry) { (void)entry; }
};

}  // namespace intake::watch

// The output folder's records of the watcher's own events: the audit trail (audit/) gets
// `archived`, `duplicate` and `quarantined` records, and index.html (dashboard/) is rebuilt after
// each submission's final state, once its case folder is published in OUT.
//
// The case's own `case_processed` record is written by CaseProcessor (into OUT even though the
// watcher has it write the case into staging: ProcessOptions::records_dir).
#pragma once

#include <filesystem>

#include "watch/watch_observer.h"

namespace intake::watch {

class OfficeRecords final : public WatchObserver {
 public:
  explicit OfficeRecords(std::filesystem::path out_dir) : out_dir_(std::move(out_dir)) {}

  // `archived` (its case) or `duplicate` (the earlier case): durable before the original moves.
  Status BeforeArchive(const JournalEntry& entry, const std::filesystem::path& case_dir) override;
  // `quarantined` with its reason code (best effort), then index.html.
  void AfterFinal(const JournalEntry& entry) override;

 private:
  std::filesystem::path out_dir_;
};

}  // namespace intake::watch

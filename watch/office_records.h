// The output folder's records of the watcher's own events: the audit trail (audit/) gets
// `archived`, `duplicate` and `quarantined` records, and index.html (dashboard/) is rebuilt after
// each submission's final state, once its case folder is published in OUT.
//
// The case's own `case_processed` record is written by CaseProcessor (into OUT even though the
// watcher has it write the case into staging: ProcessOptions::records_dir).
//
// With a PACS named (`intake watch --pacs`), a case whose verdict is `complete` has its imaging
// forwarded once it is published (forward/forwarder.h: its own audit record and index badge),
// in the watcher's thread, before index.html is rebuilt. The disc's patient ID is kept (no
// local ID is known here); a forward left incomplete is finished with `intake forward`.
#pragma once

#include <filesystem>
#include <optional>

#include "forward/forwarder.h"
#include "watch/watch_observer.h"

namespace intake::watch {

class OfficeRecords final : public WatchObserver {
 public:
  explicit OfficeRecords(std::filesystem::path out_dir) : out_dir_(std::move(out_dir)) {}

  // `archived` (its case) or `duplicate` (the earlier case): durable before the original moves.
  Status BeforeArchive(const JournalEntry& entry, const std::filesystem::path& case_dir) override;
  // `quarantined` with its reason code (best effort), then index.html.
  void AfterFinal(const JournalEntry& entry) override;

  // Forward complete cases with these options (out_dir and case_id are filled in per case).
  void ForwardCompleteCases(forward::ForwardOptions options) { forward_ = std::move(options); }

 private:
  void MaybeForward(const JournalEntry& entry);

  std::filesystem::path out_dir_;
  std::optional<forward::ForwardOptions> forward_;
};

}  // namespace intake::watch

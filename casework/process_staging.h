// Where `intake process` builds its cases, so that a case in OUT is only ever whole.
//
// Each run works in its own folder, OUT/.intake/process/<pid>/, held by a lock for the run's
// life. A case is made there (its audit record appended to OUT's trail as it ends) and only then
// renamed into OUT/<case> under a lock of that case, replacing an earlier folder of the case in
// one step (renamed out of sight first, then deleted). Two runs of one submission at once each
// build their own copy and publish in turn; a run killed at any moment leaves OUT/<case> as it
// was, and the next run removes what it left (folders whose lock nobody holds). The watcher
// stages its cases in the same way with its own journal (watch/).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "pipeline/atomic_file.h"
#include "pipeline/result.h"

namespace intake::casework {

class ProcessStaging {
 public:
  // Removes what killed runs left under OUT/.intake/process/, then makes and locks this run's
  // folder.
  static Result<std::unique_ptr<ProcessStaging>> Open(const std::filesystem::path& out);

  ProcessStaging(const ProcessStaging&) = delete;
  ProcessStaging& operator=(const ProcessStaging&) = delete;
  ~ProcessStaging();  // removes this run's folder

  // Where CaseProcessor makes the cases of this run (ProcessOptions::out_dir).
  const std::filesystem::path& dir() const { return dir_; }

  // Renames dir()/<case_id> to OUT/<case_id>, replacing an earlier folder of the case.
  Status Publish(const std::string& case_id) const;
  // Removes dir()/<case_id> (a case that failed): OUT/<case_id> stays as it was.
  void Discard(const std::string& case_id) const;

 private:
  ProcessStaging(std::filesystem::path out, std::filesystem::path dir, FileLock lock)
      : out_(std::move(out)), dir_(std::move(dir)), lock_(std::move(lock)) {}

  std::filesystem::path out_;
  std::filesystem::path dir_;
  FileLock lock_;  // on dir_ + ".lock", for the run's life
};

}  // namespace intake::casework

// decisions.json: the staff's review decisions of one case (written by `intake serve`, serve/),
// kept in its case folder, append-only. The pipeline never reads them, but a case folder made
// anew (the same submission processed again, a watcher's recovery) must not lose them: the
// case processor carries the file from the published case folder into the new one.
//
// OUT/.decisions.lock serialises that carry with the server's appends: the processor holds it
// from reading the old file until the new case folder (without report.json yet, or in the
// watcher's staging) holds the copy; the server holds it while it checks that the case is not
// being processed and appends. So no decision is written between the copy and the new folder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/atomic_file.h"
#include "pipeline/result.h"

namespace intake::stages {

inline constexpr std::string_view kDecisionsFileName = "decisions.json";
inline constexpr std::string_view kDecisionsLockName = ".decisions.lock";

// OUT/.decisions.lock, taken (blocks until held).
Result<FileLock> LockDecisions(const std::filesystem::path& out_dir);

// The decisions of a case while its folder is made anew: the lock, and the old file's bytes.
struct CarriedDecisions {
  FileLock lock;
  std::optional<std::string> bytes;  // nullopt: the case had no decisions
};

// Takes the lock and reads OUT/<case_id>/decisions.json (when there is one).
Result<CarriedDecisions> TakeDecisions(const std::filesystem::path& out_dir,
                                       const std::string& case_id);

// Writes the carried bytes (if any) into `case_dir` and releases the lock.
Status PutDecisions(CarriedDecisions carried, const std::filesystem::path& case_dir);

// Removes a half-made case folder (a case abandoned at its time limit), but not its
// decisions.json: the folder then holds only that, and the next run of the submission carries it.
void RemoveCaseFolderKeepingDecisions(const std::filesystem::path& case_dir);

}  // namespace intake::stages

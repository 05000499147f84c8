// The intake office's subcommands: `intake watch`, `intake retry`, `intake status`. Each returns
// the process exit code (ExitCode, pipeline/exit_codes.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/time_limits.h"

namespace intake::watch {

struct WatchArgs {
  std::filesystem::path inbox;
  std::filesystem::path out_dir;
  std::filesystem::path profile;  // empty: the shipped default profile
  double settle_seconds = 5;
  double rescan_seconds = 10;
  double incomplete_grace_seconds = 600;
  int max_attempts = 3;
  int workers = 0;
  double page_time_limit_seconds = kDefaultPageTimeLimitSeconds;  // OCR of one page; 0: none
  double case_time_limit_seconds = kDefaultCaseTimeLimitSeconds;  // one case's stages; 0: none
  bool once = false;
  bool progress = true;  // on a terminal only
  std::string journal;   // postgresql://...: a journal shared with other watchers; empty: SQLite
  double lease_seconds = 30;
  std::string pacs;  // AET@HOST:PORT: forward complete cases there; empty: no forwarding
  std::string calling_aet = "INTAKE";
  // How the program was started (argv), to restart itself after a case time limit.
  std::vector<std::string> command_line;
};

struct RetryArgs {
  std::filesystem::path out_dir;
  std::string journal;  // as WatchArgs::journal
  std::vector<std::int64_t> ids;
  bool all = false;
};

struct StatusArgs {
  std::filesystem::path out_dir;
  std::string journal;  // as WatchArgs::journal
  bool json = false;
  bool names = false;    // include the submissions' original names (confidential)
  std::int64_t id = 0;   // one submission with its history; 0: all
  bool workers = false;  // the watchers of a shared journal and their leases instead
};

int RunWatch(const WatchArgs& args, const std::string& version);
int RunRetry(const RetryArgs& args);
int RunStatus(const StatusArgs& args);

}  // namespace intake::watch

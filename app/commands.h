// The `intake` subcommands. Each returns the process exit code (ExitCode, pipeline/exit_codes.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/exit_codes.h"
#include "pipeline/time_limits.h"

namespace intake::app {

struct ProcessArgs {
  std::vector<std::filesystem::path> submissions;
  std::filesystem::path out_dir;
  std::filesystem::path profile;  // empty: the shipped default profile
  bool keep_work = false;
  int workers = 0;
  double page_time_limit_seconds = kDefaultPageTimeLimitSeconds;  // OCR of one page; 0: none
  double case_time_limit_seconds = kDefaultCaseTimeLimitSeconds;  // one case's stages; 0: none
};

struct AuditArgs {
  std::string case_id;  // print this case's records
  bool verify = false;  // check the whole chain
  std::filesystem::path out_dir = ".";
};

struct ForwardArgs {
  std::string case_id;
  std::filesystem::path out_dir;
  std::string pacs;  // AET@HOST:PORT
  std::string calling_aet = "INTAKE";
  std::string patient_id;  // local patient ID: reconcile when given (with issuer)
  std::string issuer;
  std::string birth_date;  // YYYYMMDD; empty: the disc's kept
  std::string patient_name;  // DICOM PN; empty: the disc's kept
  int retries = 3;
  int timeout_seconds = 30;
};

int RunProcess(const ProcessArgs& args, const std::string& version);
// Exit codes: 0 every instance acknowledged (now or before), 1 some not (PACS unreachable, a
// refusal; run again to send the rest) or the case cannot be read, 2 bad usage.
int RunForward(const ForwardArgs& args, const std::string& version);
// Exit codes: 0 printed / intact, 1 no record of the case, 3 no readable audit trail in the
// folder, 5 the chain is broken (the first broken record is named).
int RunAudit(const AuditArgs& args);
int RunCheckConfig(const std::filesystem::path& profile);

}  // namespace intake::app

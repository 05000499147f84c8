// The process exit codes of every `intake` subcommand (app/, watch/, serve/ return them),
// documented in README.md and `intake --help`.
#pragma once

namespace intake {

enum ExitCode : int {
  kExitOk = 0,           // every submission processed (whatever its verdict)
  kExitCaseFailed = 1,   // at least one submission could not be processed; the others were
  kExitUsage = 2,        // bad arguments or an invalid profile
  kExitOutput = 3,       // the output folder cannot be created or written
  kExitEnvironment = 4,  // OCR language data or another installed component is missing
  kExitAuditBroken = 5,  // `intake audit`: the audit trail fails verification (tampering)
  kExitBusy = 6,         // watch: another watcher holds the output folder
};

}  // namespace intake

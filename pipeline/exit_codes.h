// The exit codes of `intake`, from one table (pipeline/exit_codes.def).
//
// Every subcommand returns one of these (app/, watch/, serve/). README.md's table of exit codes
// is checked against the table by a test, and `intake --help` prints ExitCodesHelp().
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace intake {

// Unscoped and int-based: a subcommand's ExitCode is main's return value.
enum ExitCode : int {
#define INTAKE_EXIT(id, value, help, meaning) id = (value),
#include "pipeline/exit_codes.def"
#undef INTAKE_EXIT
};

struct ExitCodeInfo {
  ExitCode code;
  std::string_view help;     // short, for `intake --help`
  std::string_view meaning;  // README.md's table
};

std::span<const ExitCodeInfo> AllExitCodes();

// "Exit codes: 0 all submissions processed (any verdict), 1 ...": the footer of `intake --help`.
std::string ExitCodesHelp();

}  // namespace intake

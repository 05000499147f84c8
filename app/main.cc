// intake: second-opinion submissions in, completeness reports out. See README.md.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/case_commands.h"
#include "app/commands.h"
#include "ocr/openmp_env.h"
#include "pipeline/log.h"
#include "serve/serve_commands.h"
#include "watch/watch_commands.h"

namespace {

// --page-time-limit and --case-time-limit, shared by `process` and `watch`.
void AddTimeLimitOptions(CLI::App& command, double& page_seconds, double& case_seconds,
                         const std::string& case_help) {
  command
      .add_option("--page-time-limit", page_seconds,
                  "Seconds OCR may spend on one page, drawing a PDF page included (0: no limit)")
      ->capture_default_str();
  command.add_option("--case-time-limit", case_seconds, case_help)->capture_default_str();
}

// --journal (or INTAKE_JOURNAL, which keeps a password out of the process list), shared by
// `watch`, `retry` and `status`.
void AddJournalOption(CLI::App& command, std::string& url) {
  command
      .add_option("--journal", url,
                  "Shared journal of several watchers: postgresql://user@host:port/database "
                  "(default: the SQLite journal in --out)")
      ->envname("INTAKE_JOURNAL");
}

// `forward`: one case's imaging to the PACS.
CLI::App* AddForwardCommand(CLI::App& cli, intake::app::ForwardArgs& forward) {
  auto* forward_cmd = cli.add_subcommand(
      "forward", "Send a case's DICOM imaging to the hospital's PACS (C-STORE), reconciled");
  forward_cmd->add_option("case_id", forward.case_id, "Case id, e.g. 20261121-1a2b3c4d")
      ->required();
  forward_cmd->add_option("--out", forward.out_dir, "Output folder holding the case")->required();
  forward_cmd->add_option("--pacs", forward.pacs, "The PACS: AET@HOST:PORT")->required();
  forward_cmd->add_option("--calling-aet", forward.calling_aet, "Our AE title")
      ->capture_default_str();
  forward_cmd->add_option("--patient-id", forward.patient_id,
                          "Local patient ID: replaces the disc's (kept in Original Attributes "
                          "Sequence)");
  forward_cmd->add_option("--issuer", forward.issuer, "Issuer of the local patient ID");
  forward_cmd->add_option("--patient-name", forward.patient_name,
                          "Name replacing the disc's, as DICOM PN (default: kept)");
  forward_cmd->add_option("--birth-date", forward.birth_date,
                          "Birth date YYYYMMDD replacing the disc's (default: kept)");
  forward_cmd
      ->add_option("--retries", forward.retries,
                   "New associations after a network failure (back-off 1, 2, 4 ... s)")
      ->capture_default_str();
  forward_cmd->add_option("--timeout", forward.timeout_seconds, "Network timeout in seconds")
      ->capture_default_str();

  return forward_cmd;
}

// `watch`: the inbox watcher.
CLI::App* AddWatchCommand(CLI::App& cli, intake::watch::WatchArgs& watch, bool& no_progress) {
  auto* watch_cmd = cli.add_subcommand(
      "watch", "Watch an inbox folder: each submission dropped there becomes a case in --out");
  watch_cmd->add_option("inbox", watch.inbox, "Folder staff drop submissions into")->required();
  watch_cmd->add_option("--out", watch.out_dir, "Output folder (cases, archive, quarantine)")
      ->required();
  watch_cmd->add_option("--profile", watch.profile, "Hospital profile (YAML)")
      ->check(CLI::ExistingFile);
  watch_cmd
      ->add_option("--settle", watch.settle_seconds,
                   "Seconds a drop must stay unchanged before it is taken")
      ->capture_default_str();
  watch_cmd
      ->add_option("--rescan", watch.rescan_seconds,
                   "Seconds between full rescans (network shares send no events)")
      ->capture_default_str();
  watch_cmd
      ->add_option("--incomplete-grace", watch.incomplete_grace_seconds,
                   "Seconds a drop that looks truncated waits before it is taken anyway")
      ->capture_default_str();
  watch_cmd
      ->add_option("--max-attempts", watch.max_attempts,
                   "Interrupted processing attempts before a submission is quarantined")
      ->capture_default_str();
  watch_cmd->add_option("--workers", watch.workers, "OCR workers (default: cores)");
  AddTimeLimitOptions(*watch_cmd, watch.page_time_limit_seconds, watch.case_time_limit_seconds,
                      "Seconds one case may take; over it the submission is quarantined "
                      "(TIME_LIMIT) and the watcher restarts itself (0: no limit)");
  watch_cmd->add_flag("--once", watch.once,
                      "Process what is in the inbox once it is ready, then exit");
  watch_cmd->add_flag("--no-progress", no_progress, "No progress line on the terminal");
  watch_cmd->add_option("--pacs", watch.pacs,
                        "Forward the imaging of complete cases to this PACS: AET@HOST:PORT");
  watch_cmd->add_option("--calling-aet", watch.calling_aet, "Our AE title towards the PACS")
      ->capture_default_str();
  AddJournalOption(*watch_cmd, watch.journal);
  watch_cmd
      ->add_option("--lease", watch.lease_seconds,
                   "Seconds a shared journal's lease lasts unrenewed (a dead watcher's work waits "
                   "this long before another takes it over)")
      ->capture_default_str();

  return watch_cmd;
}

// `case forward|close|list`: staff move a case on without the browser.
struct CaseCommands {
  CLI::App* forward;
  CLI::App* close;
  CLI::App* list;
};
CaseCommands AddCaseCommands(CLI::App& cli, intake::app::CaseCommandArgs& case_args) {
  auto* case_cmd = cli.add_subcommand("case", "Move a case on: forward it, close it; list cases");
  case_cmd->require_subcommand(1);
  auto* case_forward_cmd =
      case_cmd->add_subcommand("forward", "The case went to the physician (state forwarded)");
  auto* case_close_cmd = case_cmd->add_subcommand("close", "Close the case, with a reason");
  auto* case_list_cmd =
      case_cmd->add_subcommand("list", "Every case of the output folder with its state");
  for (auto* sub : {case_forward_cmd, case_close_cmd}) {
    sub->add_option("id", case_args.case_id, "Case id (20261121-1a2b3c4d)")->required();
  }
  for (auto* sub : {case_forward_cmd, case_close_cmd, case_list_cmd}) {
    sub->add_option("--out", case_args.out_dir, "Output folder")->required();
  }
  case_close_cmd->add_option("--reason", case_args.reason, "Why (kept in the case folder)")
      ->required();

  return {case_forward_cmd, case_close_cmd, case_list_cmd};
}

// `serve` and `user add`: the review screen and its users.
struct ServeCommands {
  CLI::App* serve;
  CLI::App* user_add;
};
ServeCommands AddServeCommands(CLI::App& cli, intake::serve::ServeArgs& serve,
                               intake::serve::UserAddArgs& user_add) {
  auto* serve_cmd = cli.add_subcommand(
      "serve", "Review cases in the browser and over a JSON API (staff decisions, see README)");
  serve_cmd->add_option("--out", serve.out_dir, "Output folder to review")->required();
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on")->capture_default_str();
  serve_cmd->add_option("--profile", serve.profile, "Hospital profile (YAML) the rules run with")
      ->check(CLI::ExistingFile);
  serve_cmd->add_flag("--secure-cookies", serve.secure_cookies,
                      "Mark the session cookie Secure (behind a TLS proxy)");

  auto* user_cmd = cli.add_subcommand("user", "Manage the review server's users");
  user_cmd->require_subcommand(1);
  auto* user_add_cmd =
      user_cmd->add_subcommand("add", "Add a user (or reset one); the password is read from stdin");
  user_add_cmd->add_option("name", user_add.name, "User name (a-z, 0-9, . _ -)")->required();
  user_add_cmd->add_option("--role", user_add.role, "clerk, physician or admin")
      ->required()
      ->check(CLI::IsMember({"clerk", "physician", "admin"}));
  user_add_cmd->add_option("--out", user_add.out_dir, "Output folder the user may review")
      ->required();

  return {serve_cmd, user_add_cmd};
}

// `process`: submissions in, case folders out.
CLI::App* AddProcessCommand(CLI::App& cli, intake::app::ProcessArgs& process) {
  auto* process_cmd = cli.add_subcommand("process", "Check submissions and write their reports");
  process_cmd
      ->add_option("submission", process.submissions,
                   "Folder, archive (zip/7z/tar/ISO), PDF or image; one case each")
      ->required();
  process_cmd->add_option("--out", process.out_dir, "Output folder (case folders go here)")
      ->required();
  process_cmd->add_option("--profile", process.profile, "Hospital profile (YAML)")
      ->check(CLI::ExistingFile);
  process_cmd->add_option("--workers", process.workers, "OCR workers (default: cores)");
  process_cmd->add_flag("--keep-work", process.keep_work,
                        "Keep extracted files, page images and page texts in <case>/work");
  AddTimeLimitOptions(*process_cmd, process.page_time_limit_seconds,
                      process.case_time_limit_seconds,
                      "Seconds one case may take; over it the case fails (0: no limit)");
  return process_cmd;
}

// `audit`: a case's records, or the whole trail verified.
CLI::App* AddAuditCommand(CLI::App& cli, intake::app::AuditArgs& audit) {
  auto* audit_cmd = cli.add_subcommand(
      "audit", "Print a case's audit records, or verify the whole audit trail (--verify)");
  audit_cmd->add_option("case_id", audit.case_id, "Case id, e.g. 20261121-1a2b3c4d");
  audit_cmd->add_flag("--verify", audit.verify,
                      "Check every record's hash and the chain; name the first broken record");
  audit_cmd->add_option("--out", audit.out_dir, "Output folder holding audit.log")
      ->capture_default_str();
  return audit_cmd;
}

// `retry`: quarantined submissions back to work.
CLI::App* AddRetryCommand(CLI::App& cli, intake::watch::RetryArgs& retry) {
  auto* retry_cmd =
      cli.add_subcommand("retry", "Put quarantined submissions back to work (see `status`)");
  retry_cmd->add_option("id", retry.ids, "Submission ids (journal ids)");
  retry_cmd->add_flag("--all", retry.all, "Every quarantined submission");
  retry_cmd->add_option("--out", retry.out_dir, "Output folder of the watcher")->required();
  AddJournalOption(*retry_cmd, retry.journal);
  return retry_cmd;
}

// `status`: the watcher's journal.
CLI::App* AddStatusCommand(CLI::App& cli, intake::watch::StatusArgs& status) {
  auto* status_cmd =
      cli.add_subcommand("status", "List the submissions in an output folder's journal");
  status_cmd->add_option("id", status.id, "One submission, with its history");
  status_cmd->add_option("--out", status.out_dir, "Output folder of the watcher")->required();
  status_cmd->add_flag("--json", status.json, "JSON instead of one line per submission");
  status_cmd->add_flag("--names", status.names,
                       "Show the original names (patient data: not for logs)");
  AddJournalOption(*status_cmd, status.journal);
  status_cmd->add_flag("--workers", status.workers,
                       "The watchers sharing the journal, their leases and stuck leases");
  return status_cmd;
}

// What the command line fills in, and the subcommands (the one given is set after parsing).
// Not movable: CLI11 keeps references to the fields.
struct Commands {
  std::string log_level = "info";
  std::string log_format = "text";
  intake::app::ProcessArgs process;
  CLI::App* process_cmd = nullptr;
  intake::app::AuditArgs audit;
  CLI::App* audit_cmd = nullptr;
  intake::app::ForwardArgs forward;
  CLI::App* forward_cmd = nullptr;
  intake::watch::WatchArgs watch;
  bool no_progress = false;
  CLI::App* watch_cmd = nullptr;
  intake::watch::RetryArgs retry;
  CLI::App* retry_cmd = nullptr;
  intake::watch::StatusArgs status;
  CLI::App* status_cmd = nullptr;
  intake::app::CaseCommandArgs case_args;
  CaseCommands case_cmds{};
  intake::serve::ServeArgs serve;
  intake::serve::UserAddArgs user_add;
  ServeCommands serve_cmds{};
  std::string config_path;
  CLI::App* check_cmd = nullptr;
};

// The options every subcommand takes, and the exit codes in --help's footer.
void AddGlobalOptions(CLI::App& cli, Commands& c) {
  cli.require_subcommand(1);
  cli.fallthrough();  // --log-level may follow the subcommand too
  cli.footer(intake::ExitCodesHelp());
  cli.add_option("--log-level", c.log_level, "trace, debug, info, warn, error, off")
      ->capture_default_str();
  cli.add_option("--log-format", c.log_format, "text, or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cli.set_version_flag("--version", "intake " INTAKE_VERSION);
}

// Every subcommand, in the order --help lists them.
void AddCommands(CLI::App& cli, Commands& c) {
  c.process_cmd = AddProcessCommand(cli, c.process);
  c.audit_cmd = AddAuditCommand(cli, c.audit);
  c.forward_cmd = AddForwardCommand(cli, c.forward);
  c.watch_cmd = AddWatchCommand(cli, c.watch, c.no_progress);
  c.retry_cmd = AddRetryCommand(cli, c.retry);
  c.status_cmd = AddStatusCommand(cli, c.status);
  c.case_cmds = AddCaseCommands(cli, c.case_args);
  c.serve_cmds = AddServeCommands(cli, c.serve, c.user_add);
  c.check_cmd = cli.add_subcommand("check-config", "Validate a hospital profile");
  c.check_cmd->add_option("profile", c.config_path, "Profile YAML file")->required();
}

// Runs the subcommand the command line named; returns the exit code.
int RunCommand(Commands& c, int argc, char** argv) {
  if (*c.process_cmd) return intake::app::RunProcess(c.process, INTAKE_VERSION);
  if (*c.check_cmd) return intake::app::RunCheckConfig(c.config_path);
  if (*c.forward_cmd) return intake::app::RunForward(c.forward, INTAKE_VERSION);
  if (*c.audit_cmd) {
    if (c.audit.case_id.empty() && !c.audit.verify) {
      std::cerr << "intake audit: give a case id or --verify\n" << c.audit_cmd->help();
      return intake::kExitUsage;
    }
    return intake::app::RunAudit(c.audit);
  }
  c.watch.progress = !c.no_progress;
  c.watch.command_line.assign(argv, argv + argc);  // to restart itself after a case time limit
  if (*c.watch_cmd) return intake::watch::RunWatch(c.watch, INTAKE_VERSION);
  if (*c.retry_cmd) return intake::watch::RunRetry(c.retry);
  if (*c.status_cmd) return intake::watch::RunStatus(c.status);
  if (*c.case_cmds.forward) return intake::app::RunCaseForward(c.case_args);
  if (*c.case_cmds.close) return intake::app::RunCaseClose(c.case_args);
  if (*c.case_cmds.list) return intake::app::RunCaseList(c.case_args);
  if (*c.serve_cmds.serve) return intake::serve::RunServe(c.serve);
  if (*c.serve_cmds.user_add) return intake::serve::RunUserAdd(c.user_add);
  return intake::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // Tesseract's OpenMP threads make a page slower on 2 cores; parallelism is across pages.
  // libgomp reads the limit when it loads, so the program restarts itself with it set.
  intake::ocr::ReexecWithOpenMpThreadLimit(argv);

  CLI::App cli{"intake: checks second-opinion submissions for completeness"};
  Commands c;
  AddGlobalOptions(cli, c);
  AddCommands(cli, c);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? 0 : intake::kExitUsage;
  }
  intake::SetLogLevel(c.log_level);
  intake::SetLogFormat(c.log_format);
  return RunCommand(c, argc, argv);
}

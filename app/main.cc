// intake: second-opinion submissions in, completeness reports out. See README.md.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"
#include "ocr/openmp_env.h"
#include "pipeline/log.h"

int main(int argc, char** argv) {
  // Tesseract's OpenMP threads make a page slower on 2 cores; parallelism is across pages.
  // libgomp reads the limit when it loads, so the program restarts itself with it set.
  intake::ocr::ReexecWithOpenMpThreadLimit(argv);

  CLI::App cli{"intake: checks second-opinion submissions for completeness"};
  cli.require_subcommand(1);
  cli.fallthrough();  // --log-level may follow the subcommand too
  cli.footer(
      "Exit codes: 0 all submissions processed (any verdict), 1 a submission could not be "
      "processed,\n2 bad usage or invalid profile, 3 output folder not writable, 4 OCR data "
      "missing.");
  std::string log_level = "info";
  cli.add_option("--log-level", log_level, "trace, debug, info, warn, error, off")
      ->capture_default_str();
  std::string log_format = "text";
  cli.add_option("--log-format", log_format, "text, or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cli.set_version_flag("--version", "intake " INTAKE_VERSION);

  intake::app::ProcessArgs process;
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

  std::string config_path;
  auto* check_cmd = cli.add_subcommand("check-config", "Validate a hospital profile");
  check_cmd->add_option("profile", config_path, "Profile YAML file")->required();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? 0 : intake::app::kExitUsage;
  }
  intake::SetLogLevel(log_level);
  intake::SetLogFormat(log_format);

  if (*process_cmd) return intake::app::RunProcess(process, INTAKE_VERSION);
  if (*check_cmd) return intake::app::RunCheckConfig(config_path);
  return intake::app::kExitUsage;
}

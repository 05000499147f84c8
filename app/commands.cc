#include "app/commands.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "audit/audit_log.h"
#include "casework/case_processor.h"
#include "casework/process_staging.h"
#include "casework/run_support.h"
#include "casework/terminal_progress.h"
#include "config/profile.h"
#include "dashboard/dashboard.h"
#include "forward/forwarder.h"
#include "pipeline/log.h"

namespace intake::app {

namespace fs = std::filesystem;

namespace {

using casework::CaseProcessor;
using casework::CaseTimeLimitHit;
using casework::Outcome;
using casework::ProcessStaging;

// The one line a case prints: its verdict and what is missing, or why it failed.
void PrintOutcome(const Outcome& outcome) {
  if (!outcome.status.ok()) {
    std::cout << "case " << (outcome.case_id.empty() ? "-" : outcome.case_id)
              << " failed: " << outcome.status.message() << "\n";
    return;
  }
  std::cout << "case " << outcome.case_id << " " << VerdictName(outcome.verdict);
  if (!outcome.missing.empty()) {
    std::cout << " missing=";
    for (std::size_t m = 0; m < outcome.missing.size(); ++m)
      std::cout << (m ? "," : "") << outcome.missing[m];
  }
  if (!outcome.needs_review.empty()) {
    std::cout << " needs_review=";
    for (std::size_t m = 0; m < outcome.needs_review.size(); ++m)
      std::cout << (m ? "," : "") << outcome.needs_review[m];
  }
  std::cout << " report=" << (outcome.case_dir / "report.html").string() << "\n";
}

casework::ProcessOptions ProcessOptionsFor(const ProcessArgs& args, const std::string& version,
                                           const fs::path& staging_dir) {
  casework::ProcessOptions options;
  options.out_dir = staging_dir;
  options.records_dir = args.out_dir;
  options.update_index = false;  // rebuilt by ProcessOne, once the case is in OUT
  options.keep_work = args.keep_work;
  options.program_version = "intake " + version;
  options.case_time_limit = casework::Millis(args.case_time_limit_seconds);
  return options;
}

// A case over its time limit cannot be stopped, only abandoned with the whole process: says so
// for submission `index` and the ones after it, and exits.
[[noreturn]] void StopAtTimeLimit(const ProcessArgs& args, std::size_t index,
                                  const CaseTimeLimitHit& hit) {
  std::cout << "case " << hit.case_id << " failed: " << hit.Describe()
            << "; processing stopped, the submission was not changed\n";
  std::cout.flush();
  for (std::size_t later = index + 1; later < args.submissions.size(); ++later) {
    // The user's own arguments: shown on the terminal, not logged.
    std::cerr << "intake: not processed (stopped at the case time limit): "
              << args.submissions[later] << "\n";
  }
  std::cerr.flush();
  Log()->flush();
  std::_Exit(kExitCaseFailed);
}

// Processes submission `index` into the staging folder, publishes it into OUT and rebuilds
// OUT/index.html. Returns whether the case was made.
bool ProcessOne(const ProcessArgs& args, std::size_t index, CaseProcessor& processor,
                const ProcessStaging& staging) {
  const fs::path& submission = args.submissions[index];
  std::error_code ec;
  if (!fs::exists(submission, ec)) {
    // The path is the user's own argument, so it may be shown on the terminal (not logged).
    std::cerr << "intake: submission not found: " << submission << "\n";
    return false;
  }
  Log()->info("submission {}/{}: processing", index + 1, args.submissions.size());
  Outcome outcome = processor.Process(
      submission, [&](const CaseTimeLimitHit& hit) { StopAtTimeLimit(args, index, hit); });
  if (!outcome.case_id.empty()) {
    if (outcome.status.ok()) {
      outcome.status = staging.Publish(outcome.case_id);
      outcome.case_dir = args.out_dir / outcome.case_id;
    }
    if (!outcome.status.ok()) staging.Discard(outcome.case_id);
    if (auto listed = dashboard::UpdateDashboard(args.out_dir); !listed.ok()) {
      Log()->warn("case {}: {}", outcome.case_id, listed.message());
    }
  }
  PrintOutcome(outcome);
  std::cout.flush();
  return outcome.status.ok();
}

}  // namespace

int RunProcess(const ProcessArgs& args, const std::string& version) {
  if (args.page_time_limit_seconds < 0 || args.case_time_limit_seconds < 0) {
    std::cerr << "intake: --page-time-limit and --case-time-limit must be >= 0 (0: no limit)\n";
    return kExitUsage;
  }
  const auto profile = casework::LoadProfileArg(args.profile);
  if (!profile) return kExitUsage;
  if (!casework::MakeOutputFolder(args.out_dir)) return kExitOutput;
  const auto pool = casework::StartOcr(args.workers, args.page_time_limit_seconds);
  if (!pool) return kExitEnvironment;
  // Cases are made in this run's staging folder and renamed into OUT whole (process_staging.h).
  auto staging = ProcessStaging::Open(args.out_dir);
  if (!staging.ok()) {  // as each case would have failed to make its folder
    for (std::size_t i = 0; i < args.submissions.size(); ++i)
      std::cout << "case - failed: " << staging.message() << "\n";
    return kExitCaseFailed;
  }
  CaseProcessor processor(*profile, *pool, ProcessOptionsFor(args, version, (*staging)->dir()));
  casework::InstallTerminalProgress();
  int exit_code = kExitOk;
  for (std::size_t i = 0; i < args.submissions.size(); ++i) {
    if (!ProcessOne(args, i, processor, **staging)) exit_code = kExitCaseFailed;
  }
  return exit_code;
}

int RunForward(const ForwardArgs& args, const std::string& version) {
  auto destination = forward::ParseDestination(args.pacs);
  if (!destination.ok()) {
    std::cerr << "intake: " << destination.message() << "\n";
    return kExitUsage;
  }
  if (!forward::IsAeTitle(args.calling_aet)) {
    std::cerr << "intake: --calling-aet must be 1-16 ASCII characters\n";
    return kExitUsage;
  }
  forward::ForwardOptions options;
  options.out_dir = args.out_dir;
  options.case_id = args.case_id;
  options.destination = *destination;
  options.calling_aet = args.calling_aet;
  options.retries = args.retries;
  options.timeout_seconds = args.timeout_seconds;
  options.program_version = "intake " + version;
  if (!args.patient_id.empty() || !args.issuer.empty() || !args.birth_date.empty() ||
      !args.patient_name.empty()) {
    forward::LocalPatient local{args.patient_id, args.issuer, args.birth_date, args.patient_name};
    if (Status s = forward::ValidateLocalPatient(local); !s.ok()) {
      std::cerr << "intake: " << s.message() << "\n";
      return kExitUsage;
    }
    options.local_patient = local;
  }
  if (args.case_id.empty() || args.case_id.find('/') != std::string::npos ||
      args.case_id.front() == '.' ||
      !fs::is_regular_file(args.out_dir / args.case_id / "report.json")) {
    std::cerr << "intake: no case " << args.case_id << " in " << args.out_dir << "\n";
    return kExitCaseFailed;
  }
  auto summary = forward::ForwardCase(options);
  if (!summary.ok()) {
    std::cerr << "intake: forward of case " << args.case_id << " failed: " << summary.message()
              << "\n";
    return kExitCaseFailed;
  }
  for (const auto& r : summary->results) {
    if (r.state != forward::InstanceState::kFailed) continue;
    std::cout << "failed " << r.sop_instance_uid;
    if (r.status) {
      char status[8];
      std::snprintf(status, sizeof status, "0x%04X", *r.status);
      std::cout << " status=" << status;
    }
    std::cout << (r.error.empty() ? "" : " error=" + r.error) << "\n";
  }
  std::cout << "forward " << args.case_id << " " << destination->Key() << " "
            << (summary->complete() ? "complete" : "incomplete")
            << " instances=" << summary->instances << " stored=" << summary->stored
            << " already_there=" << summary->already_there << " failed=" << summary->failed
            << " decompressed=" << summary->decompressed << "\n";
  if (!summary->problem.empty() && !summary->complete()) {
    std::cerr << "intake: " << summary->problem << " (run again to send the rest)\n";
  }
  return summary->complete() ? kExitOk : kExitCaseFailed;
}

int RunAudit(const AuditArgs& args) {
  int exit_code = kExitOk;
  if (!args.case_id.empty()) {
    auto records = audit::ReadCaseRecords(args.out_dir, args.case_id);
    if (!records.ok()) {
      std::cerr << "intake: " << records.message() << " (" << args.out_dir.string() << ")\n";
      return kExitOutput;
    }
    for (const auto& record : *records) std::cout << audit::FormatRecord(record) << "\n";
    std::cout << records->size() << " audit record(s) for case " << args.case_id << "\n";
    if (records->empty()) exit_code = kExitCaseFailed;
  }
  auto report = audit::VerifyAuditLog(args.out_dir);
  if (!report.ok()) {
    std::cerr << "intake: " << report.message() << " (" << args.out_dir.string() << ")\n";
    return kExitOutput;
  }
  for (const auto& note : report->notes) std::cout << "note: " << note << "\n";
  if (!report->ok()) {
    const audit::AuditProblem& p = *report->problem;
    std::cout << "audit trail BROKEN: " << p.message << " [" << p.kind << "]\n"
              << "records before it verified intact: " << report->records << "\n";
    return kExitAuditBroken;
  }
  if (args.verify) {
    std::cout << "audit trail intact: " << report->records << " records, last seq "
              << report->last_seq << ", last hash " << report->last_hash << "\n";
  } else {
    std::cout << "audit trail intact (" << report->records << " records)\n";
  }
  return exit_code;
}

int RunCheckConfig(const fs::path& profile) {
  const auto errors = config::ValidateProfileFile(profile);
  for (const auto& e : errors) std::cerr << e.ToString() << "\n";
  if (!errors.empty()) {
    std::cerr << errors.size() << " problem(s) found\n";
    return kExitCaseFailed;
  }
  auto loaded = config::LoadProfile(profile);
  std::cout << profile.string() << ": ok (" << loaded->id << ", " << loaded->document_types.size()
            << " document types, " << loaded->requirements.size() << " requirements, "
            << loaded->exclusions.size() << " exclusions)\n";
  return kExitOk;
}

}  // namespace intake::app

#include "app/case_commands.h"

#include <iostream>

#include "app/commands.h"
#include "casestate/case_state.h"
#include "dashboard/dashboard.h"
#include "followup/cases_on_file.h"
#include "pipeline/atomic_file.h"
#include "pipeline/log.h"

namespace intake::app {
namespace {

namespace fs = std::filesystem;
using casestate::CaseState;

int MoveCase(const CaseCommandArgs& args, CaseState next) {
  const auto on_file = followup::ReadCaseOnFile(args.out_dir, args.case_id);
  if (!on_file) {
    std::cerr << "intake: no case " << args.case_id << " in " << args.out_dir << "\n";
    return kExitCaseFailed;
  }
  // The lock `intake process` publishes a case under: the folder is not replaced meanwhile.
  auto lock = FileLock::Acquire(args.out_dir / ".intake" / "locks" / (args.case_id + ".lock"));
  if (!lock.ok()) {
    std::cerr << "intake: " << lock.message() << "\n";
    return kExitOutput;
  }
  casestate::StateRecord record = casestate::ReadState(on_file->dir);
  const CaseState from = record.state;
  if (!casestate::MoveTo(record, next, casestate::Now(), args.reason)) {
    std::cout << "case " << args.case_id << " already " << casestate::CaseStateName(next) << "\n";
    return kExitOk;
  }
  if (Status written = casestate::WriteState(on_file->dir, record); !written.ok()) {
    std::cerr << "intake: " << written.message() << "\n";
    return kExitOutput;
  }
  if (Status recorded = casestate::RecordChange(args.out_dir, args.case_id, from, next);
      !recorded.ok()) {
    std::cerr << "intake: the audit trail could not be written: " << recorded.message() << "\n";
    return kExitOutput;
  }
  if (auto listed = dashboard::UpdateDashboard(args.out_dir); !listed.ok()) {
    Log()->warn("case {}: {}", args.case_id, listed.message());
  }
  std::cout << "case " << args.case_id << " " << casestate::CaseStateName(from) << " -> "
            << casestate::CaseStateName(next) << "\n";
  return kExitOk;
}

}  // namespace

int RunCaseForward(const CaseCommandArgs& args) { return MoveCase(args, CaseState::kForwarded); }

int RunCaseClose(const CaseCommandArgs& args) {
  if (args.reason.empty()) {
    std::cerr << "intake: case close needs --reason\n";
    return kExitUsage;
  }
  return MoveCase(args, CaseState::kClosed);
}

int RunCaseList(const CaseCommandArgs& args) {
  std::error_code ec;
  if (!fs::is_directory(args.out_dir, ec)) {
    std::cerr << "intake: no output folder " << args.out_dir << "\n";
    return kExitUsage;
  }
  const std::string today = casestate::Today();
  for (const auto& c : followup::ListCasesOnFile(args.out_dir)) {
    const casestate::StateRecord record = casestate::ReadState(c.dir);
    std::cout << c.case_id << " " << casestate::CaseStateName(record.state)
              << " waited=" << record.DaysWaited(today) << " verdict=" << VerdictName(c.verdict)
              << " envelopes=" << c.envelopes.size() << "\n";
  }
  return kExitOk;
}

}  // namespace intake::app

#include "stages/case_state.h"

#include <string>
#include <utility>
#include <vector>

#include "casestate/case_state.h"
#include "pipeline/log.h"

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

class CaseStateStage final : public Stage {
 public:
  CaseStateStage(fs::path case_dir, fs::path records_dir)
      : case_dir_(std::move(case_dir)), records_dir_(std::move(records_dir)) {}

  std::string_view name() const override { return "case_state"; }

  Status Run(Case& c) override {
    using casestate::CaseState;
    const casestate::StateRecord previous = casestate::ReadState(records_dir_ / c.id);
    casestate::StateRecord record = previous;
    std::vector<std::pair<CaseState, CaseState>> changes;
    if (record.history.empty()) casestate::MoveTo(record, CaseState::kReceived, c.received_at);
    const CaseState from = record.state;
    const CaseState next =
        casestate::StateAfterProcessing(previous, c.verdict, c.letter.has_value());
    const std::string now = casestate::Now();
    if (casestate::MoveTo(record, next, now)) {
      changes.emplace_back(from, next);
    }
    if (Status written = casestate::WriteState(case_dir_, record); !written.ok()) {
      return Status::Fail("the case's state: " + written.message());
    }
    for (const auto& [was, is] : changes) {
      if (Status recorded = casestate::RecordChange(records_dir_, c.id, was, is); !recorded.ok()) {
        Log()->warn("case {}: state change not in the audit trail: {}", c.id, recorded.message());
      }
    }
    c.state = std::string(casestate::CaseStateName(record.state));
    c.waiting_since = record.waiting_since;
    c.days_waited = record.DaysWaited(casestate::Today());
    return Status::Ok();
  }

 private:
  fs::path case_dir_;
  fs::path records_dir_;
};

}  // namespace

std::unique_ptr<Stage> MakeCaseStateStage(fs::path case_dir, fs::path records_dir) {
  return std::make_unique<CaseStateStage>(std::move(case_dir), std::move(records_dir));
}

}  // namespace intake::stages

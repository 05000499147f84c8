#include "watch/office_records.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "dashboard/dashboard.h"
#include "pipeline/log.h"

namespace intake::watch {

Status OfficeRecords::BeforeArchive(const JournalEntry& entry,
                                    const std::filesystem::path& case_dir) {
  (void)case_dir;
  nlohmann::json details = {{"submission_id", entry.id}, {"sha256", entry.sha256}};
  const bool duplicate = !entry.duplicate_of.empty();
  if (duplicate) details["duplicate_of"] = entry.duplicate_of;
  auto appended =
      audit::AppendAuditRecord(out_dir_, duplicate ? audit::kEventDuplicate : audit::kEventArchived,
                               duplicate ? entry.duplicate_of : entry.case_id, std::move(details));
  if (!appended.ok()) return Status::Fail(appended.message());
  return Status::Ok();
}

void OfficeRecords::MaybeForward(const JournalEntry& entry) {
  if (!forward_ || entry.state != State::kDone || entry.case_id.empty()) return;
  std::ifstream in(out_dir_ / entry.case_id / "report.json", std::ios::binary);
  const nlohmann::json report = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!report.is_object() || !report.contains("verdict") || report["verdict"] != "complete") return;
  forward::ForwardOptions options = *forward_;
  options.out_dir = out_dir_;
  options.case_id = entry.case_id;
  auto summary = forward::ForwardCase(options);
  if (!summary.ok()) {
    Log()->warn("event=forward_failed id={} case={} detail={}", entry.id, entry.case_id,
                summary.message());
    return;
  }
  Log()->info("event=forwarded id={} case={} instances={} stored={} already_there={} failed={}",
              entry.id, entry.case_id, summary->instances, summary->stored, summary->already_there,
              summary->failed);
}

void OfficeRecords::AfterFinal(const JournalEntry& entry) {
  MaybeForward(entry);
  if (entry.state == State::kQuarantined) {
    // reason_code is ours (watch/quarantine.h); `reason` may quote a library's message, so only
    // the code goes into the trail.
    auto appended = audit::AppendAuditRecord(out_dir_, audit::kEventQuarantined, entry.case_id,
                                             {{"submission_id", entry.id},
                                              {"sha256", entry.sha256},
                                              {"reason_code", entry.reason_code}});
    if (!appended.ok()) {
      Log()->warn("event=audit_failed id={} detail={}", entry.id, appended.message());
    }
  }
  if (auto listed = dashboard::UpdateDashboard(out_dir_); !listed.ok()) {
    Log()->warn("event=index_failed id={} detail={}", entry.id, listed.message());
  }
}

}  // namespace intake::watch

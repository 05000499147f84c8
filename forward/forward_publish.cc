#include "forward/forward_publish.h"

#include <fstream>
#include <iterator>

#include "audit/audit_log.h"
#include "dashboard/dashboard.h"
#include "pipeline/atomic_file.h"
#include "pipeline/log.h"
#include "report/forwarding_html.h"

namespace intake::forward {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::optional<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The last run of every destination in forward.json, in the order of their keys.
json LastRuns(const fs::path& case_dir) {
  json runs = json::array();
  const auto text = ReadText(case_dir / kStateFileName);
  if (!text) return runs;
  const json state = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!state.is_object() || !state.contains("destinations")) return runs;
  for (const auto& [key, destination] : state["destinations"].items()) {
    if (destination.is_object() && destination.contains("last_run")) {
      runs.push_back(destination["last_run"]);
    }
  }
  return runs;
}

Status UpdateReports(const fs::path& case_dir, const json& runs) {
  const auto report_text = ReadText(case_dir / "report.json");
  if (!report_text) return Status::Fail("report.json cannot be read");
  json report = json::parse(*report_text, nullptr, /*allow_exceptions=*/false);
  if (!report.is_object()) return Status::Fail("report.json is not JSON");
  report["forwarding"] = runs;
  if (Status s = WriteFileAtomically(case_dir / "report.json", report.dump(2) + "\n"); !s.ok()) {
    return Status::Fail("report.json could not be written: " + s.message());
  }
  const auto html = ReadText(case_dir / "report.html");
  if (!html) return Status::Ok();  // a case folder without its page: nothing to update
  const std::string updated =
      report::WithForwardingSection(*html, report::ForwardingSectionHtml(runs));
  if (Status s = WriteFileAtomically(case_dir / "report.html", updated); !s.ok()) {
    return Status::Fail("report.html could not be written: " + s.message());
  }
  return Status::Ok();
}

}  // namespace

json SummaryJson(const ForwardSummary& summary, const ForwardOptions& options) {
  return {{"destination", options.destination.Key()},
          {"called_aet", options.destination.called_aet},
          {"host", options.destination.host},
          {"port", options.destination.port},
          {"calling_aet", options.calling_aet},
          {"started_at", summary.started_at},
          {"finished_at", summary.finished_at},
          {"instances", summary.instances},
          {"stored", summary.stored},
          {"already_there", summary.already_there},
          {"failed", summary.failed},
          {"decompressed", summary.decompressed},
          {"echo", summary.echo_ok},
          {"reconciled", summary.reconciled},
          {"complete", summary.complete()},
          {"problem", summary.problem.empty() ? json(nullptr) : json(summary.problem)}};
}

Status PublishForwarding(const ForwardOptions& options, const fs::path& case_dir,
                         const ForwardSummary& summary) {
  if (Status s = UpdateReports(case_dir, LastRuns(case_dir)); !s.ok()) return s;
  json details = SummaryJson(summary, options);
  details.erase("problem");  // DCMTK's words may quote a host name; the counts say enough
  details["program"] = options.program_version;
  auto record = audit::AppendAuditRecord(options.out_dir, kEventCaseForwarded, options.case_id,
                                         std::move(details));
  if (!record.ok()) return Status::Fail("audit record not written: " + record.message());
  auto listed = dashboard::UpdateDashboard(options.out_dir);
  if (!listed.ok()) Log()->warn("forward: index.html not rebuilt: {}", listed.message());
  return Status::Ok();
}

}  // namespace intake::forward

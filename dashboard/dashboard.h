// index.html of an output folder: every case, newest first, for intake staff (Japanese).
//
// Each row: when it came in, the case id linking to its report.html, the verdict badge (the
// same words and colours as report.html: report/html_common.h) and whether the imaging went to
// the PACS, the missing and to-check requirements by their labels, the counts of findings. Built
// from the case folders' report.json files; a small cache (OUT/.index-cache.json, keyed by each
// report.json's size and modification time) spares re-reading thousands of reports after every
// case. The page is self-contained (inline CSS, no scripts, relative links) so it opens from disk,
// and holds no patient data beyond what report.html shows at its top (case ids, dates, profile
// labels).
//
// UpdateDashboard is called after every case (CaseProcessor::Process); the watcher and a manual
// `intake process` may call it at the same time: an flock (OUT/.index.lock) serialises the
// rebuilds, and index.html is replaced atomically (temp file, fsync, rename).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipeline/result.h"

namespace intake::dashboard {

inline constexpr std::string_view kIndexName = "index.html";
inline constexpr std::string_view kCacheName = ".index-cache.json";
inline constexpr std::string_view kLockName = ".index.lock";

// One row of the index, from one case folder's report.json.
struct CaseSummary {
  std::string folder;       // the case folder's name (the link target)
  std::string case_id;      // as report.json says
  std::string received_at;  // ISO 8601 local time with offset
  std::string verdict;      // complete, incomplete, needs_review, rejected; "" when unreadable
  std::string profile_name;
  std::vector<std::string> missing;       // requirement labels
  std::vector<std::string> needs_review;  // requirement labels
  std::vector<std::string> error_titles;  // Japanese titles of error findings, once each
  int errors = 0;
  int warnings = 0;
  int infos = 0;
  int documents = 0;
  int pages = 0;
  int dicom_series = 0;
  // The imaging sent to a PACS (report.json's `forwarding`, `intake forward`): "" never,
  // "complete" every instance acknowledged by every PACS it went to, else "incomplete".
  std::string forwarding;
  bool readable = true;  // false: report.json did not parse (shown as such, not hidden)
  // Where the case stands (casestate/, read from case_state.json at each rebuild, not cached):
  // its word for staff (患者さん待ち …), empty without a state file; days waited for the patient.
  std::string state_word;
  int days_waited = 0;
  int envelopes = 1;  // report.json's envelopes
};

// The summary of one report.json (schema intake.report/1). `folder` names the case folder.
CaseSummary SummaryFromReport(const nlohmann::json& report, std::string folder);

nlohmann::json SummaryToJson(const CaseSummary& summary);
CaseSummary SummaryFromJson(const nlohmann::json& cached);

// Newest first: by received_at (offsets taken into account), then by case id.
void SortNewestFirst(std::vector<CaseSummary>& cases);

// The whole page. `generated_at`: ISO 8601, shown as the time of the last update.
std::string IndexHtml(const std::vector<CaseSummary>& cases, const std::string& generated_at);

// Reads every OUT/<folder>/report.json (through the cache), renders and replaces index.html.
// Returns the number of cases listed.
Result<std::size_t> UpdateDashboard(const std::filesystem::path& out_dir);

}  // namespace intake::dashboard

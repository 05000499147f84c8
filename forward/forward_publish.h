// Where a forward's result goes after the run (forward/forwarder.h): report.json's `forwarding`
// array and report.html's section, the audit trail's `case_forwarded` record, index.html.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "forward/forwarder.h"
#include "pipeline/result.h"

namespace intake::forward {

inline constexpr std::string_view kEventCaseForwarded = "case_forwarded";

// One run as report.json's `forwarding` and forward.json's `last_run` hold it (no instances).
nlohmann::json SummaryJson(const ForwardSummary& summary, const ForwardOptions& options);

// Writes the last run of every destination (from the case's forward.json) into report.json and
// report.html, appends the audit record of this run and rebuilds index.html.
Status PublishForwarding(const ForwardOptions& options, const std::filesystem::path& case_dir,
                         const ForwardSummary& summary);

}  // namespace intake::forward

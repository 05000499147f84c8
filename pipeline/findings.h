// The one table of finding codes: code, severity, and the Japanese title staff read.
//
// Every finding the pipeline raises names a code from this table; report writers and the verdict
// logic look severities and titles up here, so a code is added in one place only.
#pragma once

#include <optional>
#include <string_view>

namespace intake {

enum class Severity { kInfo, kWarning, kError };

struct FindingCodeInfo {
  std::string_view code;
  Severity severity;
  bool rejects_case;          // the verdict is `rejected` when this finding is present
  std::string_view title_ja;  // shown to intake staff
};

// Returns the table entry for `code`, or nullopt for an unknown code.
std::optional<FindingCodeInfo> LookupFindingCode(std::string_view code);

std::string_view SeverityName(Severity severity);  // "info", "warning", "error"

}  // namespace intake

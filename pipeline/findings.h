// The one table of finding codes: code, severity, and the Japanese title staff read.
//
// Every finding the pipeline raises names a code from this table; report writers and the verdict
// logic look severities and titles up here, so a code is added in one place only.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace intake {

enum class Severity { kInfo, kWarning, kError };

struct FindingCodeInfo {
  std::string_view code;
  Severity severity;
  // A reason a case can be `rejected` for (stages/rules decides: nothing of the submission could
  // be read, or an exclusion stated in a form field); listed as the reason when it is.
  bool rejection_cause;
  std::string_view title_ja;  // shown to intake staff
};

// Returns the table entry for `code`, or nullopt for an unknown code.
// Every code of the table, in its order (docs/report-schema.md lists them; a test checks).
std::span<const FindingCodeInfo> AllFindingCodes();

std::optional<FindingCodeInfo> LookupFindingCode(std::string_view code);

std::string_view SeverityName(Severity severity);  // "info", "warning", "error"

}  // namespace intake

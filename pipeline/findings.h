// The one table of finding codes: code, severity, the Japanese title staff read, a description.
//
// The rows are in pipeline/finding_codes.def; this header makes the enum FindingCode from them,
// so a finding names its code as `FindingCode::kCorruptFile` and a misspelt code does not
// compile. Report writers and the verdict logic look severities and titles up here. Where a code
// arrives as text (a report.json read back), ParseFindingCode turns it into the enum.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "pipeline/result.h"

namespace intake {

enum class Severity { kInfo, kWarning, kError };

enum class FindingCode {
#define INTAKE_FINDING(id, name, severity, rejection_cause, title_ja, description) id,
#include "pipeline/finding_codes.def"
#undef INTAKE_FINDING
};

struct FindingCodeInfo {
  FindingCode id;
  std::string_view code;  // "CORRUPT_FILE": what report.json and the audit trail carry
  Severity severity;
  // A reason a case can be `rejected` for (stages/rules decides: nothing of the submission could
  // be read, or an exclusion stated in a form field); listed as the reason when it is.
  bool rejection_cause;
  std::string_view title_ja;     // shown to intake staff
  std::string_view description;  // English, for docs/report-schema.md
};

// Every code of the table, in its order (docs/report-schema.md lists them; a test checks).
std::span<const FindingCodeInfo> AllFindingCodes();

// The table entry of `code` (every enumerator has one).
const FindingCodeInfo& FindingInfo(FindingCode code);
std::string_view FindingCodeName(FindingCode code);  // "CORRUPT_FILE"

// The code named `name` ("CORRUPT_FILE"); an Error naming the text when no code has that name.
Result<FindingCode> ParseFindingCode(std::string_view name);

std::string_view SeverityName(Severity severity);  // "info", "warning", "error"

// Pages OCR reads with a lower mean confidence get LOW_OCR_CONFIDENCE (stages/ocr) and are
// highlighted in the report; app::ProcessOptions::low_ocr_confidence starts from it.
inline constexpr double kLowOcrConfidence = 0.6;

}  // namespace intake

#include "pipeline/findings.h"

#include <array>
#include <string>

namespace intake {
namespace {

constexpr std::array kFindingCodes{
#define INTAKE_FINDING(id, name, severity, rejection_cause, title_ja, description) \
  FindingCodeInfo{FindingCode::id, name,     Severity::severity,                   \
                  rejection_cause, title_ja, description},
#include "pipeline/finding_codes.def"
#undef INTAKE_FINDING
};

// The table is indexed by the enum: each row must sit at its enumerator's place.
constexpr bool InEnumOrder() {
  for (std::size_t i = 0; i < kFindingCodes.size(); ++i)
    if (static_cast<std::size_t>(kFindingCodes[i].id) != i) return false;
  return true;
}
static_assert(InEnumOrder());

}  // namespace

std::span<const FindingCodeInfo> AllFindingCodes() { return kFindingCodes; }

const FindingCodeInfo& FindingInfo(FindingCode code) {
  return kFindingCodes[static_cast<std::size_t>(code)];
}

std::string_view FindingCodeName(FindingCode code) { return FindingInfo(code).code; }

Result<FindingCode> ParseFindingCode(std::string_view name) {
  for (const auto& info : kFindingCodes) {
    if (info.code == name) return info.id;
  }
  return Error{
      "unknown finding code \"" + std::string(name) + "\" (not in pipeline/finding_codes.def)",
      ErrorCode::kInvalid};
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "info";
}

}  // namespace intake

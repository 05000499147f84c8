// Why a submission went to the quarantine: the watcher's reason codes and their Japanese text.
//
// These are not findings (pipeline/findings.h): a finding describes a case, a quarantine reason
// says why no case could be made. The rows are in watch/quarantine_reasons.def (README.md's table
// is checked against them). The reason file (reason.txt) beside the quarantined original gives
// the code, the Japanese title, the details and the command to try again. The journal keeps the
// code as its name (JournalEntry::reason_code), beside DUPLICATE_SUBMISSION for duplicates.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "watch/journal.h"

namespace intake::watch {

enum class QuarantineCode {
#define INTAKE_QUARANTINE(id, name, title_ja, meaning) id,
#include "watch/quarantine_reasons.def"
#undef INTAKE_QUARANTINE
};

struct QuarantineReason {
  QuarantineCode id;
  std::string_view code;  // "TIME_LIMIT": what the journal, the log and reason.txt carry
  std::string_view title_ja;
  std::string_view meaning;  // English, README.md's table
};

std::span<const QuarantineReason> AllQuarantineReasons();
const QuarantineReason& QuarantineInfo(QuarantineCode code);
std::string_view QuarantineCodeName(QuarantineCode code);  // "TIME_LIMIT"

// The reason named `code` (as the journal keeps it), or nullopt for another code.
std::optional<QuarantineReason> LookupQuarantineReason(std::string_view code);

// The text of reason.txt for a quarantined entry (code, title, details, journal id, how to retry).
std::string QuarantineReasonText(const JournalEntry& entry);

}  // namespace intake::watch

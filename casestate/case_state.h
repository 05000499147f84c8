// Case states: where a case stands in the intake office's work.
//
//   received ──▶ waiting_for_patient ──▶ complete ──▶ forwarded ──▶ closed
//   (processed)  (letter written, date)  (verdict)    (to the physician)  (staff, with a reason)
//
// Processing sets received, waiting_for_patient (an incomplete case whose letter was written) or
// complete from the verdict; staff forward (`intake case forward ID`) and close (`intake case close
// ID --reason ...`). A forwarded or closed case is settled: processing again (a follow-up) does
// not move it back, and follow-ups do not attach to it by identity. The state and its history
// live in OUT/<case>/case_state.json (carried over when the case folder is made anew); each change
// is an audit record `case_state` (states and dates only: the reason, staff's words, stays in the
// case folder). Days waited: from the letter's date to completion, or to today.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/case_model.h"
#include "pipeline/result.h"

namespace intake::casestate {

enum class CaseState { kReceived, kWaitingForPatient, kComplete, kForwarded, kClosed };

inline constexpr const char* kStateFileName = "case_state.json";

// "received", "waiting_for_patient", "complete", "forwarded", "closed".
std::string_view CaseStateName(CaseState state);
// For staff: 受付済み, 患者さん待ち, 完備, 担当医へ回付済み, 終了.
std::string_view CaseStateWord(CaseState state);
std::optional<CaseState> ParseCaseState(std::string_view name);
// Forwarded or closed: staff's decision stands.
bool IsSettled(CaseState state);

struct StateChange {
  CaseState state = CaseState::kReceived;
  std::string at;      // ISO 8601 local time
  std::string reason;  // staff's words (close), or empty
};

struct StateRecord {
  CaseState state = CaseState::kReceived;
  std::string waiting_since;  // YYYY-MM-DD: the first letter's date, empty if none was written
  std::string waited_until;   // YYYY-MM-DD: when the case became complete (the wait ended)
  std::vector<StateChange> history;
  // Days from waiting_since to waited_until, or to `today` (YYYY-MM-DD) while waiting; 0 when
  // the case never waited.
  int DaysWaited(const std::string& today) const;
};

// The record of the case folder `case_dir` (a case without one: received, no history).
StateRecord ReadState(const std::filesystem::path& case_dir);
Status WriteState(const std::filesystem::path& case_dir, const StateRecord& record);

// Moves `record` to `next` at `now` (ISO 8601) if it is not there already: the history grows and
// the waiting dates follow. Returns whether it changed.
bool MoveTo(StateRecord& record, CaseState next, const std::string& now, std::string reason = {});

// The state processing gives a case: its previous one when settled, else from the verdict and
// the letter.
CaseState StateAfterProcessing(const StateRecord& previous, Verdict verdict, bool letter_written);

// Appends the audit record of a change to OUT's trail: {from, to} (ASCII names only).
Status RecordChange(const std::filesystem::path& out, const std::string& case_id, CaseState from,
                    CaseState to);

// Today's local date (YYYY-MM-DD) and now (ISO 8601 with offset).
std::string Today();
std::string Now();

// " state=waiting_for_patient waited=3" for the case folder OUT/<case_id> (empty without a
// state file): what `intake status` adds to a submission's line.
std::string StateSuffix(const std::filesystem::path& out_dir, const std::string& case_id);

}  // namespace intake::casestate

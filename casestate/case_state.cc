#include "casestate/case_state.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "pipeline/atomic_file.h"
#include "pipeline/local_time.h"

namespace intake::casestate {
namespace {

using nlohmann::json;

constexpr std::string_view kEventCaseState = "case_state";

std::string LocalTime(const char* format) { return FormatLocalNow(format); }

std::optional<std::chrono::sys_days> ParseDay(const std::string& iso) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (iso.size() < 10 || std::sscanf(iso.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) {
    return std::nullopt;
  }
  const std::chrono::year_month_day day{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!day.ok()) return std::nullopt;
  return std::chrono::sys_days(day);
}

std::string Str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string_view CaseStateName(CaseState state) {
  switch (state) {
    case CaseState::kReceived:
      return "received";
    case CaseState::kWaitingForPatient:
      return "waiting_for_patient";
    case CaseState::kComplete:
      return "complete";
    case CaseState::kForwarded:
      return "forwarded";
    case CaseState::kClosed:
      return "closed";
  }
  return "received";
}

std::string_view CaseStateWord(CaseState state) {
  switch (state) {
    case CaseState::kReceived:
      return "受付済み";
    case CaseState::kWaitingForPatient:
      return "患者さん待ち";
    case CaseState::kComplete:
      return "完備";
    case CaseState::kForwarded:
      return "担当医へ回付済み";
    case CaseState::kClosed:
      return "終了";
  }
  return "受付済み";
}

std::optional<CaseState> ParseCaseState(std::string_view name) {
  for (CaseState s : {CaseState::kReceived, CaseState::kWaitingForPatient, CaseState::kComplete,
                      CaseState::kForwarded, CaseState::kClosed}) {
    if (CaseStateName(s) == name) return s;
  }
  return std::nullopt;
}

bool IsSettled(CaseState state) {
  return state == CaseState::kForwarded || state == CaseState::kClosed;
}

int StateRecord::DaysWaited(const std::string& today) const {
  const auto from = ParseDay(waiting_since);
  if (!from) return 0;
  const auto to = ParseDay(waited_until.empty() ? today : waited_until);
  if (!to || *to < *from) return 0;
  return static_cast<int>((*to - *from).count());
}

StateRecord ReadState(const std::filesystem::path& case_dir) {
  StateRecord record;
  std::ifstream in(case_dir / kStateFileName, std::ios::binary);
  if (!in) return record;
  const json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return record;
  record.state = ParseCaseState(Str(j, "state")).value_or(CaseState::kReceived);
  record.waiting_since = Str(j, "waiting_since");
  record.waited_until = Str(j, "waited_until");
  if (const auto h = j.find("history"); h != j.end() && h->is_array()) {
    for (const json& change : *h) {
      if (!change.is_object()) continue;
      const auto state = ParseCaseState(Str(change, "state"));
      if (!state) continue;
      record.history.push_back({*state, Str(change, "at"), Str(change, "reason")});
    }
  }
  return record;
}

Status WriteState(const std::filesystem::path& case_dir, const StateRecord& record) {
  json history = json::array();
  for (const auto& change : record.history) {
    json item = {{"state", CaseStateName(change.state)}, {"at", change.at}};
    if (!change.reason.empty()) item["reason"] = change.reason;
    history.push_back(std::move(item));
  }
  const json j = {{"schema", "intake.case_state/1"},
                  {"state", CaseStateName(record.state)},
                  {"waiting_since", record.waiting_since},
                  {"waited_until", record.waited_until},
                  {"history", history}};
  return WriteFileAtomically(case_dir / kStateFileName, j.dump(2) + "\n");
}

bool MoveTo(StateRecord& record, CaseState next, const std::string& now, std::string reason) {
  if (!record.history.empty() && record.state == next) return false;
  record.state = next;
  const std::string day = now.substr(0, 10);
  if (next == CaseState::kWaitingForPatient) {
    if (record.waiting_since.empty()) record.waiting_since = day;
    record.waited_until.clear();
  } else if (!record.waiting_since.empty() && record.waited_until.empty()) {
    record.waited_until = day;
  }
  record.history.push_back({next, now, std::move(reason)});
  return true;
}

CaseState StateAfterProcessing(const StateRecord& previous, Verdict verdict,
                               bool letter_written) {
  if (!previous.history.empty() && IsSettled(previous.state)) return previous.state;
  if (verdict == Verdict::kComplete) return CaseState::kComplete;
  if (letter_written) return CaseState::kWaitingForPatient;
  return CaseState::kReceived;
}

Status RecordChange(const std::filesystem::path& out, const std::string& case_id, CaseState from,
                    CaseState to) {
  const json details = {{"from", CaseStateName(from)}, {"to", CaseStateName(to)}};
  auto appended = audit::AppendAuditRecord(out, kEventCaseState, case_id, details);
  return appended.ok() ? Status::Ok() : appended.status();
}

std::string Today() { return LocalTime("%Y-%m-%d"); }
std::string Now() { return LocalTime("%Y-%m-%dT%H:%M:%S%z"); }

std::string StateSuffix(const std::filesystem::path& out_dir, const std::string& case_id) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = out_dir / case_id;
  if (case_id.empty() || !fs::exists(dir / kStateFileName, ec)) return {};
  const StateRecord record = ReadState(dir);
  return " state=" + std::string(CaseStateName(record.state)) +
         " waited=" + std::to_string(record.DaysWaited(Today()));
}

}  // namespace intake::casestate

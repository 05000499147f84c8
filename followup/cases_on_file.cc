#include "followup/cases_on_file.h"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "casestate/case_state.h"
#include "letter/reply_slip.h"

namespace intake::followup {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Text(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string FactText(const json& report, const char* name) {
  const auto facts = report.find("facts");
  if (facts == report.end() || !facts->is_object()) return {};
  const auto fact = facts->find(name);
  if (fact == facts->end() || !fact->is_object()) return {};
  return Text(*fact, "value");
}

// The envelopes the report lists; a report from before envelopes were recorded has one, its
// submission.
std::vector<Envelope> EnvelopesOf(const json& report) {
  std::vector<Envelope> out;
  const auto list = report.find("envelopes");
  if (list != report.end() && list->is_array()) {
    for (const json& e : *list) {
      if (!e.is_object()) continue;
      Envelope envelope;
      envelope.number = static_cast<int>(out.size()) + 1;
      envelope.name = Text(e, "name");
      envelope.sha256 = Text(e, "sha256");
      envelope.received_at = Text(e, "received_at");
      envelope.original = Text(e, "original");
      envelope.original_sums = Text(e, "original_sha256sums");
      envelope.matched_by = Text(e, "matched_by");
      out.push_back(std::move(envelope));
    }
  }
  if (!out.empty()) return out;
  const auto submission = report.find("submission");
  if (submission == report.end() || !submission->is_object()) return out;
  Envelope first;
  first.name = Text(*submission, "name");
  first.sha256 = Text(*submission, "sha256");
  first.received_at = Text(*submission, "received_at");
  first.original = Text(*submission, "original");
  first.original_sums = Text(*submission, "original_sha256sums");
  out.push_back(std::move(first));
  return out;
}

}  // namespace

bool CaseOnFile::Holds(const std::string& sha256) const {
  return std::any_of(envelopes.begin(), envelopes.end(),
                     [&](const Envelope& e) { return e.sha256 == sha256; });
}

std::optional<CaseOnFile> ReadCaseOnFile(const fs::path& out, const std::string& case_id) {
  if (!letter::LooksLikeCaseId(case_id)) return std::nullopt;
  std::ifstream in(out / case_id / "report.json", std::ios::binary);
  if (!in) return std::nullopt;
  const json report = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!report.is_object()) return std::nullopt;
  CaseOnFile c;
  c.case_id = case_id;
  c.dir = out / case_id;
  c.verdict = ParseVerdict(Text(report, "verdict")).value_or(Verdict::kNeedsReview);
  c.patient_name = FactText(report, "patient_name");
  c.patient_kana = FactText(report, "patient_name_kana");
  c.birth_date = FactText(report, "patient_birth_date");
  c.envelopes = EnvelopesOf(report);
  const bool waiting = c.verdict == Verdict::kIncomplete || c.verdict == Verdict::kNeedsReview;
  c.open = waiting && !casestate::IsSettled(casestate::ReadState(c.dir).state);
  return c;
}

std::vector<CaseOnFile> ListCasesOnFile(const fs::path& out) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (fs::directory_iterator it(out, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (letter::LooksLikeCaseId(name)) ids.push_back(name);
  }
  std::sort(ids.begin(), ids.end());
  std::vector<CaseOnFile> cases;
  for (const auto& id : ids) {
    if (auto c = ReadCaseOnFile(out, id)) cases.push_back(std::move(*c));
  }
  return cases;
}

}  // namespace intake::followup

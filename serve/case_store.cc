#include "serve/case_store.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "audit/audit_log.h"
#include "dashboard/dashboard.h"
#include "pipeline/atomic_file.h"
#include "pipeline/log.h"
#include "report/report_html.h"
#include "serve/clock.h"
#include "serve/report_reader.h"
#include "serve/review.h"
#include "stages/decisions_file.h"

namespace intake::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kReportName = "report.json";
constexpr const char* kPipelineReportName = "report.pipeline.json";
constexpr std::string_view kEventReviewDecision = "review_decision";

// nullopt when the file is missing; a discarded value when it does not parse.
std::optional<json> ReadJson(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream bytes;
  bytes << in.rdbuf();
  return json::parse(bytes.str(), nullptr, false);
}

std::string FactText(const json& report, const char* name) {
  const json facts = report.value("facts", json::object());
  if (!facts.is_object() || !facts.contains(name) || !facts[name].is_object()) return {};
  const json& value = facts[name].value("value", json());
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  return {};
}

std::string StateOf(const std::string& verdict) {
  if (verdict == "needs_review") return "to_review";
  if (verdict == "incomplete") return "waiting";
  if (verdict == "complete" || verdict == "rejected") return "done";
  return "unreadable";
}

CaseRow RowFromReport(const json& report, const std::string& folder) {
  CaseRow row;
  row.id = folder;
  row.verdict = report.value("verdict", "");
  row.state = StateOf(row.verdict);
  row.patient_name = FactText(report, "patient_name");
  row.patient_reading = FactText(report, "patient_name_kana");
  row.birth_date = FactText(report, "patient_birth_date");
  row.department = FactText(report, "department");
  const json submission = report.value("submission", json::object());
  row.received_at = submission.is_object() ? submission.value("received_at", "") : "";
  const json review = report.value("review", json::object());
  row.decisions = review.is_object() ? review.value("decisions", 0) : 0;
  const json summary = report.value("summary", json::object());
  for (const char* key : {"needs_review", "missing"}) {
    auto& list = std::string(key) == "missing" ? row.missing : row.needs_review;
    if (!summary.is_object() || !summary.contains(key) || !summary[key].is_array()) continue;
    for (const auto& id : summary[key])
      if (id.is_string()) list.push_back(id.get<std::string>());
  }
  return row;
}

// The report was changed by decisions that report.json does not reflect yet (the case was
// processed again, or a write was interrupted).
bool Stale(const json& report, const json& decisions) {
  if (decisions.empty()) return false;
  const json review = report.value("review", json());
  return !review.is_object() || review.value("decisions", std::size_t{0}) != decisions.size();
}

// The details of a decision's audit record: ids and codes only (the reason text, a fact's value
// and a note stay in the case folder).
json AuditDetails(const json& record, Verdict before, Verdict after) {
  json details{{"user", record["user"]},
               {"decision", record["seq"]},
               {"kind", record["kind"]},
               {"target", record["target"]},
               {"before", record["before"]},
               {"after", record["after"]},
               {"reason_code", record["reason_code"]},
               {"verdict_before", VerdictName(before)},
               {"verdict_after", VerdictName(after)}};
  if (record.contains("code")) details["code"] = record["code"];
  return details;
}

// The recomputed report of a case (serve/review.h), as json and html.
struct Rendered {
  json report;
  std::string html;
  Verdict verdict = Verdict::kNeedsReview;
};

Rendered Render(const ReadReport& base, const json& decisions, const config::Profile& profile) {
  const report::ReportContext context = ReviewContext(base.context, profile);
  const Recomputed r = Recompute(base.c, decisions, profile);
  return {ReviewedReportJson(r, context, decisions, base.c.verdict),
          report::ReportHtml(r.c, context), r.c.verdict};
}

}  // namespace

json RowJson(const CaseRow& row) {
  return {{"id", row.id},
          {"patient_name", row.patient_name},
          {"patient_reading", row.patient_reading},
          {"birth_date", row.birth_date},
          {"department", row.department},
          {"verdict", row.verdict},
          {"state", row.state},
          {"received_at", row.received_at},
          {"days_waiting", row.days_waiting},
          {"decisions", row.decisions},
          {"needs_review", row.needs_review},
          {"missing", row.missing}};
}

namespace {

// Lower-case ASCII, hiragana as katakana, without spaces (ASCII and U+3000) and '-' or '/'.
std::string SearchForm(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b == ' ' || b == '-' || b == '/') continue;
    if (b >= 'A' && b <= 'Z') {
      out += static_cast<char>(b - 'A' + 'a');
      continue;
    }
    if (b == 0xE3 && i + 2 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      const unsigned cp = ((b & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
      if (cp == 0x3000) {  // ideographic space
        i += 2;
        continue;
      }
      if (cp >= 0x3041 && cp <= 0x3096) {  // hiragana -> katakana
        const unsigned k = cp + 0x60;
        out += static_cast<char>(0xE0 | (k >> 12));
        out += static_cast<char>(0x80 | ((k >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (k & 0x3F));
        i += 2;
        continue;
      }
    }
    out += static_cast<char>(b);
  }
  return out;
}

}  // namespace

bool Matches(const CaseRow& row, const CaseFilter& filter) {
  if (!filter.verdict.empty() && row.verdict != filter.verdict) return false;
  if (!filter.state.empty() && row.state != filter.state) return false;
  const std::string q = SearchForm(filter.q);
  if (q.empty()) return true;
  for (const std::string* field :
       {&row.id, &row.patient_name, &row.patient_reading, &row.birth_date}) {
    if (SearchForm(*field).find(q) != std::string::npos) return true;
  }
  return false;
}

std::optional<std::string> NextToReview(const std::vector<CaseRow>& rows,
                                        const std::string& after_id) {
  // Rows are newest first: the longest waiting is the last one.
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    if (it->state == "to_review" && it->id != after_id) return it->id;
  }
  return std::nullopt;
}

bool ValidCaseId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && id.front() != '-' &&
         std::all_of(id.begin(), id.end(), [](char ch) {
           return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
         });
}

CaseStore::CaseStore(fs::path out_dir, config::Profile profile)
    : out_dir_(std::move(out_dir)), profile_(std::move(profile)) {}

bool CaseStore::Busy(const std::string& id) const {
  std::error_code ec;
  return fs::exists(out_dir_ / ".intake" / "staging" / id, ec) ||
         !fs::exists(out_dir_ / id / kReportName, ec);
}

std::optional<CaseRow> CaseStore::Row(const fs::path& dir) {
  const std::string id = dir.filename().string();
  std::error_code ec;
  const fs::path report_path = dir / kReportName;
  const auto size = fs::file_size(report_path, ec);
  if (ec) return std::nullopt;
  const auto mtime = fs::last_write_time(report_path, ec);
  if (ec) return std::nullopt;
  const std::int64_t mtime_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
  {
    std::lock_guard lock(mutex_);
    const auto it = cache_.find(id);
    if (it != cache_.end() && it->second.size == size && it->second.mtime_ns == mtime_ns)
      return it->second.row;
  }
  const auto report = ReadJson(report_path);
  if (!report) return std::nullopt;
  CaseRow row;
  if (report->is_discarded() || !report->is_object()) {
    row.id = id;
    row.state = "unreadable";
  } else if (!report->contains("review") && fs::exists(dir / stages::kDecisionsFileName, ec)) {
    // Processed again with decisions carried over: recompute (Get writes the new report).
    const Answer a = Get(id);
    if (a.status != 200) return std::nullopt;
    row = RowFromReport(a.body, id);
  } else {
    row = RowFromReport(*report, id);
  }
  std::lock_guard lock(mutex_);
  cache_[id] = Cached{size, mtime_ns, row};
  return row;
}

std::vector<CaseRow> CaseStore::List() {
  std::vector<CaseRow> rows;
  const std::string today = TodayIso();
  std::error_code ec;
  for (fs::directory_iterator it(out_dir_, ec), end; it != end; it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (!ValidCaseId(name) || !it->is_directory(ec) || it->is_symlink(ec)) continue;
    auto row = Row(it->path());
    if (!row) continue;
    if (fs::exists(out_dir_ / ".intake" / "staging" / name, ec)) row->state = "processing";
    row->days_waiting = std::max(0, DaysBetween(row->received_at, today).value_or(0));
    rows.push_back(std::move(*row));
  }
  std::sort(rows.begin(), rows.end(), [](const CaseRow& a, const CaseRow& b) {
    return a.received_at != b.received_at ? a.received_at > b.received_at : a.id > b.id;
  });
  return rows;
}

Answer CaseStore::Get(const std::string& id) {
  if (!ValidCaseId(id) || !fs::is_directory(out_dir_ / id)) return {404, "no such case", {}};
  if (Busy(id)) return {409, "the case is being processed; it can be opened once published", {}};
  auto loaded = Load(id);
  if (!loaded.ok()) return {500, loaded.message(), {}};
  json report = std::move(loaded->report);
  if (Stale(report, loaded->decisions)) {
    auto lock = stages::LockDecisions(out_dir_);
    if (!lock.ok()) return {500, "the decisions lock cannot be taken", {}};
    if (Busy(id)) return {409, "the case is being processed", {}};
    const Rendered now = Render(loaded->base, loaded->decisions, profile_);
    Answer stored = Store(id, now.report, now.html, loaded->fresh ? &loaded->pipeline : nullptr);
    if (stored.status != 200) return stored;
    report = std::move(stored.body);
  }
  report["decisions"] = std::move(loaded->decisions);
  return {200, "", std::move(report)};
}

Result<CaseStore::Loaded> CaseStore::Load(const std::string& id) const {
  using R = Result<Loaded>;
  Loaded out;
  auto report = ReadJson(out_dir_ / id / kReportName);
  auto decisions = ReadJson(out_dir_ / id / stages::kDecisionsFileName);
  if (!decisions) decisions = json::array();
  const auto record = [](const json& d) {
    return d.is_object() && d.value("kind", json()).is_string() &&
           d.value("target", json()).is_string();
  };
  if (!report || report->is_discarded() || decisions->is_discarded() || !decisions->is_array() ||
      !std::all_of(decisions->begin(), decisions->end(), record))
    return R::Fail("the case's report.json or decisions.json cannot be read");
  out.fresh = !report->contains("review");
  auto pipeline = out.fresh ? report : ReadJson(out_dir_ / id / kPipelineReportName);
  if (!pipeline || pipeline->is_discarded())
    return R::Fail("the pipeline's report of this case cannot be read");
  auto base = CaseFromReport(*pipeline);
  if (!base.ok()) return R::Fail("the pipeline's report of this case cannot be read");
  out.report = std::move(*report);
  out.decisions = std::move(*decisions);
  out.pipeline = std::move(*pipeline);
  out.base = std::move(*base);
  return out;
}

Answer CaseStore::Store(const std::string& id, const json& report, const std::string& html,
                        const json* keep_pipeline_report) {
  const fs::path dir = out_dir_ / id;
  Status s = Status::Ok();
  if (keep_pipeline_report != nullptr)
    s = WriteFileAtomically(dir / kPipelineReportName, keep_pipeline_report->dump(2) + "\n");
  if (s.ok()) s = WriteFileAtomically(dir / kReportName, report.dump(2) + "\n");
  if (s.ok()) s = WriteFileAtomically(dir / "report.html", html);
  if (!s.ok()) {
    Log()->error("case {}: the recomputed report could not be written: {}", id, s.message());
    return {500, "the recomputed report could not be written", {}};
  }
  return {200, "", report};
}

Answer CaseStore::Decide(const std::string& id, const json& body, const std::string& user) {
  if (!ValidCaseId(id) || !fs::is_directory(out_dir_ / id)) return {404, "no such case", {}};
  Answer answer;
  {
    auto lock = stages::LockDecisions(out_dir_);
    if (!lock.ok()) return {500, "the decisions lock cannot be taken", {}};
    if (Busy(id)) return {409, "the case is being processed; decide once it is published", {}};
    auto loaded = Load(id);
    if (!loaded.ok()) return {500, loaded.message(), {}};
    json& decisions = loaded->decisions;
    const Recomputed current = Recompute(loaded->base.c, decisions, profile_);
    auto record = MakeDecisionRecord(body, current.c, profile_, user, decisions);
    if (!record.ok()) return {400, record.message(), {}};
    (*record)["seq"] = decisions.size() + 1;
    (*record)["time"] = NowIso();
    decisions.push_back(*record);
    const Rendered after = Render(loaded->base, decisions, profile_);
    // The audit record first: a decision that is not in the audit trail is not stored.
    auto audited =
        audit::AppendAuditRecord(out_dir_, kEventReviewDecision, id,
                                 AuditDetails(*record, current.c.verdict, after.verdict));
    if (!audited.ok()) {
      Log()->error("case {}: decision not recorded in the audit trail: {}", id, audited.message());
      return {500, "the audit trail could not be written; the decision was not stored", {}};
    }
    if (loaded->fresh) {
      if (Status s = WriteFileAtomically(out_dir_ / id / kPipelineReportName,
                                         loaded->pipeline.dump(2) + "\n");
          !s.ok())
        return {500, "the pipeline's report could not be kept", {}};
    }
    if (Status s = WriteFileAtomically(out_dir_ / id / stages::kDecisionsFileName,
                                       decisions.dump(2) + "\n");
        !s.ok())
      return {500, "the decision could not be written", {}};
    answer = Store(id, after.report, after.html, nullptr);
    if (answer.status != 200) return answer;
    answer.body["decisions"] = decisions;
    Log()->info("case {}: decision {} ({}) by {}", id, decisions.size(),
                (*record)["kind"].get<std::string>(), user);
  }
  if (auto listed = dashboard::UpdateDashboard(out_dir_); !listed.ok())
    Log()->warn("case {}: {}", id, listed.message());
  return answer;
}

std::optional<fs::path> CaseStore::CaseFile(const std::string& id, const std::string& rel) {
  if (!ValidCaseId(id) || rel.empty()) return std::nullopt;
  const auto report = ReadJson(out_dir_ / id / kReportName);
  if (!report || report->is_discarded() || !report->is_object()) return std::nullopt;
  bool named = false;
  for (const auto& d : report->value("documents", json::array()))
    named = named || (d.is_object() && d.value("pdf", json()) == rel);
  const json imaging = report->value("imaging", json::object());
  for (const auto& p : imaging.value("patients", json::array()))
    for (const auto& st : p.value("studies", json::array()))
      for (const auto& s : st.value("series", json::array()))
        named = named || s.value("key_image", json()) == rel;
  if (!named) return std::nullopt;
  return Inside(id, rel);
}

std::optional<fs::path> CaseStore::Inside(const std::string& id, const std::string& rel) const {
  if (rel.empty()) return std::nullopt;
  std::error_code ec;
  const fs::path dir = fs::canonical(out_dir_ / id, ec);
  if (ec) return std::nullopt;
  const fs::path file = fs::canonical(dir / rel, ec);
  if (ec || !fs::is_regular_file(fs::symlink_status(dir / rel, ec))) return std::nullopt;
  const auto [end, _] = std::mismatch(dir.begin(), dir.end(), file.begin(), file.end());
  if (end != dir.end()) return std::nullopt;  // outside the case folder
  return file;
}

bool ValidPageId(std::string_view id) {
  return id.size() >= 5 && id.size() <= 10 && id[0] == 'p' &&
         std::all_of(id.begin() + 1, id.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

std::optional<fs::path> CaseStore::PageFile(const std::string& id, const std::string& page_id,
                                            bool image) {
  if (!ValidCaseId(id) || !ValidPageId(page_id)) return std::nullopt;
  const auto report = ReadJson(out_dir_ / id / kReportName);
  if (!report || report->is_discarded() || !report->is_object()) return std::nullopt;
  for (const auto& p : report->value("pages", json::array())) {
    if (!p.is_object() || p.value("id", json()) != page_id) continue;
    const json rel = p.value(image ? "image" : "words", json());
    if (rel.is_string()) return Inside(id, rel.get<std::string>());
  }
  return std::nullopt;
}

std::map<std::string, json> CaseStore::PageTexts(const std::string& id, const json& report) {
  std::map<std::string, json> out;
  if (!ValidCaseId(id)) return out;
  for (const auto& p : report.value("pages", json::array())) {
    if (!p.is_object() || !p.value("words", json()).is_string()) continue;
    const std::string page_id = p.value("id", "");
    if (!ValidPageId(page_id)) continue;
    const auto file = Inside(id, p["words"].get<std::string>());
    if (!file) continue;
    const auto text = ReadJson(*file);
    if (text && !text->is_discarded() && text->is_object()) out[page_id] = *text;
  }
  return out;
}

}  // namespace intake::serve

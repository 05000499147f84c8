#include "dashboard/dashboard.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "casestate/case_state.h"
#include "pipeline/atomic_file.h"
#include "pipeline/case_model.h"
#include "pipeline/findings.h"
#include "pipeline/log.h"
#include "report/html_common.h"
#include "pipeline/local_time.h"

namespace intake::dashboard {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using report::HtmlEscape;

constexpr std::string_view kCacheSchema = "intake.index-cache/1";

// Only the index's part of the style sheet; the colours, badges and tables are shared with
// report.html (report::SharedStyle).
constexpr std::string_view kIndexStyle = R"css(
body { max-width: 1200px; }
.index-header { border-bottom: 1px solid var(--line); padding-bottom: 10px; }
.updated { color: var(--grey); font-size: 13px; margin: 0; }
.tally { display: flex; flex-wrap: wrap; gap: 10px 18px; margin: 14px 0 4px; align-items: center;
  font-size: 14px; }
.tally .verdict-badge { min-width: 0; margin-right: 4px; }
.tally .zero { opacity: 0.4; }
td.when { white-space: nowrap; width: 150px; }
td.case { white-space: nowrap; width: 170px; }
td.verdict-cell { width: 110px; }
p.forwarded { margin: 6px 0 0; font-size: 12px; }
td.counts { white-space: nowrap; width: 150px; font-size: 13px; }
td.open { white-space: nowrap; width: 90px; }
a { color: #1d4ed8; }
a.case-link { font-family: "Noto Sans Mono CJK JP", monospace; font-weight: bold; }
.need { margin: 0 0 3px; }
.need .badge { min-width: 52px; margin-right: 6px; font-size: 12px; }
.error-titles { margin: 2px 0 0; font-size: 13px; color: var(--red); }
.sizes { margin: 2px 0 0; font-size: 12px; color: var(--grey); }
tr.row-incomplete td { background: #fff6f6; }
tr.row-needs_review td { background: #fffaf0; }
tr.row-rejected td { background: #f6e3e3; }
tr.row-unreadable td { background: #f5f6f8; }
.count-error { color: var(--red); font-weight: bold; }
.count-warning { color: var(--amber); font-weight: bold; }
)css";

int CountOf(const json& node) { return node.is_array() ? static_cast<int>(node.size()) : 0; }

std::string StringOr(const json& object, const char* key, std::string fallback = {}) {
  if (object.is_object() && object.contains(key) && object[key].is_string()) {
    return object[key].get<std::string>();
  }
  return fallback;
}

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS" followed by "Z", "+hhmm" or "+hh:mm" (no
// offset: taken as UTC). nullopt when it is not such a time.
std::optional<std::int64_t> EpochSeconds(std::string_view iso) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (iso.size() < 19 || std::sscanf(std::string(iso.substr(0, 19)).c_str(),
                                     "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) {
    return std::nullopt;
  }
  std::int64_t t = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                   h * 3600 + mi * 60 + s;
  std::string_view rest = iso.substr(19);
  if (!rest.empty() && rest[0] == '.') {  // fractions of a second
    std::size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    rest.remove_prefix(i);
  }
  if (rest.size() >= 5 && (rest[0] == '+' || rest[0] == '-')) {
    std::string digits;
    for (char ch : rest.substr(1)) {
      if (ch >= '0' && ch <= '9') digits += ch;
    }
    if (digits.size() == 4) {
      const int offset = std::stoi(digits.substr(0, 2)) * 3600 + std::stoi(digits.substr(2)) * 60;
      t -= rest[0] == '+' ? offset : -offset;
    }
  }
  return t;
}

// The folder name as a relative URL path segment: unreserved characters kept, others %XX.
std::string UrlSegment(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : name) {
    if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
        ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

std::string JoinJa(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += "、";
    out += HtmlEscape(item);
  }
  return out;
}

std::string NowIso8601() { return FormatLocalNow("%Y-%m-%dT%H:%M:%S%z"); }

std::string RowHtml(const CaseSummary& c) {
  const std::string href = UrlSegment(c.folder) + "/report.html";
  const auto verdict = ParseVerdict(c.verdict);
  const std::string row_class = !c.readable ? "unreadable" : verdict ? c.verdict : "unknown";
  std::string out = "<tr class=\"case-row row-" + row_class + "\" data-case-id=\"" +
                    HtmlEscape(c.case_id.empty() ? c.folder : c.case_id) + "\">";
  out += "<td class=\"when\">" +
         (c.received_at.empty() ? std::string("<span class=\"muted\">—</span>")
                                : report::JaDateTime(c.received_at)) +
         "</td>";
  out += "<td class=\"case\"><a class=\"case-link\" href=\"" + HtmlEscape(href) + "\">" +
         HtmlEscape(c.case_id.empty() ? c.folder : c.case_id) + "</a></td>";
  out += "<td class=\"verdict-cell\">";
  if (c.readable && verdict) {
    out += "<span class=\"verdict-badge verdict-badge-" + c.verdict + "\">" +
           std::string(report::VerdictWord(*verdict)) + "</span>";
  } else {
    out += "<span class=\"verdict-badge verdict-badge-needs_review\">読取不可</span>";
  }
  if (!c.state_word.empty()) {
    out += "<p class=\"case-state\">" + HtmlEscape(c.state_word);
    if (c.days_waited > 0) out += "（" + std::to_string(c.days_waited) + "日待ち）";
    if (c.envelopes > 1) out += "・封筒" + std::to_string(c.envelopes) + "通";
    out += "</p>";
  }
  if (c.forwarding == "complete") {
    out += "<p class=\"forwarded\"><span class=\"badge badge-present\">PACS転送済</span></p>";
  } else if (!c.forwarding.empty()) {
    out += "<p class=\"forwarded\"><span class=\"badge badge-missing\">PACS転送未完了</span></p>";
  }
  out += "</td><td class=\"needs\">";
  if (!c.readable) {
    out += "<p class=\"need\">report.json を読み取れません。報告書を直接確認してください。</p>";
  }
  if (!c.missing.empty()) {
    out += "<p class=\"need need-missing\"><span class=\"badge badge-missing\">" +
           std::string(report::StatusBadgeWord(RequirementStatus::kMissing)) + "</span>" +
           JoinJa(c.missing) + "</p>";
  }
  if (!c.needs_review.empty()) {
    out += "<p class=\"need need-review\"><span class=\"badge badge-needs_review\">" +
           std::string(report::StatusBadgeWord(RequirementStatus::kNeedsReview)) + "</span>" +
           JoinJa(c.needs_review) + "</p>";
  }
  if (!c.error_titles.empty()) {
    out += "<p class=\"error-titles\">" + JoinJa(c.error_titles) + "</p>";
  }
  if (c.readable && c.missing.empty() && c.needs_review.empty() && c.error_titles.empty()) {
    out += "<span class=\"muted\">—</span>";
  }
  if (c.readable) {
    out += "<p class=\"sizes\">書類 " + std::to_string(c.documents) + "件・" +
           std::to_string(c.pages) + "ページ";
    if (c.dicom_series > 0) out += "・画像 " + std::to_string(c.dicom_series) + "シリーズ";
    out += "</p>";
  }
  out += "</td><td class=\"counts\">";
  out += std::string(c.errors > 0 ? "<span class=\"count-error\">" : "<span>") + "エラー " +
         std::to_string(c.errors) + "</span>・";
  out += std::string(c.warnings > 0 ? "<span class=\"count-warning\">" : "<span>") + "警告 " +
         std::to_string(c.warnings) + "</span>・情報 " + std::to_string(c.infos);
  out += "</td><td class=\"open\"><a class=\"report-link\" href=\"" + HtmlEscape(href) +
         "\">報告書を開く</a></td></tr>\n";
  return out;
}

struct CacheEntry {
  std::int64_t mtime_ns = 0;
  std::uint64_t size = 0;
  CaseSummary summary;
};

std::map<std::string, CacheEntry> ReadCache(const fs::path& path) {
  std::map<std::string, CacheEntry> out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;
  std::stringstream bytes;
  bytes << in.rdbuf();
  const json cache = json::parse(bytes.str(), nullptr, false);
  if (!cache.is_object() || StringOr(cache, "schema") != kCacheSchema || !cache.contains("cases") ||
      !cache["cases"].is_object()) {
    return out;  // unreadable or another version: rebuilt from the reports
  }
  for (const auto& [folder, entry] : cache["cases"].items()) {
    if (!entry.is_object() || !entry.contains("mtime_ns") || !entry.contains("size") ||
        !entry.contains("summary")) {
      continue;
    }
    out[folder] = CacheEntry{entry["mtime_ns"].get<std::int64_t>(),
                             entry["size"].get<std::uint64_t>(), SummaryFromJson(entry["summary"])};
  }
  return out;
}

std::optional<CaseSummary> ReadSummary(const fs::path& report_path, const std::string& folder) {
  std::ifstream in(report_path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream bytes;
  bytes << in.rdbuf();
  const json report = json::parse(bytes.str(), nullptr, false);
  if (!report.is_object()) {
    CaseSummary unreadable;
    unreadable.folder = folder;
    unreadable.readable = false;
    return unreadable;
  }
  return SummaryFromReport(report, folder);
}

}  // namespace

CaseSummary SummaryFromReport(const json& report, std::string folder) {
  CaseSummary s;
  s.folder = std::move(folder);
  s.case_id = StringOr(report, "case_id", s.folder);
  s.received_at = StringOr(report, "generated_at");
  if (s.received_at.empty() && report.contains("submission")) {
    s.received_at = StringOr(report["submission"], "received_at");
  }
  s.verdict = StringOr(report, "verdict");
  if (!ParseVerdict(s.verdict)) s.readable = false;
  if (report.contains("envelopes") && report["envelopes"].is_array() &&
      !report["envelopes"].empty()) {
    s.envelopes = static_cast<int>(report["envelopes"].size());
  }
  if (report.contains("profile")) s.profile_name = StringOr(report["profile"], "name");
  if (report.contains("requirements") && report["requirements"].is_array()) {
    for (const auto& r : report["requirements"]) {
      const std::string status = StringOr(r, "status");
      const std::string label = StringOr(r, "label", StringOr(r, "id"));
      if (status == "missing") s.missing.push_back(label);
      if (status == "needs_review") s.needs_review.push_back(label);
    }
  }
  std::set<std::string> seen_errors;
  if (report.contains("findings") && report["findings"].is_array()) {
    for (const auto& f : report["findings"]) {
      const std::string severity = StringOr(f, "severity");
      if (severity == "error") {
        ++s.errors;
        const std::string code = StringOr(f, "code");
        // A code of another program version is shown as it is.
        const auto known = ParseFindingCode(code);
        const std::string title = known.ok() ? std::string(FindingInfo(*known).title_ja) : code;
        if (seen_errors.insert(title).second) s.error_titles.push_back(title);
      } else if (severity == "warning") {
        ++s.warnings;
      } else {
        ++s.infos;
      }
    }
  }
  s.documents = CountOf(report.value("documents", json()));
  s.pages = CountOf(report.value("pages", json()));
  if (report.contains("imaging") && report["imaging"].is_object() &&
      report["imaging"].contains("patients")) {
    for (const auto& p : report["imaging"]["patients"]) {
      if (!p.contains("studies")) continue;
      for (const auto& st : p["studies"]) s.dicom_series += CountOf(st.value("series", json()));
    }
  }
  if (report.contains("forwarding") && report["forwarding"].is_array() &&
      !report["forwarding"].empty()) {
    s.forwarding = "complete";
    for (const auto& run : report["forwarding"]) {
      if (!run.is_object() || !run.value("complete", false)) s.forwarding = "incomplete";
    }
  }
  return s;
}

json SummaryToJson(const CaseSummary& s) {
  return {{"folder", s.folder},
          {"case_id", s.case_id},
          {"received_at", s.received_at},
          {"verdict", s.verdict},
          {"envelopes", s.envelopes},
          {"profile_name", s.profile_name},
          {"missing", s.missing},
          {"needs_review", s.needs_review},
          {"error_titles", s.error_titles},
          {"errors", s.errors},
          {"warnings", s.warnings},
          {"infos", s.infos},
          {"documents", s.documents},
          {"pages", s.pages},
          {"dicom_series", s.dicom_series},
          {"forwarding", s.forwarding},
          {"readable", s.readable}};
}

CaseSummary SummaryFromJson(const json& j) {
  CaseSummary s;
  s.folder = StringOr(j, "folder");
  s.case_id = StringOr(j, "case_id");
  s.received_at = StringOr(j, "received_at");
  s.verdict = StringOr(j, "verdict");
  if (const auto e = j.find("envelopes"); e != j.end() && e->is_number_integer()) {
    s.envelopes = e->get<int>();
  }
  s.profile_name = StringOr(j, "profile_name");
  const auto strings = [&](const char* key) {
    std::vector<std::string> out;
    if (j.contains(key) && j[key].is_array()) {
      for (const auto& item : j[key]) {
        if (item.is_string()) out.push_back(item.get<std::string>());
      }
    }
    return out;
  };
  s.missing = strings("missing");
  s.needs_review = strings("needs_review");
  s.error_titles = strings("error_titles");
  s.errors = j.value("errors", 0);
  s.warnings = j.value("warnings", 0);
  s.infos = j.value("infos", 0);
  s.documents = j.value("documents", 0);
  s.pages = j.value("pages", 0);
  s.dicom_series = j.value("dicom_series", 0);
  s.forwarding = StringOr(j, "forwarding");
  s.readable = j.value("readable", true);
  return s;
}

void SortNewestFirst(std::vector<CaseSummary>& cases) {
  std::stable_sort(cases.begin(), cases.end(), [](const CaseSummary& a, const CaseSummary& b) {
    const auto ta = EpochSeconds(a.received_at);
    const auto tb = EpochSeconds(b.received_at);
    if (ta.has_value() != tb.has_value()) return ta.has_value();  // unknown times last
    if (ta && *ta != *tb) return *ta > *tb;
    if (a.case_id != b.case_id) return a.case_id > b.case_id;
    return a.folder > b.folder;
  });
}

std::string IndexHtml(const std::vector<CaseSummary>& cases, const std::string& generated_at) {
  int tally[4] = {0, 0, 0, 0};
  for (const auto& c : cases) {
    if (const auto v = ParseVerdict(c.verdict); c.readable && v) ++tally[static_cast<int>(*v)];
  }
  std::string out = "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n" +
                    std::string(report::ContentSecurityPolicyMeta()) +
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<meta http-equiv=\"refresh\" content=\"60\">\n"
                    "<title>受付一覧（" +
                    std::to_string(cases.size()) + "件）</title>\n<style>" +
                    std::string(report::SharedStyle()) + std::string(kIndexStyle) +
                    "</style>\n</head>\n<body>\n";
  out += "<header class=\"index-header\">\n<h1>セカンドオピニオン受付 一覧</h1>\n";
  out += "<p class=\"updated\">最終更新 " + report::JaDateTime(generated_at) +
         "（新しい受付が上）・この画面は1分ごとに更新されます</p>\n";
  out += "<div class=\"tally\" id=\"tally\"><span>全 " + std::to_string(cases.size()) + "件</span>";
  for (Verdict v :
       {Verdict::kIncomplete, Verdict::kNeedsReview, Verdict::kRejected, Verdict::kComplete}) {
    const int count = tally[static_cast<int>(v)];
    out += std::string(count == 0 ? "<span class=\"zero\">" : "<span>") +
           "<span class=\"verdict-badge verdict-badge-" + std::string(VerdictName(v)) + "\">" +
           std::string(report::VerdictWord(v)) + "</span>" + std::to_string(count) + "件</span>";
  }
  out += "</div>\n</header>\n";
  out += "<section id=\"cases\">\n<h2>受付済みのケース</h2>\n";
  if (cases.empty()) {
    out += "<p class=\"empty\">まだケースはありません。</p>\n";
  } else {
    out +=
        "<table>\n<thead><tr><th>受付日時</th><th>受付番号</th><th>判定</th>"
        "<th>不足・要確認の書類</th><th>指摘事項</th><th>報告書</th></tr></thead>\n<tbody>\n";
    for (const auto& c : cases) out += RowHtml(c);
    out += "</tbody>\n</table>\n";
  }
  out +=
      "</section>\n<footer>\n<p>各ケースの詳細は受付番号または「報告書を開く」から。"
      "処理の記録（監査証跡）は audit.log にあります（intake audit 受付番号 で表示）。</p>\n"
      "</footer>\n</body>\n</html>\n";
  return out;
}

// The case's state and days waited from its case_state.json (changed by `intake case` without
// the report changing, so never cached).
void AddCaseState(CaseSummary& summary, const fs::path& case_dir) {
  std::error_code ec;
  if (!fs::exists(case_dir / casestate::kStateFileName, ec)) return;
  const casestate::StateRecord record = casestate::ReadState(case_dir);
  summary.state_word = std::string(casestate::CaseStateWord(record.state));
  summary.days_waited = record.DaysWaited(casestate::Today());
}

Result<std::size_t> UpdateDashboard(const fs::path& out_dir) {
  using R = Result<std::size_t>;
  const auto start = std::chrono::steady_clock::now();
  auto lock = FileLock::Acquire(out_dir / kLockName);
  if (!lock.ok()) return R::Fail("index.html: " + lock.message());

  const fs::path cache_path = out_dir / kCacheName;
  const std::map<std::string, CacheEntry> cached = ReadCache(cache_path);
  std::map<std::string, CacheEntry> fresh;
  std::vector<CaseSummary> cases;
  std::size_t reread = 0;
  std::error_code ec;
  for (fs::directory_iterator it(out_dir, ec), end; it != end; it.increment(ec)) {
    if (ec) return R::Fail("index.html: the output folder cannot be listed");
    if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
    const std::string folder = it->path().filename().string();
    const fs::path report_path = it->path() / "report.json";
    const auto size = fs::file_size(report_path, ec);
    if (ec) continue;  // no report (yet): a case being processed, or not a case folder
    const auto mtime = fs::last_write_time(report_path, ec);
    if (ec) continue;
    const std::int64_t mtime_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
    CacheEntry entry;
    if (auto c = cached.find(folder);
        c != cached.end() && c->second.mtime_ns == mtime_ns && c->second.size == size) {
      entry = c->second;
    } else {
      auto summary = ReadSummary(report_path, folder);
      if (!summary) continue;
      ++reread;
      entry = CacheEntry{mtime_ns, size, std::move(*summary)};
    }
    cases.push_back(entry.summary);
    AddCaseState(cases.back(), it->path());
    fresh[folder] = std::move(entry);
  }
  SortNewestFirst(cases);
  Status written = WriteFileAtomically(out_dir / kIndexName, IndexHtml(cases, NowIso8601()));
  if (!written.ok()) return R::Fail("index.html: " + written.message());

  json cache = {{"schema", kCacheSchema}, {"cases", json::object()}};
  for (const auto& [folder, entry] : fresh) {
    cache["cases"][folder] = {{"mtime_ns", entry.mtime_ns},
                              {"size", entry.size},
                              {"summary", SummaryToJson(entry.summary)}};
  }
  if (Status s = WriteFileAtomically(cache_path, cache.dump() + "\n"); !s.ok()) {
    Log()->warn("index: the cache could not be written ({}); the next update reads every report",
                s.message());
  }
  Log()->debug("index: {} cases listed, {} reports read, in {} ms", cases.size(), reread,
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count());
  return cases.size();
}

}  // namespace intake::dashboard

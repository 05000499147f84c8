#include "report/report_html.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pipeline/findings.h"
#include "report/report_json.h"
#include "report/report_util.h"

namespace intake::report {
namespace {

// Only report.html's part of the style sheet; html_common.h has the shared part.
constexpr std::string_view kReportStyle = R"css(
.case-header { border-bottom: 1px solid var(--line); padding-bottom: 10px; }
.case-header dl { display: flex; flex-wrap: wrap; gap: 4px 28px; margin: 0; }
.case-header dt { color: var(--grey); font-size: 13px; }
.case-header dd { margin: 0; font-weight: bold; }
.case-header div { display: flex; gap: 8px; align-items: baseline; }
.verdict-action { margin: 0; font-size: 17px; font-weight: bold; }
.verdict-also { margin: 4px 0 0; font-size: 15px; }
.verdict-counts { margin: 6px 0 0; font-size: 14px; color: #333; }
.req-label { font-weight: bold; width: 34%; }
.req-status { width: 88px; }
tr.status-missing td { background: #fff6f6; }
tr.status-needs_review td { background: #fffaf0; }
tr.status-not_required td { color: var(--grey); }
tr.status-not_required .req-label { font-weight: normal; }
.evidence { margin: 0 0 2px; }
.pages { font-weight: bold; margin: 0 6px; }
.path { font-family: "Noto Sans Mono CJK JP", monospace; font-size: 13px; color: #374151;
  word-break: break-all; }
.ask { margin: 0; }
.ask-label { display: inline-block; font-size: 12px; font-weight: bold; color: var(--red);
  border: 1px solid var(--red); border-radius: 4px; padding: 0 5px; margin-right: 6px; }
.reason { margin: 2px 0 0; font-size: 13px; color: #4b5563; }
.findings { list-style: none; margin: 0; padding: 0; }
.finding { display: flex; gap: 10px; padding: 8px 10px; border-left: 5px solid; margin-bottom: 6px;
  background: var(--soft); }
.finding.sev-error { border-color: var(--red); background: #fdecec; }
.finding.sev-warning { border-color: var(--orange); background: #fff5e1; }
.finding.sev-info { border-color: #2563eb; background: #eef3fd; }
.sev-icon { flex: none; width: 22px; height: 22px; border-radius: 11px; color: #fff;
  font-weight: bold; text-align: center; line-height: 22px; font-size: 14px; }
.sev-error .sev-icon { background: var(--red); }
.sev-warning .sev-icon { background: var(--orange); }
.sev-info .sev-icon { background: #2563eb; }
.sev-word { font-size: 12px; color: #4b5563; margin-right: 6px; }
.finding-title { font-weight: bold; }
.finding-message, .finding-file { font-size: 14px; margin-top: 2px; }
.unknown { color: var(--red); font-weight: bold; }
.low { background: #fde2e2; color: var(--red); font-weight: bold; }
.patient { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px;
  margin-bottom: 10px; }
.study { margin: 8px 0 4px; }
.key-image { display: block; max-width: 160px; max-height: 160px; background: #000; }
.lossy { color: var(--amber); font-weight: bold; }
.match { color: var(--green); font-weight: bold; }
.document-match { margin: 2px 0 6px; font-size: 14px; }
.ts { font-size: 12px; }
details summary { cursor: default; font-weight: bold; margin: 4px 0 8px; }
.back { margin: 0 0 4px; font-size: 13px; }
.back a { color: #1d4ed8; }
@media print {
  .finding, .patient { break-inside: avoid; }
  .back { display: none; }
}
)css";

// More files than this and the file list starts folded (a disc can hold thousands).
constexpr std::size_t kFilesShownOpen = 40;

std::string H(std::string_view text) { return HtmlEscape(text); }

std::string Percent(double fraction) {
  return std::to_string(std::lround(std::clamp(fraction, 0.0, 1.0) * 100.0)) + "%";
}

std::string JoinJa(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += "、";
    out += item;
  }
  return out;
}

// "p.1–3, 5" from page numbers in a file (runs of consecutive numbers collapse).
std::string PageRanges(const std::vector<int>& numbers) {
  if (numbers.empty()) return {};
  std::string out = "p.";
  std::size_t i = 0;
  while (i < numbers.size()) {
    std::size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    if (i > 0) out += ", ";
    out += std::to_string(numbers[i]);
    if (j > i) out += "–" + std::to_string(numbers[j]);
    i = j + 1;
  }
  return out;
}

std::string HumanSize(std::uint64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < 1024ull * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KB", static_cast<double>(bytes) / 1024.0);
  } else if (bytes < 1024ull * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  }
  return buf;
}

std::string_view TextSourceWord(std::string_view source) {
  if (source == "pdf_text") return "テキスト層";
  if (source == "ocr") return "OCR";
  if (source == "mixed") return "テキスト層＋OCR";
  return "なし";
}

std::string_view SexWord(std::string_view sex) {
  if (sex == "M") return "男性";
  if (sex == "F") return "女性";
  if (sex == "O") return "その他";
  return {};
}

// The relative path of a file id, or the id itself when the file is unknown.
std::string FilePathHtml(const Case& c, std::string_view file_id) {
  const SourceFile* file = c.FindFile(file_id);
  if (file == nullptr) return "<span class=\"path\">" + H(file_id) + "</span>";
  return "<span class=\"path\">" + H(file->relative_path) + "</span>";
}

std::string Unknown() { return "<span class=\"unknown\">不明</span>"; }

std::string OrDash(std::string_view text) {
  return text.empty() ? std::string("<span class=\"muted\">—</span>") : H(text);
}

// The state's word for staff (casestate/ names the same states; report/ does not depend on it).
std::string StateWord(const std::string& state) {
  if (state == "received") return "受付済み";
  if (state == "waiting_for_patient") return "患者さん待ち";
  if (state == "complete") return "完備";
  if (state == "forwarded") return "担当医へ回付済み";
  if (state == "closed") return "終了";
  return state;
}

// "1通目 2026年11月21日、2通目 2026年12月1日（返信用紙のQRコード）".
std::string EnvelopesHtml(const Case& c) {
  std::string out;
  for (const Envelope& e : c.envelopes) {
    if (!out.empty()) out += "、";
    out += std::to_string(e.number) + "通目 " + JaDate(e.received_at.substr(0, 10));
    if (e.matched_by == "reply_slip") out += "（返信用紙のQRコード）";
    if (e.matched_by == "manifest") out += "（マニフェストの受付番号）";
    if (e.matched_by == "file_name") out += "（ファイル名の受付番号）";
    if (e.matched_by == "identity") out += "（氏名・生年月日で照合、要確認）";
  }
  return out;
}

std::string HeaderHtml(const Case& c, const ReportContext& context) {
  // Back to the output folder's list (index.html, dashboard/); relative, so it works from disk.
  std::string out =
      "<header class=\"case-header\">\n<p class=\"back\"><a href=\"../index.html\">← 受付一覧"
      "</a></p>\n<h1>セカンドオピニオン受付 確認結果</h1>\n<dl>";
  const auto item = [&](std::string_view term, const std::string& value) {
    out += "<div><dt>" + std::string(term) + "</dt><dd>" + value + "</dd></div>";
  };
  item("受付番号", H(c.id));
  item("受付日時", JaDateTime(c.received_at));
  item("受付窓口", OrDash(context.profile_name.empty() ? c.profile_id : context.profile_name));
  if (!c.state.empty()) {
    std::string state = H(StateWord(c.state));
    if (!c.waiting_since.empty()) {
      state += "（" + JaDate(c.waiting_since) + "から" + std::to_string(c.days_waited) + "日）";
    }
    item("状態", state);
  }
  if (c.envelopes.size() > 1) item("封筒", EnvelopesHtml(c));
  out += "</dl>\n</header>\n";
  return out;
}

std::vector<std::string> RequirementLabels(const Case& c, RequirementStatus status) {
  std::vector<std::string> labels;
  for (const auto& r : c.requirements) {
    if (r.status == status) labels.push_back(H(r.label.empty() ? r.id : r.label));
  }
  return labels;
}

std::string VerdictActionHtml(const Case& c) {
  const auto missing = RequirementLabels(c, RequirementStatus::kMissing);
  const auto review = RequirementLabels(c, RequirementStatus::kNeedsReview);
  switch (c.verdict) {
    case Verdict::kComplete:
      return "必要書類はすべて揃っています。担当医への回付に進めてください。";
    case Verdict::kIncomplete:
      return "不足書類を患者さんに連絡してください：" + JoinJa(missing);
    case Verdict::kNeedsReview:
      if (review.empty()) return "下記の指摘事項を確認し、受付可否を判断してください。";
      return "次の項目を書類で目視確認してください：" + JoinJa(review);
    case Verdict::kRejected: {
      std::vector<std::string> reasons;
      for (const auto& f : c.findings) {
        const FindingCodeInfo& info = FindingInfo(f.code);
        if (info.rejection_cause) reasons.push_back(H(info.title_ja));
      }
      std::string out =
          "このままでは受け付けられません。指摘事項を確認のうえ、患者さんに連絡してください";
      if (!reasons.empty()) out += "：" + JoinJa(reasons);
      return out + "。";
    }
  }
  return {};
}

std::string VerdictHtml(const Case& c) {
  int required = 0;
  int present = 0;
  int missing = 0;
  int review = 0;
  for (const auto& r : c.requirements) {
    if (r.status == RequirementStatus::kNotRequired) continue;
    ++required;
    if (r.status == RequirementStatus::kPresent) ++present;
    if (r.status == RequirementStatus::kMissing) ++missing;
    if (r.status == RequirementStatus::kNeedsReview) ++review;
  }
  int errors = 0;
  int warnings = 0;
  for (const auto& f : c.findings) {
    if (f.severity == Severity::kError) ++errors;
    if (f.severity == Severity::kWarning) ++warnings;
  }
  std::string out = "<section id=\"verdict\" class=\"verdict verdict-" +
                    std::string(VerdictName(c.verdict)) + "\">\n";
  out += "<div class=\"verdict-word\">" + std::string(VerdictWord(c.verdict)) + "</div>\n<div>";
  out += "<p class=\"verdict-action\">" + VerdictActionHtml(c) + "</p>\n";
  if (c.verdict == Verdict::kIncomplete && review > 0) {
    out += "<p class=\"verdict-also\">あわせて次の項目を確認してください：" +
           JoinJa(RequirementLabels(c, RequirementStatus::kNeedsReview)) + "</p>\n";
  }
  out += "<p class=\"verdict-counts\">必要書類 " + std::to_string(required) + "件：提出あり " +
         std::to_string(present) + "・不足 " + std::to_string(missing) + "・要確認 " +
         std::to_string(review) + "　／　指摘事項：エラー " + std::to_string(errors) + "・警告 " +
         std::to_string(warnings) + "</p>";
  if (c.letter) {
    out += "<p class=\"verdict-letter\">患者さんへの<a href=\"" + UrlPath(c.letter->file) +
           "\">不足書類のご案内（印刷用PDF）</a>　提出期限 " + JaDate(c.letter->deadline) +
           "</p>";
  }
  out += "</div>\n</section>\n";
  return out;
}

std::string EvidenceHtml(const Case& c, const ReportContext& context,
                         const std::string& document_id) {
  std::string out = "<p class=\"evidence\">";
  if (const Document* d = FindDocument(c, document_id)) {
    out += H(DocumentTypeLabel(context, d->type));
    out += "<span class=\"pages\">" + PageRanges(DocumentPageNumbers(c, *d)) + "</span>";
    const std::string file_id = DocumentFileId(c, *d);
    if (!file_id.empty()) out += FilePathHtml(c, file_id);
  } else if (document_id == kImagingEvidence) {
    out += H(DocumentTypeLabel(context, kImagingType)) + "<span class=\"pages\">" +
           std::to_string(c.DicomSeriesCount()) + "シリーズ</span>";
  } else {
    out += "書類 " + H(document_id);
  }
  return out + "</p>";
}

std::string RequirementRowHtml(const Case& c, const ReportContext& context,
                               const RequirementResult& r) {
  const std::string status(RequirementStatusName(r.status));
  std::string out = "<tr class=\"status-" + status + "\"><td class=\"req-label\">" +
                    H(r.label.empty() ? r.id : r.label) + "</td>";
  out += "<td class=\"req-status\"><span class=\"badge badge-" + status + "\">" +
         std::string(StatusBadgeWord(r.status)) + "</span></td><td>";
  for (const auto& document_id : r.evidence_document_ids) {
    out += EvidenceHtml(c, context, document_id);
  }
  if (r.status == RequirementStatus::kMissing && !r.ask.empty()) {
    out +=
        "<p class=\"ask\"><span class=\"ask-label\">患者さんへのお願い</span>" + H(r.ask) + "</p>";
  }
  if (r.status != RequirementStatus::kPresent && !r.reason.empty()) {
    out += "<p class=\"reason\">理由：" + H(r.reason) + "</p>";
  }
  return out + "</td></tr>\n";
}

std::string RequirementsHtml(const Case& c, const ReportContext& context) {
  std::string out = "<section id=\"requirements\">\n<h2>必要書類</h2>\n";
  if (c.requirements.empty()) {
    return out + "<p class=\"empty\">必要書類の判定結果がありません。</p>\n</section>\n";
  }
  out +=
      "<table>\n<thead><tr><th>書類</th><th>状態</th><th>根拠（書類・ページ・ファイル）／お願い"
      "</th></tr></thead>\n<tbody>\n";
  for (const auto& r : c.requirements) out += RequirementRowHtml(c, context, r);
  return out + "</tbody>\n</table>\n</section>\n";
}

std::string FindingHtml(const Case& c, const Finding& f) {
  const FindingCodeInfo& info = FindingInfo(f.code);
  const std::string severity(SeverityName(f.severity));
  std::string_view icon = "i";
  std::string_view word = "情報";
  if (f.severity == Severity::kError) {
    icon = "×";
    word = "エラー";
  } else if (f.severity == Severity::kWarning) {
    icon = "!";
    word = "警告";
  }
  std::string out = "<li class=\"finding sev-" + severity + "\"><span class=\"sev-icon\">" +
                    std::string(icon) + "</span><div><span class=\"sev-word\">" +
                    std::string(word) + "・" + H(info.code) +
                    "</span><span class=\"finding-title\">" + H(info.title_ja) + "</span>";
  if (!f.message.empty()) out += "<div class=\"finding-message\">" + H(f.message) + "</div>";
  if (!f.file_id.empty()) {
    out += "<div class=\"finding-file\">対象ファイル：" + FilePathHtml(c, f.file_id) + "</div>";
  }
  return out + "</div></li>\n";
}

std::string FindingsHtml(const Case& c) {
  std::string out = "<section id=\"findings\">\n<h2>指摘事項</h2>\n";
  if (c.findings.empty())
    return out + "<p class=\"empty\">指摘事項はありません。</p>\n</section>\n";
  std::vector<const Finding*> ordered;
  for (const auto& f : c.findings) ordered.push_back(&f);
  std::stable_sort(ordered.begin(), ordered.end(), [](const Finding* a, const Finding* b) {
    return static_cast<int>(a->severity) > static_cast<int>(b->severity);
  });
  out += "<ul class=\"findings\">\n";
  for (const Finding* f : ordered) out += FindingHtml(c, *f);
  return out + "</ul>\n</section>\n";
}

struct FactLabel {
  std::string_view name;
  std::string_view label;
};
constexpr std::array kFactLabels{
    FactLabel{"attendance", "受診者"},
    FactLabel{"living_together", "患者さんとご家族の同居・別居"},
    FactLabel{"department", "希望診療科"},
    FactLabel{"patient_birth_date", "生年月日"},
    FactLabel{"patient_age", "年齢"},
    FactLabel{"diagnosis", "傷病名"},
    FactLabel{"attendee_relation", "受診するご家族の続柄"},
    FactLabel{"attendee_kinship_degree", "受診するご家族の親等"},
    FactLabel{"attending_family_count", "受診するご家族の人数"},
    FactLabel{"lead_time_days", "受診希望日までの日数"},
    FactLabel{"patient_name", "患者氏名"},
    FactLabel{"patient_name_kana", "フリガナ"},
    FactLabel{"patient_sex", "性別"},
    FactLabel{"patient_deceased", "患者さんの逝去"},
    FactLabel{"from_abroad", "海外からの相談"},
    FactLabel{"transfer_request", "転院希望"},
    FactLabel{"litigation", "訴訟・不満に関する相談"},
    FactLabel{"physician_approval", "主治医の了承"},
};

std::string FactLabelHtml(std::string_view name) {
  for (const auto& l : kFactLabels) {
    if (l.name == name) return std::string(l.label);
  }
  return H(name);
}

std::string FactValueHtml(const Fact& fact) {
  if (const auto* s = std::get_if<std::string>(&fact.value)) {
    if (fact.name == "attendance") {
      if (*s == "patient") return "患者本人";
      if (*s == "patient_and_family") return "患者本人と家族";
      if (*s == "family_only") return "家族のみ";
    }
    if (fact.name == "patient_birth_date") return JaDate(*s);
    if (!fact.read_as.empty()) {
      return H(*s) + "<br><span class=\"muted\">（読み取り「" + H(fact.read_as) +
             "」を医学用語辞書で補正）</span>";
    }
    return H(*s);
  }
  if (const auto* b = std::get_if<bool>(&fact.value)) {
    if (fact.name == "living_together") return *b ? "同居" : "別居";
    return *b ? "はい" : "いいえ";
  }
  if (const auto* i = std::get_if<std::int64_t>(&fact.value)) {
    return std::to_string(*i) + (fact.name == "patient_age" ? "歳" : "");
  }
  return Unknown();
}

std::string FactSourceHtml(const Case& c, const ReportContext& context, const Fact& fact) {
  if (fact.source.from_manifest) return "マニフェスト（職員・フォーム入力）";
  std::string out;
  if (const Document* d = FindDocument(c, fact.source.document_id)) {
    out = H(DocumentTypeLabel(context, d->type));
  } else if (!fact.source.document_id.empty()) {
    out = "書類 " + H(fact.source.document_id);
  }
  if (const Page* p = c.FindPage(fact.source.page_id)) {
    out += " p." + std::to_string(p->number_in_file) + " " + FilePathHtml(c, p->file_id);
  }
  return out.empty() ? std::string("<span class=\"muted\">—</span>") : out;
}

std::string FactRowHtml(const Case& c, const ReportContext& context, std::string_view name,
                        const Fact* fact) {
  std::string out = "<tr><th>" + FactLabelHtml(name) + "</th>";
  if (fact == nullptr || !fact->known()) {
    out += "<td>" + Unknown() + "</td>";
  } else {
    out += "<td>" + FactValueHtml(*fact) + "</td>";
  }
  if (fact == nullptr) return out + "<td><span class=\"muted\">—</span></td><td></td></tr>\n";
  out += "<td>" + FactSourceHtml(c, context, *fact) + "</td><td class=\"num\">" +
         (fact->known() ? Percent(fact->confidence) : std::string()) + "</td></tr>\n";
  return out;
}

std::string FactsHtml(const Case& c, const ReportContext& context) {
  std::string out =
      "<section id=\"facts\">\n<h2>ケース情報</h2>\n<table>\n<thead><tr><th>項目</th><th>内容</th>"
      "<th>根拠</th><th class=\"num\">確度</th></tr></thead>\n<tbody>\n";
  for (std::string_view name : kContractFacts) {
    out += FactRowHtml(c, context, name, c.FindFact(name));
  }
  for (const auto& fact : c.facts) {
    const bool contract =
        std::find(kContractFacts.begin(), kContractFacts.end(), fact.name) != kContractFacts.end();
    if (!contract) out += FactRowHtml(c, context, fact.name, &fact);
  }
  return out + "</tbody>\n</table>\n</section>\n";
}

std::string DocumentRowHtml(const Case& c, const ReportContext& context, const Document& d) {
  const std::string file_id = DocumentFileId(c, d);
  const double ocr = DocumentMinOcrConfidence(c, d);
  std::string out = "<tr><td>" + H(DocumentTypeLabel(context, d.type)) + " <span class=\"muted\">" +
                    H(d.id) + "</span>";
  // Which envelope it came in, for a case of several.
  if (c.envelopes.size() > 1) {
    out += " <span class=\"envelope\">封筒" + std::to_string(DocumentEnvelope(c, d)) + "</span>";
  }
  out += "</td>";
  out += "<td>" + (file_id.empty() ? std::string() : FilePathHtml(c, file_id)) + "</td>";
  out += "<td class=\"num\">" + PageRanges(DocumentPageNumbers(c, d)) + "</td>";
  out += "<td>" + std::string(TextSourceWord(DocumentTextSource(c, d))) + "</td>";
  if (ocr < 0.0) {
    out += "<td class=\"num\"><span class=\"muted\">—</span></td>";
  } else {
    out += std::string("<td class=\"num") + (ocr < context.low_ocr_confidence ? " low" : "") +
           "\">" + Percent(ocr) + "</td>";
  }
  out += std::string("<td class=\"num") + (d.confidence < context.min_confidence ? " low" : "") +
         "\">" + Percent(d.confidence) + "</td>";
  // The searchable PDF sits in the case folder beside report.html.
  out += d.pdf.empty() ? std::string("<td><span class=\"muted\">—</span></td>")
                       : "<td><a href=\"" + UrlPath(d.pdf) + "\">PDF</a></td>";
  return out + "</tr>\n";
}

std::string DocumentsHtml(const Case& c, const ReportContext& context) {
  std::string out = "<section id=\"documents\">\n<h2>検出された書類</h2>\n";
  if (c.documents.empty())
    return out + "<p class=\"empty\">書類は検出されませんでした。</p>\n</section>\n";
  out +=
      "<table>\n<thead><tr><th>書類の種類</th><th>ファイル</th><th class=\"num\">ページ</th>"
      "<th>読み取り方法</th><th class=\"num\">OCR確度（最低）</th><th class=\"num\">分類確度</th>"
      "<th>検索可能PDF</th></tr></thead>\n<tbody>\n";
  for (const auto& d : c.documents) out += DocumentRowHtml(c, context, d);
  return out + "</tbody>\n</table>\n</section>\n";
}

std::string SeriesRowHtml(const DicomSeries& s) {
  std::string out =
      "<tr><td>" + OrDash(s.modality) + "</td><td>" + OrDash(s.description) + "</td><td>" +
      OrDash(s.body_part) + "</td><td>" +
      (s.date.empty() ? std::string("<span class=\"muted\">—</span>") : JaDate(s.date)) +
      "</td><td class=\"num\">" + std::to_string(s.instance_count) + "</td>";
  out += "<td><span class=\"ts\">" +
         OrDash(s.transfer_syntax_name.empty() ? s.transfer_syntax : s.transfer_syntax_name) +
         "</span></td>";
  out += std::string("<td>") + (s.lossy ? "<span class=\"lossy\">あり</span>" : "なし") + "</td>";
  out += std::string("<td>") + (s.pixels_decodable ? "可" : "<span class=\"unknown\">不可</span>");
  if (!s.pixels_note.empty()) out += "<div class=\"reason\">" + H(s.pixels_note) + "</div>";
  out += "</td><td>";
  if (!s.key_image.empty()) {
    out += "<img class=\"key-image\" src=\"" + UrlPath(s.key_image) + "\" alt=\"代表画像（" +
           H(s.modality) + "）\" loading=\"lazy\">";
  } else {
    out += "<span class=\"muted\">—</span>";
  }
  // The series' folder of the case folder holds its original DICOM files.
  if (!s.folder.empty()) {
    out += "<div><a href=\"" + UrlPath(s.folder + "/DICOM/") + "\">DICOMファイル</a></div>";
  }
  return out + "</td></tr>\n";
}

std::string StudyHtml(const DicomStudy& study) {
  std::string out =
      "<div class=\"study\"><h3>検査 " + (study.date.empty() ? Unknown() : JaDate(study.date));
  if (!study.description.empty()) out += "・" + H(study.description);
  if (!study.modalities.empty()) out += "（" + H(study.modalities) + "）";
  out +=
      "</h3>\n<table>\n<thead><tr><th>モダリティ</th><th>シリーズの説明</th><th>部位</th>"
      "<th>撮影日</th><th class=\"num\">画像枚数</th><th>転送構文</th><th>非可逆圧縮</th>"
      "<th>画像の展開</th><th>代表画像</th></tr></thead>\n<tbody>\n";
  for (const auto& s : study.series) out += SeriesRowHtml(s);
  return out + "</tbody>\n</table>\n</div>\n";
}

// How the DICOM patient compares with the documents' patient (stages/crosscheck).
std::string DocumentMatchHtml(const DicomPatient& p) {
  std::string word;
  std::string css = "muted";
  switch (p.document_match) {
    case PatientMatch::kNotChecked:
      return {};
    case PatientMatch::kMatch:
      word = "一致";
      css = "match";
      break;
    case PatientMatch::kMismatch:
      word = "不一致";
      css = "unknown";
      break;
    case PatientMatch::kNotComparable:
      word = "照合できず";
      break;
  }
  std::string out =
      "<p class=\"document-match\">書類との照合: <span class=\"" + css + "\">" + word + "</span>";
  if (!p.document_match_note.empty()) out += "　" + H(p.document_match_note);
  return out + "</p>\n";
}

// A DICOM person name "ﾔﾏﾀﾞ^ﾊﾅｺ=山田^花子" as staff read it: "山田 花子（ﾔﾏﾀﾞ ﾊﾅｺ）". The
// ideographic group comes first when there is one; '^' separates name parts.
std::string PersonNameHtml(std::string_view name) {
  std::vector<std::string> groups;  // alphabetic, ideographic, phonetic
  std::size_t start = 0;
  while (true) {
    const auto end = name.find('=', start);
    std::string group(name.substr(start, end == std::string_view::npos ? end : end - start));
    std::replace(group.begin(), group.end(), '^', ' ');
    while (!group.empty() && group.back() == ' ') group.pop_back();
    groups.push_back(std::move(group));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (groups.size() > 1) std::swap(groups[0], groups[1]);
  std::vector<std::string> shown;
  for (const auto& group : groups) {
    if (!group.empty() && std::find(shown.begin(), shown.end(), H(group)) == shown.end()) {
      shown.push_back(H(group));
    }
  }
  if (shown.empty()) return Unknown();
  std::string out = shown[0];
  if (shown.size() > 1) {
    out += "（" + JoinJa(std::vector<std::string>(shown.begin() + 1, shown.end())) + "）";
  }
  return out;
}

std::string ImagingHtml(const Case& c) {
  std::string out = "<section id=\"imaging\">\n<h2>画像データ（DICOM）</h2>\n";
  if (c.dicom_patients.empty()) {
    return out + "<p class=\"empty\">DICOM画像はありません。</p>\n</section>\n";
  }
  for (const auto& p : c.dicom_patients) {
    out += "<div class=\"patient\"><h3>患者 " + PersonNameHtml(p.name) +
           "</h3><p class=\"muted\">患者ID " + OrDash(p.patient_id) + "　生年月日 " +
           (p.birth_date.empty() ? Unknown() : JaDate(p.birth_date));
    const std::string_view sex = SexWord(p.sex);
    if (!sex.empty()) out += "　性別 " + std::string(sex);
    out += "　検査 " + std::to_string(p.studies.size()) + "件</p>\n";
    out += DocumentMatchHtml(p);
    for (const auto& study : p.studies) out += StudyHtml(study);
    out += "</div>\n";
  }
  return out + "</section>\n";
}

std::string FilesHtml(const Case& c) {
  std::uint64_t total = 0;
  for (const auto& f : c.files) total += f.size;
  std::string out = "<section id=\"files\">\n<h2>提出ファイル</h2>\n";
  if (!c.original_copy.empty()) {
    out += "<p>受け付けたままの提出物: <a href=\"" + UrlPath(c.original_copy) + "\">" +
           H(c.original_copy) + "</a>（ファイルごとのSHA-256: <a href=\"" +
           UrlPath(c.original_sums) + "\">" + H(c.original_sums) + "</a>）</p>\n";
  }
  out += "<details";
  if (c.files.size() <= kFilesShownOpen) out += " open";
  out += "><summary>" + std::to_string(c.files.size()) + "件（合計 " + HumanSize(total) +
         "）</summary>\n<table>\n<thead><tr><th>ID</th><th>パス</th><th>種類</th>"
         "<th class=\"num\">サイズ</th><th>格納元</th></tr></thead>\n<tbody>\n";
  for (const auto& f : c.files) {
    out += "<tr><td>" + H(f.id) + "</td><td><span class=\"path\">" + H(f.relative_path) +
           "</span></td><td>" + std::string(FileKindWord(f.kind)) + "</td><td class=\"num\">" +
           HumanSize(f.size) + "</td><td>" +
           (f.container_id.empty() ? std::string() : H(f.container_id)) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n</details>\n</section>\n";
}

std::string FooterHtml(const Case& c, const ReportContext& context) {
  std::string out = "<footer>\n";
  out += "<p>" + H(context.program_version) + "　OCR: " + OrDash(context.ocr_engine) +
         "　DICOM: " + OrDash(context.dicom_library) + "　形式: " + std::string(kReportSchema) +
         "</p>\n";
  out += "<p>プロファイル " + H(c.profile_id.empty() ? context.profile_id : c.profile_id) +
         "　sha256: " + OrDash(c.profile_sha256) + "</p>\n";
  out += "<p>提出物 sha256: " + OrDash(c.submission_sha256) + "</p>\n";
  return out + "</footer>\n";
}

}  // namespace

std::string ReportHtml(const Case& c, const ReportContext& context) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n" +
      std::string(ContentSecurityPolicyMeta()) +
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>受付確認 " +
      H(c.id) + "（" + std::string(VerdictWord(c.verdict)) + "）</title>\n<style>" +
      std::string(SharedStyle()) + std::string(kReportStyle) + "</style>\n</head>\n<body>\n";
  out += HeaderHtml(c, context);
  out += VerdictHtml(c);
  out += RequirementsHtml(c, context);
  out += FindingsHtml(c);
  out += FactsHtml(c, context);
  out += DocumentsHtml(c, context);
  out += ImagingHtml(c);
  out += FilesHtml(c);
  out += FooterHtml(c, context);
  return out + "</body>\n</html>\n";
}

}  // namespace intake::report

#include "serve/pages.h"

#include <sstream>

#include "report/html_common.h"
#include "report/report_util.h"

namespace intake::serve {
namespace {

using nlohmann::json;
using report::HtmlEscape;

std::string Str(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return {};
  const json& v = object[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  return v.dump();
}

std::string Head(const std::string& title, const std::string& page) {
  return "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" +
         HtmlEscape(title) +
         " — intake</title>"
         "<link rel=\"stylesheet\" href=\"/static/style.css\">"
         "<script src=\"/static/app.js\" defer></script></head>\n<body data-page=\"" +
         page + "\">\n";
}

std::string Bar(const PageUserInfo& user) {
  std::string out = "<header class=\"bar\"><a href=\"/cases\" class=\"brand\">intake 受付確認</a>";
  out +=
      "<span class=\"who\">" + HtmlEscape(user.name) + "（" + HtmlEscape(user.role) + "）</span>";
  if (user.may_manage_users) out += "<a href=\"/admin/users\" id=\"users-link\">ユーザー管理</a>";
  out += "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"" +
         HtmlEscape(user.csrf) + "\"><button type=\"submit\">ログアウト</button></form>";
  out +=
      "<span class=\"keys muted\">キー: n 次の確認案件 · j/k 移動 · a 承認 · o 変更 · / "
      "検索</span>";
  return out + "</header>\n";
}

std::string Hidden(const std::string& name, const std::string& value) {
  return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + HtmlEscape(value) + "\">";
}

std::string_view StateWord(const std::string& state) {
  if (state == "to_review") return "確認待ち";
  if (state == "waiting") return "書類待ち";
  if (state == "done") return "完了";
  if (state == "processing") return "処理中";
  return "読取不可";
}

std::string VerdictBadge(const std::string& verdict) {
  const auto v = ParseVerdict(verdict);
  if (!v) return "<span class=\"verdict-badge verdict-badge-unreadable\">読取不可</span>";
  return "<span class=\"verdict-badge verdict-badge-" + verdict + "\">" +
         std::string(report::VerdictWord(*v)) + "</span>";
}

std::string Option(const std::string& value, std::string_view label, bool selected) {
  return "<option value=\"" + HtmlEscape(value) + "\"" + (selected ? " selected" : "") + ">" +
         HtmlEscape(label) + "</option>";
}

std::string Select(const std::string& name,
                   const std::vector<std::pair<std::string, std::string>>& options,
                   const std::string& selected, const std::string& css = {}) {
  std::string out =
      "<select name=\"" + name + "\"" + (css.empty() ? "" : " class=\"" + css + "\"") + ">";
  for (const auto& [value, label] : options) out += Option(value, label, value == selected);
  return out + "</select>";
}

std::vector<std::pair<std::string, std::string>> TypeOptions(const config::Profile& profile) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& t : profile.document_types) out.emplace_back(t.id, t.label);
  out.emplace_back(kOtherType, kOtherTypeLabel);
  return out;
}

// A decision form's opening: where it posts, the CSRF token, the anchor to come back to.
std::string FormStart(const std::string& case_id, const PageUserInfo& user,
                      const std::string& anchor) {
  return "<form method=\"post\" class=\"decide\" action=\"/cases/" + HtmlEscape(case_id) +
         "/decide\">" + Hidden("csrf", user.csrf) + Hidden("anchor", anchor);
}

std::string ReasonAndSubmit(const std::string& label = "決定") {
  return "<input type=\"text\" name=\"reason\" class=\"reason\" required maxlength=\"2000\" "
         "placeholder=\"理由\"><button type=\"submit\">" +
         label + "</button></form>";
}

}  // namespace

std::string LoginPage(const std::string& message) {
  std::string out = Head("ログイン", "login");
  out += "<main class=\"login\"><h1>intake 受付確認</h1>";
  if (!message.empty())
    out += "<p class=\"error\" id=\"login-error\">" + HtmlEscape(message) + "</p>";
  out +=
      "<form method=\"post\" action=\"/login\">"
      "<label>ユーザー名 <input type=\"text\" name=\"user\" id=\"user\" autocomplete=\"username\" "
      "required autofocus></label>"
      "<label>パスワード <input type=\"password\" name=\"password\" id=\"password\" "
      "autocomplete=\"current-password\" required></label>"
      "<button type=\"submit\" id=\"login\">ログイン</button></form></main></body></html>\n";
  return out;
}

std::string ErrorPage(int status, const std::string& message, const std::string& case_id) {
  std::string out = Head("エラー", "error");
  out += "<main><h1>エラー " + std::to_string(status) + "</h1><p class=\"error\">" +
         HtmlEscape(message) + "</p><p><a href=\"" +
         (case_id.empty() ? std::string("/cases") : "/cases/" + HtmlEscape(case_id)) +
         "\">戻る</a></p></main></body></html>\n";
  return out;
}

std::string CaseListPage(const std::vector<CaseRow>& rows, const CaseFilter& filter,
                         const PageUserInfo& user) {
  std::string out = Head("受付一覧", "list") + Bar(user);
  out += "<main><h1>受付一覧</h1><form method=\"get\" action=\"/cases\" class=\"search\">";
  out += "<input type=\"search\" name=\"q\" id=\"q\" value=\"" + HtmlEscape(filter.q) +
         "\" placeholder=\"氏名・フリガナ・生年月日・受付番号\">";
  std::vector<std::pair<std::string, std::string>> verdicts{{"", "判定: すべて"}};
  for (auto v :
       {Verdict::kComplete, Verdict::kIncomplete, Verdict::kNeedsReview, Verdict::kRejected})
    verdicts.emplace_back(std::string(VerdictName(v)), std::string(report::VerdictWord(v)));
  out += Select("verdict", verdicts, filter.verdict);
  std::vector<std::pair<std::string, std::string>> states{{"", "状態: すべて"}};
  for (const char* s : {"to_review", "waiting", "done", "processing", "unreadable"})
    states.emplace_back(s, std::string(StateWord(s)));
  out += Select("state", states, filter.state);
  out +=
      "<button type=\"submit\">検索</button>"
      "<a class=\"button\" id=\"next-case\" href=\"/cases/next\">次の確認案件 (n)</a></form>";
  out += "<p class=\"muted\" id=\"count\">" + std::to_string(rows.size()) + "件</p>";
  out +=
      "<table id=\"cases\"><thead><tr><th>受付日</th><th>受付番号</th><th>氏名</th>"
      "<th>フリガナ</th><th>生年月日</th><th>診療科</th><th>判定</th><th>状態</th>"
      "<th class=\"num\">待ち日数</th></tr></thead><tbody>\n";
  for (const auto& r : rows) {
    const std::string href = "/cases/" + HtmlEscape(r.id);
    out += "<tr class=\"item state-" + HtmlEscape(r.state) + "\" data-href=\"" + href + "\">";
    out +=
        "<td>" +
        report::JaDate(r.received_at.substr(0, std::min<std::size_t>(10, r.received_at.size()))) +
        "</td>";
    out += "<td><a href=\"" + href + "\">" + HtmlEscape(r.id) + "</a></td>";
    out += "<td class=\"name\">" + HtmlEscape(r.patient_name) + "</td><td>" +
           HtmlEscape(r.patient_reading) + "</td><td>" + report::JaDate(r.birth_date) +
           "</td><td>" + HtmlEscape(r.department) + "</td>";
    out += "<td>" + VerdictBadge(r.verdict) + "</td><td>" + std::string(StateWord(r.state)) +
           "</td><td class=\"num\">" + std::to_string(r.days_waiting) + "</td></tr>\n";
  }
  out += "</tbody></table></main></body></html>\n";
  return out;
}

namespace {

struct CaseView {
  const json& report;
  const config::Profile& profile;
  const PageUserInfo& user;
  std::string id;
};

std::string FactValue(const json& report, const char* name) {
  const json facts = report.value("facts", json::object());
  if (!facts.is_object() || !facts.contains(name)) return {};
  const json& v = facts[name].value("value", json());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  return v.dump();
}

std::string FileLink(const std::string& case_id, const std::string& rel, const std::string& text) {
  return "<a href=\"/cases/" + HtmlEscape(case_id) + "/file?path=" + report::UrlPath(rel) +
         "\" target=\"_blank\" rel=\"noopener\">" + text + "</a>";
}

std::string CaseHeader(const CaseView& v) {
  const json& r = v.report;
  const std::string verdict = Str(r, "verdict");
  const auto parsed = ParseVerdict(verdict).value_or(Verdict::kNeedsReview);
  std::string out =
      "<nav class=\"case-nav\"><a href=\"/cases\">← 一覧</a>"
      "<a class=\"button\" id=\"next-case\" href=\"/cases/next?after=" +
      HtmlEscape(v.id) + "\">次の確認案件 (n)</a></nav>";
  out += "<h1>受付番号 <span id=\"case-id\">" + HtmlEscape(v.id) + "</span></h1>";
  out += "<p class=\"patient\">氏名 <strong id=\"patient-name\">" +
         HtmlEscape(FactValue(r, "patient_name")) + "</strong>　フリガナ " +
         HtmlEscape(FactValue(r, "patient_name_kana")) + "　生年月日 " +
         report::JaDate(FactValue(r, "patient_birth_date")) + "　診療科 " +
         HtmlEscape(FactValue(r, "department")) + "</p>";
  out += "<div class=\"verdict verdict-" + HtmlEscape(verdict) +
         "\" id=\"verdict\" data-verdict=\"" + HtmlEscape(verdict) +
         "\"><span class=\"verdict-word\">" + std::string(report::VerdictWord(parsed)) +
         "</span><div>";
  const json review = r.value("review", json());
  if (review.is_object()) {
    const auto pipeline = ParseVerdict(Str(review, "pipeline_verdict"));
    out += "<p>処理時の判定: " +
           (pipeline ? std::string(report::VerdictWord(*pipeline)) : std::string("—")) +
           "　担当者の決定 " + std::to_string(review.value("decisions", 0)) + "件</p>";
    if (!review.value("rules_rerun", true))
      out +=
          "<p "
          "class=\"muted\">"
          "このサーバーのプロファイルが処理時と異なるため、規則は再評価していません。</p>";
  } else {
    out += "<p>担当者の決定はまだありません。</p>";
  }
  return out + "</div></div>\n";
}

std::string Evidence(const CaseView& v, const json& requirement) {
  std::string out;
  for (const auto& e : requirement.value("evidence", json::array())) {
    std::string pages;
    for (const auto& p : e.value("pages", json::array()))
      pages += (pages.empty() ? "p." : ",") + p.dump();
    std::string label = HtmlEscape(Str(e, "label").empty() ? Str(e, "document") : Str(e, "label"));
    std::string pdf;
    for (const auto& d : v.report.value("documents", json::array()))
      if (Str(d, "id") == Str(e, "document")) pdf = Str(d, "pdf");
    out += "<div>" + (pdf.empty() ? label : FileLink(v.id, pdf, label)) +
           " <span class=\"muted\">" + HtmlEscape(Str(e, "document")) + " " + pages +
           "</span></div>";
  }
  return out.empty() ? "<span class=\"muted\">—</span>" : out;
}

std::string RequirementsSection(const CaseView& v) {
  std::string out =
      "<h2>必要書類</h2><table id=\"requirements\"><thead><tr><th>書類</th><th>状態</th>"
      "<th>理由・依頼</th><th>根拠</th><th>決定</th></tr></thead><tbody>\n";
  for (const auto& r : v.report.value("requirements", json::array())) {
    const std::string id = Str(r, "id");
    const std::string status = Str(r, "status");
    RequirementStatus parsed = RequirementStatus::kNeedsReview;
    for (auto s : {RequirementStatus::kPresent, RequirementStatus::kMissing,
                   RequirementStatus::kNeedsReview, RequirementStatus::kNotRequired})
      if (RequirementStatusName(s) == status) parsed = s;
    const std::string anchor = "req-" + id;
    out += "<tr id=\"" + HtmlEscape(anchor) + "\" class=\"item" +
           (status == "needs_review" ? " todo" : "") + "\" data-status=\"" + HtmlEscape(status) +
           "\">";
    out += "<td>" + HtmlEscape(Str(r, "label")) + "<br><span class=\"muted\">" + HtmlEscape(id) +
           "</span></td><td><span class=\"badge badge-" + HtmlEscape(status) + "\">" +
           std::string(report::StatusBadgeWord(parsed)) + "</span></td><td>" +
           HtmlEscape(Str(r, "reason"));
    if (!Str(r, "ask").empty())
      out += "<div class=\"ask\">依頼: " + HtmlEscape(Str(r, "ask")) + "</div>";
    out += "</td><td>" + Evidence(v, r) + "</td><td>";
    if (v.user.may_decide) {
      out += FormStart(v.id, v.user, anchor) + Hidden("requirement", id) +
             Select("status",
                    {{"present", "提出あり"},
                     {"missing", "不足"},
                     {"needs_review", "要確認"},
                     {"not_required", "対象外"}},
                    status == "needs_review" ? "present" : status, "status") +
             ReasonAndSubmit();
    }
    out += "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string FactsSection(const CaseView& v) {
  std::string out =
      "<h2>申込み内容（読み取った値）</h2><table id=\"facts\"><thead><tr><th>項目</th>"
      "<th>値</th><th class=\"num\">確度</th><th>出典</th><th>訂正</th></tr></thead><tbody>\n";
  const json facts = v.report.value("facts", json::object());
  for (const auto& [name, f] : facts.items()) {
    const json& value = f.value("value", json());
    const std::string shown = value.is_string() ? value.get<std::string>()
                              : value.is_null() ? ""
                                                : value.dump();
    const json source = f.value("source", json::object());
    const std::string anchor = "fact-" + name;
    out += "<tr id=\"" + HtmlEscape(anchor) + "\" class=\"item\"><td>" + HtmlEscape(name) +
           "</td><td>" + (shown.empty() ? "<span class=\"muted\">不明</span>" : HtmlEscape(shown)) +
           "</td><td class=\"num\">" + HtmlEscape(f.value("confidence", json(0)).dump()) +
           "</td><td class=\"muted\">" + HtmlEscape(Str(source, "document")) + " " +
           HtmlEscape(Str(source, "page")) + (source.value("manifest", false) ? " manifest" : "") +
           "</td><td>";
    if (v.user.may_decide) {
      out += FormStart(v.id, v.user, anchor) + Hidden("fact", name) +
             "<input type=\"text\" name=\"value\" class=\"value\" required maxlength=\"200\" "
             "value=\"" +
             HtmlEscape(shown) + "\">" + ReasonAndSubmit("訂正");
    }
    out += "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string DocumentForms(const CaseView& v, const json& d) {
  const std::string id = Str(d, "id");
  const std::string anchor = "doc-" + id;
  std::string out = FormStart(v.id, v.user, anchor) + Hidden("document", id) +
                    Select("document_type", TypeOptions(v.profile), Str(d, "type")) +
                    ReasonAndSubmit("種類を変更");
  const json page_ids = d.value("page_ids", json::array());
  if (page_ids.size() > 1) {
    std::vector<std::pair<std::string, std::string>> at;
    for (std::size_t i = 1; i < page_ids.size(); ++i)
      at.emplace_back(page_ids[i].get<std::string>(), page_ids[i].get<std::string>() + " から");
    out += FormStart(v.id, v.user, anchor) + Hidden("document", id) + Select("split_at", at, "") +
           ReasonAndSubmit("分割");
  }
  std::vector<std::pair<std::string, std::string>> others;
  for (const auto& o : v.report.value("documents", json::array()))
    if (Str(o, "id") != id) others.emplace_back(Str(o, "id"), Str(o, "id") + " " + Str(o, "label"));
  if (!others.empty()) {
    out += FormStart(v.id, v.user, anchor) + Hidden("document", id) +
           Select("merge_with", others, "") + ReasonAndSubmit("統合");
  }
  return out;
}

std::string DocumentsSection(const CaseView& v) {
  std::string out =
      "<h2>書類</h2><table id=\"documents\"><thead><tr><th>書類</th><th>ページ</th>"
      "<th class=\"num\">確度</th><th>PDF</th><th>変更</th></tr></thead><tbody>\n";
  for (const auto& d : v.report.value("documents", json::array())) {
    const std::string id = Str(d, "id");
    std::string pages;
    for (const auto& p : d.value("page_ids", json::array()))
      pages += HtmlEscape(p.get<std::string>()) + " ";
    out += "<tr id=\"doc-" + HtmlEscape(id) + "\" class=\"item\"><td>" +
           HtmlEscape(Str(d, "label")) + "<br><span class=\"muted\">" + HtmlEscape(id) + " " +
           HtmlEscape(Str(d, "type")) + "</span></td><td>" + pages + "</td><td class=\"num\">" +
           HtmlEscape(d.value("confidence", json(0)).dump()) + "</td><td>" +
           (Str(d, "pdf").empty() ? std::string("—") : FileLink(v.id, Str(d, "pdf"), "PDFを開く")) +
           "</td><td>" + (v.user.may_decide ? DocumentForms(v, d) : std::string()) + "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string PagesSection(const CaseView& v) {
  std::string out =
      "<h2>ページ</h2><table id=\"pages\"><thead><tr><th>ページ</th><th>分類</th>"
      "<th "
      "class=\"num\">確度</th><th>文字</th><th>手がかり</th><th>移動</th></tr></thead><tbody>\n";
  for (const auto& p : v.report.value("pages", json::array())) {
    const std::string id = Str(p, "id");
    std::string evidence;
    for (const auto& e : p.value("evidence", json::array()))
      evidence += HtmlEscape(e.is_string() ? e.get<std::string>() : "") + " ";
    const json ocr = p.value("ocr_confidence", json());
    out += "<tr id=\"page-" + HtmlEscape(id) + "\" class=\"item\"><td>" + HtmlEscape(id) +
           "<br><span class=\"muted\">" + HtmlEscape(Str(p, "file")) + " p." +
           HtmlEscape(p.value("number", json(0)).dump()) + "</span></td><td>" +
           HtmlEscape(Str(p, "doc_type")) + "</td><td class=\"num\">" +
           HtmlEscape(p.value("score", json(0)).dump()) + "</td><td>" +
           HtmlEscape(Str(p, "text_source")) +
           (ocr.is_number() ? " (" + HtmlEscape(ocr.dump()) + ")" : std::string()) + "</td><td>" +
           evidence + "</td><td>";
    if (v.user.may_decide) {
      out += FormStart(v.id, v.user, "page-" + id) + Hidden("page", id) +
             Select("document_type", TypeOptions(v.profile), Str(p, "doc_type")) +
             ReasonAndSubmit("移動");
    }
    out += "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

// Boxes as SVG rectangles of class `css`, titled with `label` ([left, top, width, height] in the
// image's pixels; anything else is left out).
std::string Rects(const json& boxes, const std::string& css, const std::string& label) {
  std::string out;
  for (const auto& b : boxes) {
    if (!b.is_array() || b.size() != 4) continue;
    std::string xywh[4];
    bool ok = true;
    for (std::size_t i = 0; i < 4; ++i) {
      ok = ok && b[i].is_number_integer();
      if (ok) xywh[i] = std::to_string(b[i].get<long long>());
    }
    if (!ok) continue;
    out += "<rect class=\"box " + css + "\" x=\"" + xywh[0] + "\" y=\"" + xywh[1] + "\" width=\"" +
           xywh[2] + "\" height=\"" + xywh[3] + "\"><title>" + HtmlEscape(label) +
           "</title></rect>";
  }
  return out;
}

// What was read beside the image: the facts and keywords boxed on it, then the lines.
std::string ReadBeside(const CaseView& v, const json& text) {
  std::string out = "<ul class=\"read-marks\">";
  for (const auto& f : text.value("facts", json::array())) {
    const std::string name = Str(f, "name");
    out += "<li class=\"mark-fact\"><span class=\"swatch swatch-fact\"></span>" + HtmlEscape(name) +
           ": <strong>" + HtmlEscape(FactValue(v.report, name.c_str())) + "</strong></li>";
  }
  for (const auto& k : text.value("classification", json::array()))
    out += "<li class=\"mark-class\"><span class=\"swatch swatch-class\"></span>分類の手がかり: " +
           HtmlEscape(Str(k, "keyword")) + "</li>";
  out += "</ul><ol class=\"read-lines\">";
  for (const auto& line : text.value("lines", json::array()))
    out += "<li>" + HtmlEscape(Str(line, "text")) + "</li>";
  return out + "</ol>";
}

// Each page image with the boxes of the words that gave the facts and the classification.
std::string PageViewsSection(const CaseView& v, const std::map<std::string, json>& texts) {
  std::string out;
  for (const auto& p : v.report.value("pages", json::array())) {
    const std::string id = Str(p, "id");
    const auto text = texts.find(id);
    if (text == texts.end()) continue;
    const json& t = text->second;
    const long long width = t.value("width", 0LL);
    const long long height = t.value("height", 0LL);
    if (width <= 0 || height <= 0) continue;
    std::string marks;
    for (const auto& k : t.value("classification", json::array()))
      marks += Rects(k.value("boxes", json::array()), "box-class", Str(k, "keyword"));
    for (const auto& f : t.value("facts", json::array()))
      marks += Rects(f.value("boxes", json::array()), "box-fact", Str(f, "name"));
    out += "<section class=\"page-view\" id=\"view-" + HtmlEscape(id) + "\"><h3>" + HtmlEscape(id) +
           " <span class=\"muted\">" + HtmlEscape(Str(p, "doc_type")) + " · " +
           HtmlEscape(Str(p, "text_source")) + "</span></h3><div class=\"page-pair\">" +
           "<div class=\"sheet\"><img alt=\"" + HtmlEscape(id) +
           " の画像\" loading=\"lazy\" src=\"/api/cases/" + HtmlEscape(v.id) + "/pages/" +
           HtmlEscape(id) + "/image\">" + "<svg class=\"overlay\" viewBox=\"0 0 " +
           std::to_string(width) + " " + std::to_string(height) +
           "\" preserveAspectRatio=\"none\">" + marks + "</svg></div><div class=\"read\">" +
           ReadBeside(v, t) + "</div></div></section>\n";
  }
  if (out.empty()) return {};
  return "<h2>ページ画像と読み取り結果</h2><p class=\"legend\"><span class=\"swatch "
         "swatch-fact\"></span>読み取った値の出どころ　<span class=\"swatch "
         "swatch-class\"></span>分類の手がかり</p>\n" +
         out;
}

std::string ImagingSection(const CaseView& v) {
  std::string out;
  const json imaging = v.report.value("imaging", json::object());
  for (const auto& p : imaging.value("patients", json::array())) {
    for (const auto& st : p.value("studies", json::array())) {
      for (const auto& s : st.value("series", json::array())) {
        out += "<figure class=\"series\">";
        if (!Str(s, "key_image").empty()) {
          out += "<img alt=\"キー画像\" src=\"/cases/" + HtmlEscape(v.id) +
                 "/file?path=" + report::UrlPath(Str(s, "key_image")) + "\">";
        }
        out += "<figcaption>" + HtmlEscape(Str(s, "modality")) + " " +
               HtmlEscape(Str(s, "description")) + " " + HtmlEscape(Str(s, "date")) +
               "</figcaption></figure>";
      }
    }
  }
  return out.empty() ? std::string() : "<h2>画像</h2><div class=\"imaging\">" + out + "</div>\n";
}

std::string FindingsSection(const CaseView& v) {
  std::string out =
      "<h2>所見</h2><table id=\"findings\"><thead><tr><th>#</th><th>重要度</th>"
      "<th>所見</th><th>確認</th></tr></thead><tbody>\n";
  std::map<std::size_t, std::string> statuses;
  for (const auto& f : v.report.value("review", json::object()).value("findings", json::array()))
    statuses[f.value("index", std::size_t{0})] = Str(f, "status");
  std::size_t index = 0;
  for (const auto& f : v.report.value("findings", json::array())) {
    const std::string anchor = "finding-" + std::to_string(index);
    const std::string severity = Str(f, "severity");
    const bool open = severity != "info" && !statuses.count(index);
    out += "<tr id=\"" + anchor + "\" class=\"item" + (open ? " todo" : "") + "\"><td>" +
           std::to_string(index) + "</td><td class=\"sev-" + HtmlEscape(severity) + "\">" +
           HtmlEscape(severity) + "</td><td><strong>" + HtmlEscape(Str(f, "title")) + "</strong> " +
           HtmlEscape(Str(f, "code")) + "<br>" + HtmlEscape(Str(f, "message")) + "</td><td>";
    if (v.user.may_decide) {
      out += FormStart(v.id, v.user, anchor) + Hidden("finding", std::to_string(index)) +
             Select("status", {{"confirmed", "確認済み（その通り）"}, {"dismissed", "該当しない"}},
                    statuses.count(index) ? statuses[index] : "confirmed", "status") +
             ReasonAndSubmit();
    }
    out += "</td></tr>\n";
    ++index;
  }
  if (index == 0) return "<h2>所見</h2><p class=\"empty\" id=\"findings\">所見はありません。</p>\n";
  return out + "</tbody></table>\n";
}

std::string DecisionsSection(const CaseView& v) {
  std::string out = "<h2>メモ・決定の記録</h2>";
  if (v.user.may_decide) {
    out += FormStart(v.id, v.user, "decisions") +
           "<input type=\"text\" name=\"note\" class=\"reason\" required maxlength=\"4000\" "
           "placeholder=\"メモ\"><button type=\"submit\">メモを追加</button></form>";
  }
  out +=
      "<table id=\"decisions\"><thead><tr><th>#</th><th>日時</th><th>担当</th><th>対象</th>"
      "<th>変更</th><th>理由・メモ</th></tr></thead><tbody>\n";
  for (const auto& d : v.report.value("decisions", json::array())) {
    out += "<tr><td>" + HtmlEscape(d.value("seq", json(0)).dump()) + "</td><td>" +
           report::JaDateTime(Str(d, "time")) + "</td><td>" + HtmlEscape(Str(d, "user")) +
           "</td><td>" + HtmlEscape(Str(d, "kind")) + " " + HtmlEscape(Str(d, "target")) +
           "</td><td>" + HtmlEscape(Str(d, "before")) + " → " + HtmlEscape(Str(d, "after")) +
           "</td><td>" + HtmlEscape(Str(d, "reason")) + HtmlEscape(Str(d, "note")) + "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string AuditSection(const std::vector<json>& records) {
  std::string out =
      "<h2>監査記録</h2><table id=\"audit\"><thead><tr><th>#</th><th>日時</th><th>記録</th>"
      "<th>内容</th></tr></thead><tbody>\n";
  for (const auto& r : records) {
    const json d = r.value("details", json::object());
    std::string what;
    if (d.is_object() && d.contains("kind")) {
      what = Str(d, "user") + ": " + Str(d, "kind") + " " + Str(d, "target") + " " +
             Str(d, "before") + " → " + Str(d, "after") + " (" + Str(d, "reason_code") + ")";
    } else if (d.is_object() && d.contains("verdict")) {
      what = "verdict " + Str(d, "verdict");
    }
    out += "<tr><td>" + HtmlEscape(r.value("seq", json(0)).dump()) + "</td><td>" +
           report::JaDateTime(Str(r, "time")) + "</td><td>" + HtmlEscape(Str(r, "event")) +
           "</td><td>" + HtmlEscape(what) + "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

}  // namespace

std::string CasePage(const json& report, const std::vector<json>& audit,
                     const config::Profile& profile, const PageUserInfo& user,
                     const std::string& message, const std::map<std::string, json>& page_texts) {
  const CaseView v{report, profile, user, Str(report, "case_id")};
  std::string out = Head("受付 " + v.id, "case") + Bar(user) + "<main>";
  if (message == "saved") out += "<p class=\"saved\" id=\"saved\">保存しました。</p>";
  out += CaseHeader(v) + RequirementsSection(v) + FindingsSection(v) + FactsSection(v) +
         DocumentsSection(v) + PagesSection(v) + PageViewsSection(v, page_texts) +
         ImagingSection(v) + DecisionsSection(v) + AuditSection(audit);
  return out + "</main></body></html>\n";
}

namespace {

std::vector<std::pair<std::string, std::string>> RoleOptions() {
  return {{"clerk", "clerk（事務：判定する）"},
          {"physician", "physician（医師：閲覧のみ）"},
          {"admin", "admin（管理者）"}};
}

// One action's form for user `name`: the CSRF token, the action, the name, then `fields`.
std::string UserForm(const PageUserInfo& user, const std::string& action, const std::string& name,
                     const std::string& fields, const std::string& button) {
  return "<form method=\"post\" class=\"decide user-" + action + "\" action=\"/admin/users\">" +
         Hidden("csrf", user.csrf) + Hidden("action", action) + Hidden("name", name) + fields +
         "<button type=\"submit\">" + button + "</button></form>";
}

std::string_view UserMessage(const std::string& action) {
  if (action == "added") return "ユーザーを追加しました。";
  if (action == "role_changed") return "役割を変更しました。";
  if (action == "password_reset") return "パスワードを再設定しました。";
  if (action == "disabled") return "ユーザーを無効にしました。";
  if (action == "enabled") return "ユーザーを有効にしました。";
  if (action == "removed") return "ユーザーを削除しました。";
  return {};
}

constexpr const char* kNewPassword =
    "<input type=\"password\" name=\"password\" autocomplete=\"new-password\" minlength=\"8\" "
    "required placeholder=\"新しいパスワード（8文字以上）\">";

std::string UserRow(const User& u, const PageUserInfo& user) {
  const std::string name = u.name;
  std::string out = "<tr id=\"user-" + HtmlEscape(name) + "\"" +
                    (u.disabled ? " class=\"disabled\"" : "") + "><td class=\"name\">" +
                    HtmlEscape(name) + "</td><td>" + std::string(RoleName(u.role)) + "</td><td>" +
                    (u.disabled ? "無効" : "有効") + "</td><td>" + HtmlEscape(u.created_at) +
                    "</td><td>";
  if (name == user.name)
    return out + "<span class=\"muted\">（ご自身）</span>" +
           UserForm(user, "password", name, kNewPassword, "パスワード再設定") + "</td></tr>\n";
  out += UserForm(user, "role", name, Select("role", RoleOptions(), std::string(RoleName(u.role))),
                  "役割を変更");
  out += UserForm(user, "password", name, kNewPassword, "パスワード再設定");
  out += u.disabled ? UserForm(user, "enable", name, "", "有効にする")
                    : UserForm(user, "disable", name, "", "無効にする");
  out += UserForm(user, "remove", name, "", "削除");
  return out + "</td></tr>\n";
}

}  // namespace

std::string UsersPage(const std::vector<User>& users, const PageUserInfo& user,
                      const std::string& message) {
  std::string out = Head("ユーザー管理", "users") + Bar(user) + "<main><h1>ユーザー管理</h1>";
  if (const std::string_view said = UserMessage(message); !said.empty())
    out += "<p class=\"saved\" id=\"saved\">" + std::string(said) + "</p>";
  out += std::string("<h2>ユーザーを追加</h2>") +
         "<form method=\"post\" class=\"decide\" id=\"add-user\" action=\"/admin/users\">" +
         Hidden("csrf", user.csrf) + Hidden("action", "add") +
         "<input type=\"text\" name=\"name\" required maxlength=\"32\" pattern=\"[a-z0-9._-]+\" "
         "autocomplete=\"off\" placeholder=\"ユーザー名（a-z 0-9 . _ -）\">" +
         Select("role", RoleOptions(), "clerk") + kNewPassword +
         "<button type=\"submit\">追加</button></form>";
  out +=
      "<h2>ユーザー</h2><table id=\"users\"><thead><tr><th>ユーザー名</th><th>役割</th>"
      "<th>状態</th><th>登録日時</th><th>操作</th></tr></thead><tbody>\n";
  for (const User& u : users) out += UserRow(u, user);
  out +=
      "</tbody></table><p "
      "class=\"muted\">変更はすべて監査記録に残ります（パスワードは残りません）。</p>";
  return out + "</main></body></html>\n";
}

Result<json> DecisionFromForm(const std::multimap<std::string, std::string>& params) {
  json body = json::object();
  for (const char* key :
       {"requirement", "status", "reason", "reason_code", "page", "document", "document_type",
        "split_at", "merge_with", "fact", "value", "finding", "note"}) {
    const auto it = params.find(key);
    if (it == params.end()) continue;
    if (report::ValidUtf8(it->second) != it->second)
      return Result<json>::Fail("a form field is not valid UTF-8");
    body[key] = it->second;
  }
  if (body.contains("finding")) {
    const std::string index = body["finding"];
    if (index.empty() || index.size() > 6 ||
        index.find_first_not_of("0123456789") != std::string::npos)
      return Result<json>::Fail("\"finding\" must be a number");
    body["finding"] = std::stoul(index);
  }
  if (body.contains("fact") && body.contains("value")) {
    const std::string fact = body["fact"];
    const std::string value = body["value"];
    if (config::IsIntegerFact(fact)) {
      if (value.empty() || value.size() > 9 ||
          value.find_first_not_of("0123456789") != std::string::npos)
        return Result<json>::Fail("this fact's value must be a whole number");
      body["value"] = std::stoll(value);
    } else if (value == "true" || value == "false") {
      body["value"] = value == "true";
    }
  }
  return body;
}

}  // namespace intake::serve

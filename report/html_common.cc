#include "report/html_common.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "pipeline/utf8.h"
#include "report/report_util.h"

namespace intake::report {
namespace {

constexpr std::string_view kSharedStyle = R"css(
:root { --green:#1b7f3b; --red:#c62828; --amber:#b26a00; --orange:#e69500; --darkred:#7a0000;
  --grey:#6b7280; --line:#d9dde3; --soft:#f5f6f8; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 20px 28px 40px; color: #1f2328;
  font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Kaku Gothic ProN", "Yu Gothic",
  Meiryo, sans-serif; font-size: 15px; line-height: 1.55; background: #fff; }
h1 { font-size: 20px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #333; }
h3 { font-size: 15px; margin: 14px 0 6px; }
.verdict { margin: 18px 0 8px; padding: 16px 22px; border-radius: 10px; border: 3px solid;
  display: flex; gap: 26px; align-items: center; }
.verdict-word { font-size: 40px; font-weight: bold; white-space: nowrap; line-height: 1.2; }
.verdict-complete { border-color: var(--green); background: #e8f5ec; }
.verdict-complete .verdict-word { color: var(--green); }
.verdict-incomplete { border-color: var(--red); background: #fdecec; }
.verdict-incomplete .verdict-word { color: var(--red); }
.verdict-needs_review { border-color: var(--orange); background: #fff5e1; }
.verdict-needs_review .verdict-word { color: var(--amber); }
.verdict-rejected { border-color: var(--darkred); background: #f6e3e3; }
.verdict-rejected .verdict-word { color: var(--darkred); }
.verdict-badge { display: inline-block; min-width: 84px; text-align: center; padding: 3px 10px;
  border-radius: 6px; font-size: 14px; font-weight: bold; color: #fff; white-space: nowrap; }
.verdict-badge-complete { background: var(--green); }
.verdict-badge-incomplete { background: var(--red); }
.verdict-badge-needs_review { background: var(--orange); color: #1f2328; }
.verdict-badge-rejected { background: var(--darkred); }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: bold; font-size: 13px; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
.badge { display: inline-block; min-width: 64px; text-align: center; padding: 2px 8px;
  border-radius: 12px; font-size: 13px; font-weight: bold; color: #fff; white-space: nowrap; }
.badge-present { background: var(--green); }
.badge-missing { background: var(--red); }
.badge-needs_review { background: var(--orange); color: #1f2328; }
.badge-not_required { background: #e5e7eb; color: var(--grey); }
.muted { color: var(--grey); }
.empty { color: var(--grey); margin: 4px 0; }
footer { margin-top: 36px; padding-top: 8px; border-top: 1px solid var(--line); font-size: 12px;
  color: var(--grey); }
footer p { margin: 2px 0; word-break: break-all; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
  tr, .verdict { break-inside: avoid; }
}
)css";

bool AllDigits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// "2026-11-21" -> "2026年11月21日"; nullopt when `iso` does not start with such a date.
std::optional<std::string> ParseJaDate(std::string_view iso) {
  if (iso.size() < 10 || iso[4] != '-' || iso[7] != '-' || !AllDigits(iso.substr(0, 4)) ||
      !AllDigits(iso.substr(5, 2)) || !AllDigits(iso.substr(8, 2))) {
    return std::nullopt;
  }
  const auto number = [&](std::size_t pos) { return std::stoi(std::string(iso.substr(pos, 2))); };
  return std::string(iso.substr(0, 4)) + "年" + std::to_string(number(5)) + "月" +
         std::to_string(number(8)) + "日";
}

}  // namespace

std::string UrlPath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : path) {
    const auto byte = static_cast<unsigned char>(ch);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || ch == '-' || ch == '.' || ch == '_' ||
                       ch == '~' || ch == '/';
    if (plain) {
      out += ch;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;  // nothing left to escape for HTML
}

std::string HtmlEscape(std::string_view text) {
  const std::string valid = ValidUtf8(text);
  std::string out;
  out.reserve(valid.size() + valid.size() / 8);
  for (std::size_t i = 0; i < valid.size(); ++i) {
    char32_t cp = 0;
    if (const std::size_t len = InvisibleControlAt(valid, i, cp); len > 0) {
      char shown[16];
      std::snprintf(shown, sizeof shown, "[U+%04X]", static_cast<unsigned>(cp));
      out += shown;  // visible, so that it cannot disguise what follows it
      i += len - 1;
      continue;
    }
    const char ch = valid[i];
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') {
          out += "\xEF\xBF\xBD";
        } else {
          out += ch;
        }
    }
  }
  return out;
}

std::string_view StatusBadgeWord(RequirementStatus status) {
  switch (status) {
    case RequirementStatus::kPresent:
      return "提出あり";
    case RequirementStatus::kMissing:
      return "不足";
    case RequirementStatus::kNeedsReview:
      return "要確認";
    case RequirementStatus::kNotRequired:
      return "対象外";
  }
  return "要確認";
}

std::string_view VerdictWord(Verdict verdict) {
  switch (verdict) {
    case Verdict::kComplete:
      return "完備";
    case Verdict::kIncomplete:
      return "不足あり";
    case Verdict::kNeedsReview:
      return "要確認";
    case Verdict::kRejected:
      return "受付不可";
  }
  return "要確認";
}

std::string JaDate(std::string_view iso) {
  if (iso.size() != 10) return HtmlEscape(iso);
  return ParseJaDate(iso).value_or(HtmlEscape(iso));
}

std::string JaDateTime(std::string_view iso) {
  const auto date = ParseJaDate(iso);
  if (date && iso.size() >= 16 && (iso[10] == 'T' || iso[10] == ' ') && iso[13] == ':' &&
      AllDigits(iso.substr(11, 2)) && AllDigits(iso.substr(14, 2))) {
    return *date + " " + std::string(iso.substr(11, 5));
  }
  return HtmlEscape(iso);
}

std::string_view ContentSecurityPolicyMeta() {
  return "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; img-src 'self' file: data:; base-uri 'none'; "
         "form-action 'none'\">\n";
}

std::string_view SharedStyle() { return kSharedStyle; }

}  // namespace intake::report

// What report.html and the output folder's index.html share, so that a verdict or a status looks
// and reads the same on both: escaping, the Japanese words for verdicts and requirement statuses,
// Japanese dates, and the common part of the style sheet (colours, badges, tables).
#pragma once

#include <string>
#include <string_view>

#include "pipeline/case_model.h"

namespace intake::report {

// Escapes &, <, >, " and ' for HTML text and attribute values; invalid UTF-8 and control
// characters become U+FFFD; bidi controls and zero-width characters are shown as "[U+202E]".
std::string HtmlEscape(std::string_view text);

// A relative path for an href or src: every byte but unreserved ASCII and '/' percent-encoded
// (Japanese folder names, '#' or '%' in a submission's file name), then escaped for HTML.
std::string UrlPath(std::string_view path);

// 完備, 不足あり, 要確認, 受付不可.
std::string_view VerdictWord(Verdict verdict);
// 提出あり, 不足, 要確認, 対象外.
std::string_view StatusBadgeWord(RequirementStatus status);

// "2026-11-21" -> "2026年11月21日"; anything else escaped as it is.
std::string JaDate(std::string_view iso);
// "2026-11-21T09:15:00+09:00" -> "2026年11月21日 09:15"; anything else escaped as it is.
std::string JaDateTime(std::string_view iso);

// The Content-Security-Policy <meta> both pages carry, as defence in depth behind the escaping:
// no script, no plug-in, no form, no base URL, no request to anywhere; only the pages' own inline
// style and the key images beside them.
std::string_view ContentSecurityPolicyMeta();

// CSS both pages start with: colour variables, page typography, tables, requirement status
// badges (`badge badge-<status>`), verdict boxes (`verdict verdict-<verdict>` with a
// `verdict-word`) and small verdict badges (`verdict-badge verdict-<verdict>`), print settings.
std::string_view SharedStyle();

}  // namespace intake::report

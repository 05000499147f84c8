// report.html: the same model rendered in Japanese for intake staff, read at a glance.
//
// Order: verdict first, then each requirement with its status and evidence (document, pages) or
// what to ask the patient for, then findings, then the documents and imaging found. Every string
// from the submission is HTML-escaped. The page is self-contained (inline CSS, no scripts, no
// external resources) so it opens from disk.
#pragma once

#include <string>
#include <string_view>

#include "pipeline/case_model.h"
#include "report/html_common.h"  // HtmlEscape
#include "report/report_context.h"

namespace intake::report {

std::string ReportHtml(const Case& c, const ReportContext& context);

}  // namespace intake::report

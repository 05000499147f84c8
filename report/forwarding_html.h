// The "PACS転送" section of report.html: the last forward of the case's imaging to each PACS
// (`intake forward`, forward/), written into a report that already exists.
//
// The forward runs after the report was made, from the command line or the watcher, so the
// section is rendered from report.json's `forwarding` array (docs/report-schema.md) and put in
// place of an earlier one, or before the imaging section (before </body> in a page without
// one). Pure functions of their input.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace intake::report {

// <section id="forwarding">…</section> for report.json's `forwarding` array.
std::string ForwardingSectionHtml(const nlohmann::json& forwarding);

// `html` with `section` in place of its forwarding section, or inserted.
std::string WithForwardingSection(std::string_view html, std::string_view section);

}  // namespace intake::report

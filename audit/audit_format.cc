// FormatRecord: an audit record as QA reads it (declared in audit_log.h).
#include <sstream>

#include "audit/audit_log.h"

namespace intake::audit {
namespace {

using nlohmann::json;

std::string Str(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "-";
  return value.dump();
}

std::string Field(const json& object, const char* key) {
  return object.is_object() && object.contains(key) ? Str(object[key]) : std::string("-");
}

void Row(std::ostringstream& out, std::string_view label, const std::string& value) {
  out << "  " << label;
  for (std::size_t i = label.size(); i < 18; ++i) out << ' ';
  out << ' ' << value << "\n";
}

// "p.1-3,5" from page numbers.
std::string Pages(const json& pages) {
  if (!pages.is_array() || pages.empty()) return {};
  std::string out = "p.";
  for (std::size_t i = 0; i < pages.size(); ++i) {
    if (i > 0) out += ',';
    out += Str(pages[i]);
  }
  return out;
}

// Appended piece by piece (no `" " + temporary`): GCC 12 at -O3 reports a false overlapping
// memcpy in the temporary's insert (-Wrestrict, GCC bug 105329).
std::string EvidenceText(const json& e) {
  std::string out = Field(e, "document");
  const auto add = [&out](std::string_view before, const std::string& text,
                          std::string_view after = {}) {
    out += before;
    out += text;
    out += after;
  };
  add(" ", Field(e, "type"));
  if (e.contains("file") && !e["file"].is_null()) add(" ", Field(e, "file"));
  if (e.contains("pages")) {
    const std::string pages = Pages(e["pages"]);
    if (!pages.empty()) add(" ", pages);
  }
  if (e.contains("series")) add(" ", Field(e, "series"), " series");
  if (e.contains("confidence")) add(" (", Field(e, "confidence"), ")");
  return out;
}

void CaseDetails(std::ostringstream& out, const json& d) {
  if (d.contains("verdict")) Row(out, "verdict", Field(d, "verdict"));
  if (d.contains("submission_sha256")) Row(out, "submission sha256", Field(d, "submission_sha256"));
  if (d.contains("received_at")) Row(out, "received", Field(d, "received_at"));
  if (d.contains("profile")) {
    Row(out, "profile", Field(d["profile"], "id") + "  sha256 " + Field(d["profile"], "sha256"));
  }
  if (d.contains("versions")) {
    const json& v = d["versions"];
    Row(out, "program", Field(v, "intake"));
    Row(out, "OCR engine", Field(v, "ocr_engine"));
    if (v.contains("ocr_models") && v["ocr_models"].is_array()) {
      for (const auto& m : v["ocr_models"]) {
        Row(out, "OCR model",
            Field(m, "name") + "  " + Field(m, "size") + " bytes  sha256 " + Field(m, "sha256"));
      }
    }
    Row(out, "DICOM library", Field(v, "dicom"));
  }
  if (d.contains("error")) Row(out, "error", Field(d, "error"));
  if (d.contains("counts")) {
    const json& c = d["counts"];
    Row(out, "counts",
        Field(c, "files") + " files, " + Field(c, "pages") + " pages, " + Field(c, "documents") +
            " documents, " + Field(c, "dicom_series") + " DICOM series, " + Field(c, "findings") +
            " findings");
  }
  if (d.contains("duration_ms")) Row(out, "duration", Field(d, "duration_ms") + " ms");
  if (d.contains("input_files") && d["input_files"].is_array()) {
    out << "  input files (" << d["input_files"].size() << ")\n";
    for (const auto& f : d["input_files"]) {
      out << "    " << Field(f, "id") << "  " << Field(f, "sha256") << "  " << Field(f, "kind")
          << ", " << Field(f, "size") << " bytes";
      if (f.contains("container") && !f["container"].is_null()) {
        out << ", in " << Field(f, "container");
      }
      out << "\n";
    }
  }
  if (d.contains("requirements") && d["requirements"].is_array()) {
    out << "  requirements\n";
    for (const auto& r : d["requirements"]) {
      std::string line = "    " + Field(r, "id");
      line.resize(std::max<std::size_t>(line.size() + 1, 32), ' ');
      line += Field(r, "status");
      line.resize(std::max<std::size_t>(line.size() + 1, 46), ' ');
      line += Field(r, "reason_code");
      if (r.contains("evidence") && r["evidence"].is_array() && !r["evidence"].empty()) {
        line += "  evidence:";
        for (const auto& e : r["evidence"]) line += " [" + EvidenceText(e) + "]";
      }
      out << line << "\n";
    }
  }
  if (d.contains("facts") && d["facts"].is_array()) {
    out << "  facts (sources only, no values)\n";
    for (const auto& f : d["facts"]) {
      out << "    " << Field(f, "name") << ": " << (f.value("known", false) ? "known" : "unknown");
      const json source = f.contains("source") ? f["source"] : json();
      if (source.is_string()) {
        out << " from the " << source.get<std::string>();
      } else if (source.is_object()) {
        out << " from " << Field(source, "document") << " " << Field(source, "page");
      }
      out << " (" << Field(f, "confidence") << ")\n";
    }
  }
  if (d.contains("findings") && d["findings"].is_array()) {
    out << "  findings (" << d["findings"].size() << ")\n";
    for (const auto& f : d["findings"]) {
      out << "    " << Field(f, "code") << " " << Field(f, "severity");
      if (f.contains("file") && !f["file"].is_null()) out << " " << Field(f, "file");
      out << "\n";
    }
  }
}

const char* const kCaseKeys[] = {
    "verdict", "submission_sha256", "received_at", "profile",      "versions", "error",
    "counts",  "duration_ms",       "input_files", "requirements", "facts",    "findings"};

}  // namespace

std::string FormatRecord(const json& record) {
  std::ostringstream out;
  out << "#" << Field(record, "seq") << "  " << Field(record, "time") << "  "
      << Field(record, "event") << "  case " << Field(record, "case_id") << "\n";
  const json details = record.contains("details") ? record["details"] : json::object();
  if (details.is_object()) {
    CaseDetails(out, details);
    for (const auto& [key, value] : details.items()) {
      bool known = false;
      for (const char* k : kCaseKeys) known = known || key == k;
      if (!known) Row(out, key, Str(value));
    }
  }
  out << "  record hash        " << Field(record, "hash") << "\n";
  out << "  previous hash      " << Field(record, "prev") << "\n";
  return out.str();
}

}  // namespace intake::audit

#include "audit/case_record.h"

#include <algorithm>
#include <cmath>

namespace intake::audit {
namespace {

using nlohmann::json;

json Nullable(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

// Confidences to three decimals: enough to explain a decision, stable in the canonical bytes.
double Rounded(double value) { return std::round(value * 1000.0) / 1000.0; }

json VersionsJson(const ProcessingContext& context) {
  json models = json::array();
  for (const auto& m : context.ocr_models) {
    models.push_back({{"name", m.name}, {"size", m.size}, {"sha256", Nullable(m.sha256)}});
  }
  return {{"intake", context.program_version},
          {"ocr_engine", context.ocr_engine},
          {"ocr_models", std::move(models)},
          {"dicom", context.dicom_library}};
}

json ProfileJson(const Case& c) { return {{"id", c.profile_id}, {"sha256", c.profile_sha256}}; }

json EvidenceJson(const Case& c, const std::string& document_id) {
  auto it = std::find_if(c.documents.begin(), c.documents.end(),
                         [&](const Document& d) { return d.id == document_id; });
  if (it == c.documents.end()) {
    if (document_id == kImagingEvidence) {
      return {
          {"document", document_id}, {"type", "dicom_images"}, {"series", c.DicomSeriesCount()}};
    }
    return {{"document", document_id}, {"type", nullptr}};
  }
  std::string file_id;
  json pages = json::array();
  for (const auto& page_id : it->page_ids) {
    if (const Page* page = c.FindPage(page_id)) {
      if (file_id.empty()) file_id = page->file_id;
      pages.push_back(page->number_in_file);
    }
  }
  return {{"document", it->id},
          {"type", it->type},
          {"file", Nullable(file_id)},
          {"pages", std::move(pages)},
          {"confidence", Rounded(it->confidence)}};
}

json RequirementsJson(const Case& c) {
  json out = json::array();
  for (const auto& r : c.requirements) {
    json evidence = json::array();
    for (const auto& id : r.evidence_document_ids) evidence.push_back(EvidenceJson(c, id));
    out.push_back({{"id", r.id},
                   {"status", RequirementStatusName(r.status)},
                   {"reason_code", Nullable(r.reason_code)},
                   {"evidence", std::move(evidence)}});
  }
  return out;
}

json FindingsJson(const Case& c) {
  json out = json::array();
  for (const auto& f : c.findings) {
    out.push_back({{"code", FindingCodeName(f.code)},
                   {"severity", SeverityName(f.severity)},
                   {"file", Nullable(f.file_id)}});
  }
  return out;
}

// Where each fact came from and how sure, never its value.
json FactsJson(const Case& c) {
  json out = json::array();
  for (const auto& f : c.facts) {
    json source = nullptr;
    if (f.source.from_manifest) {
      source = "manifest";
    } else if (!f.source.document_id.empty() || !f.source.page_id.empty()) {
      source = {{"document", Nullable(f.source.document_id)}, {"page", Nullable(f.source.page_id)}};
    }
    out.push_back({{"name", f.name},
                   {"known", f.known()},
                   {"confidence", Rounded(f.confidence)},
                   {"source", std::move(source)}});
  }
  return out;
}

json InputFilesJson(const Case& c, const std::map<std::string, std::string>& file_sha256) {
  json out = json::array();
  for (const auto& f : c.files) {
    auto it = file_sha256.find(f.id);
    out.push_back({{"id", f.id},
                   {"sha256", it == file_sha256.end() ? json(nullptr) : json(it->second)},
                   {"size", f.size},
                   {"kind", FileKindName(f.kind)},
                   {"container", Nullable(f.container_id)}});
  }
  return out;
}

}  // namespace

json CaseProcessedDetails(const Case& c, const ProcessingContext& context,
                          const std::map<std::string, std::string>& file_sha256,
                          std::int64_t duration_ms) {
  json details = {
      {"submission_sha256", c.submission_sha256},
      {"received_at", c.received_at},
      {"profile", ProfileJson(c)},
      {"versions", VersionsJson(context)},
      {"input_files", InputFilesJson(c, file_sha256)},
      {"counts",
       {{"files", c.files.size()},
        {"pages", c.pages.size()},
        {"documents", c.documents.size()},
        {"dicom_series", c.DicomSeriesCount()},
        {"findings", c.findings.size()}}},
      {"requirements", RequirementsJson(c)},
      {"facts", FactsJson(c)},
      {"findings", FindingsJson(c)},
      {"verdict", VerdictName(c.verdict)},
  };
  if (duration_ms >= 0) details["duration_ms"] = duration_ms;
  return details;
}

json CaseFailedDetails(const Case& c, const ProcessingContext& context,
                       std::string_view error_message) {
  const bool ascii = std::all_of(error_message.begin(), error_message.end(),
                                 [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
  return {{"submission_sha256", c.submission_sha256},
          {"received_at", c.received_at},
          {"profile", ProfileJson(c)},
          {"versions", VersionsJson(context)},
          {"error", ascii ? json(std::string(error_message)) : json("(message withheld)")},
          {"findings", FindingsJson(c)}};
}

}  // namespace intake::audit

#include "report/report_json.h"

#include <string>
#include <string_view>

#include "pipeline/findings.h"
#include "report/report_util.h"

namespace intake::report {
namespace {

using nlohmann::json;

// Every string goes through here: a file name from a Windows zip must not make dump() throw.
json Str(std::string_view text) { return ValidUtf8(text); }

json StrOrNull(std::string_view text) { return text.empty() ? json(nullptr) : Str(text); }

// Boxes in a page image's pixels, each [left, top, width, height].
json BoxArray(const std::vector<PixelRect>& boxes) {
  json out = json::array();
  for (const PixelRect& b : boxes) out.push_back({b.left, b.top, b.width, b.height});
  return out;
}

json IntArray(const std::vector<int>& numbers) {
  json out = json::array();
  for (int n : numbers) out.push_back(n);
  return out;
}

json StrArray(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(Str(item));
  return out;
}

json SummaryJson(const Case& c) {
  json missing = json::array();
  json needs_review = json::array();
  for (const auto& r : c.requirements) {
    if (r.status == RequirementStatus::kMissing) missing.push_back(Str(r.id));
    if (r.status == RequirementStatus::kNeedsReview) needs_review.push_back(Str(r.id));
  }
  int errors = 0;
  int warnings = 0;
  for (const auto& f : c.findings) {
    if (f.severity == Severity::kError) ++errors;
    if (f.severity == Severity::kWarning) ++warnings;
  }
  return {{"missing", missing},
          {"needs_review", needs_review},
          {"errors", errors},
          {"warnings", warnings}};
}

json SubmissionJson(const Case& c) {
  json files = json::array();
  for (const auto& f : c.files) {
    files.push_back({{"id", Str(f.id)},
                     {"path", Str(f.relative_path)},
                     {"kind", Str(FileKindName(f.kind))},
                     {"mime", Str(f.mime)},
                     {"size", f.size},
                     {"container", StrOrNull(f.container_id)},
                     {"envelope", f.envelope}});
  }
  return {{"name", Str(c.submission_name)},
          {"sha256", Str(c.submission_sha256)},
          {"received_at", Str(c.received_at)},
          {"submission_date", Str(c.submission_date)},
          {"original", StrOrNull(c.original_copy)},
          {"original_sha256sums", StrOrNull(c.original_sums)},
          {"files", files}};
}

json EvidenceJson(const Case& c, const ReportContext& context, const std::string& document_id) {
  const Document* document = FindDocument(c, document_id);
  if (document == nullptr) {
    const bool imaging = document_id == kImagingEvidence;
    return {{"document", Str(document_id)},
            {"type", imaging ? Str(kImagingType) : json(nullptr)},
            {"label", imaging ? Str(DocumentTypeLabel(context, kImagingType)) : json(nullptr)},
            {"file", nullptr},
            {"pages", json::array()}};
  }
  return {{"document", Str(document->id)},
          {"type", Str(document->type)},
          {"label", Str(DocumentTypeLabel(context, document->type))},
          {"file", StrOrNull(DocumentFileId(c, *document))},
          {"pages", IntArray(DocumentPageNumbers(c, *document))}};
}

json RequirementsJson(const Case& c, const ReportContext& context) {
  json out = json::array();
  for (const auto& r : c.requirements) {
    json evidence = json::array();
    for (const auto& document_id : r.evidence_document_ids) {
      evidence.push_back(EvidenceJson(c, context, document_id));
    }
    json item = {{"id", Str(r.id)},
                 {"label", Str(r.label)},
                 {"status", Str(RequirementStatusName(r.status))},
                 {"reason", Str(r.reason)}};
    if (!r.ask.empty()) item["ask"] = Str(r.ask);
    item["evidence"] = evidence;
    out.push_back(std::move(item));
  }
  return out;
}

json FactValueJson(const FactValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return Str(*s);
  if (const auto* b = std::get_if<bool>(&value)) return *b;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  return nullptr;
}

json FactJson(const Fact* fact) {
  if (fact == nullptr) {
    return {{"value", nullptr},
            {"confidence", 0.0},
            {"source",
             {{"document", nullptr}, {"page", nullptr}, {"manifest", false}, {"boxes", json::array()}}}};
  }
  json out = {{"value", FactValueJson(fact->value)},
              {"confidence", fact->confidence},
              {"source",
               {{"document", StrOrNull(fact->source.document_id)},
                {"page", StrOrNull(fact->source.page_id)},
                {"manifest", fact->source.from_manifest},
                {"boxes", BoxArray(fact->source.boxes)}}}};
  if (!fact->read_as.empty()) out["read_as"] = Str(fact->read_as);
  return out;
}

json FactsJson(const Case& c) {
  json out = json::object();
  for (std::string_view name : kContractFacts) out[std::string(name)] = FactJson(c.FindFact(name));
  for (const auto& fact : c.facts) out[ValidUtf8(fact.name)] = FactJson(&fact);
  return out;
}

json DocumentsJson(const Case& c, const ReportContext& context) {
  json out = json::array();
  for (const auto& d : c.documents) {
    out.push_back({{"id", Str(d.id)},
                   {"type", Str(d.type)},
                   {"label", Str(DocumentTypeLabel(context, d.type))},
                   {"file", StrOrNull(DocumentFileId(c, d))},
                   {"pages", IntArray(DocumentPageNumbers(c, d))},
                   {"page_ids", StrArray(d.page_ids)},
                   {"confidence", d.confidence},
                   {"text_source", DocumentTextSource(c, d)},
                   {"pdf", StrOrNull(d.pdf)},
                   {"envelope", DocumentEnvelope(c, d)}});
  }
  return out;
}

json PagesJson(const Case& c) {
  json out = json::array();
  for (const auto& p : c.pages) {
    out.push_back({{"id", Str(p.id)},
                   {"file", Str(p.file_id)},
                   {"number", p.number_in_file},
                   {"doc_type", Str(p.doc_type)},
                   {"score", p.type_score},
                   {"text_source", Str(TextSourceName(p.text_source))},
                   {"ocr_confidence", p.ocr_confidence ? json(*p.ocr_confidence) : json(nullptr)},
                   {"evidence", StrArray(p.evidence)},
                   {"evidence_boxes", BoxArray(p.evidence_boxes)},
                   {"image", StrOrNull(p.view_image)},
                   {"words", StrOrNull(p.view_text)}});
  }
  return out;
}

json FindingsJson(const Case& c) {
  json out = json::array();
  for (const auto& f : c.findings) {
    const FindingCodeInfo& info = FindingInfo(f.code);
    out.push_back({{"code", Str(info.code)},
                   {"severity", Str(SeverityName(f.severity))},
                   {"title", Str(info.title_ja)},
                   {"message", Str(f.message)},
                   {"file", StrOrNull(f.file_id)}});
  }
  return out;
}

json SeriesJson(const DicomSeries& s) {
  return {{"series_uid", Str(s.series_uid)},
          {"modality", Str(s.modality)},
          {"description", Str(s.description)},
          {"body_part", Str(s.body_part)},
          {"date", Str(s.date)},
          {"instance_count", s.instance_count},
          {"transfer_syntax", Str(s.transfer_syntax)},
          {"transfer_syntax_name", Str(s.transfer_syntax_name)},
          {"lossy", s.lossy},
          {"pixels_decodable", s.pixels_decodable},
          {"pixels_note", StrOrNull(s.pixels_note)},
          {"key_image", StrOrNull(s.key_image)},
          {"folder", StrOrNull(s.folder)}};
}

json ImagingJson(const Case& c) {
  json patients = json::array();
  for (const auto& p : c.dicom_patients) {
    json studies = json::array();
    for (const auto& st : p.studies) {
      json series = json::array();
      for (const auto& s : st.series) series.push_back(SeriesJson(s));
      studies.push_back({{"study_uid", Str(st.study_uid)},
                         {"date", Str(st.date)},
                         {"description", Str(st.description)},
                         {"modalities", Str(st.modalities)},
                         {"series", series}});
    }
    patients.push_back({{"patient_id", Str(p.patient_id)},
                        {"name", Str(p.name)},
                        {"name_groups",
                         {{"alphabetic", Str(p.name_alphabetic)},
                          {"ideographic", Str(p.name_ideographic)},
                          {"phonetic", Str(p.name_phonetic)}}},
                        {"birth_date", Str(p.birth_date)},
                        {"sex", Str(p.sex)},
                        {"document_match",
                         {{"status", Str(PatientMatchName(p.document_match))},
                          {"note", StrOrNull(p.document_match_note)}}},
                        {"studies", studies}});
  }
  return {{"patients", patients}};
}

json EnvelopesJson(const Case& c) {
  json out = json::array();
  for (const Envelope& e : c.envelopes) {
    out.push_back({{"number", e.number},
                   {"name", Str(e.name)},
                   {"sha256", Str(e.sha256)},
                   {"received_at", Str(e.received_at)},
                   {"original", StrOrNull(e.original)},
                   {"original_sha256sums", StrOrNull(e.original_sums)},
                   {"matched_by", StrOrNull(e.matched_by)}});
  }
  return out;
}

json StateJson(const Case& c) {
  if (c.state.empty()) return nullptr;
  return {{"state", Str(c.state)},
          {"waiting_since", StrOrNull(c.waiting_since)},
          {"days_waited", c.days_waited}};
}

json LetterJson(const Case& c) {
  if (!c.letter) return nullptr;
  json asks = json::array();
  for (const auto& id : c.letter->requirement_ids) asks.push_back(Str(id));
  return {{"file", Str(c.letter->file)},
          {"date", Str(c.letter->date)},
          {"deadline", Str(c.letter->deadline)},
          {"asks", asks}};
}

}  // namespace

nlohmann::json ReportJson(const Case& c, const ReportContext& context) {
  json report;
  report["schema"] = kReportSchema;
  report["case_id"] = Str(c.id);
  report["generated_at"] = Str(c.received_at);
  report["verdict"] = Str(VerdictName(c.verdict));
  report["summary"] = SummaryJson(c);
  report["submission"] = SubmissionJson(c);
  report["envelopes"] = EnvelopesJson(c);
  report["state"] = StateJson(c);
  report["profile"] = {{"id", Str(c.profile_id.empty() ? context.profile_id : c.profile_id)},
                       {"name", Str(context.profile_name)},
                       {"sha256", Str(c.profile_sha256)}};
  report["versions"] = {{"intake", Str(context.program_version)},
                        {"ocr", Str(context.ocr_engine)},
                        {"dicom", Str(context.dicom_library)}};
  report["requirements"] = RequirementsJson(c, context);
  report["letter"] = LetterJson(c);
  report["facts"] = FactsJson(c);
  report["documents"] = DocumentsJson(c, context);
  report["pages"] = PagesJson(c);
  report["findings"] = FindingsJson(c);
  report["imaging"] = ImagingJson(c);
  return report;
}

}  // namespace intake::report

#include "serve/report_reader.h"

#include <algorithm>

#include <string>

#include "report/report_json.h"

namespace intake::serve {
namespace {

using nlohmann::json;

std::string Text(const json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double Number(const json& object, const char* key, double fallback = 0.0) {
  if (!object.is_object()) return fallback;
  const auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

int Integer(const json& object, const char* key) {
  if (!object.is_object()) return 0;
  const auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int>() : 0;
}

const json& Array(const json& object, const char* key) {
  static const json kEmpty = json::array();
  if (!object.is_object()) return kEmpty;
  const auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : kEmpty;
}

std::vector<std::string> Strings(const json& array) {
  std::vector<std::string> out;
  for (const auto& item : array)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

// The enum value whose name is `name`, among [first, last]; `fallback` when none is.
template <typename Enum, typename NameFn>
Enum ByName(const std::string& name, Enum first, Enum last, NameFn name_of, Enum fallback) {
  for (int i = static_cast<int>(first); i <= static_cast<int>(last); ++i) {
    if (name_of(static_cast<Enum>(i)) == name) return static_cast<Enum>(i);
  }
  return fallback;
}

void ReadFiles(const json& submission, Case& c) {
  for (const auto& f : Array(submission, "files")) {
    SourceFile file;
    file.id = Text(f, "id");
    file.relative_path = Text(f, "path");
    file.container_id = Text(f, "container");
    file.kind = ByName(Text(f, "kind"), FileKind::kUnknown, FileKind::kEmpty, FileKindName,
                       FileKind::kUnknown);
    file.mime = Text(f, "mime");
    file.size = static_cast<std::uint64_t>(Number(f, "size"));
    file.envelope = std::max(1, Integer(f, "envelope"));
    c.files.push_back(std::move(file));
  }
}

// Boxes written as [left, top, width, height]; anything else is left out.
std::vector<PixelRect> Boxes(const json& array) {
  std::vector<PixelRect> out;
  for (const auto& b : array) {
    if (!b.is_array() || b.size() != 4 ||
        !std::all_of(b.begin(), b.end(), [](const json& n) { return n.is_number_integer(); })) {
      continue;
    }
    out.push_back({b[0].get<int>(), b[1].get<int>(), b[2].get<int>(), b[3].get<int>()});
  }
  return out;
}

void ReadPages(const json& report, Case& c) {
  for (const auto& p : Array(report, "pages")) {
    Page page;
    page.id = Text(p, "id");
    page.file_id = Text(p, "file");
    page.number_in_file = Integer(p, "number");
    page.doc_type = Text(p, "doc_type");
    page.type_score = Number(p, "score");
    page.text_source = ByName(Text(p, "text_source"), TextSource::kNone, TextSource::kOcr,
                              TextSourceName, TextSource::kNone);
    if (p.contains("ocr_confidence") && p["ocr_confidence"].is_number()) {
      page.ocr_confidence = p["ocr_confidence"].get<double>();
    }
    page.evidence = Strings(Array(p, "evidence"));
    page.evidence_boxes = Boxes(Array(p, "evidence_boxes"));
    page.view_image = Text(p, "image");
    page.view_text = Text(p, "words");
    c.pages.push_back(std::move(page));
  }
  for (const auto& d : Array(report, "documents")) {
    Document document;
    document.id = Text(d, "id");
    document.type = Text(d, "type");
    document.page_ids = Strings(Array(d, "page_ids"));
    document.confidence = Number(d, "confidence");
    document.pdf = Text(d, "pdf");
    c.documents.push_back(std::move(document));
  }
}

void ReadFacts(const json& report, Case& c) {
  const auto it = report.find("facts");
  if (it == report.end() || !it->is_object()) return;
  for (const auto& [name, f] : it->items()) {
    if (!f.is_object() || !f.contains("value")) continue;
    Fact fact;
    fact.name = name;
    const json& value = f["value"];
    if (value.is_string()) {
      fact.value = value.get<std::string>();
    } else if (value.is_boolean()) {
      fact.value = value.get<bool>();
    } else if (value.is_number_integer()) {
      fact.value = value.get<std::int64_t>();
    } else {
      continue;  // unknown facts are not stored in the model
    }
    fact.confidence = Number(f, "confidence");
    const json source = f.value("source", json::object());
    fact.source.document_id = Text(source, "document");
    fact.source.page_id = Text(source, "page");
    fact.source.from_manifest = source.value("manifest", false);
    fact.source.boxes = Boxes(Array(source, "boxes"));
    c.facts.push_back(std::move(fact));
  }
}

// Fails on a finding whose code is not in the table (a report of another program version).
Status ReadFindingsAndRequirements(const json& report, Case& c) {
  for (const auto& f : Array(report, "findings")) {
    Finding finding;
    const auto code = ParseFindingCode(Text(f, "code"));
    if (!code.ok()) return Status::Fail("report.json: " + code.message(), ErrorCode::kInvalid);
    finding.code = *code;
    finding.severity = ByName(Text(f, "severity"), Severity::kInfo, Severity::kError, SeverityName,
                              Severity::kInfo);
    finding.message = Text(f, "message");
    finding.file_id = Text(f, "file");
    c.findings.push_back(std::move(finding));
  }
  for (const auto& r : Array(report, "requirements")) {
    RequirementResult req;
    req.id = Text(r, "id");
    req.label = Text(r, "label");
    req.status =
        ByName(Text(r, "status"), RequirementStatus::kPresent, RequirementStatus::kNotRequired,
               RequirementStatusName, RequirementStatus::kNeedsReview);
    req.reason = Text(r, "reason");
    req.ask = Text(r, "ask");
    for (const auto& e : Array(r, "evidence"))
      req.evidence_document_ids.push_back(Text(e, "document"));
    c.requirements.push_back(std::move(req));
  }
  return Status::Ok();
}

DicomSeries ReadSeries(const json& s) {
  DicomSeries series;
  series.series_uid = Text(s, "series_uid");
  series.modality = Text(s, "modality");
  series.description = Text(s, "description");
  series.body_part = Text(s, "body_part");
  series.date = Text(s, "date");
  series.instance_count = Integer(s, "instance_count");
  series.transfer_syntax = Text(s, "transfer_syntax");
  series.transfer_syntax_name = Text(s, "transfer_syntax_name");
  series.lossy = s.value("lossy", false);
  series.pixels_decodable = s.value("pixels_decodable", false);
  series.pixels_note = Text(s, "pixels_note");
  series.key_image = Text(s, "key_image");
  series.folder = Text(s, "folder");
  return series;
}

void ReadImaging(const json& report, Case& c) {
  const json imaging = report.value("imaging", json::object());
  for (const auto& p : Array(imaging, "patients")) {
    DicomPatient patient;
    patient.patient_id = Text(p, "patient_id");
    patient.name = Text(p, "name");
    const json groups = p.value("name_groups", json::object());
    patient.name_alphabetic = Text(groups, "alphabetic");
    patient.name_ideographic = Text(groups, "ideographic");
    patient.name_phonetic = Text(groups, "phonetic");
    patient.birth_date = Text(p, "birth_date");
    patient.sex = Text(p, "sex");
    const json match = p.value("document_match", json::object());
    patient.document_match =
        ByName(Text(match, "status"), PatientMatch::kNotChecked, PatientMatch::kNotComparable,
               PatientMatchName, PatientMatch::kNotChecked);
    patient.document_match_note = Text(match, "note");
    for (const auto& st : Array(p, "studies")) {
      DicomStudy study;
      study.study_uid = Text(st, "study_uid");
      study.date = Text(st, "date");
      study.description = Text(st, "description");
      study.modalities = Text(st, "modalities");
      for (const auto& s : Array(st, "series")) study.series.push_back(ReadSeries(s));
      patient.studies.push_back(std::move(study));
    }
    c.dicom_patients.push_back(std::move(patient));
  }
}

}  // namespace

// The envelopes, the letter to the patient and the case's state (issue 15): kept when the review
// screen writes the report again.
void ReadEnvelopesLetterAndState(const json& report, Case& c) {
  for (const auto& e : Array(report, "envelopes")) {
    c.envelopes.push_back(Envelope{Integer(e, "number"), Text(e, "name"), Text(e, "sha256"),
                                   Text(e, "received_at"), Text(e, "original"),
                                   Text(e, "original_sha256sums"), Text(e, "matched_by")});
  }
  if (const auto letter = report.find("letter"); letter != report.end() && letter->is_object()) {
    c.letter = PatientLetterRecord{Text(*letter, "file"), Text(*letter, "date"),
                                   Text(*letter, "deadline"), Strings(Array(*letter, "asks"))};
  }
  if (const auto state = report.find("state"); state != report.end() && state->is_object()) {
    c.state = Text(*state, "state");
    c.waiting_since = Text(*state, "waiting_since");
    c.days_waited = Integer(*state, "days_waited");
  }
}

Result<ReadReport> CaseFromReport(const json& report) {
  if (!report.is_object() || Text(report, "schema") != report::kReportSchema ||
      Text(report, "case_id").empty()) {
    return Result<ReadReport>::Fail("not an intake.report/1 report");
  }
  ReadReport out;
  Case& c = out.c;
  c.id = Text(report, "case_id");
  const json submission = report.value("submission", json::object());
  c.submission_name = Text(submission, "name");
  c.submission_sha256 = Text(submission, "sha256");
  c.received_at = Text(submission, "received_at");
  c.submission_date = Text(submission, "submission_date");
  c.original_copy = Text(submission, "original");
  c.original_sums = Text(submission, "original_sha256sums");
  const json profile = report.value("profile", json::object());
  c.profile_id = Text(profile, "id");
  c.profile_sha256 = Text(profile, "sha256");
  c.verdict = ParseVerdict(Text(report, "verdict")).value_or(Verdict::kNeedsReview);
  ReadFiles(submission, c);
  ReadPages(report, c);
  ReadFacts(report, c);
  RETURN_IF_ERROR(ReadFindingsAndRequirements(report, c));
  ReadImaging(report, c);
  ReadEnvelopesLetterAndState(report, c);

  report::ReportContext& context = out.context;
  const json versions = report.value("versions", json::object());
  context.program_version = Text(versions, "intake");
  context.ocr_engine = Text(versions, "ocr");
  context.dicom_library = Text(versions, "dicom");
  context.profile_id = c.profile_id;
  context.profile_name = Text(profile, "name");
  for (const auto& d : Array(report, "documents")) {
    if (!Text(d, "label").empty()) context.document_type_labels[Text(d, "type")] = Text(d, "label");
  }
  return out;
}

}  // namespace intake::serve

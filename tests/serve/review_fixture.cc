#include "tests/serve/review_fixture.h"

#include <cstdio>
#include <fstream>
#include <vector>

#include "report/report_context.h"
#include "report/report_html.h"
#include "report/report_json.h"
#include "stages/rules.h"
#include "tests/support/findings.h"

namespace intake::serve_test {
namespace {

namespace fs = std::filesystem;

void AddDocument(Case& c, const std::string& type, double confidence, int pages = 1) {
  Document d;
  char id[8];
  std::snprintf(id, sizeof id, "d%03zu", c.documents.size() + 1);
  d.id = id;
  d.type = type;
  d.confidence = confidence;
  for (int i = 0; i < pages; ++i) {
    Page p;
    p.id = c.NextPageId();
    p.file_id = "f0001";
    p.number_in_file = static_cast<int>(c.pages.size()) + 1;
    p.text_source = TextSource::kOcr;
    p.ocr_confidence = 0.9;
    p.doc_type = type;
    p.type_score = confidence;
    c.pages.push_back(p);
    d.page_ids.push_back(p.id);
  }
  c.documents.push_back(d);
}

void AddFact(Case& c, const std::string& name, FactValue value, double confidence = 0.9) {
  Fact f;
  f.name = name;
  f.value = std::move(value);
  f.confidence = confidence;
  f.source.document_id = "d002";
  f.source.page_id = "p0003";
  c.SetFact(std::move(f));
}

report::ReportContext Context(const config::Profile& profile) {
  report::ReportContext context;
  context.program_version = "intake test-fixture";
  context.profile_id = profile.id;
  context.profile_name = profile.name;
  context.ocr_engine = "tesseract (fixture)";
  context.dicom_library = "DCMTK (fixture)";
  context.min_confidence = profile.min_confidence;
  for (const auto& t : profile.document_types) context.document_type_labels[t.id] = t.label;
  context.document_type_labels[kOtherType] = kOtherTypeLabel;
  return context;
}

}  // namespace

Case MakeCase(const config::Profile& profile, int index, Kind kind, const Patient& patient) {
  Case c;
  char id[32];
  std::snprintf(id, sizeof id, "202611%02d-%08x", 1 + index % 28,
                static_cast<unsigned>(0x10000000u + static_cast<unsigned>(index) * 2654435761u));
  c.id = id;
  char received[40];
  std::snprintf(received, sizeof received, "2026-11-%02dT%02d:%02d:00+09:00", 1 + index % 28,
                8 + index % 10, index % 60);
  c.received_at = received;
  c.submission_date = c.received_at.substr(0, 10);
  c.submission_sha256 = std::string(64, 'a');
  c.submission_name = "submission.pdf";
  c.profile_id = profile.id;
  c.profile_sha256 = profile.sha256;
  c.files.push_back(
      SourceFile{"f0001", {}, "submission.pdf", "", FileKind::kPdf, "application/pdf", 1000});
  AddDocument(c, "referral_letter", 0.9, 2);
  AddDocument(c, "application_form", 0.9);
  AddDocument(c, "consultation_sheet", 0.9);
  AddDocument(c, "blood_test", 0.9);
  AddFact(c, "patient_name", patient.name);
  AddFact(c, "patient_name_kana", patient.kana);
  AddFact(c, "patient_birth_date", patient.birth_date);
  AddFact(c, "patient_age", std::int64_t{76});
  AddFact(c, "department", std::string("消化器内科"));
  AddFact(c, "physician_approval", true);
  if (kind == Kind::kComplete || kind == Kind::kMismatch) {
    AddFact(c, "attendance", std::string("patient_only"));
    if (kind == Kind::kMismatch)
      c.AddFinding(FindingCode::kPatientMismatch,
                   "画像データの患者（フリガナ）が書類の患者と一致しません");
    return c;
  }
  AddFact(c, "attendance", std::string("family_only"));
  AddFact(c, "living_together", false);
  AddFact(c, "attending_family_count", std::int64_t{1});
  AddDocument(c, "koseki", 0.9);
  AddDocument(c, "id_document", 0.9);
  if (kind == Kind::kNeedsReview) AddDocument(c, "consent_form", 0.3);
  if (kind == Kind::kOtherPage) AddDocument(c, "other", 0.2);
  return c;
}

Result<std::string> WriteCase(const fs::path& out_dir, const config::Profile& profile, Case c) {
  Status s = stages::MakeRulesStage(profile)->Run(c);
  if (!s.ok()) return Result<std::string>::Fail(s.message());
  // The report writers of the write stage, without its fsyncs (thousands of cases for the bench).
  const fs::path dir = out_dir / c.id;
  std::error_code ec;
  fs::create_directories(dir, ec);
  const report::ReportContext context = Context(profile);
  std::ofstream(dir / "report.json") << report::ReportJson(c, context).dump(2) << "\n";
  std::ofstream(dir / "report.html") << report::ReportHtml(c, context);
  if (ec || !fs::exists(dir / "report.html")) return Result<std::string>::Fail("cannot write");
  return c.id;
}

Result<int> WriteCases(const fs::path& out_dir, const config::Profile& profile, int count) {
  static const std::vector<Patient> kPatients{{"山田 太郎", "ヤマダ タロウ", "1950-04-01"},
                                              {"佐藤 花子", "サトウ ハナコ", "1962-11-23"},
                                              {"鈴木 一郎", "スズキ イチロウ", "1948-02-14"},
                                              {"髙橋 美咲", "タカハシ ミサキ", "1971-07-07"},
                                              {"田中 健", "タナカ ケン", "1939-12-31"}};
  static const Kind kKinds[] = {Kind::kComplete, Kind::kIncomplete, Kind::kNeedsReview,
                                Kind::kOtherPage, Kind::kMismatch};
  for (int i = 0; i < count; ++i) {
    const Patient& p = kPatients[static_cast<std::size_t>(i) % kPatients.size()];
    auto id = WriteCase(out_dir, profile, MakeCase(profile, i, kKinds[i % 5], p));
    if (!id.ok()) return Result<int>::Fail(id.message());
  }
  return count;
}

}  // namespace intake::serve_test

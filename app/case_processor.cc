#include "app/case_processor.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>

#include "dicom/dicom_reader.h"
#include "pipeline/hash.h"
#include "pipeline/log.h"
#include "stages/classify.h"
#include "stages/dicom_scan.h"
#include "stages/facts.h"
#include "stages/ocr_stage.h"
#include "stages/pages.h"
#include "stages/rules.h"
#include "stages/screen.h"
#include "stages/unpack.h"
#include "stages/write_documents.h"
#include "stages/write_report.h"

namespace intake::app {
namespace {

namespace fs = std::filesystem;

std::string FormatLocalTime(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

// Keeps each page's text beside its image in the work area, for checking OCR by eye.
void WritePageTexts(const Case& c) {
  const fs::path dir = c.work_dir / "text";
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (const auto& page : c.pages) std::ofstream(dir / (page.id + ".txt")) << page.text;
}

}  // namespace

Result<std::string> SubmissionHash(const fs::path& submission) {
  std::error_code ec;
  if (!fs::is_directory(submission, ec)) return Sha256File(submission);
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(submission, ec), end; it != end; it.increment(ec)) {
    if (ec) return Result<std::string>::Fail("submission folder could not be listed");
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  Sha256 h;
  for (const auto& f : files) {
    auto file_hash = Sha256File(f);
    if (!file_hash.ok()) return file_hash;
    h.Update(fs::relative(f, submission, ec).generic_string());
    h.Update(std::string_view("\0", 1));
    h.Update(*file_hash);
    h.Update("\n");
  }
  return h.HexDigest();
}

CaseProcessor::CaseProcessor(const config::Profile& profile, ocr::OcrPool& ocr,
                             ProcessOptions options)
    : profile_(profile), ocr_(ocr), options_(std::move(options)) {}

Outcome CaseProcessor::Process(const fs::path& submission) {
  Outcome outcome;
  const auto start = std::chrono::steady_clock::now();
  auto hash = SubmissionHash(submission);
  if (!hash.ok()) {
    outcome.status = Status::Fail("submission could not be read: " + hash.message());
    return outcome;
  }
  Case c;
  c.submission_sha256 = *hash;
  c.submission_date = FormatLocalTime("%Y-%m-%d");
  c.received_at = FormatLocalTime("%Y-%m-%dT%H:%M:%S%z");
  c.id = FormatLocalTime("%Y%m%d") + "-" + c.submission_sha256.substr(0, 8);
  c.submission_name = fs::absolute(submission).lexically_normal().filename().string();
  if (c.submission_name.empty()) c.submission_name = submission.parent_path().filename().string();
  c.profile_id = profile_.id;
  c.profile_sha256 = profile_.sha256;
  outcome.case_id = c.id;
  outcome.case_dir = options_.out_dir / c.id;
  c.work_dir = outcome.case_dir / "work";

  std::error_code ec;
  fs::remove_all(c.work_dir, ec);  // a previous run of the same submission
  fs::create_directories(c.work_dir, ec);
  if (ec) {
    outcome.status = Status::Fail("cannot create the case folder in the output folder");
    return outcome;
  }
  Log()->info("case {} started (submission {} bytes hashed)", c.id,
              fs::is_directory(submission) ? 0 : fs::file_size(submission, ec));

  report::ReportContext context;
  context.program_version = options_.program_version;
  context.profile_id = profile_.id;
  context.profile_name = profile_.name;
  context.ocr_engine = ocr_.engine_version();
  context.dicom_library = dicom::LibraryVersion();
  context.min_confidence = profile_.min_confidence;
  context.low_ocr_confidence = options_.low_ocr_confidence;
  for (const auto& t : profile_.document_types) context.document_type_labels[t.id] = t.label;
  context.document_type_labels[config::kDicomImagesType] = "画像データ（DICOM）";
  context.document_type_labels["other"] = "その他・判別できない書類";

  stages::PagesOptions pages_options;
  pages_options.render_dpi = options_.render_dpi;
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(stages::MakeUnpackStage(submission));
  stages.push_back(stages::MakePagesStage(pages_options));
  stages.push_back(stages::MakeOcrStage(ocr_, options_.low_ocr_confidence));
  stages.push_back(stages::MakeScreenStage());  // before anything else uses the text
  stages.push_back(stages::MakeDicomStage());
  stages.push_back(stages::MakeClassifyStage(profile_));
  stages::WriteDocumentsOptions documents_options;
  documents_options.case_dir = outcome.case_dir;
  documents_options.glyph_font = ocr_.tessdata_dir() / "pdf.ttf";
  stages.push_back(stages::MakeWriteDocumentsStage(documents_options));
  stages.push_back(stages::MakeFactsStage());
  stages.push_back(stages::MakeRulesStage(profile_));
  stages.push_back(stages::MakeWriteReportStage(outcome.case_dir, context));

  outcome.status = RunStages(stages, c);
  if (options_.keep_work) {
    WritePageTexts(c);
  } else {
    fs::remove_all(c.work_dir, ec);
  }
  outcome.verdict = c.verdict;
  for (const auto& r : c.requirements) {
    if (r.status == RequirementStatus::kMissing) outcome.missing.push_back(r.id);
    if (r.status == RequirementStatus::kNeedsReview) outcome.needs_review.push_back(r.id);
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  Log()->info("case {} finished in {} ms: verdict {}, {} files, {} pages, {} findings", c.id, ms,
              VerdictName(c.verdict), c.files.size(), c.pages.size(), c.findings.size());
  return outcome;
}

}  // namespace intake::app

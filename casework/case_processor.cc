#include "casework/case_processor.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "audit/audit_log.h"
#include "audit/case_record.h"
#include "dashboard/dashboard.h"
#include "dicom/dicom_reader.h"
#include "pipeline/folder_walk.h"
#include "pipeline/hash.h"
#include "pipeline/local_time.h"
#include "pipeline/log.h"
#include "pipeline/progress.h"
#include "pipeline/watchdog.h"
#include "stages/case_folder.h"
#include "stages/decisions_file.h"

namespace intake::casework {
namespace {

namespace fs = std::filesystem;

// Logs what an append to the audit trail left undone: the record itself (the trail is not
// written), or only audit.head (the record is there; the head is one behind until the next).
void LogAuditOutcome(const std::string& case_id, const Result<audit::AppendedRecord>& audited) {
  if (!audited.ok()) {
    Log()->error("case {}: audit trail not written: {}", case_id, audited.message());
  } else if (!audited->head_problem.empty()) {
    Log()->warn("case {}: audit record written; only audit.head was not updated ({})", case_id,
                audited->head_problem);
  }
}

std::string FormatLocalTime(const char* format) { return FormatLocalNow(format); }

// Keeps each page's text beside its image in the work area, for checking OCR by eye.
void WritePageTexts(const Case& c) {
  const fs::path dir = c.work_dir / "text";
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (const auto& page : c.pages) std::ofstream(dir / (page.id + ".txt")) << page.text;
}

// SHA-256 of every file of the case, by file id, for the audit trail. Files of a folder
// submission were hashed already (`known`, by path); files unpacked from archives are read again
// from the work area. Files that cannot be read (skipped entries) are left out.
std::map<std::string, std::string> CaseFileHashes(const Case& c,
                                                  const std::map<std::string, std::string>& known) {
  std::map<std::string, std::string> out;
  std::vector<const SourceFile*> to_hash;
  std::vector<fs::path> paths;
  for (const auto& f : c.files) {
    if (auto it = known.find(f.path.string()); it != known.end()) {
      out[f.id] = it->second;
    } else {
      to_hash.push_back(&f);
      paths.push_back(f.path);
    }
  }
  const auto hashes = Sha256Files(paths);
  for (std::size_t i = 0; i < to_hash.size(); ++i) {
    if (hashes[i].ok()) out[to_hash[i]->id] = *hashes[i];
  }
  return out;
}

audit::ProcessingContext AuditContext(const report::ReportContext& report_context,
                                      const ocr::OcrPool& ocr) {
  audit::ProcessingContext context;
  context.program_version = report_context.program_version;
  context.ocr_engine = report_context.ocr_engine;
  context.dicom_library = report_context.dicom_library;
  for (const auto& m : ocr.model_files()) {
    context.ocr_models.push_back(audit::ModelFile{m.name, m.size, m.sha256});
  }
  return context;
}

// Runs on the watchdog thread when the case ran over its time limit. `before_stages` is the case
// as it was before the stages began: the Case itself is still being changed by them.
[[noreturn]] void AbandonCase(const Case& before_stages, const audit::ProcessingContext& context,
                              const fs::path& records_dir, bool keep_work,
                              std::chrono::milliseconds limit,
                              const TimeLimitHandler& on_time_limit) {
  const WorkPosition position = CurrentWorkPosition();
  CaseTimeLimitHit hit;
  hit.case_id = before_stages.id;
  hit.limit = limit;
  if (position.case_id == before_stages.id) {
    hit.stage = position.stage;
    hit.file_id = position.file_id;
  }
  Log()->error("case {}: {}; the case is abandoned (its stages cannot be interrupted)", hit.case_id,
               hit.Describe());
  const auto audited =
      audit::AppendAuditRecord(records_dir, audit::kEventCaseFailed, hit.case_id,
                               audit::CaseFailedDetails(before_stages, context, hit.Describe()));
  LogAuditOutcome(hit.case_id, audited);
  // The stuck stage may still hold files here; removing them is safe on Linux. The half-made
  // case folder goes with its work area: a case folder without a report is no case.
  // Staff's review decisions stay for the next run (stages/decisions_file.h).
  if (!keep_work) stages::RemoveCaseFolderKeepingDecisions(before_stages.work_dir.parent_path());
  on_time_limit(hit);
  Log()->error("case {}: the time limit handler returned; exiting", hit.case_id);
  Log()->flush();
  std::_Exit(1);
}

}  // namespace

std::string CaseTimeLimitHit::Describe() const {
  std::ostringstream out;
  out << "case time limit of " << static_cast<double>(limit.count()) / 1000.0 << " s reached";
  out << " in stage " << (stage.empty() ? "-" : stage);
  if (!file_id.empty()) out << ", file " << file_id;
  return out.str();
}

Result<std::string> SubmissionHash(const fs::path& submission) {
  return SubmissionHash(submission, nullptr);
}

namespace {

// Each file's hash; with `copies`, each file is also copied into copies->dir in the same pass (a
// file whose copy fails, a full disk, is hashed alone and gets no copy).
std::vector<Result<std::string>> HashFiles(const std::vector<fs::path>& files, FileCopies* copies) {
  if (copies == nullptr) return Sha256Files(files);
  std::vector<fs::path> targets;
  for (std::size_t i = 0; i < files.size(); ++i) targets.push_back(copies->dir / std::to_string(i));
  std::vector<Result<std::string>> hashes = Sha256AndCopyFiles(files, targets);
  std::vector<fs::path> alone;
  std::vector<std::size_t> alone_index;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (hashes[i].ok()) {
      copies->by_path[files[i].string()] = targets[i];
    } else {
      alone.push_back(files[i]);
      alone_index.push_back(i);
    }
  }
  const std::vector<Result<std::string>> hashed_alone = Sha256Files(alone);
  for (std::size_t k = 0; k < alone.size(); ++k) hashes[alone_index[k]] = hashed_alone[k];
  return hashes;
}

}  // namespace

Result<std::string> SubmissionHash(const fs::path& submission,
                                   std::map<std::string, std::string>* file_hashes_by_path,
                                   FileCopies* copies) {
  std::error_code ec;
  if (!fs::is_directory(submission, ec)) {
    auto hash = std::move(HashFiles({submission}, copies).front());
    if (hash.ok() && file_hashes_by_path) (*file_hashes_by_path)[submission.string()] = *hash;
    return hash;
  }
  auto listing = ListFolder(submission);
  if (!listing.ok()) return Result<std::string>::Fail(listing.message());
  const std::vector<fs::path>& files = listing->files;
  const std::vector<Result<std::string>> file_hashes = HashFiles(files, copies);
  Sha256 h;
  const auto line = [&](const fs::path& path, std::string_view value) {
    h.Update(PathBelow(path, submission));
    h.Update(std::string_view("\0", 1));
    h.Update(value);
    h.Update("\n");
  };
  // A file or sub-folder that cannot be read is one finding of the case, not its failure: it
  // counts in the hash by name.
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!file_hashes[i].ok()) {
      line(files[i], "unreadable");
      continue;
    }
    if (file_hashes_by_path) (*file_hashes_by_path)[files[i].string()] = *file_hashes[i];
    line(files[i], *file_hashes[i]);
  }
  for (const fs::path& dir : listing->unreadable_dirs) line(dir, "unreadable folder");
  return h.HexDigest();
}

CaseProcessor::CaseProcessor(const config::Profile& profile, ocr::OcrPool& ocr,
                             ProcessOptions options)
    : profile_(profile), ocr_(ocr), options_(std::move(options)) {}

CaseIdentity NewCaseIdentity(const std::string& sha256) {
  CaseIdentity identity;
  identity.sha256 = sha256;
  identity.received_at = FormatLocalTime("%Y-%m-%dT%H:%M:%S%z");
  identity.case_id = FormatLocalTime("%Y%m%d") + "-" + sha256.substr(0, 8);
  return identity;
}

Outcome CaseProcessor::Process(const fs::path& submission, const TimeLimitHandler& on_time_limit) {
  const auto start = std::chrono::steady_clock::now();
  // A submission the case folder will copy is copied while it is hashed (the sender's files are
  // read once); the case folder links those copies into 11_原本/, and this folder goes after
  // the case.
  FileCopies copies;
  std::error_code ec;
  if (!options_.link_original) {
    copies.dir = options_.out_dir / (".received-" + std::to_string(::getpid()));
    fs::remove_all(copies.dir, ec);
    if (!fs::create_directories(copies.dir, ec)) copies.dir.clear();
  }
  std::map<std::string, std::string> known_file_hashes;
  auto hash =
      SubmissionHash(submission, &known_file_hashes, copies.dir.empty() ? nullptr : &copies);
  Outcome outcome;
  if (!hash.ok()) {
    outcome.status = Status::Fail("submission could not be read: " + hash.message());
  } else {
    Log()->debug("submission hashed ({} files copied on the way) in {} ms", copies.by_path.size(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count());
    CaseIdentity identity = NewCaseIdentity(*hash);
    identity.file_hashes = std::move(known_file_hashes);
    identity.file_copies = std::move(copies.by_path);
    outcome = Process(submission, identity, on_time_limit);
  }
  if (!copies.dir.empty()) fs::remove_all(copies.dir, ec);
  return outcome;
}

Outcome CaseProcessor::Process(const fs::path& submission, const CaseIdentity& identity,
                               const TimeLimitHandler& on_time_limit) {
  EnvelopeInput only;
  only.path = submission;
  only.link = options_.link_original;
  only.record.number = 1;
  only.record.name = fs::absolute(submission).lexically_normal().filename().string();
  if (only.record.name.empty()) only.record.name = submission.parent_path().filename().string();
  only.record.sha256 = identity.sha256;
  only.record.received_at = identity.received_at;
  if (!options_.attach_followups) return ProcessCase({only}, identity, {}, false, on_time_limit);
  // The watcher journals the case a follow-up was attached to as its case id; run again after a
  // crash, the envelope is first read as a case of its own (under its own id, never over the
  // case it follows up) and attached again.
  CaseIdentity own = identity;
  const fs::path& records_dir =
      options_.records_dir.empty() ? options_.out_dir : options_.records_dir;
  if (const auto on_file = followup::ReadCaseOnFile(records_dir, identity.case_id);
      on_file && !on_file->envelopes.empty() && on_file->envelopes.front().sha256 != identity.sha256) {
    std::string day = identity.received_at.substr(0, 10);
    std::erase(day, '-');
    own.case_id = day + "-" + identity.sha256.substr(0, 8);
  }
  return ProcessCase({only}, own, {}, true, on_time_limit);
}

report::ReportContext CaseProcessor::MakeReportContext() const {
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
  context.document_type_labels[kOtherType] = kOtherTypeLabel;
  return context;
}

CaseStagesInput CaseProcessor::StagesInput(const std::vector<EnvelopeInput>& envelopes,
                                           const CaseIdentity& identity, const fs::path& case_dir,
                                           const fs::path& records_dir,
                                           const report::ReportContext& context) const {
  CaseStagesInput in{.profile = profile_,
                     .ocr = ocr_,
                     .render_dpi = options_.render_dpi,
                     .low_ocr_confidence = options_.low_ocr_confidence,
                     .envelopes = {},
                     .file_hashes = identity.file_hashes,
                     .file_copies = identity.file_copies,
                     .case_dir = case_dir,
                     .records_dir = records_dir,
                     .report_context = context};
  for (const EnvelopeInput& envelope : envelopes) {
    in.envelopes.push_back({envelope.path, envelope.record.number, envelope.link});
  }
  return in;
}

// Runs `stages` under the case time limit (see the top of case_processor.h).
Status CaseProcessor::RunTimed(const std::vector<std::unique_ptr<Stage>>& stages, Case& c,
                               const audit::ProcessingContext& audit_context,
                               const fs::path& records_dir,
                               const TimeLimitHandler& on_time_limit) const {
  const Case before_stages = c;
  std::optional<Watchdog> watchdog;
  if (options_.case_time_limit.count() > 0 && on_time_limit) {
    watchdog.emplace(options_.case_time_limit, [&] {
      AbandonCase(before_stages, audit_context, records_dir, options_.keep_work,
                  options_.case_time_limit, on_time_limit);
    });
  }
  return RunStages(stages, c);
}

// Makes the case folder anew, keeping staff's review decisions. Fails when OUT cannot be written.
Status CaseProcessor::PrepareCaseFolder(const Case& c, const fs::path& case_dir,
                                        const fs::path& records_dir) const {
  auto decisions = stages::TakeDecisions(records_dir, c.id);
  if (!decisions.ok()) {  // the output folder cannot be written (the decisions' lock is in it)
    return Status::Fail("cannot create the case folder in the output folder (review "
                        "decisions: " + decisions.message() + ")");
  }
  std::error_code ec;
  fs::remove_all(case_dir, ec);  // a previous run of the same submission: made anew
  fs::create_directories(c.work_dir, ec);
  if (ec) return Status::Fail("cannot create the case folder in the output folder");
  if (Status kept = stages::PutDecisions(std::move(*decisions), case_dir); !kept.ok()) {
    return Status::Fail("the case's review decisions: " + kept.message());
  }
  return Status::Ok();
}

Outcome CaseProcessor::ProcessCase(const std::vector<EnvelopeInput>& envelopes,
                                   const CaseIdentity& identity,
                                   const std::vector<Finding>& carried_findings,
                                   bool decide_followup, const TimeLimitHandler& on_time_limit) {
  Outcome outcome;
  const auto start = std::chrono::steady_clock::now();
  Case c;
  c.submission_sha256 = identity.sha256;
  c.received_at = identity.received_at;
  c.submission_date = identity.received_at.substr(0, 10);
  c.id = identity.case_id;
  c.submission_name = envelopes.front().record.name;
  for (const EnvelopeInput& envelope : envelopes) c.envelopes.push_back(envelope.record);
  c.profile_id = profile_.id;
  c.profile_sha256 = profile_.sha256;
  outcome.case_id = c.id;
  outcome.case_dir = options_.out_dir / c.id;
  c.work_dir = outcome.case_dir / "work";

  const fs::path& records_dir =
      options_.records_dir.empty() ? options_.out_dir : options_.records_dir;
  // The same submission processed before into this folder (the watcher's journal stops its
  // duplicates before they get here; `process` says so in the report, as the watcher does). A
  // case of several envelopes was processed before by its nature.
  const auto earlier = envelopes.size() == 1
                           ? audit::FindProcessedSubmission(records_dir, c.submission_sha256)
                           : std::nullopt;
  if (earlier) {
    c.AddFinding(FindingCode::kDuplicateSubmission,
                 earlier->case_id == c.id
                     ? "同じ提出物が " + earlier->time +
                           " にも処理されています（このケースを作り直しました）"
                     : "同じ提出物が " + earlier->time + " にケース " + earlier->case_id +
                           " として処理されています");
  }
  if (Status prepared = PrepareCaseFolder(c, outcome.case_dir, records_dir); !prepared.ok()) {
    outcome.status = prepared;
    return outcome;
  }
  Log()->info("case {} started ({} envelope(s))", c.id, envelopes.size());

  const report::ReportContext context = MakeReportContext();
  const audit::ProcessingContext audit_context = AuditContext(context, ocr_);
  CaseStages case_stages = MakeCaseStages(StagesInput(envelopes, identity, outcome.case_dir,
                                                      records_dir, context));
  outcome.status = RunTimed(case_stages.reading, c, audit_context, records_dir, on_time_limit);
  case_stages.reading.clear();  // what they hold (an open PDF...) goes before a follow-up's run
  if (outcome.status.ok() && decide_followup) {
    followup::Decision decision = followup::Decide(c, records_dir);
    if (decision.attach_to) {
      if (auto attached = AttachTo(std::move(decision), envelopes.front(), identity, c,
                                   on_time_limit)) {
        return std::move(*attached);
      }
    } else if (decision.finding) {
      c.findings.push_back(std::move(*decision.finding));
    }
  }
  for (const Finding& f : carried_findings) c.findings.push_back(f);
  if (outcome.status.ok()) {
    outcome.status = RunTimed(case_stages.verdict, c, audit_context, records_dir, on_time_limit);
  }
  FinishCase(c, outcome, identity, audit_context, records_dir, start);
  return outcome;
}

// Processes the case the envelope belongs to again over all its envelopes, the new one last (an
// envelope it already holds is not added twice). nullopt when an earlier envelope's kept
// original is gone: the envelope then stays a case of its own, with FOLLOWUP_UNMATCHED.
std::optional<Outcome> CaseProcessor::AttachTo(followup::Decision decision,
                                               const EnvelopeInput& envelope,
                                               const CaseIdentity& identity, Case& own,
                                               const TimeLimitHandler& on_time_limit) {
  const followup::CaseOnFile& target = *decision.attach_to;
  std::vector<EnvelopeInput> all;
  for (const Envelope& earlier : target.envelopes) {
    if (earlier.sha256 == envelope.record.sha256) continue;
    EnvelopeInput input;
    input.path = target.dir / earlier.original;
    input.link = true;  // the kept original in the case folder is ours and never changes
    input.record = earlier;
    input.record.number = static_cast<int>(all.size()) + 1;
    std::error_code ec;
    if (earlier.original.empty() || !fs::exists(input.path, ec)) {
      own.AddFinding(FindingCode::kFollowupUnmatched,
                     "ケース " + target.case_id +
                         " の追加書類と思われますが、そのケースの原本が"
                         "見つからないため、別のケースとしました");
      return std::nullopt;
    }
    all.push_back(std::move(input));
  }
  EnvelopeInput latest = envelope;
  latest.record.number = static_cast<int>(all.size()) + 1;
  latest.record.matched_by = decision.matched_by;
  all.push_back(std::move(latest));
  // This envelope's own case folder is not published.
  std::error_code ec;
  fs::remove_all(options_.out_dir / own.id, ec);
  CaseIdentity case_identity;
  case_identity.case_id = target.case_id;
  case_identity.sha256 = all.front().record.sha256;
  case_identity.received_at = all.front().record.received_at;
  case_identity.file_hashes = identity.file_hashes;
  case_identity.file_copies = identity.file_copies;
  std::vector<Finding> carried;
  if (decision.finding) carried.push_back(std::move(*decision.finding));
  Log()->info("case {}: envelope attached to case {} as envelope {} ({})", own.id,
              target.case_id, all.size(), decision.matched_by);
  return ProcessCase(all, case_identity, carried, false, on_time_limit);
}

// The audit record, the work area, the outcome's summary and index.html.
void CaseProcessor::FinishCase(Case& c, Outcome& outcome, const CaseIdentity& identity,
                               const audit::ProcessingContext& audit_context,
                               const fs::path& records_dir,
                               std::chrono::steady_clock::time_point start) const {
  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
  // The audit record is written after the report (the record says what the report says) and
  // before the work area goes: files unpacked from archives are hashed there.
  const auto audited =
      outcome.status.ok()
          ? audit::AppendAuditRecord(
                records_dir, audit::kEventCaseProcessed, c.id,
                audit::CaseProcessedDetails(c, audit_context,
                                            CaseFileHashes(c, identity.file_hashes), elapsed_ms))
          : audit::AppendAuditRecord(
                records_dir, audit::kEventCaseFailed, c.id,
                audit::CaseFailedDetails(c, audit_context, outcome.status.message()));
  LogAuditOutcome(c.id, audited);
  if (!audited.ok()) {
    if (outcome.status.ok()) {
      outcome.status = Status::Fail("the audit trail could not be written: " + audited.message());
    }
  }
  std::error_code ec;
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
  outcome.envelopes = static_cast<int>(c.envelopes.size());
  if (options_.update_index) {
    if (auto listed = dashboard::UpdateDashboard(records_dir); !listed.ok()) {
      Log()->warn("case {}: {}", c.id, listed.message());
    }
  }
  Log()->info("case {} finished in {} ms: verdict {}, {} envelope(s), {} files, {} pages, {} "
              "findings",
              c.id, elapsed_ms, VerdictName(c.verdict), c.envelopes.size(), c.files.size(),
              c.pages.size(), c.findings.size());
}

}  // namespace intake::casework

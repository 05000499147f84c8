// CaseProcessor: one submission in, one case folder with report.json and report.html out.
//
// Builds the Case (id, hash, dates, work area), runs the stages in order (case_stages.h), fills
// the physician's case folder (stages/case_folder.h: documents by type, imaging, the original),
// writes the reports, appends the case's record to the output folder's audit trail (audit/),
// rebuilds the folder's index.html (dashboard/) and cleans the work area. The submission is only
// read. Used by `intake process` and by the inbox watcher (watch/), which fixes the case's
// identity itself so that a restart after a crash rewrites the same case folder. Not thread-safe:
// one processor per thread (the OCR pool inside is already parallel across pages).
//
// Time limit: the stages of one case may take at most ProcessOptions::case_time_limit. Poppler,
// DCMTK, libarchive and Tesseract's layout analysis cannot be interrupted, so a case that runs
// over is not stopped but abandoned: on a watchdog thread the processor logs where it was (stage
// and file id), appends a case_failed audit record, removes the work area and calls the caller's
// TimeLimitHandler, which must end or replace the process (`intake process` exits 1, the watcher
// journals the submission for the quarantine and restarts itself).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/case_record.h"
#include "casework/case_stages.h"
#include "config/profile.h"
#include "followup/followup.h"
#include "ocr/ocr_pool.h"
#include "pipeline/case_model.h"
#include "pipeline/findings.h"
#include "pipeline/result.h"
#include "pipeline/stage.h"
#include "pipeline/time_limits.h"
#include "report/report_context.h"

namespace intake::casework {

struct ProcessOptions {
  std::filesystem::path out_dir;
  bool keep_work = false;  // keep extracted files and rendered pages (for debugging)
  int render_dpi = 300;
  double low_ocr_confidence = kLowOcrConfidence;
  std::string program_version;
  bool update_index = true;  // rebuild OUT/index.html after the case
  // Where the audit trail (audit.log) and index.html live; empty: out_dir. The watcher writes the
  // case into a staging folder and publishes it into OUT itself, but the trail is OUT's.
  std::filesystem::path records_dir;
  // Keep the original in the case folder as a hard link rather than a copy: only for a caller
  // that owns the submission and never changes it (the watcher's claimed copy). `intake process`
  // copies: the submission stays the sender's, who may change it later.
  bool link_original = false;
  // Longest the stages of one case may take (see the top of this file); 0: no limit. Applies
  // only when Process is given a TimeLimitHandler.
  std::chrono::milliseconds case_time_limit{kDefaultCaseTimeLimit};
  // Look whether a submission follows up a case of the output folder (followup/followup.h) and,
  // when it does, process that case again over all its envelopes instead of making a new one.
  bool attach_followups = true;
};

// Where a case was when it ran over its time limit. Ids only: safe to log and print.
struct CaseTimeLimitHit {
  std::string case_id;
  std::string stage;    // the stage being worked on ("pages")
  std::string file_id;  // the file it was reading ("f0003"), empty when unknown
  std::chrono::milliseconds limit{0};
  // "case time limit of 2 s reached in stage pages, file f0001"
  std::string Describe() const;
};

// Called on the watchdog thread when a case runs over its time limit, while the stages are still
// running; it must end the process (exit) or replace it (exec). If it returns, the process exits
// with code 1.
using TimeLimitHandler = std::function<void(const CaseTimeLimitHit&)>;

struct Outcome {
  Status status;  // failure of the whole case (I/O, internal), not a verdict
  std::string case_id;
  std::filesystem::path case_dir;
  Verdict verdict = Verdict::kNeedsReview;
  std::vector<std::string> missing;       // requirement ids
  std::vector<std::string> needs_review;  // requirement ids
  // The envelopes the case holds now: more than one when the submission followed up a case
  // (case_id is then that case's, not a new one).
  int envelopes = 1;
};

// Who a case is. The case id is the local date it was received and the first 8 hex digits of
// the submission's SHA-256 ("20261121-1a2b3c4d").
struct CaseIdentity {
  std::string sha256;
  std::string case_id;
  std::string received_at;  // ISO 8601 local time; its date is the submission date
  // Each file's SHA-256 by path, when the caller has them from hashing (for the audit record;
  // files missing here are hashed again).
  std::map<std::string, std::string> file_hashes;
  // Copies of the files made while hashing them, by path (SubmissionHash): the case folder links
  // them into 11_原本/ instead of copying the files again.
  std::map<std::string, std::filesystem::path> file_copies;
};
// The identity of a submission with this hash received now.
CaseIdentity NewCaseIdentity(const std::string& sha256);

class CaseProcessor {
 public:
  CaseProcessor(const config::Profile& profile, ocr::OcrPool& ocr, ProcessOptions options);
  // Hashes the submission and processes it as received now.
  Outcome Process(const std::filesystem::path& submission,
                  const TimeLimitHandler& on_time_limit = {});
  // Processes it under a given identity (the caller hashed it); writes options.out_dir/case_id.
  Outcome Process(const std::filesystem::path& submission, const CaseIdentity& identity,
                  const TimeLimitHandler& on_time_limit = {});

 private:
  // One envelope of the case to process: where it is, and its record (number, name, hash...).
  struct EnvelopeInput {
    std::filesystem::path path;
    bool link = false;  // keep it as a hard link (see ProcessOptions::link_original)
    Envelope record;
  };

  // Processes `envelopes` as the case `identity`; with `decide_followup`, a single envelope that
  // follows up a case of the output folder is processed as that case instead (AttachTo).
  // `carried_findings` are added before the rules (FOLLOWUP_MATCHED).
  Outcome ProcessCase(const std::vector<EnvelopeInput>& envelopes, const CaseIdentity& identity,
                      const std::vector<Finding>& carried_findings, bool decide_followup,
                      const TimeLimitHandler& on_time_limit);
  std::optional<Outcome> AttachTo(followup::Decision decision, const EnvelopeInput& envelope,
                                  const CaseIdentity& identity, Case& own,
                                  const TimeLimitHandler& on_time_limit);
  report::ReportContext MakeReportContext() const;
  CaseStagesInput StagesInput(const std::vector<EnvelopeInput>& envelopes,
                              const CaseIdentity& identity, const std::filesystem::path& case_dir,
                              const std::filesystem::path& records_dir,
                              const report::ReportContext& context) const;
  Status RunTimed(const std::vector<std::unique_ptr<Stage>>& stages, Case& c,
                  const audit::ProcessingContext& audit_context,
                  const std::filesystem::path& records_dir,
                  const TimeLimitHandler& on_time_limit) const;
  Status PrepareCaseFolder(const Case& c, const std::filesystem::path& case_dir,
                           const std::filesystem::path& records_dir) const;
  void FinishCase(Case& c, Outcome& outcome, const CaseIdentity& identity,
                  const audit::ProcessingContext& audit_context,
                  const std::filesystem::path& records_dir,
                  std::chrono::steady_clock::time_point start) const;

  const config::Profile& profile_;
  ocr::OcrPool& ocr_;
  ProcessOptions options_;
};

// Copies of a submission's files made while SubmissionHash read them: in `dir` (which exists),
// one per file, by the file's path. A file whose copy failed (a full disk) has none.
struct FileCopies {
  std::filesystem::path dir;
  std::map<std::string, std::filesystem::path> by_path;
};

// SHA-256 of a file's bytes, or of a folder (sorted relative paths and their files' hashes).
// With `file_hashes_by_path`, also each file's own hash, keyed by its path; with `copies`, each
// file is also copied into copies->dir in the same pass (its hash is then that of its copy).
Result<std::string> SubmissionHash(const std::filesystem::path& submission);
Result<std::string> SubmissionHash(const std::filesystem::path& submission,
                                   std::map<std::string, std::string>* file_hashes_by_path,
                                   FileCopies* copies = nullptr);

}  // namespace intake::casework

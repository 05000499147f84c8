// The review server's view of an output folder: the case list (from the case folders'
// report.json files, cached by size and modification time so that 2,000 cases list quickly),
// one case's report with its decisions, and deciding (decisions.json, the recomputed
// report.json/report.html, the audit record, index.html).
//
// Files of a case folder written here: decisions.json (append-only records), report.pipeline.json
// (the pipeline's report, kept the first time a decision changes report.json), report.json and
// report.html (recomputed). A report.json without a "review" section is the pipeline's own: when
// the case was processed again and decisions.json came along (stages/decisions_file.h), the
// report is recomputed the next time the case is read.
//
// A case is being processed, and cannot be decided on, while the watcher's staging holds its
// folder (OUT/.intake/staging/<id>) or while its folder has no report.json (`intake process`
// writes it last). Thread-safe: the HTTP server calls it from its worker threads.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/profile.h"
#include "pipeline/result.h"
#include "serve/report_reader.h"

namespace intake::serve {

// One row of the case list. Patient data (name, reading, birth date): for the logged-in staff
// only, never logged.
struct CaseRow {
  std::string id;
  std::string patient_name;
  std::string patient_reading;  // フリガナ
  std::string birth_date;
  std::string department;
  std::string verdict;  // complete, incomplete, needs_review, rejected; "" unreadable
  // processing, to_review (verdict needs_review), waiting (incomplete: for the patient),
  // done (complete or rejected), unreadable.
  std::string state;
  std::string received_at;
  int days_waiting = 0;
  int decisions = 0;
  std::vector<std::string> needs_review;  // requirement ids
  std::vector<std::string> missing;
};
nlohmann::json RowJson(const CaseRow& row);

// Search and filters of the case list. `q` matches the case id, the name, the reading (hiragana
// and katakana alike, spaces ignored) or the birth date (with or without '-').
struct CaseFilter {
  std::string q;
  std::string verdict;  // empty: any
  std::string state;    // empty: any
};
bool Matches(const CaseRow& row, const CaseFilter& filter);
// The case to review next: the to_review case waiting longest (oldest first), or nullopt.
std::optional<std::string> NextToReview(const std::vector<CaseRow>& rows,
                                        const std::string& after_id = {});

// What a request gets: an HTTP status (200, 400, 404, 409, 500), a message for the others.
struct Answer {
  int status = 200;
  std::string message;  // English; no patient data
  nlohmann::json body;  // the report (with "decisions") for 200
};

// Case ids are folder names of the output folder: [A-Za-z0-9_-], 1-64, so no path can be made
// of one.
bool ValidCaseId(std::string_view id);
// Page ids as the pipeline makes them: 'p' and 4-9 digits.
bool ValidPageId(std::string_view id);

class CaseStore {
 public:
  CaseStore(std::filesystem::path out_dir, config::Profile profile);

  const std::filesystem::path& out_dir() const { return out_dir_; }
  const config::Profile& profile() const { return profile_; }

  // Every case folder, newest first.
  std::vector<CaseRow> List();
  // The case's report.json (recomputed when needed) with its decisions under "decisions".
  Answer Get(const std::string& id);
  // Validates and stores one decision by `user`; the answer's body is the recomputed report.
  Answer Decide(const std::string& id, const nlohmann::json& body, const std::string& user);
  // A file of the case folder the report names (a document's PDF, a key image), or nullopt.
  std::optional<std::filesystem::path> CaseFile(const std::string& id, const std::string& rel);
  // A page's image or the JSON of what was read from it (stages/page_evidence.h), as the
  // report's page names them, or nullopt (no such case, page or file).
  std::optional<std::filesystem::path> PageFile(const std::string& id, const std::string& page_id,
                                                bool image);
  // The JSON of what was read from each page of `report` that has one, by page id.
  std::map<std::string, nlohmann::json> PageTexts(const std::string& id,
                                                  const nlohmann::json& report);
  bool Busy(const std::string& id) const;

 private:
  struct Cached {
    std::uintmax_t size = 0;
    std::int64_t mtime_ns = 0;
    CaseRow row;
  };
  // A case's files as read: report.json, decisions.json, the pipeline's report (report.json
  // itself while `fresh`, i.e. without a review section) and the case made of it.
  struct Loaded {
    nlohmann::json report;
    nlohmann::json decisions;
    nlohmann::json pipeline;
    bool fresh = true;
    ReadReport base;
  };
  Result<Loaded> Load(const std::string& id) const;
  std::optional<CaseRow> Row(const std::filesystem::path& dir);
  // `rel` resolved inside the case folder `id`, a regular file, or nullopt.
  std::optional<std::filesystem::path> Inside(const std::string& id, const std::string& rel) const;
  // Writes the recomputed report.json and report.html (and first the pipeline's report, when
  // `keep_pipeline_report` is given); the caller holds the decisions lock.
  Answer Store(const std::string& id, const nlohmann::json& report, const std::string& html,
               const nlohmann::json* keep_pipeline_report);

  std::filesystem::path out_dir_;
  config::Profile profile_;
  std::mutex mutex_;  // guards cache_
  std::unordered_map<std::string, Cached> cache_;
};

}  // namespace intake::serve

// Progress of the case being processed, for a display on a terminal.
//
// Process-wide, like the logger: a front end installs one listener (app/terminal_progress.h),
// the stage runner reports each stage and the OCR pool each page it has read. Without a listener
// a report costs one atomic load. Reports come from worker threads too, so a listener must be
// thread-safe. Like log lines, reports carry ids and counts only, never patient data.
#pragma once

#include <cstddef>
#include <string_view>

namespace intake {

class ProgressListener {
 public:
  virtual ~ProgressListener() = default;
  // Stage `index` (1-based) of `count` starts for the case.
  virtual void OnStage(std::string_view case_id, std::string_view stage, int index, int count) = 0;
  // `done` of `total` items (e.g. "pages read") within the current stage.
  virtual void OnItems(std::string_view what, std::size_t done, std::size_t total) = 0;
  // The case's stages are over (finished or failed).
  virtual void OnCaseEnd(std::string_view case_id) = 0;
};

// Installs `listener` (nullptr: none). The caller keeps it alive while installed.
void SetProgressListener(ProgressListener* listener);

void ReportStage(std::string_view case_id, std::string_view stage, int index, int count);
void ReportItems(std::string_view what, std::size_t done, std::size_t total);
void ReportCaseEnd(std::string_view case_id);

}  // namespace intake

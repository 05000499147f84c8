// Progress of the case being processed, for a display on a terminal and for the message of a
// case that runs over its time limit.
//
// Process-wide, like the logger: a front end installs one listener (casework/terminal_progress.h),
// the stage runner reports each stage and the OCR pool each page it has read. Without a listener
// a report costs one atomic load. Reports come from worker threads too, so a listener must be
// thread-safe. Like log lines, reports carry ids and counts only, never patient data.
//
// Independently of any listener, the position (case id, stage, and the file a stage is reading,
// by file id) is always kept, so that the case time limit can say where a case got stuck.
#pragma once

#include <cstddef>
#include <string>
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

// The file ("f0003") a stage starts reading; ReportStage clears it. With several workers, the
// last one reported. Cheap (a mutex); call before each file, not each byte.
void ReportFile(std::string_view file_id);

struct WorkPosition {
  std::string case_id;
  std::string stage;    // empty before the first stage
  std::string file_id;  // empty when unknown
};
WorkPosition CurrentWorkPosition();

}  // namespace intake

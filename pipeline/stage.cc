#include "pipeline/stage.h"

#include <chrono>
#include <exception>
#include <string>

#include "pipeline/log.h"
#include "pipeline/progress.h"

namespace intake {

Status RunStages(const std::vector<std::unique_ptr<Stage>>& stages, Case& c) {
  struct EndReport {
    const Case& c;
    ~EndReport() { ReportCaseEnd(c.id); }
  } end_report{c};
  int index = 0;
  for (const auto& stage : stages) {
    ReportStage(c.id, stage->name(), ++index, static_cast<int>(stages.size()));
    const auto start = std::chrono::steady_clock::now();
    Status status;
    try {
      status = stage->Run(c);
    } catch (const std::exception& e) {
      // Exception texts from libraries may quote input; keep only the type of failure.
      status = Status::Fail("unexpected exception");
    } catch (...) {
      status = Status::Fail("unexpected non-standard exception");
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    if (!status.ok()) {
      Log()->error("case {} stage {} failed after {} ms: {}", c.id, stage->name(), ms,
                   status.message());
      return Status::Fail(std::string(stage->name()) + ": " + status.message());
    }
    Log()->debug("case {} stage {} done in {} ms (files={}, pages={}, documents={}, findings={})",
                 c.id, stage->name(), ms, c.files.size(), c.pages.size(), c.documents.size(),
                 c.findings.size());
  }
  return Status::Ok();
}

}  // namespace intake

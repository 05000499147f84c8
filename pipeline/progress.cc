#include "pipeline/progress.h"

#include <atomic>
#include <mutex>

namespace intake {
namespace {

std::atomic<ProgressListener*> g_listener{nullptr};

std::mutex g_position_mutex;
WorkPosition g_position;  // guarded by g_position_mutex

}  // namespace

void SetProgressListener(ProgressListener* listener) { g_listener.store(listener); }

void ReportStage(std::string_view case_id, std::string_view stage, int index, int count) {
  {
    std::lock_guard<std::mutex> lock(g_position_mutex);
    g_position = {std::string(case_id), std::string(stage), {}};
  }
  if (ProgressListener* l = g_listener.load()) l->OnStage(case_id, stage, index, count);
}

void ReportItems(std::string_view what, std::size_t done, std::size_t total) {
  if (ProgressListener* l = g_listener.load()) l->OnItems(what, done, total);
}

void ReportCaseEnd(std::string_view case_id) {
  {
    std::lock_guard<std::mutex> lock(g_position_mutex);
    g_position = {};
  }
  if (ProgressListener* l = g_listener.load()) l->OnCaseEnd(case_id);
}

void ReportFile(std::string_view file_id) {
  std::lock_guard<std::mutex> lock(g_position_mutex);
  g_position.file_id = file_id;
}

WorkPosition CurrentWorkPosition() {
  std::lock_guard<std::mutex> lock(g_position_mutex);
  return g_position;
}

}  // namespace intake

#include "pipeline/progress.h"

#include <atomic>

namespace intake {
namespace {

std::atomic<ProgressListener*> g_listener{nullptr};

}  // namespace

void SetProgressListener(ProgressListener* listener) { g_listener.store(listener); }

void ReportStage(std::string_view case_id, std::string_view stage, int index, int count) {
  if (ProgressListener* l = g_listener.load()) l->OnStage(case_id, stage, index, count);
}

void ReportItems(std::string_view what, std::size_t done, std::size_t total) {
  if (ProgressListener* l = g_listener.load()) l->OnItems(what, done, total);
}

void ReportCaseEnd(std::string_view case_id) {
  if (ProgressListener* l = g_listener.load()) l->OnCaseEnd(case_id);
}

}  // namespace intake

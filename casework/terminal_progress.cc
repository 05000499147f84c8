#include "casework/terminal_progress.h"

#include <spdlog/sinks/base_sink.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "pipeline/log.h"
#include "pipeline/progress.h"

namespace intake::casework {
namespace {

// The log sink and the progress listener in one, so both write under one mutex.
class TerminalProgress final : public spdlog::sinks::base_sink<std::mutex>,
                               public ProgressListener {
 public:
  void OnStage(std::string_view case_id, std::string_view stage, int index, int count) override {
    std::lock_guard<std::mutex> lock(mutex_);
    case_id_ = case_id;
    stage_ = std::to_string(index) + "/" + std::to_string(count) + " " + std::string(stage);
    items_.clear();
    Draw(true);
  }
  void OnItems(std::string_view what, std::size_t done, std::size_t total) override {
    std::lock_guard<std::mutex> lock(mutex_);
    items_ = ": " + std::to_string(done) + "/" + std::to_string(total) + " " + std::string(what);
    Draw(done == total);
  }
  void OnCaseEnd(std::string_view) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Clear();
    case_id_.clear();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    Clear();
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
    if (!case_id_.empty()) Draw(true);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  // Caller holds mutex_. At most ten redraws a second unless `force`.
  void Draw(bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    const std::string line = "\r\033[K[" + case_id_ + "] " + stage_ + items_;
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
    shown_ = true;
  }
  void Clear() {
    if (!shown_) return;
    std::fputs("\r\033[K", stderr);
    shown_ = false;
  }

  std::string case_id_, stage_, items_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool shown_ = false;
};

}  // namespace

bool InstallTerminalProgress(bool enabled) {
  if (!enabled || !::isatty(STDERR_FILENO)) return false;
  static std::shared_ptr<TerminalProgress> display = std::make_shared<TerminalProgress>();
  display->set_formatter(MakeLogFormatter());
  auto& sinks = Log()->sinks();
  sinks.clear();
  sinks.push_back(display);
  SetProgressListener(display.get());
  return true;
}

}  // namespace intake::casework

#include "pipeline/watchdog.h"

#include <utility>

namespace intake {

Watchdog::Watchdog(std::chrono::steady_clock::duration limit, std::function<void()> on_expiry)
    : on_expiry_(std::move(on_expiry)),
      thread_([this, deadline = std::chrono::steady_clock::now() + limit] { Wait(deadline); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    disarmed_ = true;
  }
  disarmed_cv_.notify_one();
  thread_.join();
}

void Watchdog::Wait(std::chrono::steady_clock::time_point deadline) {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (disarmed_cv_.wait_until(lock, deadline, [this] { return disarmed_; })) return;
  }
  on_expiry_();
}

}  // namespace intake

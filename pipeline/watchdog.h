// Watchdog: calls a function on its own thread when a deadline passes before it is disarmed.
//
// For work that cannot be cancelled (a library that never returns from a hostile file): the
// caller arms a watchdog around the work, and the function it calls when time runs out ends the
// process, or replaces it (exec), since the stuck thread cannot be stopped. Destroying the
// watchdog disarms it; if the function has already started, the destructor waits for it to
// return (it usually never does), so the caller cannot go on beside it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace intake {

class Watchdog {
 public:
  // Starts a thread that calls `on_expiry` once `limit` has passed, unless destroyed first.
  Watchdog(std::chrono::steady_clock::duration limit, std::function<void()> on_expiry);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void Wait(std::chrono::steady_clock::time_point deadline);

  std::function<void()> on_expiry_;
  std::mutex mutex_;
  std::condition_variable disarmed_cv_;
  bool disarmed_ = false;  // guarded by mutex_
  std::thread thread_;     // last: starts after the members it uses
};

}  // namespace intake

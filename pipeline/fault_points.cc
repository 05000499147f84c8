#include "pipeline/fault_points.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

namespace intake {
namespace {

// A point named by an environment variable: NAME or NAME#N (names themselves contain ':').
// Reaching it `count` times triggers it; points may be reached from several threads.
class Plan {
 public:
  explicit Plan(const char* variable) {
    const char* value = std::getenv(variable);
    if (!value || !*value) return;
    std::string spec = value;
    const auto hash = spec.rfind('#');
    int count = 1;
    if (hash != std::string::npos) {
      count = std::max(1, std::atoi(spec.c_str() + hash + 1));
      spec.resize(hash);
    }
    name_ = spec;
    remaining_.store(count);
  }
  // True the time the point is reached for the count-th time.
  bool Reached(std::string_view name) {
    if (name_.empty() || name_ != name) return false;
    return remaining_.fetch_sub(1) == 1;
  }

 private:
  std::string name_;
  std::atomic<int> remaining_{0};
};

}  // namespace

void CrashPoint(std::string_view name) {
  static Plan plan("INTAKE_CRASH_AT");
  if (!plan.Reached(name)) return;
  constexpr char kMessage[] = "intake: crash point reached, killing the process\n";
  [[maybe_unused]] ssize_t n = ::write(2, kMessage, sizeof kMessage - 1);
  ::kill(::getpid(), SIGKILL);
}

bool InjectedFailure(std::string_view name) {
  static const std::string kPlanned = [] {
    const char* value = std::getenv("INTAKE_FAIL_AT");
    return std::string(value ? value : "");
  }();
  return !kPlanned.empty() && kPlanned == name;
}

void HangPoint(std::string_view name) {
  static Plan plan(kHangAtVariable);
  if (!plan.Reached(name)) return;
  constexpr char kMessage[] = "intake: hang point reached, sleeping forever\n";
  [[maybe_unused]] ssize_t n = ::write(2, kMessage, sizeof kMessage - 1);
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}

void PausePoint(std::string_view name) {
  static Plan plan("INTAKE_PAUSE_AT");
  if (!plan.Reached(name)) return;
  const char* seconds = std::getenv("INTAKE_PAUSE_SECONDS");
  const int pause = seconds != nullptr ? std::max(0, std::atoi(seconds)) : 5;
  constexpr char kMessage[] = "intake: pause point reached\n";
  [[maybe_unused]] ssize_t n = ::write(2, kMessage, sizeof kMessage - 1);
  std::this_thread::sleep_for(std::chrono::seconds(pause));
}

}  // namespace intake

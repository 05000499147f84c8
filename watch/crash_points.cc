#include "watch/crash_points.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace intake::watch {
namespace {

struct Plan {
  std::string name;
  int remaining = 0;  // crash when it reaches 0
};

Plan& PlanFromEnvironment() {
  static Plan plan = [] {
    Plan p;
    const char* value = std::getenv("INTAKE_CRASH_AT");
    if (!value || !*value) return p;
    std::string spec = value;
    // NAME or NAME#N (names themselves contain ':').
    const auto hash = spec.rfind('#');
    p.remaining = 1;
    if (hash != std::string::npos) {
      p.remaining = std::max(1, std::atoi(spec.c_str() + hash + 1));
      spec.resize(hash);
    }
    p.name = spec;
    return p;
  }();
  return plan;
}

}  // namespace

void CrashPoint(std::string_view name) {
  Plan& plan = PlanFromEnvironment();
  if (plan.name.empty() || plan.name != name) return;
  if (--plan.remaining > 0) return;
  constexpr char kMessage[] = "intake: crash point reached, killing the process\n";
  [[maybe_unused]] ssize_t n = ::write(2, kMessage, sizeof kMessage - 1);
  ::kill(::getpid(), SIGKILL);
}

bool InjectedFailure(std::string_view name) {
  static const std::string planned = [] {
    const char* value = std::getenv("INTAKE_FAIL_AT");
    return std::string(value ? value : "");
  }();
  return !planned.empty() && planned == name;
}

}  // namespace intake::watch

#include "watch/stop_signal.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace intake::watch {
namespace {

std::atomic<int> g_signals{0};
int g_pipe[2] = {-1, -1};

void EnsurePipe() {
  if (g_pipe[0] >= 0) return;
  if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_pipe[0] = g_pipe[1] = -1;
}

void OnSignal(int) {
  if (g_signals.fetch_add(1) >= 1) {
    constexpr char kMessage[] = "intake: second signal, exiting now\n";
    [[maybe_unused]] ssize_t n = ::write(2, kMessage, sizeof kMessage - 1);
    ::_exit(130);
  }
  constexpr char kMessage[] =
      "intake: stopping after the current step (signal again to exit now)\n";
  [[maybe_unused]] ssize_t n = ::write(2, kMessage, sizeof kMessage - 1);
  if (g_pipe[1] >= 0) n = ::write(g_pipe[1], "x", 1);
}

}  // namespace

void InstallStopSignals() {
  EnsurePipe();
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool StopRequested() { return g_signals.load() > 0; }

int StopWakeFd() {
  EnsurePipe();
  return g_pipe[0];
}

void RequestStop() {
  EnsurePipe();
  g_signals.fetch_add(1);
  if (g_pipe[1] >= 0) [[maybe_unused]]
    ssize_t n = ::write(g_pipe[1], "x", 1);
}

}  // namespace intake::watch

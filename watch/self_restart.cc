#include "watch/self_restart.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "pipeline/fault_points.h"
#include "pipeline/log.h"

extern char** environ;

namespace intake::watch {
namespace {

// Marks every descriptor above 2 close-on-exec: close_range (Linux 5.11), else one by one.
void CloseOnExecAboveStderr() {
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  const long max = ::sysconf(_SC_OPEN_MAX);
  for (int fd = 3; fd < (max > 0 ? max : 1024); ++fd) {
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}

}  // namespace

void RestartSelf(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::string hang = std::string(kHangAtVariable) + "=";
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, hang.c_str(), hang.size()) != 0) env.push_back(*e);
  }
  env.push_back(nullptr);
  Log()->flush();
  CloseOnExecAboveStderr();
  ::execve("/proc/self/exe", args.data(), env.data());
}

}  // namespace intake::watch

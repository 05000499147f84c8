#include "watch/inbox_events.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>

#include "pipeline/log.h"
#include "watch/stop_signal.h"

namespace intake::watch {

InboxEvents::InboxEvents(const std::filesystem::path& inbox) {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) {
    Log()->warn("event=inotify_unavailable errno={} (rescans only)", errno);
    return;
  }
  constexpr std::uint32_t kMask =
      IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_DELETE | IN_ATTRIB | IN_ONLYDIR;
  if (::inotify_add_watch(fd_, inbox.c_str(), kMask) < 0) {
    Log()->warn("event=inotify_unavailable errno={} (rescans only)", errno);
    ::close(fd_);
    fd_ = -1;
  }
}

InboxEvents::~InboxEvents() {
  if (fd_ >= 0) ::close(fd_);
}

void InboxEvents::Wait(std::chrono::milliseconds timeout, int extra_fd) {
  pollfd fds[3];
  int n = 0;
  if (extra_fd >= 0) fds[n++] = {extra_fd, POLLIN, 0};
  if (fd_ >= 0) fds[n++] = {fd_, POLLIN, 0};
  if (StopWakeFd() >= 0) fds[n++] = {StopWakeFd(), POLLIN, 0};
  const auto ms = std::clamp<long long>(timeout.count(), 0, 24LL * 3600 * 1000);
  ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(ms));
}

bool InboxEvents::Drain() {
  if (fd_ < 0) return false;
  bool any = false;
  alignas(inotify_event) char buf[16384];
  for (;;) {
    const ssize_t r = ::read(fd_, buf, sizeof buf);
    if (r <= 0) break;  // EAGAIN: nothing more pending
    any = true;
  }
  return any;
}

}  // namespace intake::watch

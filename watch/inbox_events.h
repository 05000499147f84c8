// Inbox events from inotify: hints that something changed, so the watcher looks sooner.
//
// Events are hints and never the truth: network shares deliver none, the kernel queue can
// overflow, and subfolders are not watched. The watcher rescans the whole inbox on every hint and
// periodically without one (watch/watcher.h); a missed event only delays a submission until the
// next rescan. Used by the watcher thread only.
#pragma once

#include <chrono>
#include <filesystem>

namespace intake::watch {

class InboxEvents {
 public:
  // Starts watching `inbox` (top level: creations, moves in and out, closes after writing,
  // deletions). When inotify cannot be used, active() is false and Wait() only sleeps.
  explicit InboxEvents(const std::filesystem::path& inbox);
  ~InboxEvents();
  InboxEvents(const InboxEvents&) = delete;
  InboxEvents& operator=(const InboxEvents&) = delete;

  bool active() const { return fd_ >= 0; }

  // Blocks until an inbox event, a stop request (watch/stop_signal.h), `extra_fd` readable (a
  // shared journal's notifications; -1: none) or `timeout`. Does not consume the events: call
  // Drain() next.
  void Wait(std::chrono::milliseconds timeout, int extra_fd = -1);

  // Non-blocking: reads and discards every pending event. True when any arrived (including a
  // queue overflow) since the last call.
  bool Drain();

 private:
  int fd_ = -1;
};

}  // namespace intake::watch

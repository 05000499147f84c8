// Settle logic: when is a dropped file or folder finished arriving?
//
// The tracker is fed whole inbox scans (watch/inbox.h) with the time they were taken, and says
// which entries are ready:
// - an entry with a NAME.ready marker beside it is ready at once;
// - otherwise an entry is ready when two scans at least `settle` apart saw the same signature
//   (size, mtime, inode, and for folders every file inside) and, for a folder, no file with an
//   in-progress name (*.part, ~$*...) is inside.
// Whether the bytes also look complete for their format (ProbeEntry) is checked by the caller on
// the entries this returns, because it reads files; an entry whose format looks incomplete is
// claimed anyway once it has been quiet for `incomplete_grace` (a truncated PDF must still
// become a case with a CORRUPT_FILE finding, not wait in the inbox forever).
//
// Pure: no file system, no clock of its own (tests pass the time). Single-threaded.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "watch/inbox.h"

namespace intake::watch {

class SettleTracker {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SettleTracker(Clock::duration settle) : settle_(settle) {}

  // Records one complete scan taken at `now`. Entries missing from it are forgotten (a name
  // that comes back later starts settling from scratch).
  void Observe(const std::vector<InboxEntry>& scan, Clock::time_point now);

  struct Candidate {
    InboxEntry entry;
    Clock::duration quiet_for{};  // how long the signature has been unchanged
    bool by_marker = false;
  };
  // Entries ready at `now`, in the order they were first seen (then by name).
  std::vector<Candidate> Ready(Clock::time_point now) const;

  // The earliest time after `now` at which a waiting entry could become ready if nothing
  // changes (a scan then will tell); nullopt when no entry is waiting.
  std::optional<Clock::time_point> NextDeadline(Clock::time_point now) const;

  // Entries seen and not ready yet (settling, or held back by an in-progress name inside).
  std::size_t waiting(Clock::time_point now) const;

  // Stops tracking `name` (it was claimed).
  void Forget(const std::string& name) { tracked_.erase(name); }

 private:
  struct Tracked {
    InboxEntry last;
    Clock::time_point first_seen;
    Clock::time_point stable_since;  // first scan that saw the current signature
    std::uint64_t order = 0;         // arrival order
  };
  bool IsReady(const Tracked& t, Clock::time_point now) const;

  Clock::duration settle_;
  std::map<std::string, Tracked> tracked_;
  std::uint64_t next_order_ = 0;
};

}  // namespace intake::watch

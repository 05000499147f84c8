#include "watch/settle.h"

#include <algorithm>
#include <set>

namespace intake::watch {

void SettleTracker::Observe(const std::vector<InboxEntry>& scan, Clock::time_point now) {
  std::set<std::string> present;
  for (const auto& entry : scan) {
    present.insert(entry.name);
    auto it = tracked_.find(entry.name);
    if (it == tracked_.end()) {
      tracked_.emplace(entry.name, Tracked{entry, now, now, next_order_++});
      continue;
    }
    Tracked& t = it->second;
    if (!t.last.SameSignature(entry)) t.stable_since = now;
    t.last = entry;  // keeps has_marker current
  }
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    it = present.count(it->first) ? std::next(it) : tracked_.erase(it);
  }
}

bool SettleTracker::IsReady(const Tracked& t, Clock::time_point now) const {
  if (t.last.has_marker) return true;
  if (t.last.in_progress_inside) return false;
  return now - t.stable_since >= settle_;
}

std::vector<SettleTracker::Candidate> SettleTracker::Ready(Clock::time_point now) const {
  std::vector<const Tracked*> ready;
  for (const auto& [name, t] : tracked_)
    if (IsReady(t, now)) ready.push_back(&t);
  std::sort(ready.begin(), ready.end(),
            [](const Tracked* a, const Tracked* b) { return a->order < b->order; });
  std::vector<Candidate> out;
  for (const Tracked* t : ready)
    out.push_back({t->last, now - t->stable_since, t->last.has_marker});
  return out;
}

std::optional<SettleTracker::Clock::time_point> SettleTracker::NextDeadline(
    Clock::time_point now) const {
  std::optional<Clock::time_point> earliest;
  for (const auto& [name, t] : tracked_) {
    if (t.last.has_marker || t.last.in_progress_inside) continue;
    const Clock::time_point due = t.stable_since + settle_;
    if (due <= now) continue;  // ready already
    if (!earliest || due < *earliest) earliest = due;
  }
  return earliest;
}

std::size_t SettleTracker::waiting(Clock::time_point now) const {
  return static_cast<std::size_t>(std::count_if(
      tracked_.begin(), tracked_.end(), [&](auto& kv) { return !IsReady(kv.second, now); }));
}

}  // namespace intake::watch

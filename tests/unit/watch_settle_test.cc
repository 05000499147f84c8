// Settle logic of the inbox watcher (watch/settle.h), with an injected clock.
#include <gtest/gtest.h>

#include "watch/settle.h"

namespace intake::watch {
namespace {

using namespace std::chrono_literals;
using Clock = SettleTracker::Clock;

InboxEntry File(std::string name, std::uint64_t size, std::int64_t mtime = 1,
                std::uint64_t inode = 7) {
  InboxEntry e;
  e.name = std::move(name);
  e.size = size;
  e.mtime_ns = mtime;
  e.inode = inode;
  return e;
}

std::vector<std::string> Names(const std::vector<SettleTracker::Candidate>& ready) {
  std::vector<std::string> out;
  for (const auto& c : ready) out.push_back(c.entry.name);
  return out;
}

class SettleTest : public ::testing::Test {
 protected:
  Clock::time_point t0 = Clock::time_point() + 1000s;
  SettleTracker tracker{5s};
};

TEST_F(SettleTest, NewFileIsNotReadyOnFirstSight) {
  tracker.Observe({File("a.pdf", 10)}, t0);
  EXPECT_TRUE(tracker.Ready(t0).empty());
  EXPECT_EQ(tracker.waiting(t0), 1u);
  ASSERT_TRUE(tracker.NextDeadline(t0).has_value());
  EXPECT_EQ(*tracker.NextDeadline(t0), t0 + 5s);
}

TEST_F(SettleTest, UnchangedForTheSettleTimeIsReady) {
  tracker.Observe({File("a.pdf", 10)}, t0);
  tracker.Observe({File("a.pdf", 10)}, t0 + 4999ms);
  EXPECT_TRUE(tracker.Ready(t0 + 4999ms).empty());
  tracker.Observe({File("a.pdf", 10)}, t0 + 5s);
  const auto ready = tracker.Ready(t0 + 5s);
  ASSERT_EQ(Names(ready), std::vector<std::string>{"a.pdf"});
  EXPECT_EQ(ready[0].quiet_for, 5s);
  EXPECT_FALSE(ready[0].by_marker);
  EXPECT_EQ(tracker.waiting(t0 + 5s), 0u);
  EXPECT_FALSE(tracker.NextDeadline(t0 + 5s).has_value());
}

TEST_F(SettleTest, GrowingFileRestartsTheQuietTime) {
  // A file written slowly: every look sees a new size, so it never settles while it grows.
  for (int i = 0; i < 10; ++i) {
    tracker.Observe({File("slow.pdf", 100 * (i + 1), i)}, t0 + i * 3s);
    EXPECT_TRUE(tracker.Ready(t0 + i * 3s).empty()) << i;
  }
  const auto last = t0 + 27s;
  tracker.Observe({File("slow.pdf", 1000, 9)}, last + 5s);
  EXPECT_EQ(Names(tracker.Ready(last + 5s)), std::vector<std::string>{"slow.pdf"});
}

TEST_F(SettleTest, EachSignatureFieldCounts) {
  InboxEntry base = File("x", 10, 1, 7);
  auto changed = [&](auto mutate) {
    SettleTracker t{5s};
    t.Observe({base}, t0);
    InboxEntry e = base;
    mutate(e);
    t.Observe({e}, t0 + 5s);
    return t.Ready(t0 + 5s).empty();
  };
  EXPECT_FALSE(changed([](InboxEntry&) {}));
  EXPECT_TRUE(changed([](InboxEntry& e) { e.size = 11; }));
  EXPECT_TRUE(changed([](InboxEntry& e) { e.mtime_ns = 2; }));
  EXPECT_TRUE(changed([](InboxEntry& e) { e.inode = 8; }));  // replaced by a rename
  EXPECT_TRUE(changed([](InboxEntry& e) { e.tree_digest = 99; }));
  EXPECT_TRUE(changed([](InboxEntry& e) { e.file_count = 3; }));
}

TEST_F(SettleTest, MarkerMakesReadyAtOnce) {
  InboxEntry e = File("scan.pdf", 10);
  e.has_marker = true;
  tracker.Observe({e}, t0);
  const auto ready = tracker.Ready(t0);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_TRUE(ready[0].by_marker);
}

TEST_F(SettleTest, FolderWithAFileInProgressWaits) {
  InboxEntry folder = File("envelope", 10);
  folder.kind = EntryKind::kFolder;
  folder.in_progress_inside = true;
  tracker.Observe({folder}, t0);
  tracker.Observe({folder}, t0 + 60s);
  EXPECT_TRUE(tracker.Ready(t0 + 60s).empty());
  EXPECT_EQ(tracker.waiting(t0 + 60s), 1u);
  folder.in_progress_inside = false;  // the copy finished: its signature changed
  tracker.Observe({folder}, t0 + 61s);
  EXPECT_TRUE(tracker.Ready(t0 + 61s).empty());
  tracker.Observe({folder}, t0 + 66s);
  EXPECT_EQ(Names(tracker.Ready(t0 + 66s)), std::vector<std::string>{"envelope"});
}

TEST_F(SettleTest, VanishedEntryIsForgottenAndStartsAgain) {
  tracker.Observe({File("a.pdf", 10)}, t0);
  tracker.Observe({}, t0 + 3s);
  tracker.Observe({File("a.pdf", 10)}, t0 + 6s);
  EXPECT_TRUE(tracker.Ready(t0 + 6s).empty());
  tracker.Observe({File("a.pdf", 10)}, t0 + 11s);
  EXPECT_EQ(Names(tracker.Ready(t0 + 11s)).size(), 1u);
}

TEST_F(SettleTest, ReadyInArrivalOrderAndForgetAfterClaim) {
  tracker.Observe({File("b", 1)}, t0);
  tracker.Observe({File("a", 1), File("b", 1)}, t0 + 1s);
  tracker.Observe({File("a", 1), File("b", 1)}, t0 + 6s);
  EXPECT_EQ(Names(tracker.Ready(t0 + 6s)), (std::vector<std::string>{"b", "a"}));
  tracker.Forget("b");
  EXPECT_EQ(Names(tracker.Ready(t0 + 6s)), std::vector<std::string>{"a"});
}

TEST_F(SettleTest, NextDeadlineIsTheEarliestFutureOne) {
  tracker.Observe({File("a", 1)}, t0);
  tracker.Observe({File("a", 1), File("b", 1)}, t0 + 2s);
  EXPECT_EQ(*tracker.NextDeadline(t0 + 2s), t0 + 5s);
  EXPECT_EQ(*tracker.NextDeadline(t0 + 5s), t0 + 7s);  // a is due already: b is next
}

}  // namespace
}  // namespace intake::watch

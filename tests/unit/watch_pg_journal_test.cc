// The shared journal in PostgreSQL (watch/pg_journal.h) against a real PostgreSQL 15, started
// for each test process by tests/e2e/pg_lib.sh (initdb + pg_ctl in /tmp, a free port) and
// stopped at its end; skipped where PostgreSQL 15 is not installed. Leases (a held row is
// skipped, an expired one taken over with a higher epoch), fencing (a watcher whose lease ran out
// can neither publish nor move the row), two submissions with the same bytes decided one after
// the other, the schema's version, worker health and pruning.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "tests/support/status_matchers.h"
#include "watch/pg_journal.h"

using intake::testing::IsOk;

namespace intake::watch {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kPgLib = std::string(INTAKE_SOURCE_DIR) + "/tests/e2e/pg_lib.sh";

// Runs a bash snippet and returns its standard output and exit code.
std::pair<std::string, int> Shell(const std::string& script) {
  const std::string command = "bash -c '" + script + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {"", -1};
  std::string out;
  std::array<char, 512> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  const int status = ::pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

// One PostgreSQL server for the test process.
class PgServer : public ::testing::Environment {
 public:
  void SetUp() override {
    auto [out, rc] = Shell("source " + kPgLib + " && pg_start >&2 && echo \"$PG_URL $PG_DIR\"");
    if (rc == 77) {
      skip_ = "PostgreSQL 15 is not installed (scripts/setup.sh installs postgresql-15)";
      return;
    }
    std::istringstream words(out);
    words >> url_ >> dir_;
    if (rc != 0 || url_.empty()) skip_ = "PostgreSQL could not be started: " + out;
  }
  void TearDown() override {
    if (!dir_.empty()) Shell("source " + kPgLib + " && PG_DIR=" + dir_ + " && pg_stop");
  }
  static std::string url_, dir_, skip_;
};
std::string PgServer::url_, PgServer::dir_, PgServer::skip_;
const auto* const kServer = ::testing::AddGlobalTestEnvironment(new PgServer);

class PgJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PgServer::skip_.empty()) GTEST_SKIP() << PgServer::skip_;
    // Each test in its own database, so that tests do not see each other's rows.
    db_ = "t" + std::to_string(::getpid());
    auto [out, rc] = Shell("psql \"" + PgServer::url_ + "\" -qAt -c \"DROP DATABASE IF EXISTS " +
                           db_ + "\" -c \"CREATE DATABASE " + db_ + "\"");
    ASSERT_EQ(rc, 0) << out;
    url_ = PgServer::url_.substr(0, PgServer::url_.rfind('/') + 1) + db_;
  }
  std::unique_ptr<Journal> Open(bool worker, std::chrono::milliseconds lease = 30s,
                                bool heartbeat = true) {
    PgJournalOptions options;
    options.url = url_;
    options.as_worker = worker;
    options.lease = lease;
    options.heartbeat = heartbeat;
    auto j = OpenPgJournal(options);
    EXPECT_THAT(j, IsOk());
    return j.ok() ? std::move(*j) : nullptr;
  }
  // A row claimed by `j` and free for any watcher.
  std::int64_t Claimed(Journal& j, const std::string& name) {
    auto e = j.AddClaiming(EntryKind::kFile, name, false, "/work");
    EXPECT_THAT(e, IsOk());
    EXPECT_EQ(e->lease_owner, j.worker_id());
    EXPECT_THAT(j.Transition(e->id, {State::kClaiming}, State::kClaimed), IsOk());
    EXPECT_THAT(j.ReleaseLease(e->id), IsOk());
    return e->id;
  }

  std::string db_, url_;
};

TEST_F(PgJournalTest, CreatesTheSchemaOnceAndKeepsRowsAcrossConnections) {
  auto a = Open(false);
  ASSERT_TRUE(a);
  auto b = Open(false);  // the schema is there: nothing to migrate
  ASSERT_TRUE(b);
  auto [version, rc] = Shell("psql \"" + url_ + "\" -qAt -c \"SELECT version FROM intake_schema\"");
  EXPECT_EQ(version, std::to_string(kPgSchemaVersion) + "\n");
  auto e = a->AddClaiming(EntryKind::kFolder, "封筒 1", true, "/work");
  ASSERT_THAT(e, IsOk());
  EXPECT_EQ(e->work_path, fs::path("/work") / std::to_string(e->id) / "封筒 1");
  EXPECT_TRUE(e->lease_owner.empty());  // not a worker: no lease
  auto seen = b->Get(e->id);
  ASSERT_THAT(seen, IsOk());
  EXPECT_EQ(seen->inbox_name, "封筒 1");
  EXPECT_TRUE(seen->via_marker);
  EXPECT_FALSE(b->Transition(e->id, {State::kProcessing}, State::kArchiving).ok());
  ASSERT_THAT(b->Transition(e->id, {State::kClaiming}, State::kClaimed, {}, "x"), IsOk());
  EXPECT_EQ(a->History(e->id)->size(), 2u);
}

TEST_F(PgJournalTest, NewerSchemaIsRefused) {
  ASSERT_TRUE(Open(false));
  Shell("psql \"" + url_ + "\" -qAt -c \"UPDATE intake_schema SET version = 99\"");
  PgJournalOptions options;
  options.url = url_;
  auto newer = OpenPgJournal(options);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.message().find("newer intake"), std::string::npos) << newer.message();
}

TEST_F(PgJournalTest, AHeldRowIsSkippedAndAnExpiredOneTakenOverWithAHigherEpoch) {
  auto paused = Open(true, 600ms, /*heartbeat=*/false);
  auto other = Open(true, 30s);
  ASSERT_TRUE(paused && other);
  const std::int64_t id = Claimed(*paused, "a.pdf");
  auto first = paused->LeaseNext({State::kClaimed});
  ASSERT_TRUE(first.ok() && first->has_value()) << first.message();
  EXPECT_EQ((*first)->id, id);
  const std::int64_t epoch = (*first)->lease_epoch;

  auto none = other->LeaseNext({State::kClaimed});
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value()) << "a row under a live lease must be skipped";

  std::this_thread::sleep_for(900ms);  // no heartbeat: the lease runs out
  auto stuck = other->List({State::kClaimed});
  ASSERT_THAT(stuck, IsOk());
  ASSERT_EQ(stuck->size(), 1u);
  EXPECT_TRUE((*stuck)[0].lease_expired) << "status shows the stuck lease";
  auto taken = other->LeaseNext({State::kClaimed});
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ((*taken)->lease_owner, other->worker_id());
  EXPECT_GT((*taken)->lease_epoch, epoch);
}

TEST_F(PgJournalTest, AWatcherWhoseLeaseWasTakenOverCanNeitherPublishNorMove) {
  auto paused = Open(true, 600ms, /*heartbeat=*/false);
  auto other = Open(true, 30s);
  ASSERT_TRUE(paused && other);
  const std::int64_t id = Claimed(*paused, "a.pdf");
  ASSERT_TRUE(paused->LeaseNext({State::kClaimed})->has_value());
  auto decided = paused->DecideCase(id, std::string(64, 'a'), "20261207-aaaaaaaa", "t");
  ASSERT_THAT(decided, IsOk());
  bool ran = false;
  ASSERT_THAT(paused->Fenced(id, [&] { return ran = true, Status::Ok(); }), IsOk());
  EXPECT_TRUE(ran) << "the holder's step runs";

  std::this_thread::sleep_for(900ms);
  auto taken = other->LeaseNext({State::kProcessing});
  ASSERT_TRUE(taken.ok() && taken->has_value());

  ran = false;
  Status late = paused->Fenced(id, [&] { return ran = true, Status::Ok(); });
  EXPECT_TRUE(IsLeaseLost(late)) << late.message();
  EXPECT_FALSE(ran) << "a late watcher's publish must not run";
  EXPECT_TRUE(IsLeaseLost(paused->Transition(id, {State::kProcessing}, State::kArchiving)));
  EXPECT_TRUE(IsLeaseLost(paused->Transition(id, {State::kProcessing}, State::kQuarantining)))
      << "still lost on the next call (no quarantine by the late watcher either)";

  ASSERT_THAT(other->Fenced(id, [&] { return ran = true, Status::Ok(); }), IsOk());
  EXPECT_TRUE(ran);
  ASSERT_THAT(other->Transition(id, {State::kProcessing}, State::kArchiving), IsOk());
  ASSERT_THAT(other->Transition(id, {State::kArchiving}, State::kDone), IsOk());
  auto done = other->Get(id);
  EXPECT_TRUE(done->lease_owner.empty()) << "a final state frees the row";
}

TEST_F(PgJournalTest, SameBytesWaitWhileTheFirstIsProcessedThenBecomeItsDuplicate) {
  auto w = Open(true);
  ASSERT_TRUE(w);
  const std::string sha(64, 'b');
  const std::int64_t first = Claimed(*w, "a.pdf");
  const std::int64_t second = Claimed(*w, "b.pdf");
  auto d1 = w->DecideCase(first, sha, "20261207-bbbbbbbb", "t1");
  ASSERT_THAT(d1, IsOk());
  EXPECT_FALSE(d1->duplicate);
  auto d2 = w->DecideCase(second, sha, "20261207-bbbbbbbb", "t2");
  ASSERT_THAT(d2, IsOk());
  EXPECT_TRUE(d2->wait);
  EXPECT_EQ(w->Get(second)->state, State::kClaimed);
  ASSERT_THAT(w->Transition(first, {State::kProcessing}, State::kArchiving), IsOk());
  auto d3 = w->DecideCase(second, sha, "20261207-bbbbbbbb", "t2");
  ASSERT_THAT(d3, IsOk());
  EXPECT_TRUE(d3->duplicate);
  EXPECT_EQ(d3->case_id, "20261207-bbbbbbbb");
  EXPECT_EQ(w->Get(second)->duplicate_of, "20261207-bbbbbbbb");
}

TEST_F(PgJournalTest, WorkersShowWhoHoldsWhatAndPruningKeepsFinishedSubmissions) {
  auto w = Open(true);
  ASSERT_TRUE(w);
  const std::int64_t id = Claimed(*w, "a.pdf");
  ASSERT_TRUE(w->LeaseNext({State::kClaimed})->has_value());
  auto workers = w->Workers();
  ASSERT_THAT(workers, IsOk());
  ASSERT_EQ(workers->size(), 1u);
  EXPECT_EQ((*workers)[0].id, w->worker_id());
  EXPECT_TRUE((*workers)[0].alive);
  EXPECT_EQ((*workers)[0].leases, 1);
  EXPECT_EQ((*workers)[0].pid, ::getpid());

  auto gone = w->AddClaiming(EntryKind::kFile, "never.pdf", false, "/work");
  ASSERT_THAT(w->Transition(gone->id, {State::kClaiming}, State::kReleased), IsOk());
  ASSERT_THAT(w->Transition(id, {State::kClaimed}, State::kQuarantining), IsOk());
  ASSERT_THAT(w->Transition(id, {State::kQuarantining}, State::kQuarantined), IsOk());
  auto pruned = w->PruneFinished(std::chrono::hours(0));
  ASSERT_THAT(pruned, IsOk());
  EXPECT_GE(*pruned, 1);
  EXPECT_FALSE(w->Get(gone->id).ok()) << "a released row is pruned";
  EXPECT_TRUE(w->Get(id).ok()) << "a finished submission is kept";

  w.reset();  // a clean stop unregisters
  auto after = Open(false);
  EXPECT_TRUE(after->Workers()->empty());
}

TEST_F(PgJournalTest, AClaimMadeAvailableWakesTheOtherWatchers) {
  auto waiting = Open(true);
  auto claimer = Open(true);
  ASSERT_TRUE(waiting && claimer);
  ASSERT_GE(waiting->WakeFd(), 0);
  EXPECT_FALSE(waiting->TakeWakeups());
  Claimed(*claimer, "a.pdf");
  pollfd fd{waiting->WakeFd(), POLLIN, 0};
  ASSERT_EQ(::poll(&fd, 1, 5000), 1) << "no notification within 5 s";
  EXPECT_TRUE(waiting->TakeWakeups());
  EXPECT_FALSE(waiting->TakeWakeups()) << "consumed";
  EXPECT_EQ(Open(false)->WakeFd(), -1) << "only watchers listen";
}

}  // namespace
}  // namespace intake::watch

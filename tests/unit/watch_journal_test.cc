// The watcher's SQLite journal (watch/journal.h): schema, transitions, duplicates, durability
// across reopening, and refusal of a newer schema.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/status_matchers.h"
#include "watch/journal.h"

using intake::testing::IsOk;

namespace intake::watch {
namespace {

namespace fs = std::filesystem;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("intake-journal-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto j = Journal::Open(dir_ / "journal.sqlite");
    ASSERT_THAT(j, IsOk());
    journal_ = std::move(*j);
  }
  void TearDown() override {
    journal_.reset();
    fs::remove_all(dir_);
  }
  JournalEntry Claimed(const std::string& name) {
    auto e = journal_->AddClaiming(EntryKind::kFile, name, false, dir_ / "work");
    EXPECT_THAT(e, IsOk());
    Status s = journal_->Transition(e->id, {State::kClaiming}, State::kClaimed);
    EXPECT_THAT(s, IsOk());
    return *journal_->Get(e->id);
  }

  fs::path dir_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(JournalTest, AddClaimingGivesIdAndWorkPath) {
  auto a = journal_->AddClaiming(EntryKind::kFolder, "封筒 1", true, dir_ / "work");
  ASSERT_THAT(a, IsOk());
  auto b = journal_->AddClaiming(EntryKind::kFile, "b.pdf", false, dir_ / "work");
  ASSERT_THAT(b, IsOk());
  EXPECT_LT(a->id, b->id);
  EXPECT_EQ(a->state, State::kClaiming);
  EXPECT_EQ(a->kind, EntryKind::kFolder);
  EXPECT_TRUE(a->via_marker);
  EXPECT_EQ(a->inbox_name, "封筒 1");
  EXPECT_EQ(a->work_path, dir_ / "work" / std::to_string(a->id) / "封筒 1");
  EXPECT_FALSE(a->created_at.empty());
}

TEST_F(JournalTest, TransitionIsACompareAndSet) {
  JournalEntry e = Claimed("a.pdf");
  EXPECT_EQ(e.state, State::kClaimed);
  // From the wrong state nothing changes.
  Status wrong = journal_->Transition(e.id, {State::kProcessing}, State::kArchiving);
  EXPECT_FALSE(wrong.ok());
  EXPECT_NE(wrong.message().find("is claimed"), std::string::npos) << wrong.message();
  EXPECT_EQ(journal_->Get(e.id)->state, State::kClaimed);

  EntryChanges changes;
  changes.reason_code = "PROCESSING_FAILED";
  changes.reason = "pages: broken";
  ASSERT_TRUE(journal_
                  ->Transition(e.id, {State::kClaimed, State::kProcessing}, State::kQuarantining,
                               changes, "why")
                  .ok());
  auto after = journal_->Get(e.id);
  EXPECT_EQ(after->state, State::kQuarantining);
  EXPECT_EQ(after->reason_code, "PROCESSING_FAILED");
  EXPECT_EQ(after->inbox_name, "a.pdf");  // untouched fields keep their value

  auto history = journal_->History(e.id);
  ASSERT_THAT(history, IsOk());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].from_state, "");
  EXPECT_EQ((*history)[0].to_state, "claiming");
  EXPECT_EQ((*history)[1].to_state, "claimed");
  EXPECT_EQ((*history)[2].from_state, "claimed");
  EXPECT_EQ((*history)[2].to_state, "quarantining");
  EXPECT_EQ((*history)[2].detail, "why");
}

TEST_F(JournalTest, AttemptsCountAndReset) {
  JournalEntry e = Claimed("a.pdf");
  EntryChanges count;
  count.count_attempt = true;
  ASSERT_THAT(journal_->Transition(e.id, {State::kClaimed}, State::kProcessing, count), IsOk());
  ASSERT_THAT(journal_->Transition(e.id, {State::kProcessing}, State::kProcessing, count), IsOk());
  EXPECT_EQ(journal_->Get(e.id)->attempts, 2);
  EntryChanges reset;
  reset.reset_attempts = true;
  ASSERT_THAT(journal_->Transition(e.id, {State::kProcessing}, State::kQuarantining, reset),
              IsOk());
  EXPECT_EQ(journal_->Get(e.id)->attempts, 0);
}

TEST_F(JournalTest, DecideCaseFindsTheEarlierCaseOfTheSameHash) {
  const std::string sha(64, 'a');
  JournalEntry first = Claimed("first.pdf");
  auto d1 = journal_->DecideCase(first.id, sha, "20261121-aaaaaaaa", "2026-11-21T10:00:00+0900");
  ASSERT_THAT(d1, IsOk());
  EXPECT_FALSE(d1->duplicate);
  auto row = journal_->Get(first.id);
  EXPECT_EQ(row->state, State::kProcessing);
  EXPECT_EQ(row->case_id, "20261121-aaaaaaaa");
  EXPECT_EQ(row->attempts, 1);

  // While the first is still processing it is not yet a case: the second is not its duplicate.
  JournalEntry second = Claimed("second.pdf");
  ASSERT_THAT(journal_->Transition(first.id, {State::kProcessing}, State::kArchiving), IsOk());
  auto d2 = journal_->DecideCase(second.id, sha, "20261122-aaaaaaaa", "2026-11-22T10:00:00+0900");
  ASSERT_THAT(d2, IsOk());
  EXPECT_TRUE(d2->duplicate);
  EXPECT_EQ(d2->case_id, "20261121-aaaaaaaa");
  row = journal_->Get(second.id);
  EXPECT_EQ(row->state, State::kArchiving);
  EXPECT_EQ(row->duplicate_of, "20261121-aaaaaaaa");
  EXPECT_EQ(row->sha256, sha);

  // A different hash is a new case; a quarantined earlier one does not count.
  JournalEntry third = Claimed("third.pdf");
  auto d3 = journal_->DecideCase(third.id, std::string(64, 'b'), "20261122-bbbbbbbb", "t");
  EXPECT_FALSE(d3->duplicate);
  ASSERT_THAT(journal_->Transition(third.id, {State::kProcessing}, State::kQuarantining), IsOk());
  JournalEntry fourth = Claimed("fourth.pdf");
  auto d4 = journal_->DecideCase(fourth.id, std::string(64, 'b'), "20261122-bbbbbbbb", "t");
  EXPECT_FALSE(d4->duplicate);
}

TEST_F(JournalTest, ListFiltersByStateInIdOrder) {
  JournalEntry a = Claimed("a");
  JournalEntry b = Claimed("b");
  ASSERT_THAT(journal_->AddClaiming(EntryKind::kFile, "c", false, dir_), IsOk());
  auto claimed = journal_->List({State::kClaimed});
  ASSERT_THAT(claimed, IsOk());
  ASSERT_EQ(claimed->size(), 2u);
  EXPECT_EQ((*claimed)[0].id, a.id);
  EXPECT_EQ((*claimed)[1].id, b.id);
  EXPECT_EQ(journal_->List()->size(), 3u);
}

TEST_F(JournalTest, SurvivesReopeningInWalMode) {
  JournalEntry a = Claimed("a");
  journal_.reset();
  auto again = Journal::Open(dir_ / "journal.sqlite");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ((*again)->Get(a.id)->state, State::kClaimed);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "journal.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), Journal::kSchemaVersion);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(JournalTest, RefusesANewerSchemaAndNonDatabases) {
  journal_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "journal.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto newer = Journal::Open(dir_ / "journal.sqlite");
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.message().find("newer"), std::string::npos) << newer.message();

  {
    std::FILE* f = std::fopen((dir_ / "text.sqlite").c_str(), "w");
    std::fputs("not a database at all, just some text here", f);
    std::fclose(f);
  }
  EXPECT_FALSE(Journal::Open(dir_ / "text.sqlite").ok());
}

TEST(JournalStates, NamesRoundTrip) {
  for (State s : {State::kClaiming, State::kClaimed, State::kProcessing, State::kArchiving,
                  State::kDone, State::kDuplicate, State::kQuarantining, State::kQuarantined,
                  State::kRetrying, State::kReleased}) {
    EXPECT_EQ(ParseState(StateName(s)), s);
  }
  EXPECT_FALSE(ParseState("seen").has_value());
  EXPECT_TRUE(IsFinal(State::kDone));
  EXPECT_FALSE(IsFinal(State::kArchiving));
}

}  // namespace
}  // namespace intake::watch

// The pieces of the case time limit that run in one process: the watchdog, the work position it
// reports, the message, and the quarantine reason. The limit itself ending `intake process` and
// restarting `intake watch` is tested end to end (tests/e2e/watch_time_limit.sh, hostile_inputs).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "casework/case_processor.h"
#include "pipeline/progress.h"
#include "pipeline/watchdog.h"
#include "watch/quarantine.h"

namespace intake {
namespace {

using namespace std::chrono_literals;

TEST(Watchdog, CallsItsFunctionOnceTheLimitHasPassed) {
  std::atomic<bool> fired{false};
  const auto start = std::chrono::steady_clock::now();
  {
    Watchdog watchdog(50ms, [&] { fired = true; });
    while (!fired && std::chrono::steady_clock::now() - start < 10s)
      std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(fired);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
}

TEST(Watchdog, DisarmedByItsDestructorBeforeTheLimit) {
  std::atomic<bool> fired{false};
  const auto start = std::chrono::steady_clock::now();
  {
    Watchdog watchdog(10min, [&] { fired = true; });
  }
  EXPECT_FALSE(fired);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "the destructor must not wait";
}

TEST(Watchdog, TheDestructorWaitsForAFunctionThatHasStarted) {
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  {
    Watchdog watchdog(1ms, [&] {
      started = true;
      std::this_thread::sleep_for(200ms);
      finished = true;
    });
    while (!started) std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(finished) << "the caller must not go on beside the function";
}

TEST(WorkPosition, FollowsStagesAndFiles) {
  ReportStage("20261121-0000000a", "unpack", 1, 3);
  EXPECT_EQ(CurrentWorkPosition().stage, "unpack");
  EXPECT_EQ(CurrentWorkPosition().file_id, "");
  ReportFile("f0002");
  EXPECT_EQ(CurrentWorkPosition().file_id, "f0002");
  ReportStage("20261121-0000000a", "pages", 2, 3);
  const WorkPosition position = CurrentWorkPosition();
  EXPECT_EQ(position.case_id, "20261121-0000000a");
  EXPECT_EQ(position.stage, "pages");
  EXPECT_EQ(position.file_id, "") << "a new stage has not read a file yet";
  ReportCaseEnd("20261121-0000000a");
  EXPECT_EQ(CurrentWorkPosition().case_id, "");
}

TEST(CaseTimeLimitHit, DescribesStageAndFileById) {
  casework::CaseTimeLimitHit hit{"20261121-0000000a", "pages", "f0001", 2000ms};
  EXPECT_EQ(hit.Describe(), "case time limit of 2 s reached in stage pages, file f0001");
  hit.file_id.clear();
  hit.limit = 1500ms;
  EXPECT_EQ(hit.Describe(), "case time limit of 1.5 s reached in stage pages");
}

TEST(QuarantineTimeLimit, ReasonTextSaysWhereItStoppedAndHowToRetry) {
  ASSERT_TRUE(watch::LookupQuarantineReason("TIME_LIMIT").has_value());
  watch::JournalEntry entry;
  entry.id = 7;
  entry.reason_code = "TIME_LIMIT";
  entry.reason = "case time limit of 2 s reached in stage pages, file f0001";
  entry.case_id = "20261121-0000000a";
  const std::string text = watch::QuarantineReasonText(entry);
  EXPECT_NE(text.find("コード: TIME_LIMIT"), std::string::npos) << text;
  EXPECT_NE(text.find("制限時間"), std::string::npos) << text;
  EXPECT_NE(text.find("stage pages, file f0001"), std::string::npos) << text;
  EXPECT_NE(text.find("intake retry 7"), std::string::npos) << text;
}

}  // namespace
}  // namespace intake

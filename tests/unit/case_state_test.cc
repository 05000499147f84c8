// Case states (casestate/): the moves processing and staff make, the days waited, the file kept in
// the case folder, and the audit record of each change.
#include "casestate/case_state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace intake::casestate {
namespace {

namespace fs = std::filesystem;

TEST(CaseState, ProcessingFollowsTheVerdictUntilStaffSettleIt) {
  StateRecord fresh;
  EXPECT_EQ(StateAfterProcessing(fresh, Verdict::kIncomplete, true),
            CaseState::kWaitingForPatient);
  EXPECT_EQ(StateAfterProcessing(fresh, Verdict::kComplete, false), CaseState::kComplete);
  EXPECT_EQ(StateAfterProcessing(fresh, Verdict::kNeedsReview, false), CaseState::kReceived);
  StateRecord closed;
  MoveTo(closed, CaseState::kClosed, "2026-12-01T10:00:00+0900", "相談終了");
  EXPECT_EQ(StateAfterProcessing(closed, Verdict::kComplete, false), CaseState::kClosed);
  EXPECT_TRUE(IsSettled(CaseState::kForwarded));
  EXPECT_FALSE(IsSettled(CaseState::kWaitingForPatient));
}

TEST(CaseState, DaysWaitedRunFromTheLetterToCompletion) {
  StateRecord r;
  EXPECT_TRUE(MoveTo(r, CaseState::kReceived, "2026-11-20T09:00:00+0900"));
  EXPECT_TRUE(MoveTo(r, CaseState::kWaitingForPatient, "2026-11-21T09:00:00+0900"));
  EXPECT_FALSE(MoveTo(r, CaseState::kWaitingForPatient, "2026-11-25T09:00:00+0900"));
  EXPECT_EQ(r.waiting_since, "2026-11-21");
  EXPECT_EQ(r.DaysWaited("2026-11-24"), 3);
  EXPECT_TRUE(MoveTo(r, CaseState::kComplete, "2026-12-01T09:00:00+0900"));
  EXPECT_EQ(r.DaysWaited("2027-01-01"), 10);  // the wait ended on completion
  EXPECT_EQ(r.history.size(), 3u);
  EXPECT_EQ(StateRecord{}.DaysWaited("2026-12-01"), 0);
}

TEST(CaseState, KeptInTheCaseFolderAndRecordedInTheAuditTrail) {
  const fs::path out = fs::temp_directory_path() / ("intake_case_state_" + std::to_string(getpid()));
  fs::remove_all(out);
  fs::create_directories(out / "20261121-1a2b3c4d");
  StateRecord r;
  MoveTo(r, CaseState::kWaitingForPatient, "2026-11-21T09:00:00+0900");
  MoveTo(r, CaseState::kClosed, "2026-11-22T09:00:00+0900", "患者さんから辞退の連絡");
  ASSERT_TRUE(WriteState(out / "20261121-1a2b3c4d", r).ok());
  const StateRecord back = ReadState(out / "20261121-1a2b3c4d");
  EXPECT_EQ(back.state, CaseState::kClosed);
  ASSERT_EQ(back.history.size(), 2u);
  EXPECT_EQ(back.history[1].reason, "患者さんから辞退の連絡");
  EXPECT_EQ(back.waiting_since, "2026-11-21");
  EXPECT_EQ(ReadState(out / "no-such-case").state, CaseState::kReceived);

  ASSERT_TRUE(RecordChange(out, "20261121-1a2b3c4d", CaseState::kWaitingForPatient,
                           CaseState::kClosed)
                  .ok());
  std::ifstream log(out / "audit.log");
  std::string line;
  std::getline(log, line);
  EXPECT_NE(line.find("\"event\":\"case_state\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"to\":\"closed\""), std::string::npos) << line;
  EXPECT_EQ(line.find("辞退"), std::string::npos);  // staff's words stay in the case folder
  fs::remove_all(out);
}

TEST(CaseState, NamesRoundTrip) {
  for (CaseState s : {CaseState::kReceived, CaseState::kWaitingForPatient, CaseState::kComplete,
                      CaseState::kForwarded, CaseState::kClosed}) {
    EXPECT_EQ(ParseCaseState(CaseStateName(s)), s);
    EXPECT_FALSE(CaseStateWord(s).empty());
  }
  EXPECT_FALSE(ParseCaseState("lost"));
}

}  // namespace
}  // namespace intake::casestate

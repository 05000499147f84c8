// index.html: built from the case folders' report.json files, newest first, the same verdict
// words and badge colours as report.html, what is missing by label, relative links, escaping,
// an unreadable report shown rather than hidden, and the cache following changed reports.
#include "dashboard/dashboard.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "report/report_json.h"
#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"
#include "tests/unit/case_builders.h"

using intake::testing::IsOk;

namespace intake::dashboard {
namespace {

namespace fs = std::filesystem;
using intake::testing::Req;
using nlohmann::json;

Case MakeCase(std::string id, std::string received_at, Verdict verdict) {
  Case c;
  c.id = std::move(id);
  c.received_at = std::move(received_at);
  c.submission_date = c.received_at.substr(0, 10);
  c.submission_sha256 = std::string(64, 'a');
  c.profile_id = "utokyo-online";
  c.verdict = verdict;
  c.requirements.push_back(
      Req("referral_letter", "診療情報提供書（紹介状）", RequirementStatus::kPresent, {}));
  return c;
}

report::ReportContext Context() {
  report::ReportContext context;
  context.program_version = "intake 0.1.0";
  context.profile_id = "utokyo-online";
  context.profile_name = "東京大学医学部附属病院 セカンドオピニオン外来";
  return context;
}

void WriteReport(const fs::path& out, const Case& c) {
  fs::create_directories(out / c.id);
  std::ofstream(out / c.id / "report.json") << report::ReportJson(c, Context()).dump(2);
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The <tr> of the row whose data-case-id is `id`.
std::string RowOf(const std::string& html, const std::string& id) {
  const auto at = html.find("data-case-id=\"" + id + "\"");
  if (at == std::string::npos) return {};
  return html.substr(at, html.find("</tr>", at) - at);
}

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = fs::path(INTAKE_BINARY_DIR) / "test-tmp" /
           (std::string("dashboard-") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(out_);
    fs::create_directories(out_);
  }
  fs::path out_;
};

TEST(CaseSummary, ReadsVerdictMissingLabelsAndCountsFromReportJson) {
  Case c = MakeCase("20261121-00000001", "2026-11-21T09:15:00+0900", Verdict::kIncomplete);
  c.requirements.push_back(
      Req("consent_form", "相談同意書（患者本人の署名）", RequirementStatus::kMissing, {}));
  c.requirements.push_back(
      Req("consultation_sheet", "相談シート", RequirementStatus::kNeedsReview, {}));
  c.requirements.push_back(Req("medication_list", "お薬手帳", RequirementStatus::kNotRequired, {}));
  c.AddFinding(FindingCode::kEncryptedArchive, "x");
  c.AddFinding(FindingCode::kEncryptedArchive, "y");
  c.AddFinding(FindingCode::kLowOcrConfidence, "z");
  const CaseSummary s = SummaryFromReport(report::ReportJson(c, Context()), "20261121-00000001");
  EXPECT_TRUE(s.readable);
  EXPECT_EQ(s.case_id, "20261121-00000001");
  EXPECT_EQ(s.verdict, "incomplete");
  EXPECT_EQ(s.received_at, "2026-11-21T09:15:00+0900");
  EXPECT_EQ(s.missing, std::vector<std::string>{"相談同意書（患者本人の署名）"});
  EXPECT_EQ(s.needs_review, std::vector<std::string>{"相談シート"});
  EXPECT_EQ(s.errors, 2);
  EXPECT_EQ(s.warnings, 1);
  ASSERT_EQ(s.error_titles.size(), 1u);  // the same error once
  // Round trip through the cache's JSON.
  const CaseSummary back = SummaryFromJson(SummaryToJson(s));
  EXPECT_EQ(back.missing, s.missing);
  EXPECT_EQ(back.error_titles, s.error_titles);
  EXPECT_EQ(back.errors, 2);
  EXPECT_EQ(back.received_at, s.received_at);
}

TEST(IndexHtml, NewestFirstAcrossTimeZones) {
  std::vector<CaseSummary> cases(4);
  cases[0].case_id = "a";
  cases[0].received_at = "2026-11-21T09:00:00+0900";  // 00:00 UTC
  cases[1].case_id = "b";
  cases[1].received_at = "2026-11-21T01:00:00+00:00";  // 01:00 UTC: newest
  cases[2].case_id = "c";
  cases[2].received_at = "not a time";  // unknown times go last
  cases[3].case_id = "d";
  cases[3].received_at = "2026-11-20T23:30:00Z";
  SortNewestFirst(cases);
  EXPECT_EQ(cases[0].case_id, "b");
  EXPECT_EQ(cases[1].case_id, "a");
  EXPECT_EQ(cases[2].case_id, "d");
  EXPECT_EQ(cases[3].case_id, "c");
}

TEST(IndexHtml, BadgesLinksAndEscaping) {
  CaseSummary evil;
  evil.folder = "20261121-<b>";
  evil.case_id = "20261121-<b>";
  evil.received_at = "2026-11-21T10:00:00+0900";
  evil.verdict = "incomplete";
  evil.missing = {"<script>alert(1)</script>"};
  CaseSummary done;
  done.folder = done.case_id = "20261121-0000000d";
  done.received_at = "2026-11-21T09:00:00+0900";
  done.verdict = "complete";
  CaseSummary broken;
  broken.folder = broken.case_id = "20261121-0000000e";
  broken.readable = false;
  const std::string html = IndexHtml({evil, done, broken}, "2026-11-21T10:05:00+0900");
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("href=\"20261121-%3Cb%3E/report.html\""), std::string::npos) << html;
  EXPECT_NE(html.find("href=\"20261121-0000000d/report.html\""), std::string::npos);
  // The words report.html uses, in the shared badge classes.
  EXPECT_NE(RowOf(html, "20261121-&lt;b&gt;").find("verdict-badge-incomplete\">不足あり<"),
            std::string::npos);
  EXPECT_NE(RowOf(html, "20261121-0000000d").find("verdict-badge-complete\">完備<"),
            std::string::npos);
  EXPECT_NE(RowOf(html, "20261121-0000000e").find("読取不可"), std::string::npos);
  EXPECT_NE(html.find(".verdict-badge-incomplete {"), std::string::npos);  // shared CSS
  EXPECT_NE(html.find("2026年11月21日 10:05"), std::string::npos);
  // Self-contained: no scripts, no external resources.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST_F(DashboardTest, ListsEveryCaseFolderNewestFirst) {
  Case older = MakeCase("20261120-11111111", "2026-11-20T15:00:00+0900", Verdict::kComplete);
  Case newer = MakeCase("20261121-22222222", "2026-11-21T08:00:00+0900", Verdict::kIncomplete);
  newer.requirements.push_back(Req("consent_form", "相談同意書", RequirementStatus::kMissing, {}));
  Case rejected = MakeCase("20261121-33333333", "2026-11-21T07:00:00+0900", Verdict::kRejected);
  rejected.AddFinding(FindingCode::kEncryptedArchive, "x");
  WriteReport(out_, older);
  WriteReport(out_, newer);
  WriteReport(out_, rejected);
  fs::create_directories(out_ / "20261121-44444444" / "work");  // being processed: no report
  fs::create_directories(out_ / "20261121-55555555");
  std::ofstream(out_ / "20261121-55555555" / "report.json") << "{ cut off";
  std::ofstream(out_ / "audit.log") << "{}\n";  // files in the folder are not cases

  auto listed = UpdateDashboard(out_);
  ASSERT_THAT(listed, IsOk());
  EXPECT_EQ(*listed, 4u);
  const std::string html = ReadAll(out_ / "index.html");
  const auto pos = [&](const std::string& id) { return html.find("data-case-id=\"" + id + "\""); };
  ASSERT_NE(pos("20261121-22222222"), std::string::npos);
  EXPECT_LT(pos("20261121-22222222"), pos("20261121-33333333"));
  EXPECT_LT(pos("20261121-33333333"), pos("20261120-11111111"));
  EXPECT_NE(pos("20261121-55555555"), std::string::npos);  // unreadable, listed last
  EXPECT_GT(pos("20261121-55555555"), pos("20261120-11111111"));
  EXPECT_EQ(pos("20261121-44444444"), std::string::npos);
  EXPECT_NE(RowOf(html, "20261121-22222222").find("相談同意書"), std::string::npos);
  EXPECT_NE(RowOf(html, "20261121-33333333").find("受付不可"), std::string::npos);
  EXPECT_NE(RowOf(html, "20261121-33333333").find("エラー 1"), std::string::npos);
  EXPECT_TRUE(fs::exists(out_ / ".index-cache.json"));
  for (const auto& entry : fs::directory_iterator(out_)) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << "temp file left behind";
  }
}

TEST_F(DashboardTest, FollowsChangedAndRemovedReports) {
  Case c = MakeCase("20261121-22222222", "2026-11-21T08:00:00+0900", Verdict::kIncomplete);
  c.requirements.push_back(Req("consent_form", "相談同意書", RequirementStatus::kMissing, {}));
  WriteReport(out_, c);
  WriteReport(out_, MakeCase("20261121-33333333", "2026-11-21T09:00:00+0900", Verdict::kComplete));
  ASSERT_THAT(UpdateDashboard(out_), IsOk());
  EXPECT_NE(RowOf(ReadAll(out_ / "index.html"), "20261121-22222222").find("不足あり"),
            std::string::npos);

  // Re-processed: now complete. The cache must not serve the old summary.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.verdict = Verdict::kComplete;
  c.requirements.pop_back();
  WriteReport(out_, c);
  fs::remove_all(out_ / "20261121-33333333");
  ASSERT_THAT(UpdateDashboard(out_), IsOk());
  const std::string html = ReadAll(out_ / "index.html");
  EXPECT_NE(RowOf(html, "20261121-22222222").find("完備"), std::string::npos);
  EXPECT_EQ(RowOf(html, "20261121-22222222").find("相談同意書"), std::string::npos);
  EXPECT_EQ(html.find("20261121-33333333"), std::string::npos);

  // A damaged cache is rebuilt from the reports.
  std::ofstream(out_ / ".index-cache.json", std::ios::trunc) << "garbage";
  auto listed = UpdateDashboard(out_);
  ASSERT_THAT(listed, IsOk());
  EXPECT_EQ(*listed, 1u);
}

TEST_F(DashboardTest, EmptyFolderGetsAnEmptyList) {
  auto listed = UpdateDashboard(out_);
  ASSERT_THAT(listed, IsOk());
  EXPECT_EQ(*listed, 0u);
  EXPECT_NE(ReadAll(out_ / "index.html").find("まだケースはありません"), std::string::npos);
}

}  // namespace
}  // namespace intake::dashboard

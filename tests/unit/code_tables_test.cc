// The tables of codes (pipeline/finding_codes.def, pipeline/exit_codes.def,
// watch/quarantine_reasons.def) against the documents that list them, and the typed look-ups.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/exit_codes.h"
#include "pipeline/findings.h"
#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"
#include "watch/quarantine.h"
#include "watch/watcher.h"

namespace intake {
namespace {

using testing::ErrorIs;
using testing::IsOk;
using Row = std::vector<std::string>;

std::string ReadDoc(const std::string& relative) {
  std::ifstream in(std::string(INTAKE_SOURCE_DIR) + "/" + relative);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string Trim(const std::string& s) {
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

// The body rows of the first Markdown table after `marker` in `doc`, each as its cells.
std::vector<Row> TableAfter(const std::string& doc, const std::string& marker) {
  std::vector<Row> rows;
  const auto at = doc.find(marker);
  if (at == std::string::npos) return rows;
  std::istringstream in(doc.substr(at + marker.size()));
  std::string line;
  bool in_table = false;
  int seen = 0;
  while (std::getline(in, line)) {
    const bool table_line = line.starts_with("|");
    if (!table_line && in_table) break;
    if (!table_line) continue;
    in_table = true;
    if (++seen <= 2) continue;  // the header and the |---| line
    Row cells;
    std::string cell;
    std::istringstream cells_in(line.substr(1));
    while (std::getline(cells_in, cell, '|')) cells.push_back(Trim(cell));
    rows.push_back(cells);
  }
  return rows;
}

std::string Quoted(std::string_view code) { return "`" + std::string(code) + "`"; }

TEST(ExitCodes, ReadmeTableIsTheTable) {
  const auto rows = TableAfter(ReadDoc("README.md"), "Exit codes (`pipeline/exit_codes.def`");
  ASSERT_EQ(rows.size(), AllExitCodes().size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ExitCodeInfo& info = AllExitCodes()[i];
    ASSERT_EQ(rows[i].size(), 2u);
    EXPECT_EQ(rows[i][0], std::to_string(static_cast<int>(info.code)));
    EXPECT_EQ(rows[i][1], info.meaning) << "exit code " << static_cast<int>(info.code);
  }
}

TEST(ExitCodes, HelpNamesEveryCode) {
  const std::string help = ExitCodesHelp();
  for (const auto& info : AllExitCodes()) {
    const std::string line = "\n  " + std::to_string(static_cast<int>(info.code)) + "  ";
    EXPECT_NE(help.find(line + std::string(info.help)), std::string::npos) << help;
  }
}

TEST(QuarantineReasons, ReadmeTableIsTheTable) {
  const auto rows =
      TableAfter(ReadDoc("README.md"), "goes to\n`quarantine/<id>/` with `reason.txt`:");
  const auto reasons = watch::AllQuarantineReasons();
  ASSERT_EQ(rows.size(), reasons.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 2u);
    EXPECT_EQ(rows[i][0], Quoted(reasons[i].code));
    EXPECT_EQ(rows[i][1], reasons[i].meaning) << reasons[i].code;
  }
}

TEST(QuarantineReasons, NamesAndLookupAgree) {
  for (const auto& reason : watch::AllQuarantineReasons()) {
    EXPECT_EQ(watch::QuarantineCodeName(reason.id), reason.code);
    const auto found = watch::LookupQuarantineReason(reason.code);
    ASSERT_TRUE(found.has_value()) << reason.code;
    EXPECT_EQ(found->id, reason.id);
  }
  EXPECT_FALSE(watch::LookupQuarantineReason("DUPLICATE_SUBMISSION").has_value());
}

TEST(FindingCodes, SchemaTableIsTheTable) {
  const auto rows = TableAfter(ReadDoc("docs/report-schema.md"), "### Finding codes");
  ASSERT_EQ(rows.size(), AllFindingCodes().size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const FindingCodeInfo& info = AllFindingCodes()[i];
    ASSERT_EQ(rows[i].size(), 5u);
    EXPECT_EQ(rows[i][0], Quoted(info.code));
    EXPECT_EQ(rows[i][1], SeverityName(info.severity)) << info.code;
    EXPECT_EQ(rows[i][2], info.rejection_cause ? "yes" : "no") << info.code;
    EXPECT_EQ(rows[i][3], info.title_ja) << info.code;
    EXPECT_EQ(rows[i][4], info.description) << info.code;
  }
}

TEST(FindingCodes, ParseIsTheInverseOfTheName) {
  for (const auto& info : AllFindingCodes()) {
    EXPECT_EQ(FindingCodeName(info.id), info.code);
    const auto parsed = ParseFindingCode(info.code);
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(*parsed, info.id);
  }
  EXPECT_THAT(ParseFindingCode("CORRUPT_FLIE"),
              ErrorIs(ErrorCode::kInvalid, ::testing::HasSubstr("CORRUPT_FLIE")));
  EXPECT_THAT(ParseFindingCode(""), ErrorIs(ErrorCode::kInvalid));
}

TEST(FindingCodes, AddFindingTakesTheCodesSeverity) {
  Case c;
  c.AddFinding(FindingCode::kEncryptedArchive, "x", "f0001");
  c.AddFinding(FindingCode::kViewerSoftware, "y");
  ASSERT_EQ(c.findings.size(), 2u);
  EXPECT_EQ(c.findings[0].code, FindingCode::kEncryptedArchive);
  EXPECT_EQ(c.findings[0].severity, Severity::kError);
  EXPECT_EQ(c.findings[0].file_id, "f0001");
  EXPECT_EQ(c.findings[1].severity, Severity::kInfo);
}

// The second lock on an output folder fails with kBusy (what `intake watch` turns into exit 6),
// told by its code, not by its message.
TEST(ErrorCodes, SecondOutputLockIsBusy) {
  const auto dir = std::filesystem::path(INTAKE_BINARY_DIR) / "test-tmp" / "code_tables_lock";
  std::filesystem::remove_all(dir);
  auto first = watch::OutputLock::Acquire(dir);
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(watch::OutputLock::Acquire(dir), ErrorIs(ErrorCode::kBusy));
  EXPECT_THAT(watch::OutputLock::Acquire(dir, /*shared=*/true), ErrorIs(ErrorCode::kBusy));
}

TEST(ErrorCodes, ReturnIfErrorKeepsTheCode) {
  const auto inner = [](bool fail) -> Result<int> {
    if (fail) return Result<int>::Fail("lost", ErrorCode::kLeaseLost);
    return 1;
  };
  const auto outer = [&](bool fail) -> Status {
    RETURN_IF_ERROR(inner(fail));
    return Status::Ok();
  };
  EXPECT_THAT(outer(false), IsOk());
  EXPECT_THAT(outer(true), ErrorIs(ErrorCode::kLeaseLost, ::testing::Eq("lost")));
}

}  // namespace
}  // namespace intake

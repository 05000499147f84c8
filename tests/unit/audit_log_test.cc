// The audit trail: records chain by hash, the head catches cuts at the end, every kind of
// tampering is found and named at the first broken record, concurrent writers do not fork the
// chain, and a case record holds no patient data.
#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "audit/case_record.h"
#include "pipeline/hash.h"
#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"
#include "tests/unit/case_builders.h"

using intake::testing::IsOk;

namespace intake::audit {
namespace {

namespace fs = std::filesystem;
using intake::testing::File;
using intake::testing::MakePage;
using intake::testing::Req;
using nlohmann::json;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(INTAKE_BINARY_DIR) / "test-tmp" /
        (std::string("audit-") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  // Appends `n` records for cases c1..cn.
  void AppendRecords(int n) {
    for (int i = 1; i <= n; ++i) {
      auto r = AppendAuditRecord(dir_, kEventCaseProcessed, "case-" + std::to_string(i),
                                 {{"verdict", "complete"}, {"n", i}});
      ASSERT_THAT(r, IsOk());
    }
  }

  std::vector<std::string> Lines() const {
    std::ifstream in(AuditLogPath(dir_), std::ios::binary);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
  }

  void WriteLines(const std::vector<std::string>& lines) const {
    std::ofstream out(AuditLogPath(dir_), std::ios::binary | std::ios::trunc);
    for (const auto& line : lines) out << line << "\n";
  }

  std::string ReadAll(const fs::path& path) const {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // Verifies and expects a problem of `kind` at `line` (0: not a line).
  void ExpectBroken(const std::string& kind, std::size_t line) const {
    auto report = VerifyAuditLog(dir_);
    ASSERT_THAT(report, IsOk());
    ASSERT_FALSE(report->ok()) << "tampering not detected";
    EXPECT_EQ(report->problem->kind, kind) << report->problem->message;
    EXPECT_EQ(report->problem->line, line) << report->problem->message;
  }

  fs::path dir_;
};

TEST_F(AuditLogTest, RecordsChainByHashAndTheHeadNamesTheLast) {
  AppendRecords(3);
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  std::string prev(kGenesisHash);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const json record = json::parse(lines[i]);
    EXPECT_EQ(record["schema"], "intake.audit/1");
    EXPECT_EQ(record["seq"], i + 1);
    EXPECT_EQ(record["prev"], prev);
    EXPECT_EQ(record["event"], "case_processed");
    EXPECT_EQ(record["case_id"], "case-" + std::to_string(i + 1));
    EXPECT_EQ(record["details"]["n"], i + 1);
    // The hash is SHA-256 of the canonical bytes without "hash": compact, keys sorted.
    json without = record;
    without.erase("hash");
    EXPECT_EQ(record["hash"], Sha256Hex(without.dump(-1, ' ', true)));
    EXPECT_EQ(record["hash"], RecordHash(record));
    // The stored line is those canonical bytes with the hash added.
    EXPECT_EQ(lines[i], record.dump(-1, ' ', true));
    prev = record["hash"];
  }
  const json head = json::parse(ReadAll(AuditHeadPath(dir_)));
  EXPECT_EQ(head["seq"], 3);
  EXPECT_EQ(head["hash"], prev);

  auto report = VerifyAuditLog(dir_);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << report->problem->message;
  EXPECT_EQ(report->records, 3u);
  EXPECT_EQ(report->last_seq, 3);
  EXPECT_EQ(report->last_hash, prev);
  EXPECT_TRUE(report->notes.empty());
}

TEST_F(AuditLogTest, RefusesPatientDataAndNonObjects) {
  auto name = AppendAuditRecord(dir_, kEventCaseProcessed, "c1", {{"patient", "山田　太郎"}});
  EXPECT_FALSE(name.ok());
  auto key = AppendAuditRecord(dir_, kEventCaseProcessed, "c1", {{"紹介状.pdf", "x"}});
  EXPECT_FALSE(key.ok());
  auto nested = AppendAuditRecord(dir_, kEventCaseProcessed, "c1",
                                  {{"files", json::array({{{"name", "スキャン.tif"}}})}});
  EXPECT_FALSE(nested.ok());
  auto array = AppendAuditRecord(dir_, kEventCaseProcessed, "c1", json::array({1, 2}));
  EXPECT_FALSE(array.ok());
  EXPECT_FALSE(fs::exists(AuditLogPath(dir_)) && !Lines().empty());
}

TEST_F(AuditLogTest, EditedRecordIsFound) {
  AppendRecords(5);
  auto lines = Lines();
  json record = json::parse(lines[2]);
  record["details"]["verdict"] = "incomplete";  // hash left as it was
  lines[2] = record.dump(-1, ' ', true);
  WriteLines(lines);
  ExpectBroken("edited", 3);
}

TEST_F(AuditLogTest, EditedTimeIsFound) {
  AppendRecords(3);
  auto lines = Lines();
  const auto at = lines[0].find("\"time\":\"") + 8;
  lines[0][at + 3] = lines[0][at + 3] == '9' ? '8' : '9';  // the year's last digit
  WriteLines(lines);
  ExpectBroken("edited", 1);
}

TEST_F(AuditLogTest, EditedRecordWithItsHashRecomputedBreaksTheChainAtTheNext) {
  AppendRecords(5);
  auto lines = Lines();
  json record = json::parse(lines[2]);
  record["details"]["verdict"] = "incomplete";
  record["hash"] = RecordHash(record);
  lines[2] = record.dump(-1, ' ', true);
  WriteLines(lines);
  ExpectBroken("chain_broken", 4);
}

TEST_F(AuditLogTest, LastRecordRewrittenWithItsHashRecomputedDisagreesWithTheHead) {
  AppendRecords(3);
  auto lines = Lines();
  json record = json::parse(lines[2]);
  record["details"]["verdict"] = "incomplete";
  record["hash"] = RecordHash(record);
  lines[2] = record.dump(-1, ' ', true);
  WriteLines(lines);
  ExpectBroken("head_mismatch", 0);
}

TEST_F(AuditLogTest, DeletedRecordIsFound) {
  AppendRecords(5);
  auto lines = Lines();
  lines.erase(lines.begin() + 2);
  WriteLines(lines);
  ExpectBroken("out_of_sequence", 3);
}

TEST_F(AuditLogTest, DeletedFirstRecordIsFound) {
  AppendRecords(3);
  auto lines = Lines();
  lines.erase(lines.begin());
  WriteLines(lines);
  ExpectBroken("out_of_sequence", 1);
}

TEST_F(AuditLogTest, ReorderedRecordsAreFound) {
  AppendRecords(5);
  auto lines = Lines();
  std::swap(lines[1], lines[2]);
  WriteLines(lines);
  ExpectBroken("out_of_sequence", 2);
}

TEST_F(AuditLogTest, RenumberedAndRehashedDeletionStillBreaksTheChain) {
  // Remove record 3, then renumber and rehash record 4 so its seq and hash look right: its prev
  // still names the deleted record.
  AppendRecords(5);
  auto lines = Lines();
  lines.erase(lines.begin() + 2);
  json record = json::parse(lines[2]);
  record["seq"] = 3;
  record["hash"] = RecordHash(record);
  lines[2] = record.dump(-1, ' ', true);
  WriteLines(lines);
  ExpectBroken("chain_broken", 3);
}

TEST_F(AuditLogTest, InsertedForgedRecordIsFound) {
  AppendRecords(4);
  auto lines = Lines();
  json forged = json::parse(lines[1]);
  forged["case_id"] = "forged";
  forged["hash"] = RecordHash(forged);
  lines.insert(lines.begin() + 2, forged.dump(-1, ' ', true));
  WriteLines(lines);
  ExpectBroken("out_of_sequence", 3);
}

TEST_F(AuditLogTest, RecordCutInTheMiddleIsFound) {
  AppendRecords(5);
  const std::string bytes = ReadAll(AuditLogPath(dir_));
  fs::resize_file(AuditLogPath(dir_), bytes.size() - 30);
  ExpectBroken("truncated", 5);
}

TEST_F(AuditLogTest, GarbageLineIsFound) {
  AppendRecords(3);
  auto lines = Lines();
  lines[1] = "{not json";
  WriteLines(lines);
  ExpectBroken("unreadable", 2);
}

TEST_F(AuditLogTest, RecordsCutOffTheEndAreFoundThroughTheHead) {
  AppendRecords(5);
  auto lines = Lines();
  lines.resize(3);
  WriteLines(lines);
  ExpectBroken("truncated", 0);
  // The writer refuses to extend the cut log: a new record would hide the cut.
  auto appended = AppendAuditRecord(dir_, kEventCaseProcessed, "c6", {});
  EXPECT_FALSE(appended.ok());
  ExpectBroken("truncated", 0);
}

TEST_F(AuditLogTest, EmptiedLogIsFound) {
  AppendRecords(2);
  WriteLines({});
  ExpectBroken("truncated", 0);
}

TEST_F(AuditLogTest, DeletedLogOrHeadIsFound) {
  AppendRecords(2);
  fs::remove(AuditHeadPath(dir_));
  ExpectBroken("head_missing", 0);
  EXPECT_FALSE(AppendAuditRecord(dir_, kEventCaseProcessed, "c3", {}).ok());

  fs::remove_all(dir_);
  fs::create_directories(dir_);
  AppendRecords(2);
  fs::remove(AuditLogPath(dir_));
  ExpectBroken("log_missing", 0);

  fs::remove(AuditHeadPath(dir_));
  EXPECT_FALSE(VerifyAuditLog(dir_).ok());  // nothing to verify: an error, not "intact"
}

TEST_F(AuditLogTest, CutOffRecordFromACrashIsDroppedByTheNextWriter) {
  AppendRecords(3);
  // A crash in the middle of the fourth record's write: half a line, no head update.
  {
    std::ofstream out(AuditLogPath(dir_), std::ios::binary | std::ios::app);
    out << R"({"case_id":"case-4","details":{"verd)";
  }
  ExpectBroken("truncated", 4);
  auto appended = AppendAuditRecord(dir_, kEventCaseProcessed, "case-4", {});
  ASSERT_THAT(appended, IsOk());
  EXPECT_EQ(appended->seq, 4);
  auto report = VerifyAuditLog(dir_);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << report->problem->message;
  EXPECT_EQ(report->records, 4u);
}

TEST_F(AuditLogTest, HeadOneBehindAfterACrashIsANoteNotTampering) {
  AppendRecords(2);
  const std::string head_before = ReadAll(AuditHeadPath(dir_));
  AppendRecords(1);
  std::ofstream(AuditHeadPath(dir_), std::ios::binary | std::ios::trunc) << head_before;
  auto report = VerifyAuditLog(dir_);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << report->problem->message;
  EXPECT_EQ(report->notes.size(), 1u);
  ASSERT_THAT(AppendAuditRecord(dir_, kEventArchived, "case-1", {}), IsOk());
  report = VerifyAuditLog(dir_);
  EXPECT_TRUE(report->ok());
  EXPECT_TRUE(report->notes.empty());
}

TEST_F(AuditLogTest, ConcurrentWritersKeepOneChain) {
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = AppendAuditRecord(dir_, kEventClaimed, "t" + std::to_string(t),
                                   {{"i", i}, {"padding", std::string(3000, 'x')}});
        if (!r.ok()) ++failures;
      }
    });
  }
  // A reader verifying while they write never sees a half-written record.
  std::atomic<bool> writing{true};
  std::atomic<int> verify_problems{0};
  std::thread verifier([&] {
    while (writing) {
      auto during = VerifyAuditLog(dir_);
      if (during.ok() && !during->ok()) ++verify_problems;
    }
  });
  for (auto& t : threads) t.join();
  writing = false;
  verifier.join();
  EXPECT_EQ(verify_problems.load(), 0);
  EXPECT_EQ(failures.load(), 0);
  auto report = VerifyAuditLog(dir_);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << report->problem->message;
  EXPECT_EQ(report->records, static_cast<std::size_t>(kThreads * kEach));
}

TEST_F(AuditLogTest, ConcurrentProcessesKeepOneChain) {
  constexpr int kProcesses = 3;
  constexpr int kEach = 20;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int failed = 0;
      for (int i = 0; i < kEach; ++i) {
        if (!AppendAuditRecord(dir_, kEventClaimed, "p" + std::to_string(p), {{"i", i}}).ok()) {
          ++failed;
        }
      }
      _exit(failed == 0 ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto report = VerifyAuditLog(dir_);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok()) << report->problem->message;
  EXPECT_EQ(report->records, static_cast<std::size_t>(kProcesses * kEach));
}

TEST_F(AuditLogTest, LongRecordsAreReadBackFromTheTail) {
  // A record longer than the tail reader's chunk (a disc with thousands of files).
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        AppendAuditRecord(dir_, kEventCaseProcessed, "big", {{"blob", std::string(200000, 'a')}})
            .ok());
  }
  auto report = VerifyAuditLog(dir_);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->last_seq, 3);
}

TEST_F(AuditLogTest, CaseRecordsAreFoundByCaseId) {
  AppendRecords(3);
  ASSERT_THAT(AppendAuditRecord(dir_, kEventArchived, "case-2", {{"to", "archive"}}), IsOk());
  auto records = ReadCaseRecords(dir_, "case-2");
  ASSERT_THAT(records, IsOk());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0]["event"], "case_processed");
  EXPECT_EQ((*records)[1]["event"], "archived");
  const std::string text = FormatRecord((*records)[1]);
  EXPECT_NE(text.find("#4"), std::string::npos) << text;
  EXPECT_NE(text.find("archived"), std::string::npos) << text;
  EXPECT_NE(text.find("to"), std::string::npos) << text;
}

// A case with patient data everywhere the model allows it.
Case PatientCase() {
  Case c;
  c.id = "20261121-1a2b3c4d";
  c.submission_sha256 = std::string(64, 'a');
  c.submission_name = "山田太郎さん提出書類";
  c.received_at = "2026-11-21T09:15:00+09:00";
  c.profile_id = "utokyo-online";
  c.profile_sha256 = std::string(64, 'b');
  c.files.push_back(File("f0001", "紹介状_山田太郎.pdf", FileKind::kPdf, 1234));
  c.files.push_back(File("f0002", "yamada_taro_scan.zip", FileKind::kArchive, 99999));
  c.files.push_back(
      File("f0003", "yamada_taro_scan.zip/申込書.tif", FileKind::kTiff, 5555, "f0002"));
  c.pages.push_back(
      MakePage("p0001", "f0001", 1, "referral_letter", 0.93, TextSource::kPdfTextLayer, {}));
  c.pages.push_back(MakePage("p0002", "f0003", 1, "application_form", 0.71, TextSource::kOcr, 0.8));
  c.pages.push_back(MakePage("p0003", "f0003", 2, "application_form", 0.74, TextSource::kOcr, 0.8));
  c.documents.push_back(Document{"d001", "referral_letter", {"p0001"}, 0.93});
  c.documents.push_back(Document{"d002", "application_form", {"p0002", "p0003"}, 0.74});
  c.SetFact(Fact{"patient_name", std::string("山田　太郎"), 0.9, {"d002", "p0002", false}});
  c.SetFact(Fact{"diagnosis", std::string("胃癌"), 0.8, {"d001", "p0001", false}});
  c.SetFact(Fact{"attendance", std::string("family_only"), 1.0, {"", "", true}});
  c.AddFinding(FindingCode::kLowOcrConfidence, "紹介状_山田太郎.pdf の確度が低い", "f0001");
  auto present = Req("referral_letter", "紹介状", RequirementStatus::kPresent, {"d001"});
  present.reason_code = "evidence_found";
  auto missing = Req("consent_form", "相談同意書", RequirementStatus::kMissing, {},
                     "山田太郎さんの同意書がありません", "同意書をお送りください");
  missing.reason_code = "no_document";
  c.requirements = {present, missing};
  c.verdict = Verdict::kIncomplete;
  DicomPatient patient;
  patient.patient_id = "PID-778899";
  patient.name = "YAMADA^TARO=山田^太郎";
  patient.birth_date = "1950-01-01";
  patient.sex = "M";
  c.dicom_patients.push_back(patient);
  return c;
}

ProcessingContext SampleContext() {
  return ProcessingContext{"intake 0.1.0",
                           "tesseract 5.3.0 (jpn)",
                           {ModelFile{"jpn.traineddata", 2471234, std::string(64, 'c')}},
                           "DCMTK 3.6.7"};
}

TEST(CaseRecord, HoldsDecisionsEvidenceAndVersionsButNoPatientData) {
  const Case c = PatientCase();
  const json details = CaseProcessedDetails(
      c, SampleContext(), {{"f0001", std::string(64, '1')}, {"f0002", std::string(64, '2')}}, 4321);
  const std::string text = details.dump();
  for (const char* secret : {"山田", "太郎", "yamada", "YAMADA", "紹介状", "申込書", "胃癌",
                             "PID-778899", "1950-01-01", "family_only", ".pdf", ".zip", ".tif",
                             "提出書類", "同意書", intake::testing::kSecretPageText}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "patient data in the record: " << secret;
  }
  EXPECT_EQ(details["submission_sha256"], std::string(64, 'a'));
  EXPECT_EQ(details["profile"]["id"], "utokyo-online");
  EXPECT_EQ(details["profile"]["sha256"], std::string(64, 'b'));
  EXPECT_EQ(details["versions"]["intake"], "intake 0.1.0");
  EXPECT_EQ(details["versions"]["ocr_models"][0]["name"], "jpn.traineddata");
  EXPECT_EQ(details["versions"]["dicom"], "DCMTK 3.6.7");
  ASSERT_EQ(details["input_files"].size(), 3u);
  EXPECT_EQ(details["input_files"][0]["sha256"], std::string(64, '1'));
  EXPECT_TRUE(details["input_files"][2]["sha256"].is_null());  // not hashed: recorded as such
  EXPECT_EQ(details["input_files"][2]["container"], "f0002");
  EXPECT_EQ(details["verdict"], "incomplete");
  EXPECT_EQ(details["duration_ms"], 4321);
  const json& present = details["requirements"][0];
  EXPECT_EQ(present["status"], "present");
  EXPECT_EQ(present["reason_code"], "evidence_found");
  EXPECT_EQ(present["evidence"][0]["document"], "d001");
  EXPECT_EQ(present["evidence"][0]["type"], "referral_letter");
  EXPECT_EQ(present["evidence"][0]["file"], "f0001");
  EXPECT_EQ(present["evidence"][0]["pages"], json::array({1}));
  EXPECT_EQ(details["requirements"][1]["reason_code"], "no_document");
  EXPECT_EQ(details["findings"][0]["code"], "LOW_OCR_CONFIDENCE");
  EXPECT_EQ(details["facts"].size(), 3u);
  EXPECT_EQ(details["facts"][2]["source"], "manifest");

  // It is accepted by the log (all ASCII) and reads back the same.
  fs::path dir = fs::path(INTAKE_BINARY_DIR) / "test-tmp" / "audit-case-record";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto appended = AppendAuditRecord(dir, kEventCaseProcessed, c.id, details);
  ASSERT_THAT(appended, IsOk());
  auto records = ReadCaseRecords(dir, c.id);
  ASSERT_THAT(records, IsOk());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0]["details"], details);
  const std::string shown = FormatRecord((*records)[0]);
  for (const char* expected : {"case_processed", "20261121-1a2b3c4d", "consent_form", "missing",
                               "no_document", "jpn.traineddata", "LOW_OCR_CONFIDENCE", "f0003"}) {
    EXPECT_NE(shown.find(expected), std::string::npos) << expected << " not in\n" << shown;
  }
}

TEST(CaseRecord, FailedCaseKeepsAsciiMessagesOnly) {
  const Case c = PatientCase();
  EXPECT_EQ(CaseFailedDetails(c, SampleContext(), "write error (disk full?)")["error"],
            "write error (disk full?)");
  EXPECT_EQ(CaseFailedDetails(c, SampleContext(), "紹介状.pdf could not be read")["error"],
            "(message withheld)");
}

// Only audit.head cannot be replaced (its folder takes no new file; the log itself is writable):
// the record is in the log and the append says precisely that the head was not updated, instead
// of failing as if the audit trail were not written. The writer runs as `nobody` under a root CI.
TEST_F(AuditLogTest, HeadNotReplacedIsNotAFailedRecord) {
  AppendRecords(1);
  for (const fs::path& p : {AuditLogPath(dir_), AuditHeadPath(dir_)}) {
    if (::geteuid() == 0) {
      ASSERT_EQ(::chown(p.c_str(), 65534, 65534), 0);
    }
    fs::permissions(p, fs::perms::all, fs::perm_options::add);
  }
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                            fs::perms::group_exec | fs::perms::others_read |
                            fs::perms::others_exec);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    auto r = AppendAuditRecord(dir_, kEventCaseProcessed, "case-2", {{"verdict", "complete"}});
    if (!r.ok()) ::_exit(1);
    ::_exit(r->head_problem.find("audit.head") != std::string::npos && r->seq == 2 ? 0 : 2);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the append failed; 2: no head problem reported";
  EXPECT_EQ(Lines().size(), 2u) << "the record is in the log";
  auto report = VerifyAuditLog(dir_);
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_TRUE(report->ok()) << "a head one behind is a note, not tampering";
  EXPECT_FALSE(report->notes.empty());
}

}  // namespace
}  // namespace intake::audit

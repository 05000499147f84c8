// Forwarding without a PACS: the --pacs and local patient checks, the reconciled copy of an
// instance (what C-STORE sends), the report's forwarding section and the index's badge.
// The network part is tested against a real Orthanc in tests/e2e/forward_orthanc.sh.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "dashboard/dashboard.h"
#include "dicom/dicom_reader.h"
#include "dicom/storage_scu.h"
#include "dicom/synthetic_series.h"
#include "forward/forwarder.h"
#include "report/forwarding_html.h"

namespace fs = std::filesystem;
using namespace intake;

namespace {

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ForwardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("intake_forward_test_" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace

TEST(ForwardDestination, ParsesAeHostAndPort) {
  auto d = forward::ParseDestination("PACS_1@10.0.0.5:104");
  ASSERT_TRUE(d.ok()) << d.message();
  EXPECT_EQ(d->called_aet, "PACS_1");
  EXPECT_EQ(d->host, "10.0.0.5");
  EXPECT_EQ(d->port, 104);
  EXPECT_EQ(d->Key(), "PACS_1@10.0.0.5:104");
  for (const char* bad : {"PACS", "PACS@host", "@host:104", "PACS@:104", "PACS@host:0",
                          "PACS@host:70000", "PACS@host:10x", "AN_AE_TITLE_TOO_LONG@h:1"}) {
    EXPECT_FALSE(forward::ParseDestination(bad).ok()) << bad;
  }
}

TEST(ForwardDestination, AeTitles) {
  EXPECT_TRUE(forward::IsAeTitle("INTAKE"));
  EXPECT_TRUE(forward::IsAeTitle("SIXTEEN_CHARS_AE"));
  EXPECT_FALSE(forward::IsAeTitle(""));
  EXPECT_FALSE(forward::IsAeTitle("    "));
  EXPECT_FALSE(forward::IsAeTitle("SEVENTEEN_CHAR_AE"));
  EXPECT_FALSE(forward::IsAeTitle("A\\B"));
  EXPECT_FALSE(forward::IsAeTitle("病院"));
}

TEST(ForwardDestination, LocalPatientMustBeAscii) {
  EXPECT_TRUE(forward::ValidateLocalPatient({"H001", "HOSP", "", ""}).ok());
  EXPECT_TRUE(forward::ValidateLocalPatient({"H001", "HOSP", "19560312", ""}).ok());
  EXPECT_TRUE(forward::ValidateLocalPatient({"H001", "HOSP", "", "ヤマダ^タロウ=山田^太郎"}).ok());
  EXPECT_FALSE(forward::ValidateLocalPatient({"", "HOSP", "", ""}).ok());
  EXPECT_FALSE(forward::ValidateLocalPatient({"H001", "", "", ""}).ok());
  EXPECT_FALSE(forward::ValidateLocalPatient({"患者1", "HOSP", "", ""}).ok());
  EXPECT_FALSE(forward::ValidateLocalPatient({"H\\1", "HOSP", "", ""}).ok());
  EXPECT_FALSE(forward::ValidateLocalPatient({"H001", "HOSP", "1956-03-12", ""}).ok());
  EXPECT_FALSE(forward::ValidateLocalPatient({"H001", "HOSP", "", "A\\B"}).ok());
  EXPECT_FALSE(forward::ValidateLocalPatient({"H001", "HOSP", "", "\xff\xfe"}).ok());
}

TEST_F(ForwardTest, ReconciledCopyKeepsTheDiscValuesAndTheName) {
  dicom::SyntheticSeriesSpec spec;
  spec.patient_name = "ヤマダ^タロウ=山田^太郎";
  spec.patient_id = "DISC-7";
  spec.patient_birth_date = "19560312";
  spec.study_date = "20261015";
  spec.slices = 1;
  spec.rows = 16;
  spec.columns = 16;
  spec.uid_seed = "forward-unit";
  auto images = dicom::WriteSyntheticDisc(dir_ / "disc", spec);
  ASSERT_TRUE(images.ok()) << images.message();
  const fs::path original = (*images)[0];
  const std::string before = Read(original);

  dicom::Reconciliation r;
  r.patient_id = "H0012345";
  r.issuer = "HOSP.EXAMPLE";
  r.modified_at = "20261206221500+0900";
  const fs::path copy = dir_ / "copy.dcm";
  ASSERT_TRUE(dicom::WriteReconciledCopy(original, copy, r).ok());
  EXPECT_EQ(Read(original), before) << "the original must not change";

  auto was = dicom::ReadHeader(original);
  auto now = dicom::ReadHeader(copy);
  ASSERT_TRUE(was.ok() && now.ok());
  EXPECT_EQ(now->patient_id, "H0012345");
  EXPECT_EQ(now->patient_name, was->patient_name);
  EXPECT_EQ(now->specific_character_set, "ISO_IR 192");
  EXPECT_EQ(now->patient_birth_date, "1956-03-12");
  EXPECT_EQ(now->sop_instance_uid, was->sop_instance_uid);
  EXPECT_EQ(now->series_uid, was->series_uid);
  EXPECT_EQ(now->study_uid, was->study_uid);
  // The name's bytes as written, and the disc's ID in both sequences.
  const std::string bytes = Read(copy);
  EXPECT_NE(bytes.find("ヤマダ^タロウ=山田^太郎"), std::string::npos);
  EXPECT_NE(bytes.find("HOSP.EXAMPLE"), std::string::npos);
  EXPECT_NE(bytes.find("COERCE"), std::string::npos);
  std::size_t disc_ids = 0;
  for (auto at = bytes.find("DISC-7"); at != std::string::npos; at = bytes.find("DISC-7", at + 1)) {
    ++disc_ids;
  }
  EXPECT_EQ(disc_ids, 2u) << "Original Attributes and Other Patient IDs, and nowhere else";

  // A name given replaces the disc's (a UTF-8 disc takes one in kanji), which is kept.
  r.patient_name = "ヤマダ^ハナコ=山田^花子";
  ASSERT_TRUE(dicom::WriteReconciledCopy(original, dir_ / "renamed.dcm", r).ok());
  auto renamed = dicom::ReadHeader(dir_ / "renamed.dcm");
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->patient_name, "ヤマダ^ハナコ=山田^花子");
  EXPECT_NE(Read(dir_ / "renamed.dcm").find("ヤマダ^タロウ=山田^太郎"), std::string::npos);
}

// The bytes of the first Patient's Name (0010,0010) element of a little endian file, tag and
// length included; "" when not found.
std::string RawPatientName(const std::string& bytes) {
  const std::string tag("\x10\x00\x10\x00", 4);
  const auto at = bytes.find(tag, 132);
  if (at == std::string::npos || at + 8 > bytes.size()) return "";
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[at + i]); };
  const bool explicit_vr = bytes.compare(at + 4, 2, "PN") == 0;
  const std::size_t length =
      explicit_vr ? byte(6) | byte(7) << 8 : byte(4) | byte(5) << 8 | byte(6) << 16 | byte(7) << 24;
  return bytes.substr(at, 8 + length);
}

TEST_F(ForwardTest, IsoTwentyTwoJapaneseNameKeptByteForByte) {
  // PS3.5 H.3.2: half-width katakana (ISO 2022 IR 13) and kanji (ISO 2022 IR 87) with escapes.
  const fs::path original =
      fs::path(INTAKE_SHARED_DATA_DIR) / "dicom/files/charset/pydicom/chrH32.dcm";
  if (!fs::exists(original)) GTEST_SKIP() << "shared DICOM data absent";
  dicom::Reconciliation r;
  r.patient_id = "H1";
  r.issuer = "HOSP";
  r.modified_at = "20261206221500+0900";
  ASSERT_TRUE(dicom::WriteReconciledCopy(original, dir_ / "copy.dcm", r).ok());
  const std::string name = RawPatientName(Read(original));
  ASSERT_NE(name.find('\x1b'), std::string::npos) << "an ISO 2022 name with escapes";
  EXPECT_EQ(RawPatientName(Read(dir_ / "copy.dcm")), name);
  auto was = dicom::ReadHeader(original);
  auto now = dicom::ReadHeader(dir_ / "copy.dcm");
  ASSERT_TRUE(was.ok() && now.ok());
  EXPECT_EQ(now->specific_character_set, was->specific_character_set);
  EXPECT_EQ(now->patient_name, was->patient_name);
  EXPECT_EQ(now->patient_id, "H1");

  // A new name in kanji cannot be written in this disc's ISO 2022 character sets; in romaji it can.
  r.patient_name = "山田^花子";
  EXPECT_FALSE(dicom::WriteReconciledCopy(original, dir_ / "kanji.dcm", r).ok());
  r.patient_name = "YAMADA^HANAKO";
  ASSERT_TRUE(dicom::WriteReconciledCopy(original, dir_ / "romaji.dcm", r).ok());
  auto renamed = dicom::ReadHeader(dir_ / "romaji.dcm");
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->patient_name, "YAMADA^HANAKO");
  EXPECT_EQ(renamed->specific_character_set, was->specific_character_set);
  EXPECT_NE(Read(dir_ / "romaji.dcm").find(name.substr(8)), std::string::npos)
      << "the disc's name kept in the Original Attributes Sequence";
}

// A case folder as the pipeline leaves it, reduced to what forward reads: report.json naming a
// series folder whose DICOM/ holds two instances.
TEST_F(ForwardTest, UnreachablePacsLeavesEveryInstanceToSendAgain) {
  const fs::path case_dir = dir_ / "out" / "20261206-0000beef";
  const std::string folder = "09_画像/患者1_X/検査1/シリーズ1";
  dicom::SyntheticSeriesSpec spec;
  spec.patient_name = "TEST^PHANTOM";
  spec.patient_id = "X";
  spec.slices = 2;
  spec.rows = 16;
  spec.columns = 16;
  spec.uid_seed = "forward-unreachable";
  ASSERT_TRUE(dicom::WriteSyntheticDisc(dir_ / "disc", spec).ok());
  fs::create_directories(case_dir / folder);
  fs::rename(dir_ / "disc" / "IMAGES", case_dir / folder / "DICOM");
  const nlohmann::json report = {
      {"case_id", "20261206-0000beef"},
      {"verdict", "complete"},
      {"imaging", {{"patients", {{{"studies", {{{"series", {{{"folder", folder}}}}}}}}}}}}};
  std::ofstream(case_dir / "report.json") << report.dump();

  forward::ForwardOptions options;
  options.out_dir = dir_ / "out";
  options.case_id = "20261206-0000beef";
  options.destination = {"NOBODY", "127.0.0.1", 1};  // nothing listens on port 1
  options.retries = 1;
  options.first_backoff = std::chrono::milliseconds(10);
  options.timeout_seconds = 2;
  auto summary = forward::ForwardCase(options);
  ASSERT_TRUE(summary.ok()) << summary.message();
  EXPECT_EQ(summary->instances, 2u);
  EXPECT_EQ(summary->failed, 2u);
  EXPECT_FALSE(summary->complete());
  EXPECT_FALSE(summary->echo_ok);
  EXPECT_FALSE(summary->problem.empty());

  const auto state = nlohmann::json::parse(Read(case_dir / "forward.json"));
  const auto& instances = state["destinations"]["NOBODY@127.0.0.1:1"]["instances"];
  ASSERT_EQ(instances.size(), 2u);
  for (const auto& [uid, entry] : instances.items()) EXPECT_EQ(entry["state"], "failed") << uid;
  const auto updated = nlohmann::json::parse(Read(case_dir / "report.json"));
  EXPECT_EQ(updated["forwarding"][0]["failed"], 2);
  EXPECT_NE(Read(dir_ / "out" / "audit.log").find("case_forwarded"), std::string::npos);

  // A state file edited into another shape is a clear error, not a crash.
  std::ofstream(case_dir / "forward.json")
      << R"({"destinations": {"NOBODY@127.0.0.1:1": {"reconciliation": null, "instances": 5}}})";
  auto broken = forward::ForwardCase(options);
  EXPECT_FALSE(broken.ok());
}

TEST(ForwardReport, SectionReplacesTheEarlierOne) {
  const nlohmann::json runs = nlohmann::json::array({{{"destination", "PACS@h:104"},
                                                      {"finished_at", "2026-12-06T22:15:00+09:00"},
                                                      {"complete", true},
                                                      {"instances", 12},
                                                      {"stored", 12},
                                                      {"already_there", 0},
                                                      {"failed", 0},
                                                      {"decompressed", 4},
                                                      {"reconciled", true},
                                                      {"problem", nullptr}}});
  const std::string section = report::ForwardingSectionHtml(runs);
  EXPECT_NE(section.find("PACS@h:104"), std::string::npos);
  EXPECT_NE(section.find("転送済"), std::string::npos);
  const std::string page = "<html><body><section id=\"imaging\">x</section>\n</body></html>";
  const std::string once = report::WithForwardingSection(page, section);
  EXPECT_LT(once.find("id=\"forwarding\""), once.find("id=\"imaging\""));
  const std::string twice = report::WithForwardingSection(once, section);
  EXPECT_EQ(once, twice);
  EXPECT_NE(report::WithForwardingSection("<body></body>", section).find("PACS@h:104"),
            std::string::npos);
}

TEST(ForwardReport, IndexShowsForwardedCases) {
  nlohmann::json report = {{"case_id", "20261206-00000001"},
                           {"verdict", "complete"},
                           {"forwarding", {{{"complete", true}}}}};
  auto summary = dashboard::SummaryFromReport(report, "20261206-00000001");
  EXPECT_EQ(summary.forwarding, "complete");
  EXPECT_EQ(dashboard::SummaryFromJson(dashboard::SummaryToJson(summary)).forwarding, "complete");
  EXPECT_NE(dashboard::IndexHtml({summary}, "2026-12-06T22:00:00+09:00").find("PACS転送済"),
            std::string::npos);
  report["forwarding"].push_back({{"complete", false}});
  EXPECT_EQ(dashboard::SummaryFromReport(report, "x").forwarding, "incomplete");
  report.erase("forwarding");
  EXPECT_EQ(dashboard::SummaryFromReport(report, "x").forwarding, "");
}

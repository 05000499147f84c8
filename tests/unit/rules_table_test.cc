// Data-driven rule tests: tests/data/rules/*.yaml give, per profile, cases of (facts, documents)
// and the requirement statuses, exclusions and verdict each must produce. Adding a case is adding
// data. Each table must exercise every requirement of its profile as present and missing (and as
// not_required when it has a condition) and trigger every exclusion.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "config/profile.h"
#include "stages/rules.h"
#include "tests/support/findings.h"
#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::stages {
namespace {

namespace fs = std::filesystem;

const fs::path kTables = fs::path(INTAKE_SOURCE_DIR) / "tests/data/rules";

FactValue ToFactValue(const YAML::Node& node) {
  bool b = false;
  std::int64_t n = 0;
  if (node.Tag() != "!" && YAML::convert<bool>::decode(node, b)) return b;
  if (node.Tag() != "!" && YAML::convert<std::int64_t>::decode(node, n)) return n;
  return node.as<std::string>();
}

// "consent_form" or "consent_form@0.3" (classified with that confidence).
Document ToDocument(const std::string& spec, std::size_t index) {
  Document d;
  d.id = "d" + std::to_string(index + 1);
  const auto at = spec.find('@');
  d.type = spec.substr(0, at);
  d.confidence = at == std::string::npos ? 0.9 : std::stod(spec.substr(at + 1));
  return d;
}

Case BuildCase(const YAML::Node& node) {
  Case c;
  c.id = "table";
  std::set<std::string> unsure;
  for (const auto& f : node["unsure_facts"]) unsure.insert(f.as<std::string>());
  for (const auto& entry : node["facts"]) {
    Fact f;
    f.name = entry.first.as<std::string>();
    f.value = ToFactValue(entry.second);
    f.confidence = unsure.count(f.name) ? 0.2 : 0.9;
    c.facts.push_back(f);
  }
  std::size_t i = 0;
  for (const auto& d : node["documents"])
    c.documents.push_back(ToDocument(d.as<std::string>(), i++));
  if (node["dicom"] && node["dicom"].as<bool>()) {
    DicomSeries s;
    s.series_uid = "1.2.3";
    DicomPatient p;
    p.patient_id = "P1";
    p.studies.push_back(DicomStudy{"1.2", "", "", "CT", {s}});
    c.dicom_patients.push_back(std::move(p));
  }
  Page page;  // one page, so that the case is not empty
  page.id = "p0001";
  c.pages.push_back(page);
  return c;
}

class RulesTableTest : public ::testing::TestWithParam<fs::path> {};

TEST_P(RulesTableTest, EveryCaseGivesItsExpectedStatuses) {
  const YAML::Node table = YAML::LoadFile(GetParam().string());
  auto profile = config::LoadProfile(fs::path(INTAKE_SOURCE_DIR) / "config/profiles" /
                                     table["profile"].as<std::string>());
  ASSERT_THAT(profile, IsOk());
  std::map<std::string, std::string> exclusion_labels;
  for (const auto& e : profile->exclusions) exclusion_labels[e.id] = e.label;

  std::map<std::string, std::set<std::string>> seen_statuses;
  std::set<std::string> seen_exclusions;
  for (const auto& node : table["cases"]) {
    const std::string name = node["name"].as<std::string>();
    SCOPED_TRACE(name);
    Case c = BuildCase(node);
    ASSERT_THAT(MakeRulesStage(*profile)->Run(c), IsOk());
    std::map<std::string, std::string> got;
    for (const auto& r : c.requirements) got[r.id] = std::string(RequirementStatusName(r.status));
    for (const auto& entry : node["expect"]) {
      const std::string id = entry.first.as<std::string>();
      ASSERT_TRUE(got.count(id)) << "no requirement " << id << " in the profile";
      EXPECT_EQ(got[id], entry.second.as<std::string>()) << id;
      seen_statuses[id].insert(got[id]);
    }
    for (const auto& entry : node["reasons"]) {
      const std::string id = entry.first.as<std::string>();
      const auto r = std::find_if(c.requirements.begin(), c.requirements.end(),
                                  [&](const RequirementResult& x) { return x.id == id; });
      ASSERT_NE(r, c.requirements.end()) << id;
      EXPECT_NE(r->reason.find(entry.second.as<std::string>()), std::string::npos)
          << id << ": " << r->reason;
    }
    std::set<std::string> expected_exclusions;
    for (const auto& e : node["excluded"]) expected_exclusions.insert(e.as<std::string>());
    std::set<std::string> got_exclusions;
    for (const auto& f : c.findings) {
      if (f.code != FindingCode::kExcludedCase) continue;
      for (const auto& [id, label] : exclusion_labels)
        if (f.message.find(label) != std::string::npos) got_exclusions.insert(id);
    }
    EXPECT_EQ(got_exclusions, expected_exclusions);
    seen_exclusions.insert(got_exclusions.begin(), got_exclusions.end());
    if (node["verdict"]) {
      EXPECT_EQ(VerdictName(c.verdict), node["verdict"].as<std::string>());
    }
  }

  // Coverage of the profile by this table.
  for (const auto& r : profile->requirements) {
    EXPECT_TRUE(seen_statuses[r.id].count("present")) << r.id << " never present";
    EXPECT_TRUE(seen_statuses[r.id].count("missing")) << r.id << " never missing";
    if (r.when) {
      EXPECT_TRUE(seen_statuses[r.id].count("not_required")) << r.id;
    }
  }
  for (const auto& e : profile->exclusions)
    EXPECT_TRUE(seen_exclusions.count(e.id)) << "exclusion " << e.id << " never triggered";
}

// No requirement is present on a guess: every case of the table again, with every document
// classified just below the profile's min_confidence, has no requirement present by a document
// (DICOM images are read, not guessed), and with every fact read just below it, no requirement
// is present by an alternative whose acceptability depends on a fact.
TEST_P(RulesTableTest, NothingIsPresentOnAGuess) {
  const YAML::Node table = YAML::LoadFile(GetParam().string());
  auto profile = config::LoadProfile(fs::path(INTAKE_SOURCE_DIR) / "config/profiles" /
                                     table["profile"].as<std::string>());
  ASSERT_THAT(profile, IsOk());
  int checked = 0;
  for (const auto& node : table["cases"]) {
    SCOPED_TRACE(node["name"].as<std::string>());
    Case unsure_documents = BuildCase(node);
    for (auto& d : unsure_documents.documents) d.confidence = profile->min_confidence - 0.01;
    ASSERT_THAT(MakeRulesStage(*profile)->Run(unsure_documents), IsOk());
    for (const auto& r : unsure_documents.requirements) {
      if (r.status != RequirementStatus::kPresent) continue;
      EXPECT_EQ(r.evidence_document_ids, std::vector<std::string>{kImagingEvidence}) << r.id;
    }

    Case unsure_facts = BuildCase(node);
    for (auto& f : unsure_facts.facts) f.confidence = profile->min_confidence - 0.01;
    ASSERT_THAT(MakeRulesStage(*profile)->Run(unsure_facts), IsOk());
    for (const auto& r : unsure_facts.requirements) {
      if (r.status != RequirementStatus::kPresent) continue;
      const auto req = std::find_if(profile->requirements.begin(), profile->requirements.end(),
                                    [&](const config::Requirement& q) { return q.id == r.id; });
      ASSERT_NE(req, profile->requirements.end());
      EXPECT_TRUE(req->count.fact.empty()) << r.id << " counted on a fact read too unsure";
      for (const auto& id : r.evidence_document_ids) {
        const auto doc = std::find_if(unsure_facts.documents.begin(), unsure_facts.documents.end(),
                                      [&](const Document& d) { return d.id == id; });
        const std::string type =
            doc == unsure_facts.documents.end() ? config::kDicomImagesType : doc->type;
        const bool unconditional = std::any_of(
            req->any_of.begin(), req->any_of.end(),
            [&](const config::Alternative& a) { return a.document_type == type && !a.when; });
        EXPECT_TRUE(unconditional) << r.id << " present by " << type << " on an unsure fact";
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

std::vector<fs::path> Tables() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(kTables)) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Profiles, RulesTableTest, ::testing::ValuesIn(Tables()),
                         [](const auto& info) {
                           std::string name = info.param.stem().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(RulesTableFiles, OneTablePerShippedProfile) {
  for (const auto& entry : fs::directory_iterator(fs::path(INTAKE_SOURCE_DIR) / "config/profiles"))
    EXPECT_TRUE(fs::exists(kTables / entry.path().filename())) << entry.path().filename();
}

}  // namespace
}  // namespace intake::stages

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
  ASSERT_TRUE(profile.ok()) << profile.message();
  std::map<std::string, std::string> exclusion_labels;
  for (const auto& e : profile->exclusions) exclusion_labels[e.id] = e.label;

  std::map<std::string, std::set<std::string>> seen_statuses;
  std::set<std::string> seen_exclusions;
  for (const auto& node : table["cases"]) {
    const std::string name = node["name"].as<std::string>();
    SCOPED_TRACE(name);
    Case c = BuildCase(node);
    ASSERT_TRUE(MakeRulesStage(*profile)->Run(c).ok());
    std::map<std::string, std::string> got;
    for (const auto& r : c.requirements) got[r.id] = std::string(RequirementStatusName(r.status));
    for (const auto& entry : node["expect"]) {
      const std::string id = entry.first.as<std::string>();
      ASSERT_TRUE(got.count(id)) << "no requirement " << id << " in the profile";
      EXPECT_EQ(got[id], entry.second.as<std::string>()) << id;
      seen_statuses[id].insert(got[id]);
    }
    std::set<std::string> expected_exclusions;
    for (const auto& e : node["excluded"]) expected_exclusions.insert(e.as<std::string>());
    std::set<std::string> got_exclusions;
    for (const auto& f : c.findings) {
      if (f.code != "EXCLUDED_CASE") continue;
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

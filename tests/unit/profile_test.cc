#include "config/profile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tests/support/status_matchers.h"

using intake::testing::IsOk;

namespace intake::config {
namespace {

namespace fs = std::filesystem;

fs::path WriteTemp(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("intake_profile_test_" + name + ".yaml");
  std::ofstream(p) << text;
  return p;
}

TEST(ProfileTest, ShippedProfilesAreValid) {
  for (const auto& entry :
       fs::directory_iterator(fs::path(INTAKE_SOURCE_DIR) / "config/profiles")) {
    const auto errors = ValidateProfileFile(entry.path());
    for (const auto& e : errors) ADD_FAILURE() << e.ToString();
  }
}

TEST(ProfileTest, DefaultProfileHasTheContractRequirementIds) {
  auto p = LoadProfile(DefaultProfilePath());
  ASSERT_THAT(p, IsOk());
  std::vector<std::string> ids;
  for (const auto& r : p->requirements) ids.push_back(r.id);
  EXPECT_EQ(ids,
            (std::vector<std::string>{"referral_letter", "application_form", "consultation_sheet",
                                      "test_data", "consent_form", "kinship_proof", "attendee_id",
                                      "medication_list", "surgery_attachment_form"}));
  EXPECT_EQ(p->sha256.size(), 64u);
  ASSERT_NE(p->FindDocumentType("koseki"), nullptr);
  EXPECT_EQ(p->FindDocumentType("koseki")->label, "戸籍謄本");
}

TEST(ProfileTest, ErrorsNameFileLineAndKey) {
  const fs::path p = WriteTemp("bad", R"(schema: intake.profile/1
id: bad
name: テスト
document_types:
  referral_letter:
    label: 紹介状
    title_keywords: [紹介状]
requirements:
  - id: referral_letter
    label: 紹介状
    any_of: [referal_letter]
  - id: consent
    label: 同意書
    when: {fact: atendance, equals: family_only}
    any_of: [referral_letter]
)");
  const auto errors = ValidateProfileFile(p);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].line, 11);
  EXPECT_EQ(errors[0].key, "requirements[0].any_of[0]");
  EXPECT_NE(errors[0].message.find("referal_letter"), std::string::npos);
  EXPECT_EQ(errors[1].line, 14);
  EXPECT_EQ(errors[1].key, "requirements[1].when.fact");
  EXPECT_NE(errors[1].ToString().find(p.string() + ":14: requirements[1].when.fact"),
            std::string::npos);
  EXPECT_FALSE(LoadProfile(p).ok());
}

TEST(ProfileTest, RequirementWithoutAlternativesIsAnErrorNotACrash) {
  // Found by fuzz/fuzz_profile: a misspelt `any_of` made yaml-cpp throw InvalidNode.
  const fs::path p = WriteTemp("no_any_of", R"(schema: intake.profile/1
id: t
name: t
document_types:
  referral_letter:
    label: 紹介状
    title_keywords: [紹介状]
requirements:
  - id: referral_letter
    label: 紹介状
    any_oZf: [referral_letter]
)");
  const auto errors = ValidateProfileFile(p);
  ASSERT_EQ(errors.size(), 2u);  // the unknown key, and the list that is missing
  bool missing_list = false;
  for (const auto& e : errors) missing_list |= e.key == "requirements[0].any_of" && e.line == 9;
  EXPECT_TRUE(missing_list) << errors[0].ToString() << "\n" << errors[1].ToString();
}

TEST(ProfileTest, SyntaxErrorHasALine) {
  const fs::path p = WriteTemp("syntax", "schema: intake.profile/1\nid: [unclosed\n");
  const auto errors = ValidateProfileFile(p);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_GT(errors[0].line, 0);
}

TEST(ProfileTest, FolderIsAPlainName) {
  const fs::path p = WriteTemp("folders", R"(schema: intake.profile/1
id: t
name: t
document_types:
  a: {label: A, title_keywords: [A], folder: 検査データ}
  b: {label: B, title_keywords: [B], folder: ../up}
  c: {label: C, title_keywords: [C], folder: "a:b"}
  d: {label: D, title_keywords: [D], folder: .hidden}
requirements:
  - id: r
    label: r
    any_of: [a]
)");
  const auto errors = ValidateProfileFile(p);
  std::set<std::string> keys;
  for (const auto& e : errors) keys.insert(e.key);
  EXPECT_EQ(keys, (std::set<std::string>{"document_types.b.folder", "document_types.c.folder",
                                         "document_types.d.folder"}));
  auto profile = LoadProfile(DefaultProfilePath());
  ASSERT_THAT(profile, IsOk());
  EXPECT_EQ(profile->FindDocumentType("pathology_report")->folder, "検査データ");
}

TEST(ProfileTest, QuotedValuesStayText) {
  const fs::path p = WriteTemp("literals", R"(schema: intake.profile/1
id: t
name: t
document_types:
  a: {label: A, title_keywords: [A]}
requirements:
  - id: r
    label: r
    when: {all: [{fact: patient_age, less_than: 18}, {fact: department, equals: "18"}, {fact: living_together, equals: true}]}
    any_of: [a]
)");
  auto profile = LoadProfile(p);
  ASSERT_THAT(profile, IsOk());
  const auto& children = profile->requirements[0].when->children;
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(children[0].values[0]));
  EXPECT_TRUE(std::holds_alternative<std::string>(children[1].values[0]));
  EXPECT_TRUE(std::holds_alternative<bool>(children[2].values[0]));
}

TEST(ProfileTest, CountIsANumberOrAWholeNumberFact) {
  const fs::path p = WriteTemp("count", R"(schema: intake.profile/1
id: t
name: t
document_types:
  a: {label: A, title_keywords: [A]}
requirements:
  - id: fixed
    label: r
    any_of: [a]
    count: 2
  - id: per_member
    label: r
    any_of: [a]
    count: {fact: attending_family_count}
  - id: not_a_number
    label: r
    any_of: [a]
    count: {fact: department}
  - id: zero
    label: r
    any_of: [a]
    count: 0
  - id: typo
    label: r
    any_of: [a]
    count: {fact: attending_family_cnt}
  - id: unknown_key
    label: r
    any_of: [a]
    cuont: 2
)");
  const auto errors = ValidateProfileFile(p);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].key, "requirements[2].count.fact");
  EXPECT_EQ(errors[0].line, 18);
  EXPECT_NE(errors[0].message.find("whole-number"), std::string::npos);
  EXPECT_EQ(errors[1].key, "requirements[3].count");
  EXPECT_EQ(errors[1].line, 22);
  EXPECT_EQ(errors[2].key, "requirements[4].count.fact");
  EXPECT_NE(errors[2].message.find("unknown fact"), std::string::npos);
  EXPECT_EQ(errors[3].key, "requirements[5].cuont");
  EXPECT_EQ(errors[3].line, 30);

  // The valid ones, alone, load.
  const fs::path good = WriteTemp("count_good", R"(schema: intake.profile/1
id: t
name: t
document_types:
  a: {label: A, title_keywords: [A]}
requirements:
  - {id: fixed, label: r, any_of: [a], count: 2}
  - {id: per_member, label: r, any_of: [a], count: {fact: attending_family_count}}
  - {id: one, label: r, any_of: [a]}
)");
  auto profile = LoadProfile(good);
  ASSERT_THAT(profile, IsOk());
  EXPECT_EQ(profile->requirements[0].count.at_least, 2);
  EXPECT_EQ(profile->requirements[1].count.fact, "attending_family_count");
  EXPECT_EQ(profile->requirements[2].count.at_least, 1);
  EXPECT_TRUE(profile->requirements[2].count.fact.empty());
}

TEST(ProfileTest, NumericComparisonsNeedAWholeNumberFact) {
  const fs::path p = WriteTemp("numeric", R"(schema: intake.profile/1
id: t
name: t
document_types:
  a: {label: A, title_keywords: [A]}
requirements:
  - id: r
    label: r
    when: {fact: department, at_least: 3}
    any_of: [a]
)");
  const auto errors = ValidateProfileFile(p);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "requirements[0].when.at_least");
  EXPECT_EQ(errors[0].line, 9);
}

TEST(ProfileTest, BothShippedProfilesAskForAnIdPerAttendingFamilyMember) {
  for (const char* name : {"utokyo-online.yaml", "example-kinship1.yaml"}) {
    auto p = LoadProfile(fs::path(INTAKE_SOURCE_DIR) / "config/profiles" / name);
    ASSERT_THAT(p, IsOk());
    const auto r = std::find_if(p->requirements.begin(), p->requirements.end(),
                                [](const Requirement& x) { return x.id == "attendee_id"; });
    ASSERT_NE(r, p->requirements.end()) << name;
    EXPECT_EQ(r->count.fact, "attending_family_count") << name;
  }
}

}  // namespace
}  // namespace intake::config

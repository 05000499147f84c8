#include "config/profile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
  ASSERT_TRUE(p.ok()) << p.message();
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
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "requirements[0].any_of");
  EXPECT_EQ(errors[0].line, 9);
}

TEST(ProfileTest, SyntaxErrorHasALine) {
  const fs::path p = WriteTemp("syntax", "schema: intake.profile/1\nid: [unclosed\n");
  const auto errors = ValidateProfileFile(p);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_GT(errors[0].line, 0);
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
  ASSERT_TRUE(profile.ok()) << profile.message();
  const auto& children = profile->requirements[0].when->children;
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(children[0].values[0]));
  EXPECT_TRUE(std::holds_alternative<std::string>(children[1].values[0]));
  EXPECT_TRUE(std::holds_alternative<bool>(children[2].values[0]));
}

}  // namespace
}  // namespace intake::config

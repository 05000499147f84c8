// config/manifest.h: the staff manifest (intake.yaml / intake.json) read into plain values; a
// broken one is an error, never an exception.
#include "config/manifest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace intake::config {
namespace {

using intake::testing::ErrorIs;
using intake::testing::IsOk;

class ManifestTest : public intake::testing::TempDirTest {
 protected:
  Result<Manifest> Read(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return ReadManifest(dir_ / name);
  }
};

TEST_F(ManifestTest, CaseAndScalarFactsInTheirOrder) {
  const auto manifest = Read("intake.yaml",
                             "case: 20261121-0a1b2c3d\n"
                             "facts:\n"
                             "  living_together: yes\n"
                             "  patient_age: 54\n"
                             "  department: 老年病科\n"
                             "  attendees: [長女, 孫]\n"  // not a scalar: left out
                             "  ? [a, b]\n"               // a list as a name: left out
                             "  : 1\n");
  ASSERT_THAT(manifest, IsOk());
  EXPECT_TRUE(manifest->shape_ok);
  EXPECT_EQ(manifest->case_id, "20261121-0a1b2c3d");
  ASSERT_EQ(manifest->facts.size(), 3u);
  EXPECT_EQ(manifest->facts[0].name, "living_together");
  EXPECT_EQ(manifest->facts[0].text, "yes");
  EXPECT_EQ(manifest->facts[0].boolean, true);
  EXPECT_EQ(manifest->facts[0].integer, std::nullopt);
  EXPECT_EQ(manifest->facts[1].name, "patient_age");
  EXPECT_EQ(manifest->facts[1].integer, 54);
  EXPECT_EQ(manifest->facts[1].boolean, std::nullopt);
  EXPECT_EQ(manifest->facts[2].text, "老年病科");
}

TEST_F(ManifestTest, JsonIsReadAsYaml) {
  const auto manifest = Read(
      "intake.json",
      R"({"case": "20261121-0a1b2c3d", "facts": {"from_abroad": false, "lead_time_days": 14}})");
  ASSERT_THAT(manifest, IsOk());
  EXPECT_EQ(manifest->case_id, "20261121-0a1b2c3d");
  ASSERT_EQ(manifest->facts.size(), 2u);
  EXPECT_EQ(manifest->facts[0].boolean, false);
  EXPECT_EQ(manifest->facts[1].integer, 14);
}

TEST_F(ManifestTest, AManifestOfTheWrongShapeKeepsItsCase) {
  const auto scalar = Read("scalar.yaml", "just a line\n");
  ASSERT_THAT(scalar, IsOk());
  EXPECT_FALSE(scalar->shape_ok);
  const auto empty = Read("empty.yaml", "");
  ASSERT_THAT(empty, IsOk());
  EXPECT_FALSE(empty->shape_ok);
  const auto list = Read("list.yaml", "case: 20261121-0a1b2c3d\nfacts: [1, 2]\n");
  ASSERT_THAT(list, IsOk());
  EXPECT_FALSE(list->shape_ok);
  EXPECT_EQ(list->case_id, "20261121-0a1b2c3d");
  EXPECT_TRUE(list->facts.empty());
  const auto no_facts = Read("no_facts.yaml", "case: [a]\n");  // a list as the case: none
  ASSERT_THAT(no_facts, IsOk());
  EXPECT_TRUE(no_facts->shape_ok);
  EXPECT_EQ(no_facts->case_id, "");
}

TEST_F(ManifestTest, UnreadableOrBrokenIsAnErrorNotAnException) {
  EXPECT_THAT(Read("broken.yaml", "facts: [\n"), ErrorIs(ErrorCode::kInvalid));
  EXPECT_THAT(Read("cut.json", R"({"facts": {"patient_age": 54)"), ErrorIs(ErrorCode::kInvalid));
  EXPECT_THAT(ReadManifest(dir_ / "missing.yaml"), ErrorIs(ErrorCode::kInvalid));
}

}  // namespace
}  // namespace intake::config

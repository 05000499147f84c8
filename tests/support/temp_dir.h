// Temporary folders for the tests: a fresh, empty one by name, or one per test in a fixture.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace intake::testing {

// A fresh, empty temporary folder for one test, named after it and the process.
inline std::filesystem::path FreshTempDir(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("intake-" + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A fixture whose every test has a fresh, empty folder `dir_` of its own, removed after it.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = FreshTempDir(std::string(test->test_suite_name()) + "-" + test->name());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

}  // namespace intake::testing

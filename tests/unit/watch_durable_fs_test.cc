// Durable moves and writes (watch/durable_fs.h), including the idempotent completion of a move
// interrupted half-way, on one file system and across two when /dev/shm is another one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "watch/durable_fs.h"

namespace intake::watch {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}
std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path TestDir(const fs::path& base) {
  return base / ("intake-durable-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

class DurableFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestDir(fs::temp_directory_path());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(DurableFsTest, WriteFileDurablyReplacesWhole) {
  Write(dir_ / "r.txt", "old");
  ASSERT_TRUE(WriteFileDurably(dir_ / "r.txt", "新しい内容").ok());
  EXPECT_EQ(Read(dir_ / "r.txt"), "新しい内容");
  EXPECT_FALSE(fs::exists(dir_ / "r.txt.tmp"));
}

TEST_F(DurableFsTest, MoveFileAndFolderAndRepeat) {
  Write(dir_ / "in" / "a.pdf", "A");
  Write(dir_ / "in" / "env" / "x" / "b.pdf", "B");
  ASSERT_TRUE(MoveDurably(dir_ / "in" / "a.pdf", dir_ / "archive" / "1" / "a.pdf").ok());
  ASSERT_TRUE(MoveDurably(dir_ / "in" / "env", dir_ / "archive" / "2" / "env").ok());
  EXPECT_EQ(Read(dir_ / "archive" / "1" / "a.pdf"), "A");
  EXPECT_EQ(Read(dir_ / "archive" / "2" / "env" / "x" / "b.pdf"), "B");
  EXPECT_FALSE(fs::exists(dir_ / "in" / "a.pdf"));
  // Recovery calls it again: already done is success.
  EXPECT_TRUE(MoveDurably(dir_ / "in" / "a.pdf", dir_ / "archive" / "1" / "a.pdf").ok());
  // Nothing anywhere is an error, never a silent success.
  EXPECT_FALSE(MoveDurably(dir_ / "in" / "nope", dir_ / "archive" / "3" / "nope").ok());
  // Both present on one file system cannot come from our moves: refuse rather than delete.
  Write(dir_ / "in" / "c", "1");
  Write(dir_ / "out" / "c", "2");
  EXPECT_FALSE(MoveDurably(dir_ / "in" / "c", dir_ / "out" / "c").ok());
  EXPECT_EQ(Read(dir_ / "in" / "c"), "1");
}

TEST_F(DurableFsTest, SyncTreeWalksEverything) {
  Write(dir_ / "case" / "report.json", "{}");
  Write(dir_ / "case" / "01_紹介状" / "a.pdf", "x");
  EXPECT_TRUE(SyncTree(dir_ / "case").ok());
  EXPECT_TRUE(SyncTree(dir_ / "case" / "report.json").ok());
  EXPECT_FALSE(SyncTree(dir_ / "missing").ok());
}

TEST_F(DurableFsTest, AcrossFileSystemsCopiesThenRemovesAndResumes) {
  const fs::path other_base = "/dev/shm";
  if (!fs::is_directory(other_base) || SameFileSystem(dir_, other_base)) {
    GTEST_SKIP() << "no second file system at /dev/shm";
  }
  const fs::path other = TestDir(other_base);
  fs::remove_all(other);
  fs::create_directories(other);
  EXPECT_FALSE(SameFileSystem(dir_, other / "not-yet" / "x"));
  Write(other / "claimed" / "env" / "a.pdf", "A");
  Write(other / "claimed" / "env" / "sub" / "b.pdf", "B");
  ASSERT_TRUE(MoveDurably(other / "claimed" / "env", dir_ / "archive" / "1" / "env").ok());
  EXPECT_EQ(Read(dir_ / "archive" / "1" / "env" / "sub" / "b.pdf"), "B");
  EXPECT_FALSE(fs::exists(other / "claimed" / "env"));

  // Killed after the copy was renamed into place but before the original was removed.
  Write(other / "claimed" / "c.pdf", "C");
  Write(dir_ / "archive" / "2" / "c.pdf", "C");
  ASSERT_TRUE(MoveDurably(other / "claimed" / "c.pdf", dir_ / "archive" / "2" / "c.pdf").ok());
  EXPECT_FALSE(fs::exists(other / "claimed" / "c.pdf"));

  // Killed half-way through the copy: the partial copy is discarded and the copy redone.
  Write(other / "claimed" / "d.pdf", "DDDD");
  Write(dir_ / "archive" / "3" / "d.pdf.copying", "D");
  ASSERT_TRUE(MoveDurably(other / "claimed" / "d.pdf", dir_ / "archive" / "3" / "d.pdf").ok());
  EXPECT_EQ(Read(dir_ / "archive" / "3" / "d.pdf"), "DDDD");
  EXPECT_FALSE(fs::exists(dir_ / "archive" / "3" / "d.pdf.copying"));
  fs::remove_all(other);
}

}  // namespace
}  // namespace intake::watch

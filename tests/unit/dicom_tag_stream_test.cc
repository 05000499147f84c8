// Tests of the sequence-depth walk that guards DCMTK (dicom/tag_stream.h), on hand-made bytes in
// every encoding DCMTK reads, and on a real synthetic series.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "dicom/dicom_reader.h"
#include "dicom/synthetic_series.h"
#include "dicom/tag_stream.h"

namespace intake::dicom {
namespace {

namespace fs = std::filesystem;

enum class Enc { kExplicitLittle, kImplicitLittle, kExplicitBig };

std::string U16(std::uint32_t v, bool big) {
  return big ? std::string{static_cast<char>(v >> 8), static_cast<char>(v)}
             : std::string{static_cast<char>(v), static_cast<char>(v >> 8)};
}
std::string U32(std::uint32_t v, bool big) {
  return big ? U16(v >> 16, true) + U16(v & 0xFFFF, true)
             : U16(v & 0xFFFF, false) + U16(v >> 16, false);
}

// Builds element streams in one encoding.
struct Writer {
  Enc enc;
  bool big() const { return enc == Enc::kExplicitBig; }
  std::string Tag(std::uint32_t g, std::uint32_t e) const { return U16(g, big()) + U16(e, big()); }
  std::string Element(std::uint32_t g, std::uint32_t e, const std::string& vr,
                      const std::string& value) const {
    if (enc == Enc::kImplicitLittle) return Tag(g, e) + U32(value.size(), false) + value;
    if (HasLongLength(vr[0], vr[1]))
      return Tag(g, e) + vr + std::string(2, '\0') + U32(value.size(), big()) + value;
    return Tag(g, e) + vr + U16(value.size(), big()) + value;
  }
  std::string SequenceHeader(std::uint32_t length) const {
    if (enc == Enc::kImplicitLittle) return Tag(0x0040, 0xA730) + U32(length, false);
    return Tag(0x0040, 0xA730) + "SQ" + std::string(2, '\0') + U32(length, big());
  }
  std::string Item(std::uint32_t length) const { return Tag(0xFFFE, 0xE000) + U32(length, big()); }
  std::string ItemEnd() const { return Tag(0xFFFE, 0xE00D) + U32(0, big()); }
  std::string SequenceEnd() const { return Tag(0xFFFE, 0xE0DD) + U32(0, big()); }

  // `depth` sequences, each holding one item holding the next, with undefined lengths.
  std::string NestedUndefined(int depth) const {
    std::string open;
    std::string close;
    for (int i = 0; i < depth; ++i) {
      open += SequenceHeader(0xFFFFFFFFu) + Item(0xFFFFFFFFu);
      close += ItemEnd() + SequenceEnd();
    }
    return open + Element(0x0008, 0x0104, "LO", "INNER ") + close;
  }
  // The same with defined lengths, built from the inside out.
  std::string NestedDefined(int depth) const {
    std::string inner = Element(0x0008, 0x0104, "LO", "INNER ");
    for (int i = 0; i < depth; ++i) {
      const std::string item = Item(inner.size()) + inner;
      inner = SequenceHeader(item.size()) + item;
    }
    return inner;
  }
  std::string Identity() const {
    return Element(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7") +
           Element(0x0008, 0x0018, "UI", "1.2.3.4.5.6.7.8.9.10") +
           Element(0x0020, 0x000D, "UI", "1.2.3.4.5.6.7.8.9.11") +
           Element(0x0020, 0x000E, "UI", "1.2.3.4.5.6.7.8.9.12");
  }
};

std::string Uid(std::string uid) {
  if (uid.size() % 2) uid.push_back('\0');
  return uid;
}

// Preamble, DICM and a meta header naming `transfer_syntax`, then `dataset`.
std::string Part10(const std::string& transfer_syntax, const std::string& dataset) {
  const Writer meta{Enc::kExplicitLittle};
  std::string group = meta.Element(0x0002, 0x0001, "OB", std::string("\0\1", 2)) +
                      meta.Element(0x0002, 0x0002, "UI", Uid("1.2.840.10008.5.1.4.1.1.7")) +
                      meta.Element(0x0002, 0x0003, "UI", Uid("1.2.3.4.5.6.7.8.9.10")) +
                      meta.Element(0x0002, 0x0010, "UI", Uid(transfer_syntax));
  return std::string(128, '\0') + "DICM" +
         meta.Element(0x0002, 0x0000, "UL", U32(group.size(), false)) + group + dataset;
}

std::string RawDeflate(const std::string& data) {
  z_stream s{};
  deflateInit2(&s, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, data.size()), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

class TagStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("intake_tag_stream_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& bytes) {
    const fs::path p = dir_ / ("f" + std::to_string(count_++) + ".dcm");
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  fs::path dir_;
  int count_ = 0;
};

constexpr const char* kExplicitLittleUid = "1.2.840.10008.1.2.1";
constexpr const char* kImplicitLittleUid = "1.2.840.10008.1.2";
constexpr const char* kExplicitBigUid = "1.2.840.10008.1.2.2";
constexpr const char* kDeflatedUid = "1.2.840.10008.1.2.1.99";

TEST_F(TagStreamTest, DepthCountedInEveryEncodingAndBothLengthForms) {
  struct Way {
    Enc enc;
    const char* uid;
  };
  for (const Way way :
       {Way{Enc::kExplicitLittle, kExplicitLittleUid},
        Way{Enc::kImplicitLittle, kImplicitLittleUid}, Way{Enc::kExplicitBig, kExplicitBigUid}}) {
    const Writer w{way.enc};
    SCOPED_TRACE(way.uid);
    for (bool defined : {false, true}) {
      SCOPED_TRACE(defined ? "defined lengths" : "undefined lengths");
      const auto nested = [&](int depth) {
        return Part10(way.uid,
                      w.Identity() + (defined ? w.NestedDefined(depth) : w.NestedUndefined(depth)));
      };
      EXPECT_TRUE(CheckSequenceDepth(Write(nested(10)), 10).ok());
      const Status deep = CheckSequenceDepth(Write(nested(11)), 10);
      EXPECT_FALSE(deep.ok());
      EXPECT_EQ(deep.message(), "DICOM sequences nested deeper than 10 levels");
    }
  }
}

TEST_F(TagStreamTest, DepthWithoutMetaHeaderAndInDeflatedFiles) {
  const Writer implicit{Enc::kImplicitLittle};
  EXPECT_FALSE(
      CheckSequenceDepth(Write(implicit.Identity() + implicit.NestedUndefined(20)), 10).ok());
  EXPECT_TRUE(
      CheckSequenceDepth(Write(implicit.Identity() + implicit.NestedUndefined(5)), 10).ok());
  const Writer w{Enc::kExplicitLittle};
  EXPECT_FALSE(
      CheckSequenceDepth(
          Write(Part10(kDeflatedUid, RawDeflate(w.Identity() + w.NestedUndefined(20)))), 10)
          .ok());
  EXPECT_TRUE(CheckSequenceDepth(
                  Write(Part10(kDeflatedUid, RawDeflate(w.Identity() + w.NestedUndefined(5)))), 10)
                  .ok());
}

TEST_F(TagStreamTest, OnlyTheNamedSyntaxIsWalkedBehindAPlainMetaHeader) {
  // DCMTK reads the data set in the syntax the meta header names: nesting that only an implicit
  // reading would see does not count behind "explicit VR little endian", and does behind
  // "implicit VR little endian".
  const Writer implicit{Enc::kImplicitLittle};
  const std::string nested = implicit.Identity() + implicit.NestedUndefined(20);
  EXPECT_TRUE(CheckSequenceDepth(Write(Part10(kExplicitLittleUid, nested)), 10).ok());
  EXPECT_FALSE(CheckSequenceDepth(Write(Part10(kImplicitLittleUid, nested)), 10).ok());
  // A syntax DCMTK does not know: it guesses, so every reading is walked.
  EXPECT_FALSE(CheckSequenceDepth(Write(Part10("1.2.3.4.99", nested)), 10).ok());
  // JPIP Referenced Deflate is deflated too: DCMTK inflates it.
  const Writer w{Enc::kExplicitLittle};
  EXPECT_FALSE(
      CheckSequenceDepth(
          Write(Part10("1.2.840.10008.1.2.4.95", RawDeflate(w.Identity() + w.NestedUndefined(20)))),
          10)
          .ok());
}

TEST_F(TagStreamTest, GroupLengthCoveringTheDataSetStillCounts) {
  // A group length past group 0002 makes DCMTK read the elements it covers as meta elements, in
  // explicit VR little endian, whatever syntax the meta header names.
  const Writer w{Enc::kExplicitLittle};
  const std::string group =
      w.Element(0x0002, 0x0010, "UI", Uid(kImplicitLittleUid)) + w.NestedUndefined(20);
  const std::string file = std::string(128, '\0') + "DICM" +
                           w.Element(0x0002, 0x0000, "UL", U32(group.size(), false)) + group;
  EXPECT_FALSE(CheckSequenceDepth(Write(file), 10).ok());
}

TEST_F(TagStreamTest, UnknownVrSequencesAreImplicitInside) {
  // An explicit VR file holding an undefined-length UN element: its items are implicit VR.
  const Writer w{Enc::kExplicitLittle};
  const Writer inside{Enc::kImplicitLittle};
  const std::string un = w.Tag(0x0009, 0x1010) + "UN" + std::string(2, '\0') +
                         U32(0xFFFFFFFFu, false) + inside.Item(0xFFFFFFFFu) +
                         inside.NestedUndefined(20) + inside.ItemEnd() + inside.SequenceEnd();
  EXPECT_FALSE(CheckSequenceDepth(Write(Part10(kExplicitLittleUid, w.Identity() + un)), 10).ok());
}

TEST_F(TagStreamTest, NestingInTheMetaHeaderCounts) {
  // DCMTK parses the meta header's elements as it does the data set's: a sequence there too.
  const Writer w{Enc::kExplicitLittle};
  std::string deep = w.NestedUndefined(20);
  deep.replace(0, 4, w.Tag(0x0002, 0x0200));  // the outermost sequence, in group 0002
  const std::string file = std::string(128, '\0') + "DICM" +
                           w.Element(0x0002, 0x0010, "UI", Uid(kImplicitLittleUid)) + deep;
  EXPECT_FALSE(CheckSequenceDepth(Write(file), 10).ok());
}

TEST_F(TagStreamTest, EncapsulatedPixelDataIsSkippedNotNested) {
  const Writer w{Enc::kExplicitLittle};
  std::string fragments = w.Item(4) + std::string(4, '\0');
  for (int i = 0; i < 50; ++i)
    fragments += w.Item(8) + std::string("\xFE\xFF\x00\xE0\xFF\xFF\xFF\xFF", 8);
  const std::string pixels = w.Tag(0x7FE0, 0x0010) + "OB" + std::string(2, '\0') +
                             U32(0xFFFFFFFFu, false) + fragments + w.SequenceEnd();
  EXPECT_TRUE(
      CheckSequenceDepth(Write(Part10("1.2.840.10008.1.2.4.50", w.Identity() + pixels)), 10).ok());
}

TEST_F(TagStreamTest, BrokenAndForeignFilesAreLeftToDcmtk) {
  EXPECT_TRUE(CheckSequenceDepth(Write(""), 10).ok());
  EXPECT_TRUE(
      CheckSequenceDepth(Write(std::string(128, '\0') + "DICM" + std::string(3000, '\xFE')), 10)
          .ok());
  EXPECT_TRUE(CheckSequenceDepth(dir_ / "absent.dcm", 10).ok());
  const Writer w{Enc::kExplicitLittle};
  const std::string cut = Part10(kExplicitLittleUid, w.Identity() + w.NestedUndefined(8));
  EXPECT_TRUE(CheckSequenceDepth(Write(cut.substr(0, cut.size() / 2)), 10).ok());
}

TEST_F(TagStreamTest, RealSeriesPassesAndDeepFileIsUnreadableNotACrash) {
  SyntheticSeriesSpec spec;
  spec.slices = 2;
  spec.uid_seed = "tagstream";
  auto files = WriteSyntheticDisc(dir_ / "disc", spec);
  ASSERT_TRUE(files.ok()) << files.message();
  for (const auto& f : *files) EXPECT_TRUE(CheckSequenceDepth(f).ok()) << f;

  const Writer w{Enc::kExplicitLittle};
  const fs::path deep = Write(Part10(kExplicitLittleUid, w.Identity() + w.NestedUndefined(10000)));
  const auto header = ReadHeader(deep);
  ASSERT_FALSE(header.ok());
  EXPECT_NE(header.message().find("nested deeper than 128 levels"), std::string::npos)
      << header.message();
  // Within the limit DCMTK still reads the file.
  const auto ok =
      ReadHeader(Write(Part10(kExplicitLittleUid, w.Identity() + w.NestedUndefined(100))));
  EXPECT_TRUE(ok.ok()) << ok.message();
}

}  // namespace
}  // namespace intake::dicom

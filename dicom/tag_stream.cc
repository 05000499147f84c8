#include "dicom/tag_stream.h"

#include <dcmtk/config/osconfig.h>  // first of DCMTK's headers
#include <dcmtk/dcmdata/dcxfer.h>
#include <sys/types.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace intake::dicom {

bool IsKnownVr(char a, char b) {
  static constexpr std::array<std::string_view, 34> kVrs = {
      "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT",
      "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST",
      "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
  for (auto vr : kVrs) {
    if (vr[0] == a && vr[1] == b) return true;
  }
  return false;
}

bool HasLongLength(char a, char b) {
  static constexpr std::array<std::string_view, 13> kLong = {
      "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"};
  for (auto vr : kLong) {
    if (vr[0] == a && vr[1] == b) return true;
  }
  return false;
}

namespace {

constexpr std::uint64_t kUndefined = UINT64_MAX;
constexpr std::uint32_t kUndefinedLength = 0xFFFFFFFFu;
constexpr std::string_view kDeflatedUid = "1.2.840.10008.1.2.1.99";

// Forward-only bytes with a small look-ahead. Sources say how to fill it and how to skip.
class ByteReader {
 public:
  virtual ~ByteReader() = default;

  bool Peek(unsigned char* out, std::size_t n) {
    if (!Ensure(n)) return false;
    std::memcpy(out, buf_.data() + begin_, n);
    return true;
  }
  bool Read(unsigned char* out, std::size_t n) {
    if (!Peek(out, n)) return false;
    begin_ += n;
    position_ += n;
    return true;
  }
  // False when fewer than n bytes remain.
  bool Skip(std::uint64_t n) {
    const std::size_t buffered = end_ - begin_;
    if (n <= buffered) {
      begin_ += static_cast<std::size_t>(n);
      position_ += n;
      return true;
    }
    begin_ = end_ = 0;
    position_ += buffered;
    if (!Discard(n - buffered)) return false;
    position_ += n - buffered;
    return true;
  }
  // Up to `cap` bytes (0 at the end), for a source stacked on this one.
  std::size_t ReadSome(unsigned char* out, std::size_t cap) {
    if (begin_ == end_) return Fill(out, cap);
    const std::size_t n = std::min(cap, end_ - begin_);
    std::memcpy(out, buf_.data() + begin_, n);
    begin_ += n;
    position_ += n;
    return n;
  }
  std::uint64_t position() const { return position_; }

 protected:
  virtual std::size_t Fill(unsigned char* out, std::size_t cap) = 0;  // 0 at the end
  // Drops the next n bytes of the source (nothing is buffered then).
  virtual bool Discard(std::uint64_t n) {
    std::array<unsigned char, 4096> scratch;
    while (n > 0) {
      const std::size_t got = Fill(scratch.data(), std::min<std::uint64_t>(n, scratch.size()));
      if (got == 0) return false;
      n -= got;
    }
    return true;
  }

 private:
  bool Ensure(std::size_t n) {
    if (end_ - begin_ >= n) return true;
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    while (end_ < n) {
      const std::size_t got = Fill(buf_.data() + end_, buf_.size() - end_);
      if (got == 0) return false;
      end_ += got;
    }
    return true;
  }

  std::array<unsigned char, 1024> buf_{};
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::uint64_t position_ = 0;
};

class FileReader final : public ByteReader {
 public:
  explicit FileReader(const std::filesystem::path& path) : file_(std::fopen(path.c_str(), "rb")) {
    std::error_code ec;
    size_ = std::filesystem::file_size(path, ec);
    if (ec) size_ = 0;
  }
  ~FileReader() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;
  bool ok() const { return file_ != nullptr; }

 protected:
  std::size_t Fill(unsigned char* out, std::size_t cap) override {
    return file_ == nullptr ? 0 : std::fread(out, 1, cap, file_);
  }
  bool Discard(std::uint64_t n) override {
    if (file_ == nullptr) return false;
    const off_t at = ftello(file_);
    if (at < 0 || n > size_ || static_cast<std::uint64_t>(at) > size_ - n) return false;
    return fseeko(file_, static_cast<off_t>(n), SEEK_CUR) == 0;
  }

 private:
  std::FILE* file_;
  std::uint64_t size_ = 0;
};

// The raw deflate stream of the Deflated Explicit VR Little Endian transfer syntax.
class InflateReader final : public ByteReader {
 public:
  explicit InflateReader(ByteReader& source) : source_(source) {
    ok_ = inflateInit2(&stream_, -MAX_WBITS) == Z_OK;
  }
  ~InflateReader() override {
    if (ok_) inflateEnd(&stream_);
  }
  InflateReader(const InflateReader&) = delete;
  InflateReader& operator=(const InflateReader&) = delete;

 protected:
  std::size_t Fill(unsigned char* out, std::size_t cap) override {
    if (!ok_ || done_) return 0;
    stream_.next_out = out;
    stream_.avail_out = static_cast<uInt>(cap);
    while (stream_.avail_out == cap) {
      if (stream_.avail_in == 0) {
        stream_.avail_in = static_cast<uInt>(source_.ReadSome(in_.data(), in_.size()));
        stream_.next_in = in_.data();
      }
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR) ||
          (rc == Z_BUF_ERROR && stream_.avail_in == 0)) {
        done_ = true;
        break;
      }
    }
    return cap - stream_.avail_out;
  }

 private:
  ByteReader& source_;
  z_stream stream_{};
  std::array<unsigned char, 4096> in_{};
  bool ok_ = false;
  bool done_ = false;
};

enum class Syntax { kExplicitLittle, kImplicitLittle, kExplicitBig };

std::uint32_t U16(const unsigned char* p, bool big) {
  return big ? (p[0] << 8) | p[1] : p[0] | (p[1] << 8);
}
std::uint32_t U32(const unsigned char* p, bool big) {
  return big ? (U16(p, true) << 16) | U16(p + 2, true) : U16(p, false) | (U16(p + 2, false) << 16);
}

// Walks the data set's elements with an explicit stack of open sequences and items.
class DepthWalk {
 public:
  DepthWalk(ByteReader& in, Syntax syntax, int max_depth)
      : in_(in), syntax_(syntax), max_depth_(max_depth) {}

  // False when sequences nest deeper than the limit; true otherwise (also where the walk stops
  // on bytes it does not understand).
  bool Run() {
    while (true) {
      while (!stack_.empty() && stack_.back().end != kUndefined &&
             in_.position() >= stack_.back().end) {
        Pop();
      }
      const Syntax syntax = stack_.empty() ? syntax_ : stack_.back().syntax;
      const bool big = syntax == Syntax::kExplicitBig;
      std::array<unsigned char, 12> h{};
      if (!in_.Read(h.data(), 4)) return true;
      const std::uint32_t group = U16(h.data(), big);
      const std::uint32_t element = U16(h.data() + 2, big);
      const bool go = group == 0xFFFE ? Delimiter(element, big, syntax)
                                      : Element(group, element, syntax, big, h.data());
      if (depth_ > max_depth_) return false;
      if (!go) return true;
    }
  }

 private:
  struct Frame {
    std::uint64_t end;  // kUndefined: ends at its delimitation item
    bool sequence;      // else an item
    Syntax syntax;      // of the elements inside
  };

  std::uint64_t End(std::uint32_t length) const {
    return length == kUndefinedLength ? kUndefined : in_.position() + length;
  }
  void Push(std::uint32_t length, bool sequence, Syntax syntax) {
    stack_.push_back({End(length), sequence, syntax});
    if (sequence) ++depth_;
  }
  void Pop() {
    if (stack_.back().sequence) --depth_;
    stack_.pop_back();
  }

  // An item or a delimitation item (tag group FFFE, always a 4-byte length and no VR).
  bool Delimiter(std::uint32_t element, bool big, Syntax syntax) {
    std::array<unsigned char, 4> l{};
    if (!in_.Read(l.data(), 4)) return false;
    const std::uint32_t length = U32(l.data(), big);
    const bool in_sequence = !stack_.empty() && stack_.back().sequence;
    const bool in_item = !stack_.empty() && !stack_.back().sequence;
    if (element == 0xE000 && in_sequence) {
      Push(length, false, syntax);
    } else if (element == 0xE00D && in_item) {
      Pop();
    } else if (element == 0xE0DD && in_sequence) {
      Pop();
    } else {
      return false;
    }
    return true;
  }

  bool StartsWithItem(bool big) {
    std::array<unsigned char, 4> t{};
    return in_.Peek(t.data(), 4) && U16(t.data(), big) == 0xFFFE &&
           U16(t.data() + 2, big) == 0xE000;
  }

  // Encapsulated pixel data: fragments of defined length up to the sequence delimitation item.
  bool SkipFragments(bool big) {
    while (true) {
      std::array<unsigned char, 8> f{};
      if (!in_.Read(f.data(), 8) || U16(f.data(), big) != 0xFFFE) return false;
      const std::uint32_t element = U16(f.data() + 2, big);
      const std::uint32_t length = U32(f.data() + 4, big);
      if (element == 0xE0DD) return true;
      if (element != 0xE000 || length == kUndefinedLength || !in_.Skip(length)) return false;
    }
  }

  bool Element(std::uint32_t group, std::uint32_t element, Syntax syntax, bool big,
               unsigned char* h) {
    const bool implicit = syntax == Syntax::kImplicitLittle;
    char vr[2] = {0, 0};
    std::uint32_t length = 0;
    if (implicit) {
      if (!in_.Read(h + 4, 4)) return false;
      length = U32(h + 4, false);
    } else {
      if (!in_.Read(h + 4, 4)) return false;
      vr[0] = static_cast<char>(h[4]);
      vr[1] = static_cast<char>(h[5]);
      if (IsKnownVr(vr[0], vr[1]) && HasLongLength(vr[0], vr[1])) {
        if (!in_.Read(h + 8, 4)) return false;
        length = U32(h + 8, big);
      } else {  // DCMTK reads an unknown VR with a 2-byte length too
        length = U16(h + 6, big);
      }
    }
    const std::string_view v(vr, 2);
    const bool undefined = length == kUndefinedLength;
    if (v == "SQ") {
      Push(length, true, syntax);
    } else if (v == "UN" && (undefined || StartsWithItem(false))) {
      Push(length, true, Syntax::kImplicitLittle);  // UN sequences are implicit VR inside
    } else if (undefined) {
      const bool pixels =
          implicit ? (group == 0x7FE0 && element == 0x0010) : v == "OB" || v == "OW";
      if (pixels) return SkipFragments(big);
      if (!implicit) return false;
      Push(length, true, syntax);
    } else if (implicit && length >= 8 && StartsWithItem(false)) {
      Push(length, true, syntax);  // a sequence of defined length, by its first item
    } else {
      return in_.Skip(length);
    }
    return true;
  }

  ByteReader& in_;
  Syntax syntax_;
  int max_depth_;
  int depth_ = 0;
  std::vector<Frame> stack_;
};

// Skips the 128-byte preamble and "DICM", when the file has them.
void SkipPreamble(ByteReader& in) {
  std::array<unsigned char, 132> pre{};
  if (in.Peek(pre.data(), pre.size()) && std::memcmp(pre.data() + 128, "DICM", 4) == 0) {
    in.Skip(pre.size());
  }
}

// Skips the preamble and the file meta information (explicit VR little endian, group 0002);
// returns the transfer syntax UID found there, or "".
std::string SkipMetaHeader(ByteReader& in) {
  SkipPreamble(in);
  std::string transfer_syntax;
  std::array<unsigned char, 12> h{};
  while (in.Peek(h.data(), 8) && U16(h.data(), false) == 0x0002) {
    std::uint32_t length = U16(h.data() + 6, false);
    std::size_t header = 8;
    if (HasLongLength(static_cast<char>(h[4]), static_cast<char>(h[5]))) {
      if (!in.Peek(h.data(), 12)) break;
      length = U32(h.data() + 8, false);
      header = 12;
    }
    in.Skip(header);
    if (U16(h.data() + 2, false) == 0x0010 && length <= 64) {
      std::array<unsigned char, 64> value{};
      if (!in.Read(value.data(), length)) break;
      transfer_syntax.assign(reinterpret_cast<const char*>(value.data()), length);
      while (!transfer_syntax.empty() &&
             (transfer_syntax.back() == '\0' || transfer_syntax.back() == ' ')) {
        transfer_syntax.pop_back();
      }
    } else if (!in.Skip(length)) {
      break;
    }
  }
  return transfer_syntax;
}

// One walk of the file read as `syntax`. The explicit little endian walk starts at the meta
// header (which DCMTK parses as elements too, in that syntax), the others after it.
bool WithinDepth(const std::filesystem::path& path, Syntax syntax, int max_depth) {
  FileReader file(path);
  if (!file.ok()) return true;
  if (syntax == Syntax::kExplicitLittle) {
    SkipPreamble(file);
  } else {
    SkipMetaHeader(file);
  }
  return DepthWalk(file, syntax, max_depth).Run();
}

// The walk of a deflated data set (Deflated Explicit VR Little Endian), inflated on the way.
bool DeflatedWithinDepth(const std::filesystem::path& path, int max_depth) {
  FileReader file(path);
  if (!file.ok() || SkipMetaHeader(file) != kDeflatedUid) return true;
  InflateReader inflated(file);
  return DepthWalk(inflated, Syntax::kExplicitLittle, max_depth).Run();
}

// A UID value as DCMTK compares it: white space anywhere removed (its automatic input
// correction, on by default), then up to the first NUL.
std::string UidAsDcmtkReadsIt(const unsigned char* value, std::size_t length) {
  std::string uid;
  for (std::size_t i = 0; i < length && value[i] != '\0'; ++i) {
    const char c = static_cast<char>(value[i]);
    if (c != ' ' && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r') uid.push_back(c);
  }
  return uid;
}

// Reads one plain meta element (known VR, neither SQ nor UN, defined length) and records the
// transfer syntax UID. False on anything else.
bool ReadPlainMetaElement(ByteReader& in, std::string& transfer_syntax, int& transfer_syntaxes) {
  std::array<unsigned char, 12> h{};
  if (!in.Peek(h.data(), 8)) return false;
  const char a = static_cast<char>(h[4]);
  const char b = static_cast<char>(h[5]);
  if (!IsKnownVr(a, b) || (a == 'S' && b == 'Q') || (a == 'U' && b == 'N')) return false;
  std::uint32_t length = U16(h.data() + 6, false);
  std::size_t header = 8;
  if (HasLongLength(a, b)) {
    if (!in.Peek(h.data(), 12)) return false;
    length = U32(h.data() + 8, false);
    header = 12;
  }
  if (length == kUndefinedLength || !in.Skip(header)) return false;
  if (U16(h.data(), false) != 0x0002 || U16(h.data() + 2, false) != 0x0010) return in.Skip(length);
  std::array<unsigned char, 64> value{};
  if (length > value.size() || !in.Read(value.data(), length)) return false;
  transfer_syntax = UidAsDcmtkReadsIt(value.data(), length);
  ++transfer_syntaxes;
  return true;
}

// Reads the meta header as DCMTK does when it is plain, and leaves `in` where DCMTK starts the
// data set. Plain: it starts with (0002,0000) UL or (0002,0001) OB (which DCMTK takes for
// explicit VR little endian), its elements are of defined length and none is a sequence, and it
// names one transfer syntax. DCMTK reads the elements the group length covers (whole elements:
// the last may end past it), or without one those whose tag starts like group 0002's. Returns
// the transfer syntax UID, or nullopt when the meta header is not plain (or absent).
std::optional<std::string> ReadPlainMetaHeader(ByteReader& in) {
  SkipPreamble(in);
  const std::uint64_t start = in.position();
  std::array<unsigned char, 12> h{};
  if (!in.Peek(h.data(), 12) || U16(h.data(), false) != 0x0002) return std::nullopt;
  const std::uint32_t first = U16(h.data() + 2, false);
  std::uint64_t end = kUndefined;  // with a group length, where DCMTK stops reading elements
  if (first == 0x0000 && h[4] == 'U' && h[5] == 'L' && U16(h.data() + 6, false) == 4) {
    const std::uint32_t group_length = U32(h.data() + 8, false);
    if (group_length >= 0x80000000u) return std::nullopt;  // DCMTK's 32-bit sum would wrap
    end = start + 12 + group_length;
  } else if (first != 0x0001 || h[4] != 'O' || h[5] != 'B') {
    return std::nullopt;
  }
  std::string transfer_syntax;
  int transfer_syntaxes = 0;
  do {
    if (!ReadPlainMetaElement(in, transfer_syntax, transfer_syntaxes)) return std::nullopt;
    if (end != kUndefined) continue;
    std::array<unsigned char, 2> next{};
    if (!in.Peek(next.data(), 2)) return std::nullopt;
    if (!((next[0] == 0x02 && next[1] == 0x00) || (next[0] == 0x00 && next[1] == 0x02))) break;
  } while (end == kUndefined || in.position() < end);
  if (transfer_syntaxes != 1 || transfer_syntax.empty()) return std::nullopt;
  return transfer_syntax;
}

// The walk of the one reading DCMTK will use, when the file's meta header is plain and names a
// transfer syntax DCMTK knows (it then reads the data set in that syntax only, inflating a
// deflated one); nullopt otherwise, when DCMTK guesses.
std::optional<bool> WithinDepthAsNamed(const std::filesystem::path& path, int max_depth) {
  FileReader file(path);
  if (!file.ok()) return true;
  const std::optional<std::string> uid = ReadPlainMetaHeader(file);
  if (!uid) return std::nullopt;
  const DcmXfer xfer(uid->c_str());
  if (xfer.getXfer() == EXS_Unknown || xfer.getXfer() == EXS_BigEndianImplicit) {
    return std::nullopt;
  }
  if (xfer.getStreamCompression() == ESC_zlib) {
    InflateReader inflated(file);
    return DepthWalk(inflated, Syntax::kExplicitLittle, max_depth).Run();
  }
  Syntax syntax = Syntax::kImplicitLittle;
  if (xfer.isExplicitVR()) {
    syntax = xfer.isBigEndian() ? Syntax::kExplicitBig : Syntax::kExplicitLittle;
  }
  return DepthWalk(file, syntax, max_depth).Run();
}

}  // namespace

Status CheckSequenceDepth(const std::filesystem::path& path, int max_depth) {
  // DCMTK follows the transfer syntax of the meta header; only that reading is walked when the
  // meta header is plain (a wrong reading of an uncompressed file hops through the pixel data).
  // Otherwise DCMTK guesses, and every reading is walked so that none of them can hide the
  // nesting.
  std::optional<bool> within = WithinDepthAsNamed(path, max_depth);
  if (!within) {
    within = DeflatedWithinDepth(path, max_depth);
    for (Syntax syntax :
         {Syntax::kExplicitLittle, Syntax::kImplicitLittle, Syntax::kExplicitBig}) {
      within = *within && WithinDepth(path, syntax, max_depth);
    }
  }
  if (*within) return Status::Ok();
  return Status::Fail("DICOM sequences nested deeper than " + std::to_string(max_depth) +
                      " levels");
}

}  // namespace intake::dicom

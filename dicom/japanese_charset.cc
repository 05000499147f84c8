#include "dicom/japanese_charset.h"

#include <iconv.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "pipeline/utf8.h"

namespace intake::dicom {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr unsigned char kEsc = 0x1B;

// Decodes the UTF-8 sequence at s[i]: its length (0 when invalid: truncated, overlong,
// surrogate, above U+10FFFF) and the code point.
std::size_t DecodeUtf8At(std::string_view s, std::size_t i, char32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if (k > 1 && (byte(i + k) < 0x80 || byte(i + k) > 0xBF)) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  return len;
}

bool IsValidUtf8(std::string_view s) {
  char32_t cp;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = DecodeUtf8At(s, i, cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

// Valid UTF-8 kept, each invalid byte -> U+FFFD.
std::string ReplaceInvalidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  char32_t cp;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = DecodeUtf8At(s, i, cp);
    if (len == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

// A decoded guess is plausible text when it holds no C1 control and no private-use character
// (CP932 maps its vendor-defined rows there; Latin-1 bytes read as CP932 often land in them).
bool IsPlausibleText(std::string_view utf8) {
  char32_t cp;
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t len = DecodeUtf8At(utf8, i, cp);
    if (len == 0) return false;
    if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000) {
      return false;
    }
    i += len;
  }
  return true;
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// One glibc iconv converter to UTF-8, closed on destruction.
class Iconv {
 public:
  explicit Iconv(const char* from) : cd_(iconv_open("UTF-8", from)) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;

  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

  // Converts all of `in`; appends to `out` and returns true only when every byte converts.
  bool Convert(std::string_view in, std::string& out) {
    if (!ok()) return false;
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // back to the initial state
    std::vector<char> in_buf(in.begin(), in.end());
    std::vector<char> out_buf(in.size() * 4 + 16);
    char* in_ptr = in_buf.data();
    std::size_t in_left = in_buf.size();
    char* out_ptr = out_buf.data();
    std::size_t out_left = out_buf.size();
    if (iconv(cd_, &in_ptr, &in_left, &out_ptr, &out_left) == static_cast<std::size_t>(-1)) {
      return false;
    }
    if (in_left != 0) return false;
    if (iconv(cd_, nullptr, nullptr, &out_ptr, &out_left) == static_cast<std::size_t>(-1)) {
      return false;
    }
    out.append(out_buf.data(), out_buf.size() - out_left);
    return true;
  }

 private:
  iconv_t cd_;
};

// The whole value converted from `encoding`, when it converts cleanly to plausible text.
std::optional<std::string> ConvertStrict(std::string_view raw, const char* encoding) {
  Iconv converter(encoding);
  std::string out;
  if (!converter.Convert(raw, out) || !IsPlausibleText(out)) return std::nullopt;
  return out;
}

// --- ISO 2022 ------------------------------------------------------------------------------

enum class G0Set { kAscii, kKatakana, kJisX0208, kJisX0212, kUnknownSingle, kUnknownDouble };
enum class G1Set { kNone, kKatakana, kUnknown };

struct Iso2022Result {
  std::string text;
  bool clean = true;  // no U+FFFD was produced
};

class Iso2022Decoder {
 public:
  Iso2022Decoder(G1Set initial_g1, ValueKind kind)
      : initial_g1_(initial_g1), g1_(initial_g1), kind_(kind), euc_jp_("EUC-JP") {}

  Iso2022Result Decode(std::string_view raw) {
    std::size_t i = 0;
    while (i < raw.size()) {
      const unsigned char b = static_cast<unsigned char>(raw[i]);
      if (b == kEsc) {
        i += Escape(raw, i);
      } else if (b >= 0x80) {
        if (g1_ == G1Set::kKatakana && b >= 0xA1 && b <= 0xDF) {
          AppendUtf8(0xFF61 + (b - 0xA1), out_.text);
        } else {
          Replace();
        }
        ++i;
      } else if (b < 0x21) {
        // SPACE and C0 controls keep their meaning in every set; line breaks reset the sets.
        out_.text += static_cast<char>(b);
        if (b == '\r' || b == '\n' || b == '\f' || b == '\t') Reset();
        ++i;
      } else if (b == 0x7F) {
        Replace();
        ++i;
      } else if (IsDoubleByte()) {
        i += DoubleByteRun(raw, i);
      } else {
        SingleByte(b);
        ++i;
      }
    }
    Reset();
    return std::move(out_);
  }

 private:
  bool IsDoubleByte() const {
    return g0_ == G0Set::kJisX0208 || g0_ == G0Set::kJisX0212 || g0_ == G0Set::kUnknownDouble;
  }

  void Replace() {
    out_.text += kReplacement;
    out_.clean = false;
  }

  void Reset() {
    g0_ = G0Set::kAscii;
    g1_ = initial_g1_;
  }

  // Parses the escape sequence at raw[i] and switches sets. Returns the bytes consumed.
  std::size_t Escape(std::string_view raw, std::size_t i) {
    std::size_t k = i + 1;
    while (k < raw.size() && raw[k] >= 0x20 && raw[k] <= 0x2F) ++k;
    if (k == i + 1 || k >= raw.size() || raw[k] < 0x30 || raw[k] > 0x7E) {
      Replace();  // not an escape sequence: drop the ESC alone
      return 1;
    }
    const std::string_view seq = raw.substr(i + 1, k - i);  // intermediates and final
    if (seq == "(B" || seq == "(J") {
      g0_ = G0Set::kAscii;  // JIS X 0201 Roman is read as ASCII (0x5C stays the delimiter)
    } else if (seq == "(I") {
      g0_ = G0Set::kKatakana;
    } else if (seq == ")I") {
      g1_ = G1Set::kKatakana;
    } else if (seq == "$B" || seq == "$@" || seq == "$(B" || seq == "$(@") {
      g0_ = G0Set::kJisX0208;
    } else if (seq == "$(D") {
      g0_ = G0Set::kJisX0212;
    } else {
      Replace();
      if (seq[0] == '(') {
        g0_ = G0Set::kUnknownSingle;
      } else if (seq[0] == '$' && (seq.size() == 2 || seq[1] == '(')) {
        g0_ = G0Set::kUnknownDouble;
      } else if (seq[0] == ')' || seq[0] == '-' || seq[0] == '$') {
        g1_ = G1Set::kUnknown;
      }
    }
    return k - i + 1;
  }

  void SingleByte(unsigned char b) {
    switch (g0_) {
      case G0Set::kAscii:
        out_.text += static_cast<char>(b);
        if (b == '\\' || (kind_ == ValueKind::kPersonName && (b == '^' || b == '='))) Reset();
        return;
      case G0Set::kKatakana:
        if (b <= 0x5F) {
          AppendUtf8(0xFF61 + (b - 0x21), out_.text);
        } else {
          Replace();
        }
        return;
      default:
        Replace();
        return;
    }
  }

  // Decodes the two-byte characters starting at raw[i] (raw[i] is in 0x21-0x7E). Returns the
  // bytes consumed (at least 1).
  std::size_t DoubleByteRun(std::string_view raw, std::size_t i) {
    const auto in_range = [&](std::size_t k) {
      return k < raw.size() && raw[k] >= 0x21 && raw[k] <= 0x7E;
    };
    if (!in_range(i + 1)) {
      Replace();  // half a character
      return 1;
    }
    std::size_t k = i;
    while (in_range(k) && in_range(k + 1)) {
      if (g0_ == G0Set::kUnknownDouble) {
        Replace();
      } else {
        // EUC-JP form: high bit set on both bytes, SS3 (0x8F) first for JIS X 0212.
        std::string euc;
        if (g0_ == G0Set::kJisX0212) euc += '\x8F';
        euc += static_cast<char>(static_cast<unsigned char>(raw[k]) | 0x80);
        euc += static_cast<char>(static_cast<unsigned char>(raw[k + 1]) | 0x80);
        std::string decoded;
        if (euc_jp_.Convert(euc, decoded) && IsPlausibleText(decoded)) {
          out_.text += decoded;
        } else {
          Replace();
        }
      }
      k += 2;
    }
    return k - i;
  }

  const G1Set initial_g1_;
  G0Set g0_ = G0Set::kAscii;
  G1Set g1_;
  const ValueKind kind_;
  Iconv euc_jp_;
  Iso2022Result out_;
};

bool HasEscape(std::string_view raw) { return raw.find(static_cast<char>(kEsc)) != raw.npos; }

std::string Trim(std::string_view s) {
  std::size_t begin = 0;
  std::size_t end = s.size();
  while (end > begin && (s[end - 1] == ' ' || s[end - 1] == '\0')) --end;
  while (begin < end && s[begin] == ' ') ++begin;
  return std::string(s.substr(begin, end - begin));
}

std::vector<std::string> SplitTerms(std::string_view scs) {
  std::vector<std::string> terms;
  std::size_t start = 0;
  while (true) {
    const std::size_t sep = scs.find('\\', start);
    terms.push_back(Trim(scs.substr(start, sep == scs.npos ? scs.npos : sep - start)));
    if (sep == scs.npos) break;
    start = sep + 1;
  }
  while (!terms.empty() && terms.back().empty()) terms.pop_back();
  return terms;
}

bool IsIso2022JapaneseTerm(std::string_view term) {
  return term == "ISO 2022 IR 13" || term == "ISO 2022 IR 87" || term == "ISO 2022 IR 159" ||
         term == "ISO_IR 87";
}

}  // namespace

std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  char32_t cp;
  return DecodeUtf8At(s, i, cp);
}

bool IsJapaneseCharacterSet(std::string_view specific_character_set) {
  for (const std::string& term : SplitTerms(specific_character_set)) {
    if (IsIso2022JapaneseTerm(term) || term == "ISO_IR 13") return true;
  }
  return false;
}

std::string DecodeUnlabelled(std::string_view raw_value, ValueKind kind) {
  if (HasEscape(raw_value)) {
    Iso2022Result iso = Iso2022Decoder(G1Set::kNone, kind).Decode(raw_value);
    if (iso.clean) return std::move(iso.text);
  }
  if (IsValidUtf8(raw_value)) return std::string(raw_value);
  if (auto sjis = ConvertStrict(raw_value, "CP932")) return std::move(*sjis);
  return ReplaceInvalidUtf8(raw_value);
}

std::optional<std::string> DecodeJapanese(std::string_view raw_value,
                                          std::string_view specific_character_set, ValueKind kind) {
  const std::vector<std::string> terms = SplitTerms(specific_character_set);
  const std::string first = terms.empty() ? std::string() : terms.front();
  bool iso2022 = false;
  bool jis_x0208 = false;
  bool katakana = false;
  for (const std::string& term : terms) {
    iso2022 = iso2022 || IsIso2022JapaneseTerm(term);
    jis_x0208 = jis_x0208 || term == "ISO 2022 IR 87" || term == "ISO_IR 87";
    katakana = katakana || term == "ISO 2022 IR 13" || term == "ISO_IR 13";
  }
  // The standard invokes JIS X 0201 katakana into G1 only when IR 13 is the first value, but
  // real files write `\ISO 2022 IR 87\ISO 2022 IR 13` with bare 8-bit katakana too: 0xA1-0xDF
  // have no other reading under these labels.
  const G1Set initial_g1 = katakana ? G1Set::kKatakana : G1Set::kNone;

  if (iso2022) {
    Iso2022Result iso = Iso2022Decoder(initial_g1, kind).Decode(raw_value);
    if (iso.clean || HasEscape(raw_value)) return std::move(iso.text);
    // 8-bit bytes the declared sets do not explain: the label is wrong. Try the usual suspects.
    if (IsValidUtf8(raw_value)) return std::string(raw_value);
    if (jis_x0208) {
      if (auto euc = ConvertStrict(raw_value, "EUC-JP")) return std::move(*euc);
    }
    if (auto sjis = ConvertStrict(raw_value, "CP932")) return std::move(*sjis);
    return std::move(iso.text);
  }
  if (first == "ISO_IR 13") {
    // Single-byte JIS X 0201 in the standard, but real devices write Shift_JIS under this label;
    // CP932 reads both the same way.
    if (!HasEscape(raw_value)) {
      if (auto sjis = ConvertStrict(raw_value, "CP932")) return std::move(*sjis);
    }
    Iso2022Result iso = Iso2022Decoder(G1Set::kKatakana, kind).Decode(raw_value);
    if (iso.clean || !IsValidUtf8(raw_value)) return std::move(iso.text);
    return std::string(raw_value);
  }
  if (terms.empty() || first == "ISO_IR 192" || first == "ISO_IR 6" ||
      (terms.size() == 1 && first == "ISO 2022 IR 6")) {
    if (IsAscii(raw_value) && !HasEscape(raw_value)) return std::string(raw_value);
    return DecodeUnlabelled(raw_value, kind);
  }
  return std::nullopt;
}

}  // namespace intake::dicom

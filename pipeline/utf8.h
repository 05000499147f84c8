// UTF-8 encoding of one code point: shared by the decoders (DICOM character sets, names) and the
// PDF writer's text mapping, which each turn code points back into UTF-8. And the invisible
// controls that names made for the file system drop and the HTML pages show.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace intake {

// Invisible characters that change how the text around them is shown: bidirectional controls
// (U+202E shows "H0001 U+202E fdp.exe" as "H0001exe.pdf") and zero-width characters.
inline bool IsInvisibleControl(char32_t cp) {
  return cp == 0x00AD || cp == 0x061C || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

// The length of the UTF-8 sequence at s[i] when it encodes an invisible control (its code point
// in `cp`), else 0. All of them take two or three bytes.
inline std::size_t InvisibleControlAt(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  if (i + 1 < s.size() && b(0) >= 0xC2 && b(0) <= 0xDF && (b(1) & 0xC0) == 0x80) {
    cp = static_cast<char32_t>(((b(0) & 0x1F) << 6) | (b(1) & 0x3F));
    return IsInvisibleControl(cp) ? 2 : 0;
  }
  if (i + 2 < s.size() && (b(0) & 0xF0) == 0xE0 && (b(1) & 0xC0) == 0x80 && (b(2) & 0xC0) == 0x80) {
    cp = static_cast<char32_t>(((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F));
    return IsInvisibleControl(cp) ? 3 : 0;
  }
  return 0;
}

// Appends `cp` (a Unicode scalar value) to `out` as UTF-8.
inline void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// `text`'s code points as UTF-8.
inline std::string Utf8Of(std::u32string_view text) {
  std::string out;
  for (const char32_t cp : text) AppendUtf8(cp, out);
  return out;
}

}  // namespace intake

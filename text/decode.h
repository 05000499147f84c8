// Bytes to code points: UTF-8 decoded one code point at a time (malformed sequences told apart),
// and Windows' Japanese code page (CP932) to UTF-8. Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace intake::text {

// What NextCodePoint() returns for a malformed sequence (no code point is this large).
inline constexpr char32_t kMalformed = 0xFFFFFFFF;

// The code point of the UTF-8 sequence at utf8[i], `i` moved past it. A malformed sequence gives
// kMalformed and moves `i` past its longest valid beginning (at least one byte). i < utf8.size().
char32_t NextCodePoint(std::string_view utf8, std::size_t& i);

bool IsValidUtf8(std::string_view bytes);

// Windows' Japanese code page (Shift_JIS with the NEC and IBM extensions) to UTF-8; empty when
// the bytes are not valid CP932.
std::string Cp932ToUtf8(std::string_view bytes);

}  // namespace intake::text

// Japanese text in DICOM values to UTF-8, without DCMTK (Debian's DCMTK 3.6.7 cannot convert
// ISO 2022 IR 87).
//
// Handles the ISO 2022 code extensions of PS3.5 6.1.2.5 for Japanese (ISO 2022 IR 6 / IR 13 as
// the initial set, ESC ( B, ESC ( J, ESC ) I, ESC $ B, ESC $ ( D, resets at delimiters), the
// common real-world Shift_JIS (CP932) values labelled ISO_IR 13, and mislabelled values (ISO_IR
// 192 that is not UTF-8, no character set but non-ASCII bytes). Pure functions, thread-safe; they
// never throw on any input and always return valid UTF-8 (C0 controls are passed through for the
// caller to drop). Decode the whole raw value, then split it on '\': a Shift_JIS trail byte may
// be 0x5C.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace intake::dicom {

// Which delimiters reset the ISO 2022 state to the initial sets: '\' (and CR, LF, FF, TAB) for
// every value; also '^' and '=' for person names.
enum class ValueKind { kText, kPersonName };

// True when Specific Character Set (0008,0005), as written (values separated by '\'), names a
// Japanese set: ISO 2022 IR 13, ISO 2022 IR 87, ISO 2022 IR 159, ISO_IR 13, or the typo ISO_IR 87.
bool IsJapaneseCharacterSet(std::string_view specific_character_set);

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid (truncated,
// overlong, surrogate, above U+10FFFF).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i);

// Decodes `raw_value` (all values of the element, delimiters included) to UTF-8 when its
// character set is Japanese (see above), ISO_IR 192, ISO 2022 IR 6 alone or empty. Returns
// std::nullopt for every other character set: the caller converts those itself. Bytes that
// decode under no plausible reading become U+FFFD.
std::optional<std::string> DecodeJapanese(std::string_view raw_value,
                                          std::string_view specific_character_set,
                                          ValueKind kind = ValueKind::kPersonName);

// Best reading of bytes whose label is missing or wrong: ASCII and valid UTF-8 are kept, Japanese
// ISO 2022 escapes are decoded, then CP932 (Shift_JIS) when the whole value decodes cleanly to
// non-private characters; otherwise each invalid byte becomes U+FFFD.
std::string DecodeUnlabelled(std::string_view raw_value, ValueKind kind = ValueKind::kText);

}  // namespace intake::dicom

#include "text/decode.h"

#include <unicode/ucnv.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstdint>

namespace intake::text {

char32_t NextCodePoint(std::string_view utf8, std::size_t& i) {
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto n = static_cast<int32_t>(utf8.size());
  auto at = static_cast<int32_t>(i);
  UChar32 c;
  U8_NEXT(s, at, n, c);
  i = static_cast<std::size_t>(at);
  return c < 0 ? kMalformed : static_cast<char32_t>(c);
}

bool IsValidUtf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    if (NextCodePoint(bytes, i) == kMalformed) return false;
  }
  return true;
}

// ICU knows CP932 as "windows-31j".
std::string Cp932ToUtf8(std::string_view bytes) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* cp932 = ucnv_open("windows-31j", &status);
  if (U_FAILURE(status)) return {};
  ucnv_setToUCallBack(cp932, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  std::u16string units(bytes.size() + 1, u'\0');  // CP932 never takes fewer bytes than UTF-16
  const int32_t length = ucnv_toUChars(cp932, units.data(), static_cast<int32_t>(units.size()),
                                       bytes.data(), static_cast<int32_t>(bytes.size()), &status);
  ucnv_close(cp932);
  if (U_FAILURE(status)) return {};
  std::string out;
  icu::UnicodeString(units.data(), length).toUTF8String(out);
  return out;
}

}  // namespace intake::text

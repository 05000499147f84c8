// Fuzz target: the Japanese character-set decoder (ISO 2022 IR 13/87/159, ISO_IR 192, unlabelled
// Shift_JIS). The first byte picks the Specific Character Set and the value kind; the output
// must always be valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dicom/japanese_charset.h"

namespace {

constexpr std::string_view kCharsets[] = {
    "ISO 2022 IR 13\\ISO 2022 IR 87",
    "\\ISO 2022 IR 87",
    "ISO 2022 IR 87\\ISO 2022 IR 13",
    "ISO_IR 13",
    "ISO_IR 192",
    "ISO 2022 IR 6\\ISO 2022 IR 87\\ISO 2022 IR 159",
    "",
    "ISO_IR 87",
};

void RequireUtf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = intake::dicom::Utf8SequenceLength(s, i);
    if (n == 0) std::abort();
    i += n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view charset = kCharsets[data[0] % std::size(kCharsets)];
  const auto kind =
      (data[0] & 0x80) ? intake::dicom::ValueKind::kPersonName : intake::dicom::ValueKind::kText;
  const std::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);
  if (auto decoded = intake::dicom::DecodeJapanese(value, charset, kind)) RequireUtf8(*decoded);
  RequireUtf8(intake::dicom::DecodeUnlabelled(value, kind));
  return 0;
}

#include "letter/qr_code.h"

#include <qrencode.h>

#include <memory>
#include <string>

namespace intake::letter {

Result<QrSymbol> EncodeQr(std::string_view text) {
  const std::string owned(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(owned.c_str(), 0, QR_ECLEVEL_H, QR_MODE_8, 1), &QRcode_free);
  if (!code) return Result<QrSymbol>::Fail("the text does not fit in a QR code");
  QrSymbol symbol;
  symbol.size = code->width;
  symbol.dark.resize(static_cast<std::size_t>(code->width) * code->width);
  for (std::size_t i = 0; i < symbol.dark.size(); ++i) symbol.dark[i] = (code->data[i] & 1) != 0;
  return symbol;
}

}  // namespace intake::letter

// QR codes for the reply slip: the libqrencode adapter (no libqrencode type outside this file's
// .cc). Pure function; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "pipeline/result.h"

namespace intake::letter {

// A QR symbol: `size` x `size` modules, row by row, true for dark. Without the quiet zone (four
// light modules around it must be left when drawing).
struct QrSymbol {
  int size = 0;
  std::vector<bool> dark;
  bool Dark(int x, int y) const { return dark[static_cast<std::size_t>(y) * size + x]; }
};

// Encodes `text` with error correction level H (30 % of the symbol may be lost: a creased or
// stamped reply slip still reads). Fails on text QR cannot hold.
Result<QrSymbol> EncodeQr(std::string_view text);

}  // namespace intake::letter

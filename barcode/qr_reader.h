// Reading QR codes from a page image: the zxing-cpp adapter (no ZXing type outside qr_reader.cc).
//
// The follow-up module (followup/) looks for the reply slip's QR code on every page of an envelope
// (letter/reply_slip.h); tests read the letter's code back from a degraded rendering. The image is
// 8-bit grey in memory, as the OCR stage keeps its pages. Rotated and downscaled readings are
// tried, zxing's "try harder" is not: on the generated envelopes it read every degraded slip
// without it and took 40 ms a page instead of 75 (about 7 % of a page's OCR instead of 10 %).
// Thread-safe: no shared state.
#pragma once

#include <string>
#include <vector>

namespace intake::barcode {

// 8-bit grey pixels, rows of `stride` bytes; not owned.
struct GreyView {
  const unsigned char* pixels = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0;
};

// The text of every QR code found (UTF-8), in the order zxing finds them; empty when none.
std::vector<std::string> ReadQrCodes(const GreyView& image);

}  // namespace intake::barcode

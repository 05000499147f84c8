#include "barcode/qr_reader.h"

#define ZX_USE_UTF8 1
#include <ZXing/ReadBarcode.h>

namespace intake::barcode {

std::vector<std::string> ReadQrCodes(const GreyView& image) {
  std::vector<std::string> out;
  if (image.pixels == nullptr || image.width <= 0 || image.height <= 0) return out;
  const ZXing::ImageView view(image.pixels, image.width, image.height, ZXing::ImageFormat::Lum,
                              image.stride);
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormat::QRCode);
  hints.setTryHarder(false);
  hints.setTryRotate(true);
  hints.setTryDownscale(true);
  for (const ZXing::Result& result : ZXing::ReadBarcodes(view, hints)) {
    if (result.isValid()) out.push_back(result.text());
  }
  return out;
}

}  // namespace intake::barcode

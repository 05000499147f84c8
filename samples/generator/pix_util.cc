#include "samples/generator/pix_util.h"

namespace intake::samplegen {

PixPtr ToPix(const GreyImage& image) {
  PixPtr pix(pixCreate(image.width, image.height, 8));
  if (!pix) return pix;
  pixSetResolution(pix.get(), image.dpi, image.dpi);
  l_uint32* data = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < image.height; ++y) {
    l_uint32* line = data + static_cast<std::size_t>(y) * wpl;
    for (int x = 0; x < image.width; ++x) SET_DATA_BYTE(line, x, image.at(x, y));
  }
  return pix;
}

GreyImage FromPix(PIX* pix, int dpi) {
  GreyImage image;
  image.width = pixGetWidth(pix);
  image.height = pixGetHeight(pix);
  image.dpi = dpi;
  image.pixels.resize(static_cast<std::size_t>(image.width) * image.height);
  const l_uint32* data = pixGetData(pix);
  const int wpl = pixGetWpl(pix);
  for (int y = 0; y < image.height; ++y) {
    const l_uint32* line = data + static_cast<std::size_t>(y) * wpl;
    for (int x = 0; x < image.width; ++x) {
      image.at(x, y) = static_cast<std::uint8_t>(GET_DATA_BYTE(line, x));
    }
  }
  return image;
}

}  // namespace intake::samplegen

// GreyImage: an 8-bit grey raster page shared by the rendering, degradation and packaging
// modules, so that no cairo or Leptonica type crosses a module boundary.
#pragma once

#include <cstdint>
#include <vector>

namespace intake::samplegen {

struct GreyImage {
  int width = 0;
  int height = 0;
  int dpi = 200;
  std::vector<std::uint8_t> pixels;  // row-major, width * height, 0 = black, 255 = white

  std::uint8_t& at(int x, int y) { return pixels[static_cast<std::size_t>(y) * width + x]; }
  std::uint8_t at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

}  // namespace intake::samplegen

#include "samples/generator/degrade.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "samples/generator/pix_util.h"

namespace intake::samplegen {
namespace {

// Uniform in [0, 1) from the generator's raw bits: the same on every standard library
// (std::uniform_real_distribution and std::normal_distribution are not specified bit-exactly).
double Uniform(std::mt19937& rng) { return (rng() >> 5) * (1.0 / 134217728.0); }

double Gaussian(std::mt19937& rng) {  // Box-Muller
  const double u1 = std::max(Uniform(rng), 1e-12);
  const double u2 = Uniform(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace

ScanOptions ScanOptionsFromSeed(std::uint32_t seed) {
  std::mt19937 rng(seed);
  ScanOptions options;
  const double magnitude = 0.3 + 0.7 * Uniform(rng);
  options.rotation_deg = (rng() & 1) ? magnitude : -magnitude;
  options.paper_level = 235 + static_cast<int>(rng() % 11);
  return options;
}

Result<GreyImage> DegradeLikeScan(const GreyImage& clean, const ScanOptions& options,
                                  std::uint32_t seed) {
  PixPtr pix = ToPix(clean);
  if (!pix) return Result<GreyImage>::Fail("cannot allocate page image");

  // Skew, bringing in white paper at the corners (toned down with the rest below).
  const float radians = static_cast<float>(options.rotation_deg * M_PI / 180.0);
  PixPtr rotated(pixRotate(pix.get(), radians, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0));
  if (!rotated) return Result<GreyImage>::Fail("rotation failed");

  PixPtr blurred;
  if (options.blur_sigma > 0) {
    L_KERNEL* kernel = makeGaussianKernel(2, 2, static_cast<float>(options.blur_sigma), 1.0f);
    blurred.reset(pixConvolve(rotated.get(), kernel, 8, 1));
    kernelDestroy(&kernel);
    if (!blurred) return Result<GreyImage>::Fail("blur failed");
  } else {
    blurred = std::move(rotated);
  }

  GreyImage out = FromPix(blurred.get(), clean.dpi);
  std::mt19937 rng(seed);
  const double range = options.paper_level - options.ink_level;
  for (std::uint8_t& px : out.pixels) {
    const double toned = options.ink_level + range * px / 255.0;
    const double noisy = toned + options.noise_stdev * Gaussian(rng);
    px = static_cast<std::uint8_t>(std::clamp(std::lround(noisy), 0L, 255L));
  }
  return out;
}

}  // namespace intake::samplegen

// Degradation: makes a clean rendered page look like an office scan (Leptonica + a seeded RNG).
//
// Mild on purpose: these samples must still be read right by Tesseract `jpn`. The same seed
// gives the same pixels on every run.
#pragma once

#include <cstdint>

#include "pipeline/result.h"
#include "samples/generator/grey_image.h"

namespace intake::samplegen {

struct ScanOptions {
  double rotation_deg = 0.5;  // signed skew
  double blur_sigma = 0.5;    // Gaussian, in pixels at the page's dpi
  double noise_stdev = 3;     // grey levels
  int paper_level = 240;      // what white paper scans to
  int ink_level = 25;         // what black ink scans to
};

// Options drawn from the seed: skew of 0.3 to 1 degree either way, paper grey 235 to 245.
ScanOptions ScanOptionsFromSeed(std::uint32_t seed);

Result<GreyImage> DegradeLikeScan(const GreyImage& clean, const ScanOptions& options,
                                  std::uint32_t seed);

}  // namespace intake::samplegen

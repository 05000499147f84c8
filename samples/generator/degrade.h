// Degradation: makes a clean rendered page look like an office scan (Leptonica + a seeded RNG).
//
// DegradeLikeScan is mild on purpose: the samples must still be read right by Tesseract `jpn`.
// The corpus (corpus.h) adds harder ones: quarter turns, heavy noise and dust, and a phone photo.
// The same seed gives the same pixels on every run.
#pragma once

#include <cstdint>
#include <filesystem>

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

// Turns the page by `quarters` x 90 degrees clockwise (a page fed sideways or upside down).
Result<GreyImage> RotateQuarters(const GreyImage& image, int quarters);

// A dirty scan: grey noise of `stdev` levels over the whole page and dark specks of dust.
Result<GreyImage> AddDirt(const GreyImage& image, double stdev, std::uint32_t seed);

// What handling leaves on paper (the held-out corpus): two punch holes at the left edge, a fold
// line across, a staple's shadow in the top-left corner, a dark scanner border along one or two
// edges; each drawn or not as the seed says, at least one always.
GreyImage AddPaperArtefacts(const GreyImage& image, std::uint32_t seed);

// The blank back of a duplex scan: paper with the front's ink showing through, faint and mirrored.
GreyImage BleedThroughBack(const GreyImage& front);

// A phone photo of the page on a desk: the page a little off square (perspective), light falling
// off across it, a warm colour cast, slight blur and sensor noise. Written as an RGB JPEG with no
// resolution recorded (phones record none that means anything).
Status WritePhotoJpeg(const GreyImage& clean, std::uint32_t seed,
                      const std::filesystem::path& path);

}  // namespace intake::samplegen

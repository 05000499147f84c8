#include "samples/generator/degrade.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

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

Result<GreyImage> RotateQuarters(const GreyImage& image, int quarters) {
  PixPtr pix = ToPix(image);
  if (!pix) return Result<GreyImage>::Fail("cannot allocate page image");
  PixPtr turned(pixRotateOrth(pix.get(), ((quarters % 4) + 4) % 4));
  if (!turned) return Result<GreyImage>::Fail("rotation failed");
  return FromPix(turned.get(), image.dpi);
}

Result<GreyImage> AddDirt(const GreyImage& image, double stdev, std::uint32_t seed) {
  GreyImage out = image;
  std::mt19937 rng(seed);
  for (std::uint8_t& px : out.pixels) {
    px = static_cast<std::uint8_t>(std::clamp(std::lround(px + stdev * Gaussian(rng)), 0L, 255L));
  }
  // Dust: small dark blobs, 1 to 3 px in radius at 300 dpi, about 3 per square centimetre.
  const double scale = image.dpi / 300.0;
  const double area_cm2 = (image.width / (image.dpi / 2.54)) * (image.height / (image.dpi / 2.54));
  const int specks = static_cast<int>(area_cm2 * 3);
  for (int i = 0; i < specks; ++i) {
    const int cx = static_cast<int>(rng() % static_cast<unsigned>(out.width));
    const int cy = static_cast<int>(rng() % static_cast<unsigned>(out.height));
    const double radius = (1.0 + 2.0 * Uniform(rng)) * scale;
    const int level = 20 + static_cast<int>(rng() % 80);
    const int r = static_cast<int>(std::ceil(radius));
    for (int y = std::max(0, cy - r); y <= std::min(out.height - 1, cy + r); ++y) {
      for (int x = std::max(0, cx - r); x <= std::min(out.width - 1, cx + r); ++x) {
        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > radius * radius) continue;
        out.at(x, y) = static_cast<std::uint8_t>(std::min<int>(out.at(x, y), level));
      }
    }
  }
  return out;
}

namespace {

void FillDisc(GreyImage& image, double cx, double cy, double radius, std::uint8_t level) {
  const int r = static_cast<int>(std::ceil(radius));
  for (int y = std::max(0, static_cast<int>(cy) - r);
       y <= std::min(image.height - 1, static_cast<int>(cy) + r); ++y) {
    for (int x = std::max(0, static_cast<int>(cx) - r);
         x <= std::min(image.width - 1, static_cast<int>(cx) + r); ++x) {
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius) image.at(x, y) = level;
    }
  }
}

void DarkenRect(GreyImage& image, int x0, int y0, int x1, int y1, int level) {
  for (int y = std::max(0, y0); y < std::min(image.height, y1); ++y) {
    for (int x = std::max(0, x0); x < std::min(image.width, x1); ++x) {
      image.at(x, y) = static_cast<std::uint8_t>(std::min<int>(image.at(x, y), level));
    }
  }
}

}  // namespace

GreyImage AddPaperArtefacts(const GreyImage& image, std::uint32_t seed) {
  GreyImage out = image;
  std::mt19937 rng(seed);
  const double mm = image.dpi / 25.4;
  unsigned which = rng() % 15 + 1;  // a non-empty subset of the four
  if (which & 1) {  // two holes of a 2-hole punch: 6 mm wide, 80 mm apart, 12 mm from the edge
    const double cy = image.height / 2.0;
    for (const double dy : {-40.0, 40.0}) FillDisc(out, 12 * mm, cy + dy * mm, 3 * mm, 30);
  }
  if (which & 2) {  // folded in three for the envelope: a grey crease a third of the way down
    const int y = image.height / 3 + static_cast<int>(rng() % 40) - 20;
    DarkenRect(out, 0, y, out.width, y + std::max(1, static_cast<int>(0.3 * mm)), 170);
  }
  if (which & 4) {  // a staple's shadow: a short thick stroke across the top-left corner
    for (int i = 0; i < static_cast<int>(12 * mm); ++i) {
      const int x = static_cast<int>(6 * mm) + i;
      const int y = static_cast<int>(14 * mm) - i;
      DarkenRect(out, x, y, x + static_cast<int>(1.2 * mm), y + static_cast<int>(1.2 * mm), 60);
    }
  }
  if (which & 8) {  // the scanner lid's dark border along the top and or the right edge
    const int band = static_cast<int>((2 + rng() % 4) * mm);
    DarkenRect(out, 0, 0, out.width, band, 20);
    if (rng() & 1) DarkenRect(out, out.width - band, 0, out.width, out.height, 20);
  }
  return out;
}

GreyImage BleedThroughBack(const GreyImage& front) {
  GreyImage back = front;
  for (int y = 0; y < front.height; ++y) {
    for (int x = 0; x < front.width; ++x) {
      // Ink at 0 shows through as a light grey (about 230 on paper of 250).
      const int ink = 255 - front.at(front.width - 1 - x, y);
      back.at(x, y) = static_cast<std::uint8_t>(250 - ink * 22 / 255);
    }
  }
  return back;
}

Status WritePhotoJpeg(const GreyImage& clean, std::uint32_t seed,
                      const std::filesystem::path& path) {
  std::mt19937 rng(seed);
  PixPtr page = ToPix(clean);
  if (!page) return Status::Fail("cannot allocate page image");
  // The desk around the page: a border of dark grey.
  const int border = clean.width / 16;
  PixPtr framed(pixAddBorderGeneral(page.get(), border, border, border, border, 70));
  if (!framed) return Status::Fail("cannot add the desk border");
  const int w = pixGetWidth(framed.get());
  const int h = pixGetHeight(framed.get());

  // Perspective: each corner of the page moves by up to 2.5 % of the page's width.
  const double jitter = 0.025 * clean.width;
  auto moved = [&](double x, double y) {
    return std::pair<float, float>(static_cast<float>(x + jitter * (2 * Uniform(rng) - 1)),
                                   static_cast<float>(y + jitter * (2 * Uniform(rng) - 1)));
  };
  const double left = border;
  const double top = border;
  const double right = border + clean.width - 1;
  const double bottom = border + clean.height - 1;
  PTA* source = ptaCreate(4);
  PTA* dest = ptaCreate(4);
  for (const auto& [x, y] :
       {std::pair<double, double>{left, top}, {right, top}, {right, bottom}, {left, bottom}}) {
    const auto [dx, dy] = moved(x, y);
    ptaAddPt(source, static_cast<float>(x), static_cast<float>(y));
    ptaAddPt(dest, dx, dy);
  }
  // The page's corners (source) land on the moved ones (dest); what comes in is desk.
  PixPtr warped(pixProjectivePtaGray(framed.get(), dest, source, 70));
  ptaDestroy(&source);
  ptaDestroy(&dest);
  if (!warped) return Status::Fail("perspective failed");

  L_KERNEL* kernel = makeGaussianKernel(3, 3, 1.0f, 1.0f);
  PixPtr blurred(pixConvolve(warped.get(), kernel, 8, 1));
  kernelDestroy(&kernel);
  if (!blurred) return Status::Fail("blur failed");

  // Light from one side: brightness falls from 1.0 to 0.65 across the page, plus a soft spot.
  const double angle = 2 * M_PI * Uniform(rng);
  const double lx = std::cos(angle);
  const double ly = std::sin(angle);
  const double falloff = 0.2 + 0.15 * Uniform(rng);
  const double red = 1.0;
  const double green = 0.93 + 0.04 * Uniform(rng);
  const double blue = 0.78 + 0.1 * Uniform(rng);
  PixPtr rgb(pixCreate(w, h, 32));
  if (!rgb) return Status::Fail("cannot allocate the photo");
  const l_uint32* grey_data = pixGetData(blurred.get());
  const int grey_wpl = pixGetWpl(blurred.get());
  l_uint32* rgb_data = pixGetData(rgb.get());
  const int rgb_wpl = pixGetWpl(rgb.get());
  for (int y = 0; y < h; ++y) {
    const l_uint32* grey_line = grey_data + static_cast<std::size_t>(y) * grey_wpl;
    l_uint32* rgb_line = rgb_data + static_cast<std::size_t>(y) * rgb_wpl;
    const double ny = 2.0 * y / h - 1;
    for (int x = 0; x < w; ++x) {
      const double nx = 2.0 * x / w - 1;
      const double along = (nx * lx + ny * ly + 1.41) / 2.83;  // 0 .. 1 across the page
      const double light = 1.0 - falloff * along - 0.1 * (nx * nx + ny * ny) / 2;
      const double v = GET_DATA_BYTE(grey_line, x) * light;
      auto channel = [&](double factor) {
        return static_cast<l_int32>(
            std::clamp(std::lround(v * factor + 4 * Gaussian(rng)), 0L, 255L));
      };
      composeRGBPixel(channel(red), channel(green), channel(blue), rgb_line + x);
    }
  }
  pixSetResolution(rgb.get(), 0, 0);
  if (pixWriteJpeg(path.c_str(), rgb.get(), 85, 0) != 0) return Status::Fail("JPEG writing failed");
  return Status::Ok();
}

}  // namespace intake::samplegen

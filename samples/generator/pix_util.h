// Leptonica helpers for the generator's image modules (degrade.cc, package.cc): an owning PIX
// pointer and conversions to and from GreyImage. Only .cc files include this header.
#pragma once

#include <leptonica/allheaders.h>

#include <memory>

#include "samples/generator/grey_image.h"

namespace intake::samplegen {

struct PixDeleter {
  void operator()(PIX* pix) const {
    PIX* p = pix;
    pixDestroy(&p);
  }
};
using PixPtr = std::unique_ptr<PIX, PixDeleter>;

// An 8-bit PIX with the image's resolution; null when allocation fails.
PixPtr ToPix(const GreyImage& image);

// `pix` must be 8 bits deep.
GreyImage FromPix(PIX* pix, int dpi);

}  // namespace intake::samplegen

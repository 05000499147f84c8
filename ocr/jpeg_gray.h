// Decoding a JPEG held in memory to 8-bit grey, for the stages that take JPEG bytes out of a
// file themselves (a scanned PDF page's image): libjpeg directly, never printing to stderr, and
// telling whether pixels were lost to corrupt data.
#pragma once

#include <string_view>

#include "ocr/ocr_pool.h"
#include "pipeline/result.h"

namespace intake::ocr {

// Grey straight from a one-component JPEG, the red channel of a three-component one (as for
// image files: red seals fade). `damaged` when libjpeg reported lost data; the rows it could not
// read are white. Fails on a CMYK JPEG (the caller's own decoder knows its ink) and when no row
// could be read. Thread-safe.
Result<GrayImage> DecodeJpegGray(std::string_view bytes);

}  // namespace intake::ocr

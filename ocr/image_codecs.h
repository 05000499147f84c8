// Decoders for what Leptonica does not read, or not quietly: HEIC and AVIF (libheif; an iPhone
// saves its photos as HEIC, and the turn it recorded is applied), compressed BMP (RLE4/RLE8,
// gdk-pixbuf; Leptonica reads only uncompressed BMP) and JPEG (libjpeg directly: Leptonica lets
// libjpeg print its warnings to stderr, which breaks a JSON log, and drops a JPEG with any
// corrupt data instead of keeping what could be read).
//
// Internal to ocr/ (returns Leptonica's Pix). Headers are read without decoding pixels, so the
// size limits of page_image.h apply before anything is allocated. Messages never name the file.
#pragma once

#include <filesystem>

#include "ocr/page_image.h"
#include "ocr/preprocess.h"
#include "pipeline/result.h"

namespace intake::ocr {

// True when the file is a HEIF image (HEIC or AVIF), by the brand of its `ftyp` box.
bool IsHeif(const std::filesystem::path& path);

// Width and height of the primary image of a HEIF file, as shown (after its rotation).
Result<ImageHeader> ReadHeifHeader(const std::filesystem::path& path);

// The primary image of a HEIF file, turned and mirrored as the file says: 32-bit RGB.
Result<PixPtr> DecodeHeif(const std::filesystem::path& path);

// Width and height of a BMP from its header (any compression); the file is not decoded.
Result<ImageHeader> ReadBmpHeader(const std::filesystem::path& path);

// A BMP Leptonica refuses (RLE compressed), decoded by gdk-pixbuf: 32-bit RGB.
Result<PixPtr> DecodeCompressedBmp(const std::filesystem::path& path);

struct DecodedJpeg {
  PixPtr pix;            // 8-bit grey or 32-bit RGB
  bool damaged = false;  // libjpeg reported corrupt or missing data: `pix` holds what was read
};

// Width, height and components of a JPEG from its header, quietly.
Result<ImageHeader> ReadJpegHeader(const std::filesystem::path& path);

// Decodes a JPEG scaled down by `reduction` (1, 2, 4 or 8) in the decoder, with the resolution
// it records. libjpeg's messages are counted, never printed. Fails when nothing could be read.
Result<DecodedJpeg> DecodeJpeg(const std::filesystem::path& path, int reduction);

// libheif's version, for the report.
std::string HeifVersion();

}  // namespace intake::ocr

// Packaging: writes rendered pages and files in the formats of a submission.
//
// Scanned PDF (an image-only PDF: one JPEG per page, no text layer), multi-page TIFF
// (Leptonica) and zip (libarchive, UTF-8 names). Dates inside the files are fixed so that the
// same pages give the same bytes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/result.h"
#include "samples/generator/grey_image.h"

namespace intake::samplegen {

// 2026-11-01 09:00 JST: the modification time of every zip entry.
inline constexpr long kFixedUnixTime = 1793491200;

// An image-only PDF: each page an A4 page painting one grey JPEG at the image's dpi.
Status WriteScanPdf(const std::filesystem::path& path, const std::vector<GreyImage>& pages);

enum class TiffCompression {
  kDeflateGrey,  // 8-bit grey, deflate ("zip")
  kG4,           // bilevel, CCITT G4: what most office scanners send
};

// A multi-page TIFF, one frame per page, with the pages' resolution.
Status WriteScanTiff(const std::filesystem::path& path, const std::vector<GreyImage>& pages,
                     TiffCompression compression);

// One page as an 8-bit grey PNG recording the image's resolution.
Status WritePng(const std::filesystem::path& path, const GreyImage& page);

// One page as a grey JPEG of the given quality (1-100) recording the image's resolution.
Status WriteJpeg(const std::filesystem::path& path, const GreyImage& page, int quality);

struct ZipEntry {
  std::string name;              // UTF-8 path inside the archive
  std::filesystem::path source;  // file to store
};

// A zip with deflated entries, UTF-8 names (general purpose flag bit 11) and fixed times.
Status WriteZip(const std::filesystem::path& path, const std::vector<ZipEntry>& entries);

}  // namespace intake::samplegen

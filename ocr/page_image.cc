#include "ocr/page_image.h"

#include <leptonica/allheaders.h>
#include <tiffio.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>

#include "ocr/image_codecs.h"

namespace intake::ocr {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

ImageFormat FormatFromLeptonica(l_int32 format) {
  if (L_FORMAT_IS_TIFF(format)) return ImageFormat::kTiff;
  switch (format) {
    case IFF_JFIF_JPEG:
      return ImageFormat::kJpeg;
    case IFF_PNG:
      return ImageFormat::kPng;
    case IFF_BMP:
      return ImageFormat::kBmp;
    case IFF_GIF:
      return ImageFormat::kGif;
    case IFF_PNM:
      return ImageFormat::kPnm;
    case IFF_WEBP:
      return ImageFormat::kWebp;
    case IFF_JP2:
      return ImageFormat::kJp2;
    default:
      return ImageFormat::kOther;
  }
}

Result<ImageFormat> SniffFormat(const std::filesystem::path& path) {
  QuietLeptonica();
  l_int32 format = IFF_UNKNOWN;
  // Leptonica does not know HEIF (it fails on formats it does not recognise).
  if (IsHeif(path)) return ImageFormat::kHeif;
  if (findFileFormat(path.c_str(), &format) != 0) {
    return Result<ImageFormat>::Fail("image file could not be opened");
  }
  ImageFormat result = FormatFromLeptonica(format);
  if (result == ImageFormat::kOther) {
    return Result<ImageFormat>::Fail("not an image format that can be read");
  }
  return result;
}

// Leptonica decodes a whole GIF to read its header; the logical screen descriptor is enough.
Result<ImageHeader> ReadGifHeader(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, 10> bytes{};
  if (!in.read(reinterpret_cast<char*>(bytes.data()), bytes.size())) {
    return Result<ImageHeader>::Fail("GIF header is truncated");
  }
  ImageHeader header;
  header.format = ImageFormat::kGif;
  header.width = bytes[6] | (bytes[7] << 8);
  header.height = bytes[8] | (bytes[9] << 8);
  header.bits_per_sample = 8;
  header.samples_per_pixel = 1;
  return header;
}

}  // namespace

void QuietLeptonica() {
  static std::once_flag once;
  std::call_once(once, [] {
    setMsgSeverity(L_SEVERITY_NONE);
    leptSetStderrHandler([](const char*) {});
  });
}

Status CheckImageSize(int width, int height) {
  if (width <= 0 || height <= 0) return Status::Fail("image has no pixels");
  if (width > kMaxImageSide || height > kMaxImageSide ||
      static_cast<std::int64_t>(width) * height > kMaxImagePixels) {
    return Status::Fail("image is too large (" + std::to_string(width) + "x" +
                        std::to_string(height) + " px)");
  }
  return Status::Ok();
}

Result<int> CountImageFrames(const std::filesystem::path& path) {
  auto format = SniffFormat(path);
  if (!format.ok()) return Error{format.message()};
  if (*format != ImageFormat::kTiff) return 1;
  std::unique_ptr<std::FILE, FileCloser> fp(std::fopen(path.c_str(), "rb"));
  if (!fp) return Result<int>::Fail("image file could not be opened");
  l_int32 count = 0;
  if (tiffGetCount(fp.get(), &count) != 0 || count <= 0) {
    return Result<int>::Fail("TIFF has no readable frames");
  }
  return static_cast<int>(count);
}

Result<std::vector<int>> TiffFrameLongSides(const std::filesystem::path& path) {
  using R = Result<std::vector<int>>;
  static std::once_flag once;
  std::call_once(once, [] {  // libtiff prints its warnings to stderr otherwise
    TIFFSetErrorHandler(nullptr);
    TIFFSetWarningHandler(nullptr);
  });
  std::unique_ptr<TIFF, void (*)(TIFF*)> tif(TIFFOpen(path.c_str(), "r"), TIFFClose);
  if (!tif) return R::Fail("TIFF has no readable frames");
  std::vector<int> sides;
  do {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &height);
    sides.push_back(static_cast<int>(std::min<std::uint32_t>(std::max(width, height), INT32_MAX)));
  } while (TIFFReadDirectory(tif.get()) == 1);
  return sides;
}

Result<ImageHeader> ReadImageHeader(const std::filesystem::path& path, int frame) {
  auto format = SniffFormat(path);
  if (!format.ok()) return Error{format.message()};
  if (frame < 0 || (frame > 0 && *format != ImageFormat::kTiff)) {
    return Result<ImageHeader>::Fail("image has no frame " + std::to_string(frame));
  }
  if (*format == ImageFormat::kGif) return ReadGifHeader(path);
  if (*format == ImageFormat::kHeif) return ReadHeifHeader(path);
  if (*format == ImageFormat::kJpeg) return ReadJpegHeader(path);
  if (*format == ImageFormat::kTiff) {
    // Leptonica leaks its TIFF handle when asked for a frame past the end: count first.
    auto frames = CountImageFrames(path);
    if (!frames.ok()) return Error{frames.message()};
    if (frame >= *frames) {
      return Result<ImageHeader>::Fail("TIFF has no frame " + std::to_string(frame));
    }
  }

  ImageHeader header;
  header.format = *format;
  l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, iff = 0;
  l_ok failed = 0;
  if (*format == ImageFormat::kTiff) {
    failed = readHeaderTiff(path.c_str(), frame, &w, &h, &bps, &spp, &res, &cmap, &iff);
  } else {
    failed = pixReadHeader(path.c_str(), &iff, &w, &h, &bps, &spp, &cmap);
  }
  if (failed != 0 && *format == ImageFormat::kBmp) return ReadBmpHeader(path);  // compressed
  if (failed != 0) {
    return Result<ImageHeader>::Fail("image header of frame " + std::to_string(frame) +
                                     " could not be read");
  }
  header.width = w;
  header.height = h;
  header.bits_per_sample = bps;
  header.samples_per_pixel = spp;
  return header;
}

}  // namespace intake::ocr

namespace intake::ocr {

namespace {

// A Leptonica copy of 8-bit grey rows, or null when it cannot be allocated.
PIX* GrayPix(const unsigned char* pixels, int width, int height, int stride, int dpi) {
  PIX* pix = pixCreate(width, height, 8);
  if (pix == nullptr) return nullptr;
  l_uint32* data = pixGetData(pix);
  const int wpl = pixGetWpl(pix);
  for (int y = 0; y < height; ++y) {
    l_uint32* line = data + static_cast<std::ptrdiff_t>(y) * wpl;
    const unsigned char* row = pixels + static_cast<std::ptrdiff_t>(y) * stride;
    for (int x = 0; x < width; ++x) SET_DATA_BYTE(line, x, row[x]);
  }
  pixSetResolution(pix, dpi, dpi);
  return pix;
}

}  // namespace

Result<std::string> EncodeGrayJpeg(const unsigned char* pixels, int width, int height, int stride,
                                   int dpi, int quality) {
  using R = Result<std::string>;
  QuietLeptonica();
  if (width <= 0 || height <= 0 || stride < width) return R::Fail("invalid image dimensions");
  PIX* pix = GrayPix(pixels, width, height, stride, dpi);
  if (pix == nullptr) return R::Fail("image could not be allocated");
  l_uint8* data = nullptr;
  size_t size = 0;
  const l_ok failed = pixWriteMemJpeg(&data, &size, pix, quality, 0);
  pixDestroy(&pix);
  if (failed != 0 || data == nullptr) return R::Fail("image could not be encoded");
  std::string bytes(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  return bytes;
}

Result<std::string> PaintedOver(const std::filesystem::path& image,
                                const std::vector<PixelBox>& boxes, int jpeg_quality) {
  using R = Result<std::string>;
  QuietLeptonica();
  auto header = ReadImageHeader(image);
  if (!header.ok()) return Error{header.message()};
  if (Status size = CheckImageSize(header->width, header->height); !size.ok()) {
    return Error{size.message()};
  }
  if (header->format != ImageFormat::kJpeg && header->format != ImageFormat::kPng) {
    return R::Fail("only JPEG and PNG page images are painted over");
  }
  PIX* pix = pixRead(image.c_str());
  if (pix == nullptr) return R::Fail("page image could not be decoded");
  for (const PixelBox& b : boxes) {
    BOX* box = boxCreate(b.left, b.top, b.width, b.height);
    // 1-bit: set is black; grey and colour: clear is black.
    if (pixGetDepth(pix) == 1) {
      pixSetInRect(pix, box);
    } else {
      pixClearInRect(pix, box);
    }
    boxDestroy(&box);
  }
  l_uint8* data = nullptr;
  size_t size = 0;
  const l_ok failed = header->format == ImageFormat::kJpeg
                          ? pixWriteMemJpeg(&data, &size, pix, jpeg_quality, 0)
                          : pixWriteMemPng(&data, &size, pix, 0);
  pixDestroy(&pix);
  if (failed != 0 || data == nullptr) return R::Fail("page image could not be encoded");
  std::string bytes(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  return bytes;
}

}  // namespace intake::ocr

// Page images on disk, looked at with Leptonica without decoding their pixels.
//
// The pages stage counts TIFF frames here, and the OCR pool checks an image's dimensions before
// decoding it, so a decompression bomb is refused instead of allocated. Drawn PDF pages are
// encoded here for the searchable PDFs. Error messages never name the file (its name comes from
// the submission).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ocr/ocr_pool.h"
#include "pipeline/result.h"

namespace intake::ocr {

// Images larger than this are refused (a 300-dpi A0 page is about 140 megapixels).
inline constexpr int kMaxImageSide = 20000;
inline constexpr std::int64_t kMaxImagePixels = 200'000'000;

// Decoding holds an image whole in memory, colour at 32 bits a pixel (Leptonica's layout): a
// 200-megapixel RGBA PNG is 800 MB before it becomes grey. One image may take at most
// kMaxDecodedBytes decoded (a 300-dpi A0 colour page, 140 megapixels, takes 560 MB), and the
// images the OCR workers decode at once at most kDecodeBudgetBytes together: a worker waits for
// room.
inline constexpr std::int64_t kMaxDecodedBytes = 640LL << 20;
inline constexpr std::int64_t kDecodeBudgetBytes = 1LL << 30;

// Pages are read at no more than kMaxOcrPixels: larger images are scaled down to
// kTargetOcrPixels (an A4 page at 300 dpi) before OCR, and PDF pages are rendered within it.
inline constexpr std::int64_t kTargetOcrPixels = 2480LL * 3508;
inline constexpr std::int64_t kMaxOcrPixels = 12'000'000;

enum class ImageFormat { kTiff, kJpeg, kPng, kBmp, kGif, kPnm, kWebp, kJp2, kHeif, kOther };

struct ImageHeader {
  ImageFormat format = ImageFormat::kOther;
  int width = 0;
  int height = 0;
  int bits_per_sample = 0;
  int samples_per_pixel = 0;
};

// Number of frames: TIFF pages, 1 for the other image formats Leptonica reads. Fails for files
// that are not images, or unreadable.
Result<int> CountImageFrames(const std::filesystem::path& path);

// The longer side of each frame of a TIFF, in one pass over its directories (asking for frame
// after frame walks the directory chain from the start each time: quadratic in the frames).
// libtiff's messages are silenced. Fails for files that are not readable TIFFs.
Result<std::vector<int>> TiffFrameLongSides(const std::filesystem::path& path);

// Format and dimensions of frame `frame` (0-based; only TIFF has frames > 0), from the header.
Result<ImageHeader> ReadImageHeader(const std::filesystem::path& path, int frame = 0);

// Share (0..1) of the image's pixels darker than kDarkGrey: a viewer's screenshot of a CT or MR
// slice is mostly black, a photo or scan of paper mostly light. The first frame, decoded as a
// page to read is (ocr/page_loader.cc: within the size and memory limits, decoder warnings kept
// out of the log).
inline constexpr int kDarkGrey = 64;
Result<double> DarkShare(const std::filesystem::path& path);

// Ok when the dimensions are within kMaxImageSide and kMaxImagePixels.
Status CheckImageSize(int width, int height);

// Encodes an 8-bit grey image as JPEG (Leptonica, `quality` 1-100) recording `dpi`: the bytes of
// the file.
Result<std::string> EncodeGrayJpeg(const unsigned char* pixels, int width, int height, int stride,
                                   int dpi, int quality);

// A rectangle in an image's pixels.
struct PixelBox {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
};

// Reads a JPEG or PNG page image, paints `boxes` black and encodes it again the same way (JPEG at
// `jpeg_quality`): the bytes of the new file. For redacting what must not be stored.
Result<std::string> PaintedOver(const std::filesystem::path& image,
                                const std::vector<PixelBox>& boxes, int jpeg_quality);

// Decodes an image file's first frame as a page is decoded for OCR (size and memory limits,
// huge images scaled down) and hands back its 8-bit grey pixels (rows of `width` bytes): for
// readers that want the picture, not the text (the QR codes of follow-up envelopes, followup/).
Result<GrayImage> ReadGrayImage(const std::filesystem::path& path);

// Turns Leptonica's messages to stderr off (they can name files). Idempotent and thread-safe;
// the functions above and the OCR pool call it themselves.
void QuietLeptonica();

}  // namespace intake::ocr

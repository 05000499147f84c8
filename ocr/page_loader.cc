#include "ocr/page_loader.h"

#include <leptonica/allheaders.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>

#include "ocr/image_codecs.h"
#include "ocr/page_image.h"

namespace intake::ocr {
namespace {

constexpr double kA4LongSideInches = 11.69;
constexpr double kMinPageInches = 3.0;   // a business card's longer side is 3.4 in
constexpr double kMaxPageInches = 17.5;  // A3's is 16.5 in
constexpr int kMinDpi = 50;
constexpr int kMaxDpi = 2400;
constexpr int kPaperTile = 32;

// The largest JPEG decoder reduction (1, 2, 4, 8) that keeps at least kTargetOcrPixels.
int JpegReduction(int width, int height) {
  const long long pixels = static_cast<long long>(width) * height;
  if (pixels <= kMaxOcrPixels) return 1;
  for (int r : {8, 4, 2}) {
    if (pixels / (static_cast<long long>(r) * r) >= kTargetOcrPixels) return r;
  }
  return 1;
}

// Bytes the image of `header` takes decoded (a JPEG at `reduction`): Leptonica holds colour at
// 32 bits a pixel, 16-bit grey at 16, other grey and palette images at 8, bilevel at 1.
std::int64_t DecodedBytes(const ImageHeader& header, int reduction) {
  const std::int64_t width = (header.width + reduction - 1) / reduction;
  const std::int64_t height = (header.height + reduction - 1) / reduction;
  int bits = 8;
  if (header.samples_per_pixel >= 3) {
    bits = 32;
  } else if (header.bits_per_sample == 1) {
    bits = 1;
  } else if (header.bits_per_sample == 16) {
    bits = 16;
  }
  return width * height * bits / 8;
}

// The bytes of the images being decoded at once, shared by the OCR workers (kDecodeBudgetBytes).
class DecodeBudget {
 public:
  // Gives the bytes back when it goes.
  class Hold {
   public:
    Hold(DecodeBudget& budget, std::int64_t bytes) : budget_(budget), bytes_(bytes) {}
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    ~Hold() { budget_.Give(bytes_); }

   private:
    DecodeBudget& budget_;
    std::int64_t bytes_;
  };

  // Blocks until `bytes` fit beside what the other workers hold (alone, any image fits).
  [[nodiscard]] Hold Take(std::int64_t bytes) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return used_ == 0 || used_ + bytes <= kDecodeBudgetBytes; });
    used_ += bytes;
    return Hold(*this, bytes);
  }

 private:
  void Give(std::int64_t bytes) {
    {
      std::lock_guard lock(mutex_);
      used_ -= bytes;
    }
    room_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable room_;
  std::int64_t used_ = 0;
};

DecodeBudget& SharedDecodeBudget() {
  static DecodeBudget budget;
  return budget;
}

// `grey` (the red channel of `rgba`) laid on white paper through `rgba`'s alpha: what a
// transparent image shows. Done on the 8-bit channels, not by Leptonica's pixRemoveAlpha, which
// makes a 32-bit copy and, when memory runs out within it, crashes (Leptonica 1.82's
// pixBlendWithGrayMask uses an allocation it did not check).
PixPtr OnWhitePaper(PixPtr grey, Pix* rgba) {
  PixPtr alpha(pixGetRGBComponent(rgba, L_ALPHA_CHANNEL));
  if (!alpha) return nullptr;
  const int width = pixGetWidth(grey.get()), height = pixGetHeight(grey.get());
  const int grey_wpl = pixGetWpl(grey.get()), alpha_wpl = pixGetWpl(alpha.get());
  l_uint32* grey_row = pixGetData(grey.get());
  const l_uint32* alpha_row = pixGetData(alpha.get());
  for (int y = 0; y < height; ++y, grey_row += grey_wpl, alpha_row += alpha_wpl) {
    for (int x = 0; x < width; ++x) {
      const int a = GET_DATA_BYTE(alpha_row, x);
      if (a == 255) continue;
      const int g = GET_DATA_BYTE(grey_row, x);
      SET_DATA_BYTE(grey_row, x, (g * a + 255 * (255 - a) + 127) / 255);
    }
  }
  return grey;
}

// Brings any Leptonica depth to 1-bit or 8-bit grey. Sets `colour` for colour sources.
PixPtr ToOcrDepth(PixPtr pix, bool& colour) {
  if (pixGetColormap(pix.get()) != nullptr) {
    PixPtr plain(pixRemoveColormap(pix.get(), REMOVE_CMAP_BASED_ON_SRC));
    if (!plain) return nullptr;
    pix = std::move(plain);
  }
  switch (pixGetDepth(pix.get())) {
    case 1:
    case 8:
      return pix;
    case 16:
      return PixPtr(pixConvert16To8(pix.get(), L_MS_BYTE));
    case 32: {
      colour = true;
      PixPtr grey(pixConvertRGBToGray(pix.get(), 1.0f, 0.0f, 0.0f));
      if (!grey || pixGetSpp(pix.get()) != 4) return grey;
      return OnWhitePaper(std::move(grey), pix.get());
    }
    default:
      return PixPtr(pixConvertTo8(pix.get(), 0));
  }
}

// Scales to kTargetOcrPixels when above kMaxOcrPixels; bilevel pages become grey then (scaling
// to grey keeps the strokes that sampling would drop).
PixPtr ScaleDown(PixPtr pix, double& scale) {
  const long long pixels = static_cast<long long>(pixGetWidth(pix.get())) * pixGetHeight(pix.get());
  if (pixels <= kMaxOcrPixels) return pix;
  const auto factor = static_cast<float>(std::sqrt(static_cast<double>(kTargetOcrPixels) / pixels));
  PixPtr scaled(pixGetDepth(pix.get()) == 1 ? pixScaleToGray(pix.get(), factor)
                                            : pixScale(pix.get(), factor, factor));
  if (!scaled) return nullptr;
  scale *= static_cast<double>(pixGetWidth(scaled.get())) / pixGetWidth(pix.get());
  return scaled;
}

// Evens out the paper (Leptonica maps it to 200), then stretches 200 back to white so the kept
// image looks like a scan.
PixPtr NormalizeBackground(Pix* grey) {
  PixPtr even(pixBackgroundNormSimple(grey, nullptr, nullptr));
  if (!even) return nullptr;
  return PixPtr(pixGammaTRC(nullptr, even.get(), 1.0f, 0, 200));
}

// Scales a 1-bit or 8-bit page down when huge, evens out its background when uneven, and
// records its resolution.
Result<LoadedPage> Finish(PixPtr pix, int source_dpi, LoadedPage page, bool normalize_background) {
  using R = Result<LoadedPage>;
  pix = ScaleDown(std::move(pix), page.scale);
  if (!pix) return R::Fail("image could not be scaled down");
  if (normalize_background && pixGetDepth(pix.get()) == 8 && HasUnevenBackground(pix.get())) {
    PixPtr even = NormalizeBackground(pix.get());
    if (!even) return R::Fail("image background could not be normalised");
    pix = std::move(even);
    page.background_normalized = true;
  }
  page.dpi = std::max(1, static_cast<int>(std::lround(source_dpi * page.scale)));
  pixSetResolution(pix.get(), page.dpi, page.dpi);
  page.pix = std::move(pix);
  return page;
}

// Whether an allocation of image pixels failed on this thread since the last call: Leptonica
// allocates every image's pixels through PixAllocate (setPixMemoryManager), and returns null
// without saying why when it fails.
thread_local bool t_pixels_not_allocated = false;

void* PixAllocate(std::size_t bytes) {
  void* memory = std::malloc(bytes);
  if (memory == nullptr) t_pixels_not_allocated = true;
  return memory;
}

void CountPixAllocations() {
  static std::once_flag once;
  std::call_once(once, [] { setPixMemoryManager(&PixAllocate, [](void* p) { std::free(p); }); });
}

// Why a decoder or converter gave no image: memory, when an image's pixels could not be
// allocated (Leptonica's, seen by PixAllocate) or when the memory the decoded image needs cannot
// be had now (a decoder's own buffers, libpng's rows: an address-space limit, a busy machine);
// `error`, the file's fault, otherwise.
Error OrOutOfMemory(Error error, std::int64_t decoded_bytes) {
  bool short_of_memory = std::exchange(t_pixels_not_allocated, false);
  if (!short_of_memory) {
    void* room = std::malloc(static_cast<std::size_t>(decoded_bytes + (decoded_bytes >> 2)));
    short_of_memory = room == nullptr;
    std::free(room);
  }
  if (!short_of_memory) return error;
  return Error{
      "out of memory: the image needs " + std::to_string(decoded_bytes >> 20) + " MiB decoded",
      ErrorCode::kOutOfMemory};
}

}  // namespace

int EstimateDpi(int width, int height, int recorded_dpi) {
  const double long_side = std::max(width, height);
  if (recorded_dpi >= kMinDpi && recorded_dpi <= kMaxDpi) {
    const double inches = long_side / recorded_dpi;
    if (inches >= kMinPageInches && inches <= kMaxPageInches) return recorded_dpi;
  }
  return std::clamp(static_cast<int>(std::lround(long_side / kA4LongSideInches)), kMinDpi, kMaxDpi);
}

bool HasUnevenBackground(Pix* grey) {
  if (pixGetDepth(grey) != 8 || pixGetWidth(grey) < 4 * kPaperTile ||
      pixGetHeight(grey) < 4 * kPaperTile) {
    return false;
  }
  PixPtr tiles(pixScaleGrayMinMax(grey, kPaperTile, kPaperTile, L_CHOOSE_MAX));
  if (!tiles) return false;
  Numa* histogram = pixGetGrayHistogram(tiles.get(), 1);
  if (histogram == nullptr) return false;
  l_float32 p10 = 0, p50 = 0, p90 = 0;
  const bool ok = numaHistogramGetValFromRank(histogram, 0.1f, &p10) == 0 &&
                  numaHistogramGetValFromRank(histogram, 0.5f, &p50) == 0 &&
                  numaHistogramGetValFromRank(histogram, 0.9f, &p90) == 0;
  numaDestroy(&histogram);
  return ok && (p90 - p10 > kMaxPaperSpread || p50 < kMinPaperLevel);
}

Result<LoadedPage> LoadPage(const std::filesystem::path& path, int frame,
                            bool normalize_background) {
  using R = Result<LoadedPage>;
  QuietLeptonica();
  CountPixAllocations();
  t_pixels_not_allocated = false;
  auto header = ReadImageHeader(path, frame);
  if (!header.ok()) return Error{header.message()};
  if (Status size = CheckImageSize(header->width, header->height); !size.ok()) {
    return Error{size.message()};
  }
  const int reduction =
      header->format == ImageFormat::kJpeg ? JpegReduction(header->width, header->height) : 1;
  const std::int64_t bytes = DecodedBytes(*header, reduction);
  if (bytes > kMaxDecodedBytes) {
    return R::Fail("image would take " + std::to_string(bytes >> 20) + " MiB decoded, over " +
                   std::to_string(kMaxDecodedBytes >> 20) + " MiB");
  }
  const DecodeBudget::Hold hold = SharedDecodeBudget().Take(bytes);

  LoadedPage page;
  PixPtr pix;
  if (header->format == ImageFormat::kTiff) {
    pix.reset(pixReadTiff(path.c_str(), frame));
  } else if (header->format == ImageFormat::kJpeg) {
    auto decoded = DecodeJpeg(path, reduction);
    if (!decoded.ok()) return OrOutOfMemory(decoded.error(), bytes);
    pix = std::move(decoded->pix);
    page.damaged = decoded->damaged;
    page.scale = static_cast<double>(pixGetWidth(pix.get())) / header->width;
  } else if (header->format == ImageFormat::kHeif) {
    auto decoded = DecodeHeif(path);
    if (!decoded.ok()) return OrOutOfMemory(decoded.error(), bytes);
    pix = std::move(*decoded);
  } else {
    pix.reset(pixRead(path.c_str()));
    if (!pix && header->format == ImageFormat::kBmp) {
      auto decoded = DecodeCompressedBmp(path);
      if (!decoded.ok()) return OrOutOfMemory(decoded.error(), bytes);
      pix = std::move(*decoded);
    }
  }
  if (!pix) {
    return OrOutOfMemory(Error{"image frame " + std::to_string(frame) + " could not be decoded"},
                         bytes);
  }
  if (Status size = CheckImageSize(pixGetWidth(pix.get()), pixGetHeight(pix.get())); !size.ok()) {
    return Error{size.message()};
  }
  const int source_dpi = EstimateDpi(header->width, header->height, pixGetXRes(pix.get()));
  pix = ToOcrDepth(std::move(pix), page.colour);
  if (!pix) return OrOutOfMemory(Error{"image could not be converted to grey"}, bytes);
  auto finished = Finish(std::move(pix), source_dpi, std::move(page), normalize_background);
  if (!finished.ok()) return OrOutOfMemory(finished.error(), bytes);
  return finished;
}

Result<LoadedPage> LoadDrawnPage(const GrayImage& image, bool normalize_background) {
  using R = Result<LoadedPage>;
  QuietLeptonica();
  if (Status size = CheckImageSize(image.width, image.height); !size.ok()) {
    return Error{size.message()};
  }
  if (image.stride < image.width ||
      image.pixels.size() < static_cast<std::size_t>(image.stride) * image.height) {
    return R::Fail("drawn page has fewer pixels than its size");
  }
  PixPtr pix(pixCreateNoInit(image.width, image.height, 8));
  if (!pix) return R::Fail("image could not be allocated");
  // Rows are copied as bytes, then put in Leptonica's word order in one pass.
  auto* data = reinterpret_cast<unsigned char*>(pixGetData(pix.get()));
  const std::size_t row_bytes = static_cast<std::size_t>(pixGetWpl(pix.get())) * 4;
  for (int y = 0; y < image.height; ++y) {
    std::memcpy(data + y * row_bytes,
                image.pixels.data() + static_cast<std::size_t>(y) * image.stride,
                static_cast<std::size_t>(image.width));
  }
  pixEndianByteSwap(pix.get());
  if (image.bilevel) {
    pix.reset(pixConvertTo1(pix.get(), 128));
    if (!pix) return R::Fail("image could not be made bilevel");
  }
  if (const int turns = ((image.quarter_turns % 4) + 4) % 4; turns != 0) {
    pix.reset(pixRotateOrth(pix.get(), turns));
    if (!pix) return R::Fail("image could not be turned");
  }
  LoadedPage page;
  page.damaged = image.damaged;
  return Finish(std::move(pix),
                image.dpi > 0 ? image.dpi : EstimateDpi(image.width, image.height, 0),
                std::move(page), normalize_background);
}

Result<double> DarkShare(const std::filesystem::path& path) {
  // Decoded as a page is (size and memory limits, libjpeg's warnings kept out of the log, huge
  // images scaled down), without background normalisation.
  auto page = LoadPage(path, 0, false);
  if (!page.ok()) return Error{page.message()};
  PixPtr grey(pixConvertTo8(page->pix.get(), 0));
  if (!grey) return Result<double>::Fail("image could not be made grey");
  NUMA* histogram = pixGetGrayHistogram(grey.get(), 4);  // every 4th pixel is enough
  if (!histogram) return Result<double>::Fail("no histogram");
  double dark = 0;
  double total = 0;
  for (int i = 0; i < 256; ++i) {
    l_float32 v = 0;
    numaGetFValue(histogram, i, &v);
    total += v;
    if (i < kDarkGrey) dark += v;
  }
  numaDestroy(&histogram);
  return total > 0 ? dark / total : 0.0;
}

}  // namespace intake::ocr

namespace intake::ocr {

Result<GrayImage> ReadGrayImage(const std::filesystem::path& path) {
  auto page = LoadPage(path, 0, false);
  if (!page.ok()) return Error{page.message()};
  PixPtr grey(pixConvertTo8(page->pix.get(), 0));
  if (!grey) return Result<GrayImage>::Fail("image could not be made grey");
  GrayImage out;
  out.width = static_cast<int>(pixGetWidth(grey.get()));
  out.height = static_cast<int>(pixGetHeight(grey.get()));
  out.stride = out.width;
  out.dpi = page->dpi;
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height);
  const l_uint32* data = pixGetData(grey.get());
  const int wpl = pixGetWpl(grey.get());
  for (int y = 0; y < out.height; ++y) {
    const l_uint32* line = data + static_cast<std::ptrdiff_t>(y) * wpl;
    for (int x = 0; x < out.width; ++x) {
      out.pixels[static_cast<std::size_t>(y) * out.width + x] =
          static_cast<unsigned char>(GET_DATA_BYTE(line, x));
    }
  }
  return out;
}

}  // namespace intake::ocr

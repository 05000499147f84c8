#include "pdf/pdf_render.h"

#include <Error.h>
#include <GlobalParams.h>
#include <PDFDoc.h>
#include <SplashOutputDev.h>
#include <goo/GooString.h>
#include <poppler-global.h>
#include <splash/SplashBitmap.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>

#include "ocr/jpeg_messages.h"
#include "ocr/page_image.h"
#include "pipeline/log.h"
#include "pdf/pdf_scan_image.h"
#include "pdf/poppler_internal.h"

namespace intake::pdf {

namespace {
thread_local int t_poppler_errors = 0;
}  // namespace

void QuietPoppler() {
  static std::once_flag once;
  std::call_once(once, [] {
    poppler::set_debug_error_function([](const std::string&, void*) { CountPopplerError(); },
                                      nullptr);
  });
  // The core API's global state, for the documents drawn here (poppler-cpp makes its own for
  // its documents; whichever comes first sets the error callback, and both count).
  static const GlobalParamsIniter initer(
      [](ErrorCategory, Goffset, const char*) { CountPopplerError(); });
}

int PopplerErrorCount() { return t_poppler_errors; }
void CountPopplerError() { ++t_poppler_errors; }

double RenderDpi(double width_pt, double height_pt, int dpi) {
  double result = dpi;
  const double side = std::max(width_pt, height_pt);
  if (side > 0) result = std::min(result, ocr::kMaxImageSide * 72.0 / side * 0.99);
  const double area = width_pt * height_pt;
  if (area > 0) {
    result = std::min(
        result, std::sqrt(static_cast<double>(ocr::kMaxOcrPixels) * 72.0 * 72.0 / area) * 0.99);
  }
  return result;
}

Status CheckDeclaredImages(const std::filesystem::path& pdf, int index) {
  const std::int64_t largest = LargestDeclaredImage(pdf, index);
  if (largest <= ocr::kMaxImagePixels) return Status::Ok();
  return Status::Fail("the PDF page holds an image of " + std::to_string(largest / 1'000'000) +
                      " megapixels, over the limit of " +
                      std::to_string(ocr::kMaxImagePixels / 1'000'000) + ": not drawn");
}

namespace {

// Splash's abort check (Gfx asks it every few drawing operators): true once the deadline passed.
struct DrawClock {
  DrawDeadline deadline;
  bool stopped = false;
};

bool PastDeadline(void* data) {
  auto* clock = static_cast<DrawClock*>(data);
  if (std::chrono::steady_clock::now() < clock->deadline) return false;
  clock->stopped = true;
  return true;
}

// Copies Splash's 8-bit grey rows (padded to 4 bytes) into a GrayImage.
Result<ocr::GrayImage> CopyGray(SplashBitmap* bitmap, double dpi) {
  using R = Result<ocr::GrayImage>;
  if (bitmap == nullptr || bitmap->getWidth() <= 0 || bitmap->getHeight() <= 0 ||
      bitmap->getMode() != splashModeMono8 || bitmap->getDataPtr() == nullptr) {
    return R::Fail("the PDF page could not be drawn");
  }
  ocr::GrayImage out;
  out.width = bitmap->getWidth();
  out.height = bitmap->getHeight();
  out.stride = out.width;
  out.dpi = static_cast<int>(std::lround(dpi));
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height);
  const unsigned char* source = bitmap->getDataPtr();
  for (int y = 0; y < out.height; ++y) {
    std::memcpy(out.pixels.data() + static_cast<std::size_t>(y) * out.stride,
                source + static_cast<std::ptrdiff_t>(y) * bitmap->getRowSize(), out.width);
  }
  return out;
}

}  // namespace

Result<ocr::GrayImage> RenderPdfPage(const std::filesystem::path& pdf, int index, double dpi,
                                     DrawDeadline deadline) {
  using R = Result<ocr::GrayImage>;
  QuietPoppler();
  try {
    PDFDoc doc(std::make_unique<GooString>(pdf.string()));
    if (!doc.isOk()) return R::Fail("the PDF could not be opened again");
    if (index < 0 || index >= doc.getNumPages()) {
      return R::Fail("the PDF page could not be opened again");
    }
    SplashColor paper{};
    paper[0] = 0xff;
    // What poppler::page_renderer does for 8-bit grey with both antialiasing hints.
    SplashOutputDev device(splashModeMono8, 4, false, paper, true);
    device.setFontAntialias(true);
    device.setVectorAntialias(true);
    device.setFreeTypeHinting(false, false);
    device.startDoc(&doc);
    DrawClock clock{deadline};
    const int jpeg_messages = ocr::LibjpegMessageCount();
    doc.displayPageSlice(&device, index + 1, dpi, dpi, 0, /*useMediaBox=*/false, /*crop=*/true,
                         /*printing=*/false, -1, -1, -1, -1, &PastDeadline, &clock);
    if (clock.stopped) {
      return Error{"drawing the PDF page did not end within the page time limit",
                   ErrorCode::kTimeLimit};
    }
    auto drawn = CopyGray(device.getBitmap(), dpi);
    // libjpeg warned about an image of the page (corrupt data): drawn as far as it goes.
    if (drawn.ok()) drawn->damaged = ocr::LibjpegMessageCount() != jpeg_messages;
    return drawn;
  } catch (const std::bad_alloc&) {
    return Error{"out of memory while drawing the PDF page", ErrorCode::kOutOfMemory};
  }
}

Result<ocr::GrayImage> PdfPageForOcr(const std::filesystem::path& pdf, int index, double dpi,
                                     DrawDeadline deadline) {
  if (Status budget = CheckDeclaredImages(pdf, index); !budget.ok()) return Error{budget.message()};
  if (auto taken = TakeScannedImage(pdf, index)) {
    Log()->trace("pdf page {}: scanned image taken as stored ({}x{} px, {} dpi)", index + 1,
                 taken->width, taken->height, taken->dpi);
    return std::move(*taken);
  }
  Log()->trace("pdf page {}: drawn at {:.0f} dpi", index + 1, dpi);
  return RenderPdfPage(pdf, index, dpi, deadline);
}

}  // namespace intake::pdf

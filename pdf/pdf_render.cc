#include "pdf/pdf_render.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

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

Result<ocr::GrayImage> RenderGray(const poppler::page& page, double dpi) {
  using R = Result<ocr::GrayImage>;
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_image_format(poppler::image::format_gray8);
  const poppler::image image = renderer.render_page(&page, dpi, dpi);
  if (!image.is_valid() || image.width() <= 0 || image.height() <= 0) {
    return R::Fail("the PDF page could not be drawn");
  }
  ocr::GrayImage out;
  out.width = image.width();
  out.height = image.height();
  out.stride = image.width();
  out.dpi = static_cast<int>(std::lround(dpi));
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height);
  const auto* source = reinterpret_cast<const unsigned char*>(image.const_data());
  for (int y = 0; y < out.height; ++y) {
    std::memcpy(out.pixels.data() + static_cast<std::size_t>(y) * out.stride,
                source + static_cast<std::size_t>(y) * image.bytes_per_row(), out.width);
  }
  return out;
}

Status CheckDeclaredImages(const std::filesystem::path& pdf, int index) {
  const std::int64_t largest = LargestDeclaredImage(pdf, index);
  if (largest <= ocr::kMaxImagePixels) return Status::Ok();
  return Status::Fail("the PDF page holds an image of " + std::to_string(largest / 1'000'000) +
                      " megapixels, over the limit of " +
                      std::to_string(ocr::kMaxImagePixels / 1'000'000) + ": not drawn");
}

Result<ocr::GrayImage> RenderPdfPage(const std::filesystem::path& pdf, int index, double dpi) {
  using R = Result<ocr::GrayImage>;
  QuietPoppler();
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(pdf.string()));
  if (!doc || doc->is_locked()) return R::Fail("the PDF could not be opened again");
  std::unique_ptr<poppler::page> page(doc->create_page(index));
  if (!page) return R::Fail("the PDF page could not be opened again");
  return RenderGray(*page, dpi);
}

Result<ocr::GrayImage> PdfPageForOcr(const std::filesystem::path& pdf, int index, double dpi) {
  if (Status budget = CheckDeclaredImages(pdf, index); !budget.ok()) return Error{budget.message()};
  if (auto taken = TakeScannedImage(pdf, index)) {
    Log()->trace("pdf page {}: scanned image taken as stored ({}x{} px, {} dpi)", index + 1,
                 taken->width, taken->height, taken->dpi);
    return std::move(*taken);
  }
  Log()->trace("pdf page {}: drawn at {:.0f} dpi", index + 1, dpi);
  return RenderPdfPage(pdf, index, dpi);
}

}  // namespace intake::pdf

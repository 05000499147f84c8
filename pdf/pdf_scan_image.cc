#include "pdf/pdf_scan_image.h"

#include <Annot.h>
#include <Error.h>
#include <GfxState.h>
#include <GlobalParams.h>
#include <OutputDev.h>
#include <PDFDoc.h>
#include <Page.h>
#include <Stream.h>
#include <goo/GooString.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "ocr/jpeg_gray.h"
#include "pdf/poppler_internal.h"

namespace intake::pdf {
namespace {

// The part of a page's side the image may fall short of or stick out over.
constexpr double kCoverTolerance = 0.005;
// How far the resolutions across and down may differ.
constexpr double kSquarePixelTolerance = 0.02;

// Poppler's global state, made once for the process; its messages can quote the file and are
// dropped (poppler-cpp documents made later share it).
void KeepPopplerGlobals() {
  // Whichever of this and poppler-cpp sets Poppler's error callback first, errors are counted.
  static const GlobalParamsIniter initer(
      [](ErrorCategory, Goffset, const char*) { CountPopplerError(); });
}

bool Near(double value, double target, double tolerance) {
  return std::abs(value - target) <= tolerance;
}

// An output device that draws nothing: it keeps the page's image when the page is a plain scan
// (see pdf_scan_image.h) and notes anything else that would be drawn.
class ScanRecorder final : public OutputDev {
 public:
  bool upsideDown() override { return true; }  // device y grows downwards, as in the image
  bool useDrawChar() override { return true; }
  bool interpretType3Chars() override { return false; }

  void startPage(int /*page*/, GfxState* state, XRef* /*xref*/) override {
    page_width_ = state->getPageWidth();
    page_height_ = state->getPageHeight();
  }

  void stroke(GfxState* /*state*/) override { other_ = true; }
  void fill(GfxState* /*state*/) override { other_ = true; }
  void eoFill(GfxState* /*state*/) override { other_ = true; }
  void drawChar(GfxState* state, double /*x*/, double /*y*/, double /*dx*/, double /*dy*/,
                double /*originX*/, double /*originY*/, CharCode /*code*/, int /*nBytes*/,
                const Unicode* /*u*/, int /*uLen*/) override {
    if ((state->getRender() & 3) != 3) other_ = true;  // 3 and 7 draw nothing
  }
  void beginTransparencyGroup(GfxState* /*state*/, const double* /*bbox*/, GfxColorSpace* /*space*/,
                              bool /*isolated*/, bool /*knockout*/, bool /*forSoftMask*/) override {
    other_ = true;
  }
  void setSoftMask(GfxState* /*state*/, const double* /*bbox*/, bool /*alpha*/,
                   Function* /*transfer*/, GfxColor* /*backdrop*/) override {
    other_ = true;
  }
  void drawImageMask(GfxState* state, Object* ref, Stream* str, int width, int height, bool invert,
                     bool interpolate, bool inlineImg) override {
    Note(width, height);
    other_ = true;
    OutputDev::drawImageMask(state, ref, str, width, height, invert, interpolate, inlineImg);
  }
  void drawMaskedImage(GfxState* state, Object* ref, Stream* str, int width, int height,
                       GfxImageColorMap* colorMap, bool interpolate, Stream* maskStr, int maskWidth,
                       int maskHeight, bool maskInvert, bool maskInterpolate) override {
    Note(width, height);
    Note(maskWidth, maskHeight);
    other_ = true;
    OutputDev::drawMaskedImage(state, ref, str, width, height, colorMap, interpolate, maskStr,
                               maskWidth, maskHeight, maskInvert, maskInterpolate);
  }
  void drawSoftMaskedImage(GfxState* state, Object* ref, Stream* str, int width, int height,
                           GfxImageColorMap* colorMap, bool interpolate, Stream* maskStr,
                           int maskWidth, int maskHeight, GfxImageColorMap* maskColorMap,
                           bool maskInterpolate) override {
    Note(width, height);
    Note(maskWidth, maskHeight);
    other_ = true;
    OutputDev::drawSoftMaskedImage(state, ref, str, width, height, colorMap, interpolate, maskStr,
                                   maskWidth, maskHeight, maskColorMap, maskInterpolate);
  }

  void drawImage(GfxState* state, Object* ref, Stream* str, int width, int height,
                 GfxImageColorMap* colorMap, bool interpolate, const int* maskColors,
                 bool inlineImg) override {
    Note(width, height);
    std::optional<Placing> placing;
    if (!measure_only_ && !other_ && !image_ && maskColors == nullptr && IsOpaque(*state)) {
      placing = Place(*state, width, height);
    }
    if (!placing) {
      other_ = true;
      OutputDev::drawImage(state, ref, str, width, height, colorMap, interpolate, maskColors,
                           inlineImg);
      return;
    }
    image_ = DecodeJpeg(str, width, height, *colorMap, *placing);
    if (!image_) image_ = Decode(str, width, height, *colorMap, *placing);
    if (!image_) other_ = true;
  }

  // Only the images' declared sizes are noted (largest_image()); nothing is decoded.
  void MeasureOnly() { measure_only_ = true; }
  std::int64_t largest_image() const { return largest_; }

  // The page's image, when the page showed it and nothing else.
  std::optional<ocr::GrayImage> Take() && {
    if (other_ || !image_) return std::nullopt;
    return std::move(image_);
  }

 private:
  void Note(int width, int height) {
    largest_ = std::max(largest_, std::int64_t{std::max(width, 0)} * std::max(height, 0));
  }

  static bool IsOpaque(const GfxState& state) {
    return state.getFillOpacity() >= 1.0 && state.getBlendMode() == gfxBlendNormal;
  }

  // How an image stands on the page and its resolution there.
  struct Placing {
    int turns = 0;  // clockwise quarter turns that stand it as the page shows it
    int dpi = 0;
  };

  // How a `width` x `height` image is placed, when it covers the page with square pixels at a
  // resolution worth reading; else nothing.
  std::optional<Placing> Place(const GfxState& state, int width, int height) const {
    // The image's unit square in device space: row 0 is at unit y = 1.
    const double* m = state.getCTM();
    const double origin_x = m[2] + m[4];  // the image's top-left corner
    const double origin_y = m[3] + m[5];
    const double across_x = m[0], across_y = m[1];  // along a row
    const double down_x = -m[2], down_y = -m[3];    // from row 0 to the last row
    const double tiny = 1e-3 * std::max({std::abs(across_x), std::abs(across_y), std::abs(down_x),
                                         std::abs(down_y)});
    int turns = 0;
    if (std::abs(across_y) <= tiny && std::abs(down_x) <= tiny) {
      if (across_x > 0 && down_y > 0) {
        turns = 0;
      } else if (across_x < 0 && down_y < 0) {
        turns = 2;
      } else {
        return std::nullopt;  // mirrored
      }
    } else if (std::abs(across_x) <= tiny && std::abs(down_y) <= tiny) {
      if (across_y > 0 && down_x < 0) {
        turns = 1;  // rows run down the page, row 0 on the right
      } else if (across_y < 0 && down_x > 0) {
        turns = 3;
      } else {
        return std::nullopt;
      }
    } else {
      return std::nullopt;  // at an angle
    }

    // The image's box on the page, and the page's visible part (the crop box, any clip).
    const double x0 =
        std::min({origin_x, origin_x + across_x, origin_x + down_x, origin_x + across_x + down_x});
    const double x1 =
        std::max({origin_x, origin_x + across_x, origin_x + down_x, origin_x + across_x + down_x});
    const double y0 =
        std::min({origin_y, origin_y + across_y, origin_y + down_y, origin_y + across_y + down_y});
    const double y1 =
        std::max({origin_y, origin_y + across_y, origin_y + down_y, origin_y + across_y + down_y});
    const double tx = kCoverTolerance * page_width_;
    const double ty = kCoverTolerance * page_height_;
    if (page_width_ <= 0 || page_height_ <= 0 || !Near(x0, 0, tx) || !Near(x1, page_width_, tx) ||
        !Near(y0, 0, ty) || !Near(y1, page_height_, ty)) {
      return std::nullopt;
    }
    double clip_x0 = 0, clip_y0 = 0, clip_x1 = 0, clip_y1 = 0;
    state.getClipBBox(&clip_x0, &clip_y0, &clip_x1, &clip_y1);
    if (clip_x0 > tx || clip_y0 > ty || clip_x1 < page_width_ - tx || clip_y1 < page_height_ - ty) {
      return std::nullopt;
    }

    // Square pixels, at a resolution worth reading and a size worth holding.
    const bool sideways = turns % 2 == 1;
    const double dpi_across = (sideways ? height : width) * 72.0 / page_width_;
    const double dpi_down = (sideways ? width : height) * 72.0 / page_height_;
    if (std::abs(dpi_across - dpi_down) > kSquarePixelTolerance * std::max(dpi_across, dpi_down) ||
        dpi_across < kMinTakenDpi || static_cast<std::int64_t>(width) * height > kMaxTakenPixels) {
      return std::nullopt;
    }
    return Placing{turns, static_cast<int>(std::lround(dpi_across))};
  }

  // A JPEG (DCT) scan, grey or RGB, read from its bytes as stored by our own decoder
  // (ocr/jpeg_gray.h): Poppler's leaves libjpeg printing its warnings to stderr, and does not
  // tell when pixels were lost. Nothing when the image is anything else (the caller decodes it).
  std::optional<ocr::GrayImage> DecodeJpeg(Stream* str, int width, int height,
                                           GfxImageColorMap& colours, Placing placing) const {
    if (str->getKind() != strDCT || !colours.isOk()) return std::nullopt;
    Stream* stored = str->getNextStream();  // the bytes in the file, no further filter
    if (stored == nullptr || stored->getKind() != strFile) return std::nullopt;
    const GfxColorSpaceMode mode = colours.getColorSpace()->getMode();
    const int components = colours.getNumPixelComps();
    const bool plain = mode == csDeviceGray || mode == csCalGray || mode == csDeviceRGB ||
                       mode == csCalRGB || mode == csICCBased;
    if (!plain || (components != 1 && components != 3)) return std::nullopt;
    for (int i = 0; i < components; ++i) {
      if (colours.getDecodeLow(i) != 0 || colours.getDecodeHigh(i) != 1) return std::nullopt;
    }
    std::string bytes;
    stored->reset();
    stored->fillString(bytes);
    auto decoded = ocr::DecodeJpegGray(bytes);
    if (!decoded.ok() || decoded->width != width || decoded->height != height) {
      return std::nullopt;
    }
    decoded->dpi = placing.dpi;
    decoded->quarter_turns = placing.turns;
    return std::move(*decoded);
  }

  // Decodes the image's pixels to 8-bit grey (colour: the red channel). Nothing when the stream
  // ends early without a word from the decoder, or the colour space cannot be read.
  std::optional<ocr::GrayImage> Decode(Stream* str, int width, int height,
                                       GfxImageColorMap& colours, Placing placing) const {
    const int components = colours.getNumPixelComps();
    const int bits = colours.getBits();
    if (!colours.isOk() || width <= 0 || height <= 0) return std::nullopt;
    const GfxColorSpaceMode mode = colours.getColorSpace()->getMode();
    const bool grey =
        mode == csDeviceGray || mode == csCalGray || (mode == csICCBased && components == 1);
    ocr::GrayImage out;
    out.width = width;
    out.height = height;
    out.stride = width;
    out.dpi = placing.dpi;
    out.quarter_turns = placing.turns;
    out.bilevel = bits == 1 && components == 1;  // a fax-like scan, CCITT or JBIG2
    try {
      out.pixels.resize(static_cast<std::size_t>(width) * height);
    } catch (const std::bad_alloc&) {
      return std::nullopt;
    }
    std::vector<unsigned char> rgb(grey ? 0 : static_cast<std::size_t>(width) * 3);
    ImageStream pixels(str, width, components, bits);
    const int errors_before = PopplerErrorCount();
    pixels.reset();
    int rows = 0;
    for (; rows < height; ++rows) {
      unsigned char* line = pixels.getLine();
      if (line == nullptr) break;
      unsigned char* row = out.pixels.data() + static_cast<std::size_t>(rows) * width;
      if (grey) {
        colours.getGrayLine(line, row, width);
      } else {
        colours.getRGBLine(line, rgb.data(), width);
        for (int x = 0; x < width; ++x) row[x] = rgb[static_cast<std::size_t>(x) * 3];
      }
    }
    pixels.close();
    // The decoder complained (a JPEG with corrupt data reports it and goes on, with grey or
    // garbled rows): the scan is read as far as it goes, and the page says it is damaged.
    out.damaged = PopplerErrorCount() != errors_before;
    if (rows < height && !out.damaged) return std::nullopt;
    std::fill(out.pixels.begin() + static_cast<std::ptrdiff_t>(rows) * width, out.pixels.end(),
              255);  // rows never decoded: paper
    return out;
  }

  double page_width_ = 0;
  double page_height_ = 0;
  bool other_ = false;
  bool measure_only_ = false;
  std::int64_t largest_ = 0;
  std::optional<ocr::GrayImage> image_;
};

}  // namespace

std::optional<ocr::GrayImage> TakeScannedImage(const std::filesystem::path& pdf, int index) {
  KeepPopplerGlobals();
  try {
    PDFDoc doc(std::make_unique<GooString>(pdf.string()));
    if (!doc.isOk() || index < 0 || index >= doc.getNumPages()) return std::nullopt;
    Page* page = doc.getPage(index + 1);
    if (page == nullptr) return std::nullopt;
    Annots* annots = page->getAnnots();
    if (annots != nullptr && !annots->getAnnots().empty()) return std::nullopt;
    ScanRecorder recorder;
    doc.displayPage(&recorder, index + 1, 72, 72, 0, /*useMediaBox=*/false, /*crop=*/true,
                    /*printing=*/false);
    return std::move(recorder).Take();
  } catch (const std::exception&) {
    return std::nullopt;  // out of memory, or Poppler gave up: the page is drawn instead
  }
}

std::int64_t LargestDeclaredImage(const std::filesystem::path& pdf, int index) {
  KeepPopplerGlobals();
  try {
    PDFDoc doc(std::make_unique<GooString>(pdf.string()));
    if (!doc.isOk() || index < 0 || index >= doc.getNumPages()) return 0;
    ScanRecorder recorder;
    recorder.MeasureOnly();
    doc.displayPage(&recorder, index + 1, 72, 72, 0, /*useMediaBox=*/false, /*crop=*/true,
                    /*printing=*/false);
    return recorder.largest_image();
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace intake::pdf

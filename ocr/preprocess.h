// Page preprocessing for OCR: straighten a small skew, turn a page upright (0/90/180/270).
//
// Internal to ocr/: only ocr/*.cc include this header, so it names Leptonica's Pix and
// Tesseract's TessBaseAPI (forward-declared). Scans arrive skewed by 1-3 degrees and sometimes
// upside down or sideways; Tesseract's LSTM reads neither skew nor upside-down pages well
// (measured with jpn: a 3 degree skew takes the character error rate from about 1% to about 20%).
//
// Skew comes from Leptonica's line-sweep search on a binarised copy and is corrected on every
// page before it is read. Orientation comes from Tesseract's OSD model ("osd"), which needs its
// own engine (the LSTM-only engine that reads the page answers DetectOrientationScript with
// nonsense: always 270 degrees). OSD is slow when the window in the middle of the page does not
// decide (on the generated sample forms it never did: 0.9-1.5 s for the whole page, as long as
// reading it), so the OCR pool asks it only about pages that read badly (ocr_pool.cc).
#pragma once

#include <memory>
#include <string>

#include "pipeline/result.h"

struct Pix;
namespace tesseract {
class TessBaseAPI;
}

namespace intake::ocr {

struct PixDeleter {
  void operator()(Pix* pix) const;
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

// Orientation is applied only when OSD is at least this confident (Tesseract's own OSD scale;
// measured: a 2-inch window of Japanese text scores 6-8, a full page 8-22).
inline constexpr float kMinOrientationConfidence = 2.0f;
// The same for OSD on the small window in the middle of the page, which answers wrongly at low
// confidence: on the generated blood-test tables it said 180 deg at 2.1-2.3 for upright pages,
// while right answers there scored 6-8 and whole pages 14-19.
inline constexpr float kMinWindowOrientationConfidence = 5.0f;
// A skew is corrected when it lies in [kMinSkewDegrees, kMaxSkewDegrees] (absolute value) and
// Leptonica's confidence reaches kMinSkewConfidence. Leptonica's own deskew asks for 3.0, which
// no Japanese page reaches: rendered Japanese pages measure 1.9-2.2 (skewed or not), Latin ones
// 4-6, a sideways Latin page 1.1-1.4.
inline constexpr double kMinSkewDegrees = 0.1;
inline constexpr double kMaxSkewDegrees = 10.0;
inline constexpr float kMinSkewConfidence = 1.5f;

// Sends Tesseract's own messages to /dev/null. Its `debug_file` is one setting for the whole
// process (not per engine), so engines loaded on several threads at once must not each set it:
// this sets it once, whichever thread calls first; every engine-making function calls it.
void QuietTesseract();

// Loads an OSD engine ("osd" traineddata, tesseract-ocr-osd). One per worker; not thread-safe.
// `tessdata_dir` empty: Tesseract's default.
Result<std::unique_ptr<tesseract::TessBaseAPI>> CreateOsdEngine(const std::string& tessdata_dir);

// Degrees (clockwise, 0/90/180/270) by which the 1-bit page `binary` must be turned to be
// upright; 0 when it is blank or OSD is unsure. Looks at a 2-inch window in the middle of the ink
// first, then at the whole page when the window is not enough.
int DetectUprightRotation(tesseract::TessBaseAPI& osd, Pix* binary);

// Skew correction in degrees (clockwise positive) for a 1-bit upright page, or 0 when the skew is
// outside the range above or the measurement is not confident.
double DetectSkewCorrection(Pix* binary);

// Binarises an 8-bit grey or 1-bit page for the searches above (1-bit pages: a copy).
PixPtr Binarize(Pix* page);

// Straightens the page when DetectSkewCorrection finds a skew; returns the clockwise correction
// applied in degrees (0: `page` is left as it is). Fails only when Leptonica cannot allocate.
Result<double> Straighten(PixPtr& page);

// A copy of the page turned clockwise by `degrees` (a multiple of 90); null when Leptonica cannot
// allocate it.
PixPtr Turned(Pix* page, int degrees);

// Scanner speckle: isolated dark specks of at most 3x3 pixels, per megapixel of the page (1-bit
// or 8-bit grey). Measured on the generated forms: pages with salt-and-pepper noise 107-110,
// clean, skewed, turned, JPEG and bilevel pages 0-2, phone photos up to 10.
double SpecksPerMegapixel(Pix* page);
inline constexpr double kMinSpecksPerMegapixel = 40;

// The page without its specks: grey pages through a 3x3 median (strokes two pixels wide or more
// stay), 1-bit pages without their components of at most 3x3 pixels. Null when Leptonica cannot
// allocate.
PixPtr Despeckled(Pix* page);

}  // namespace intake::ocr

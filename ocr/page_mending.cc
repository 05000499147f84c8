#include "ocr/page_mending.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace intake::ocr {
namespace {

// Lines of a page taller than this many times the median line are its large print.
constexpr double kTitleHeightRatio = 1.4;
constexpr double kTitleZone = 0.25;       // of the page height, from the top
constexpr double kDroppedBandMin = 0.04;  // first line this far down: look above it
constexpr double kBandInkShare = 0.002;   // dark pixels in the band that make it worth reading
constexpr int kMinRereadConfidence = 60;  // 0..100, for a line read again to be kept
constexpr double kInkBesideShare = 0.02;  // dark share beside a title line that may be glyphs
constexpr double kSureTitleConfidence = 85;  // 0..100: a title line read at least this surely

// The white pixel value of `pix` (0 for 1-bit images, where 1 is black).
l_uint32 WhiteOf(Pix* pix) {
  l_uint32 white = 0;
  pixGetBlackOrWhiteVal(pix, L_GET_WHITE_VAL, &white);
  return white;
}

PixPtr Crop(Pix* page, int left, int top, int right, int bottom) {
  left = std::max(0, left);
  top = std::max(0, top);
  right = std::min<int>(pixGetWidth(page), right);
  bottom = std::min<int>(pixGetHeight(page), bottom);
  if (right - left < 8 || bottom - top < 8) return nullptr;
  BOX* box = boxCreate(left, top, right - left, bottom - top);
  PixPtr clipped(pixClipRectangle(page, box, nullptr));
  boxDestroy(&box);
  if (!clipped) return nullptr;
  // A white margin: Tesseract reads a line that touches the image's edge badly.
  return PixPtr(pixAddBorder(clipped.get(), 16, WhiteOf(clipped.get())));
}

// Share of dark pixels in the region.
double InkShare(Pix* page, int left, int top, int right, int bottom) {
  PixPtr region = Crop(page, left, top, right, bottom);
  if (!region) return 0;
  PixPtr binary(pixGetDepth(region.get()) == 1 ? pixClone(region.get())
                                               : pixConvertTo1(region.get(), 128));
  if (!binary) return 0;
  l_int32 dark = 0;
  pixCountPixels(binary.get(), &dark, nullptr);
  const double area = static_cast<double>(pixGetWidth(binary.get())) * pixGetHeight(binary.get());
  return area > 0 ? dark / area : 0;
}

struct Reread {
  std::string text;
  int confidence = 0;
};

Reread ReadRegion(tesseract::TessBaseAPI& engine, Pix* region, tesseract::PageSegMode mode) {
  Reread out;
  ClearOnExit clear(engine);
  engine.SetPageSegMode(mode);
  engine.SetImage(region);
  if (engine.Recognize(nullptr) != 0) return out;
  std::unique_ptr<char[]> text(engine.GetUTF8Text());
  if (text) out.text = TrimLineEnd(text.get());
  out.confidence = engine.MeanTextConf();
  return out;
}

// The tallest horizontal line in the title zone, when it is large print; -1 when there is none.
int TitleLine(const PageReading& reading, int page_height) {
  std::vector<int> heights;
  for (const auto& l : reading.lines) {
    if (!l.line.vertical && l.characters >= 2) heights.push_back(l.line.height);
  }
  if (heights.size() < 3) return -1;
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
  const int median = heights[heights.size() / 2];
  int best = -1;
  for (std::size_t i = 0; i < reading.lines.size(); ++i) {
    const OcrLine& l = reading.lines[i].line;
    if (l.vertical || l.top > kTitleZone * page_height) continue;
    if (l.height < kTitleHeightRatio * median) continue;
    if (best < 0 || l.height > reading.lines[best].line.height) best = static_cast<int>(i);
  }
  return best;
}

// Reads the title line again in a box widened to the lines beside it (the glyphs dropped lie
// past the box Tesseract gave).
bool RereadTitleLine(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading,
                     int index) {
  const OcrLine& title = reading.lines[index].line;
  int left = 0;
  int right = pixGetWidth(page);
  for (const auto& other : reading.lines) {
    const OcrLine& o = other.line;
    if (&o == &title || o.top >= title.top + title.height || o.top + o.height <= title.top)
      continue;  // not beside it
    if (o.left + o.width <= title.left) left = std::max(left, o.left + o.width);
    if (o.left >= title.left + title.width) right = std::min(right, o.left);
  }
  const int pad = title.height / 3;
  // Only when there is ink right beside the line, where a glyph Tesseract dropped would be, or the
  // line read unsurely: a title read whole and sure has paper around it (and reading it again
  // costs a line's recognition).
  const int reach = title.height + title.height / 5;
  const int top = title.top, bottom = title.top + title.height;
  const int title_right = title.left + title.width;
  const bool ink_beside =
      InkShare(page, title_right, top, std::min(right, title_right + reach), bottom) >=
          kInkBesideShare ||
      InkShare(page, std::max(left, title.left - reach), top, title.left, bottom) >=
          kInkBesideShare;
  if (!ink_beside && reading.lines[index].confidence >= kSureTitleConfidence) return false;
  PixPtr region = Crop(page, left, title.top - pad, right, title.top + title.height + pad);
  if (!region) return false;
  const Reread again = ReadRegion(engine, region.get(), tesseract::PSM_SINGLE_LINE);
  ReadLine& line = reading.lines[index];
  if (again.confidence < kMinRereadConfidence || CountCharacters(again.text) <= line.characters)
    return false;
  line.line.text = again.text;
  line.characters = CountCharacters(again.text);
  line.confidence = again.confidence;
  return true;
}

// Reads the band above the first line when it holds ink, and puts its confident lines first.
bool ReadDroppedBand(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading) {
  const int width = pixGetWidth(page);
  const int height = pixGetHeight(page);
  int first_top = height;
  for (const auto& l : reading.lines) first_top = std::min(first_top, l.line.top);
  if (first_top < kDroppedBandMin * height || first_top > kTitleZone * height) return false;
  const int margin_x = width / 20;
  const int band_top = height / 50;
  const int band_bottom = first_top - 2;
  if (InkShare(page, margin_x, band_top, width - margin_x, band_bottom) < kBandInkShare)
    return false;
  PixPtr band = Crop(page, margin_x, band_top, width - margin_x, band_bottom);
  if (!band) return false;
  ClearOnExit clear(engine);
  engine.SetPageSegMode(tesseract::PSM_SINGLE_BLOCK);
  engine.SetImage(band.get());
  if (engine.Recognize(nullptr) != 0) return false;
  std::unique_ptr<tesseract::ResultIterator> it(engine.GetIterator());
  if (!it) return false;
  std::vector<ReadLine> found;
  it->Begin();
  do {
    if (it->Empty(tesseract::RIL_TEXTLINE)) continue;
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_TEXTLINE));
    ReadLine line;
    line.line.text = TrimLineEnd(text ? text.get() : "");
    line.characters = CountCharacters(line.line.text);
    line.confidence = it->Confidence(tesseract::RIL_TEXTLINE);
    int l = 0, t = 0, r = 0, b = 0;
    if (line.characters < 2 || line.confidence < kMinRereadConfidence ||
        !it->BoundingBox(tesseract::RIL_TEXTLINE, &l, &t, &r, &b))
      continue;
    // Back into page coordinates: the band's origin, less the white margin added around it.
    line.line.left = l + margin_x - 16;
    line.line.top = t + band_top - 16;
    line.line.width = r - l;
    line.line.height = b - t;
    line.block = -1;
    found.push_back(std::move(line));
  } while (it->Next(tesseract::RIL_TEXTLINE));
  if (found.empty()) return false;
  reading.lines.insert(reading.lines.begin(), found.begin(), found.end());
  return true;
}

}  // namespace

bool RereadTitle(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading,
                 Deadline deadline) {
  if (Passed(deadline) || reading.cut_short || reading.lines.empty() ||
      reading.vertical_share >= kMinVerticalShare)
    return false;
  bool changed = ReadDroppedBand(engine, page, reading);
  if (!Passed(deadline)) {
    const int title = TitleLine(reading, pixGetHeight(page));
    if (title >= 0) changed = RereadTitleLine(engine, page, reading, title) || changed;
  }
  if (changed) reading.text = TextOf(reading.lines);
  return changed;
}

}  // namespace intake::ocr

namespace intake::ocr {
namespace {

enum class BoxMark { kNone, kMarked, kEmpty };

struct Checkbox {
  int left = 0, top = 0, right = 0, bottom = 0;
  bool marked = false;
  bool placed = false;
};

constexpr double kMinBoxSide = 0.55;    // of the line's height
constexpr double kMaxBoxSide = 1.15;
constexpr double kMaxBoxAspect = 1.3;   // longer side over shorter side
constexpr double kFilledShare = 0.85;   // dark share of a marked (filled) box
constexpr double kHollowInner = 0.04;   // at most this dark in the inner half of an empty box
constexpr double kHollowFrame = 0.12;   // at least this dark over the whole empty box
constexpr int kBoxThreshold = 176;      // grey levels below it are ink
constexpr double kMaxRingShare = 0.15;  // dark share of the ring around a filled box
constexpr long kMaxMarksInLine = 3;

int DarkIn(Pix* binary, int left, int top, int right, int bottom) {
  BOX* box = boxCreate(left, top, std::max(1, right - left), std::max(1, bottom - top));
  l_int32 count = 0;
  pixCountPixelsInRect(binary, box, &count, nullptr);
  boxDestroy(&box);
  return count;
}

// A filled box stands alone: the ring around it (a fifth of its side wide) is mostly paper. A
// bold glyph on a grey card, or a glyph touching its neighbours, is not a box.
bool StandsAlone(Pix* binary, int x, int y, int w, int h) {
  const int m = std::max(2, std::max(w, h) / 5);
  const int left = std::max(0, x - m), top = std::max(0, y - m);
  const int right = std::min<int>(pixGetWidth(binary), x + w + m);
  const int bottom = std::min<int>(pixGetHeight(binary), y + h + m);
  const double ring_area = static_cast<double>(right - left) * (bottom - top) - w * h;
  if (ring_area <= 0) return false;
  const int ring_dark = DarkIn(binary, left, top, right, bottom) - DarkIn(binary, x, y, x + w, y + h);
  return ring_dark / ring_area <= kMaxRingShare;
}

BoxMark Classify(Pix* binary, int x, int y, int w, int h) {
  const double area = static_cast<double>(w) * h;
  const double fill = DarkIn(binary, x, y, x + w, y + h) / area;
  if (fill >= kFilledShare) return StandsAlone(binary, x, y, w, h) ? BoxMark::kMarked : BoxMark::kNone;
  const int dx = w / 4, dy = h / 4;
  const double inner_area = static_cast<double>(w - 2 * dx) * (h - 2 * dy);
  const double inner = DarkIn(binary, x + dx, y + dy, x + w - dx, y + h - dy) / inner_area;
  if (inner <= kHollowInner && fill >= kHollowFrame) return BoxMark::kEmpty;
  return BoxMark::kNone;
}

// The checkboxes of one line, left to right; empty when the line has no marked box.
std::vector<Checkbox> FindCheckboxes(Pix* binary, const OcrLine& line) {
  BOX* region = boxCreate(line.left, line.top, line.width, line.height);
  PixPtr clipped(pixClipRectangle(binary, region, nullptr));
  boxDestroy(&region);
  if (!clipped) return {};
  BOXA* found = pixConnCompBB(clipped.get(), 8);
  if (!found) return {};
  std::vector<Checkbox> boxes;
  bool any_marked = false;
  for (int i = 0; i < boxaGetCount(found); ++i) {
    l_int32 x = 0, y = 0, w = 0, h = 0;
    boxaGetBoxGeometry(found, i, &x, &y, &w, &h);
    const int side = std::max(w, h);
    if (side < kMinBoxSide * line.height || side > kMaxBoxSide * line.height) continue;
    if (static_cast<double>(side) / std::max(1, std::min(w, h)) > kMaxBoxAspect) continue;
    const BoxMark mark = Classify(clipped.get(), x, y, w, h);
    if (mark == BoxMark::kNone) continue;
    any_marked = any_marked || mark == BoxMark::kMarked;
    boxes.push_back({line.left + x, line.top + y, line.left + x + w, line.top + y + h,
                     mark == BoxMark::kMarked, false});
  }
  boxaDestroy(&found);
  // A row of choices has one or two marked boxes (three at most); more solid squares are a
  // blurred print's glyphs, not marks.
  const auto marked_count =
      std::count_if(boxes.begin(), boxes.end(), [](const Checkbox& b) { return b.marked; });
  if (!any_marked || marked_count > kMaxMarksInLine) return {};
  // The empty boxes of a row are the size of its marked ones (a kanji 口 is not).
  int marked_side = 0;
  for (const auto& b : boxes)
    if (b.marked) marked_side = std::max(marked_side, b.right - b.left);
  std::erase_if(boxes, [&](const Checkbox& b) {
    const int side = b.right - b.left;
    return !b.marked && (side < 0.75 * marked_side || side > 1.33 * marked_side);
  });
  std::sort(boxes.begin(), boxes.end(),
            [](const Checkbox& a, const Checkbox& b) { return a.left < b.left; });
  return boxes;
}

double Overlap(const Checkbox& b, int left, int top, int right, int bottom) {
  const int w = std::min(b.right, right) - std::max(b.left, left);
  const int h = std::min(b.bottom, bottom) - std::max(b.top, top);
  if (w <= 0 || h <= 0) return 0;
  return static_cast<double>(w) * h / ((b.right - b.left) * (b.bottom - b.top));
}

struct Symbol {
  std::string text;
  int left = 0, top = 0, right = 0, bottom = 0;
};

// The line's text with its checkboxes written as ■ / □: each symbol is found in the text in
// order (the text is the symbols with spaces between some of them) and replaced, or the mark put
// before it.
std::string TextWithMarks(const std::string& text, const std::vector<Symbol>& symbols,
                          std::vector<Checkbox>& boxes) {
  std::string out;
  std::size_t pos = 0;
  for (const Symbol& s : symbols) {
    const std::size_t at = s.text.empty() ? std::string::npos : text.find(s.text, pos);
    if (at == std::string::npos) continue;  // not in the line's text: leave the text as it is
    out += text.substr(pos, at - pos);
    std::string glyph = s.text;
    for (auto& b : boxes) {
      if (b.placed) continue;
      const bool covers = Overlap(b, s.left, s.top, s.right, s.bottom) >= 0.5;
      // A glyph box much wider than the checkbox holds the checkbox and a character ("[別").
      const bool wider = s.right - s.left > 1.5 * (b.right - b.left);
      if (covers && !wider) {
        glyph = b.marked ? "■" : "□";
        b.placed = true;
      } else if (covers || b.right <= s.left + 2) {  // before this glyph
        glyph = (b.marked ? "■" : "□") + glyph;
        b.placed = true;
      }
    }
    out += glyph;
    pos = at + s.text.size();
  }
  out += text.substr(pos);
  for (auto& b : boxes) {
    if (!b.placed) out += b.marked ? "■" : "□";
  }
  return out;
}

}  // namespace

bool WriteCheckboxMarks(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading) {
  if (reading.cut_short || reading.lines.empty()) return false;
  // A light threshold: the thin frame of an empty box prints light grey on a grey scan.
  PixPtr binary(pixGetDepth(page) == 1 ? pixClone(page) : pixConvertTo1(page, kBoxThreshold));
  if (!binary) return false;
  std::vector<std::vector<Checkbox>> per_line(reading.lines.size());
  bool any = false;
  for (std::size_t i = 0; i < reading.lines.size(); ++i) {
    if (reading.lines[i].line.vertical) continue;
    per_line[i] = FindCheckboxes(binary.get(), reading.lines[i].line);
    any = any || !per_line[i].empty();
  }
  if (!any) return false;

  // The symbols Tesseract read, by line (the line whose box holds the symbol's centre).
  std::vector<std::vector<Symbol>> symbols(reading.lines.size());
  std::unique_ptr<tesseract::ResultIterator> it(engine.GetIterator());
  if (!it) return false;
  it->Begin();
  do {
    if (it->Empty(tesseract::RIL_SYMBOL)) continue;
    Symbol s;
    if (!it->BoundingBox(tesseract::RIL_SYMBOL, &s.left, &s.top, &s.right, &s.bottom)) continue;
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_SYMBOL));
    s.text = text ? text.get() : "";
    const int cx = (s.left + s.right) / 2, cy = (s.top + s.bottom) / 2;
    for (std::size_t i = 0; i < reading.lines.size(); ++i) {
      const OcrLine& l = reading.lines[i].line;
      if (per_line[i].empty() || cx < l.left || cx >= l.left + l.width || cy < l.top ||
          cy >= l.top + l.height)
        continue;
      symbols[i].push_back(std::move(s));
      break;
    }
  } while (it->Next(tesseract::RIL_SYMBOL));

  bool changed = false;
  for (std::size_t i = 0; i < reading.lines.size(); ++i) {
    if (per_line[i].empty() || symbols[i].empty()) continue;
    reading.lines[i].line.text =
        TextWithMarks(reading.lines[i].line.text, symbols[i], per_line[i]);
    changed = true;
  }
  if (changed) reading.text = TextOf(reading.lines);
  return changed;
}

}  // namespace intake::ocr

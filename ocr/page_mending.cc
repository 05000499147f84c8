#include "ocr/page_mending.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <memory>
#include <optional>
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
  const RegionReading again = ReadRegion(engine, region.get(), tesseract::PSM_SINGLE_LINE);
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
    line.line.left = l + margin_x - kCropMargin;
    line.line.top = t + band_top - kCropMargin;
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

enum class BoxMark { kNone, kMarked, kTicked, kEmpty };

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
constexpr double kTickedInner = 0.06;  // at least this dark in the inner half of a ticked box
constexpr double kTickedFill = 0.5;    // and less than this over the whole box
constexpr double kMaxTickedSide = 1.35;  // a tick overshooting its box makes it look larger
constexpr double kFrameClosed = 0.85;    // share of a box's side its frame line covers
constexpr double kStraightStroke = 0.7;  // of the inside: a stroke straight across it

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

// Whether a frame runs round the box: a row near its top and one near its bottom, a column near
// its left and one near its right, each all but closed (a tick that overshoots the box moves the
// edges of the component, so each side is searched in its outer quarter).
bool Framed(Pix* binary, int x, int y, int w, int h) {
  auto dark_row = [&](int from, int to) {
    for (int r = from; r < to; ++r)
      if (DarkIn(binary, x, r, x + w, r + 1) >= kFrameClosed * w) return true;
    return false;
  };
  auto dark_column = [&](int from, int to) {
    for (int col = from; col < to; ++col)
      if (DarkIn(binary, col, y, col + 1, y + h) >= kFrameClosed * h) return true;
    return false;
  };
  return dark_row(y, y + h / 4) && dark_row(y + h - h / 4, y + h) && dark_column(x, x + w / 4) &&
         dark_column(x + w - w / 4, x + w);
}

// Whether the ink inside the frame is free of straight strokes across it: a tick or a cross is
// drawn aslant; the inner strokes of 田, 回 or 国 run straight across.
bool AslantInside(Pix* binary, int x, int y, int w, int h) {
  const int m = std::max(3, std::max(w, h) / 6);
  const int left = x + m, top = y + m, right = x + w - m, bottom = y + h - m;
  if (right - left < 4 || bottom - top < 4) return false;
  for (int r = top; r < bottom; ++r)
    if (DarkIn(binary, left, r, right, r + 1) >= kStraightStroke * (right - left)) return false;
  for (int col = left; col < right; ++col)
    if (DarkIn(binary, col, top, col + 1, bottom) >= kStraightStroke * (bottom - top)) return false;
  return true;
}

BoxMark Classify(Pix* binary, int x, int y, int w, int h) {
  const double area = static_cast<double>(w) * h;
  const double fill = DarkIn(binary, x, y, x + w, y + h) / area;
  if (fill >= kFilledShare) return StandsAlone(binary, x, y, w, h) ? BoxMark::kMarked : BoxMark::kNone;
  const int dx = w / 4, dy = h / 4;
  const double inner_area = static_cast<double>(w - 2 * dx) * (h - 2 * dy);
  const double inner = DarkIn(binary, x + dx, y + dy, x + w - dx, y + h - dy) / inner_area;
  if (inner <= kHollowInner && fill >= kHollowFrame) return BoxMark::kEmpty;
  // A tick (or cross) in a framed box: ink inside the box, but far from filling it.
  if (inner >= kTickedInner && fill < kTickedFill && Framed(binary, x, y, w, h) &&
      AslantInside(binary, x, y, w, h))
    return BoxMark::kTicked;
  return BoxMark::kNone;
}

// The checks on a line's boxes (in its own coordinates), and the boxes placed on the page.
std::vector<Checkbox> FindCheckboxesDone(std::vector<Checkbox> boxes, const OcrLine& line,
                                         bool ticked) {
  // A ticked box is one of a row of boxes: alone, it may be a kanji (回, 田) read as one.
  if (ticked && std::none_of(boxes.begin(), boxes.end(), [](const Checkbox& b) { return !b.marked; }))
    return {};
  // A row of choices has one or two marked boxes (three at most); more solid squares are a
  // blurred print's glyphs, not marks.
  const auto marked_count =
      std::count_if(boxes.begin(), boxes.end(), [](const Checkbox& b) { return b.marked; });
  if (marked_count == 0 || marked_count > kMaxMarksInLine) return {};
  // The empty boxes of a row are the size of its marked ones (a kanji 口 is not).
  int marked_side = 0;
  for (const auto& b : boxes)
    if (b.marked) marked_side = std::max(marked_side, b.right - b.left);
  std::erase_if(boxes, [&](const Checkbox& b) {
    const int side = b.right - b.left;
    return !b.marked && (side < 0.75 * marked_side || side > 1.33 * marked_side);
  });
  for (Checkbox& b : boxes) {
    b.left += line.left;
    b.right += line.left;
    b.top += line.top;
    b.bottom += line.top;
  }
  std::sort(boxes.begin(), boxes.end(),
            [](const Checkbox& a, const Checkbox& b) { return a.left < b.left; });
  return boxes;
}

// A ticked box whose tick runs into the next glyph: box, tick and glyph are one component, no
// box's shape. Found instead by its frame: a square the size of the line's empty boxes, at their
// height, framed, with aslant ink inside. Positions are in `clipped` (the line's box).
std::optional<Checkbox> FindTickedFrame(Pix* clipped, const std::vector<Checkbox>& empty) {
  std::vector<int> sides, tops;
  for (const Checkbox& b : empty) {
    sides.push_back(b.right - b.left);
    tops.push_back(b.top);
  }
  std::nth_element(sides.begin(), sides.begin() + sides.size() / 2, sides.end());
  std::nth_element(tops.begin(), tops.begin() + tops.size() / 2, tops.end());
  const int side = sides[sides.size() / 2], top = tops[tops.size() / 2];
  const int width = pixGetWidth(clipped);
  if (side < 6 || top + side > pixGetHeight(clipped)) return std::nullopt;
  // The frame's sides: columns dark over (almost) the box's height.
  std::vector<bool> upright(width, false);
  for (int col = 0; col < width; ++col)
    upright[col] = DarkIn(clipped, col, top, col + 1, top + side) >= kFrameClosed * side;
  const int slack = side / 4;
  for (int x = 0; x + side <= width; ++x) {
    if (!upright[x]) continue;
    const bool right_side = std::any_of(upright.begin() + std::max(x + 1, x + side - slack),
                                        upright.begin() + std::min(width, x + side + 1),
                                        [](bool dark) { return dark; });
    if (!right_side) continue;
    const bool taken = std::any_of(empty.begin(), empty.end(), [&](const Checkbox& b) {
      return x < b.right && b.left < x + side;
    });
    if (taken) continue;
    const int dx = side / 4;
    const double inner_area = static_cast<double>(side - 2 * dx) * (side - 2 * dx);
    const double inner =
        DarkIn(clipped, x + dx, top + dx, x + side - dx, top + side - dx) / inner_area;
    if (inner >= kTickedInner && Framed(clipped, x, top, side, side) &&
        AslantInside(clipped, x, top, side, side))
      return Checkbox{x, top, x + side, top + side, true, false};
  }
  return std::nullopt;
}

// The boxes of a line's components, marked or empty, in `clipped`'s coordinates.
std::vector<Checkbox> BoxComponents(Pix* clipped, const OcrLine& line, bool& ticked) {
  BOXA* found = pixConnCompBB(clipped, 8);
  if (!found) return {};
  std::vector<Checkbox> boxes;
  for (int i = 0; i < boxaGetCount(found); ++i) {
    l_int32 x = 0, y = 0, w = 0, h = 0;
    boxaGetBoxGeometry(found, i, &x, &y, &w, &h);
    const int side = std::max(w, h);
    if (side < kMinBoxSide * line.height || side > kMaxTickedSide * line.height) continue;
    if (static_cast<double>(side) / std::max(1, std::min(w, h)) > kMaxBoxAspect) continue;
    const BoxMark mark = Classify(clipped, x, y, w, h);
    if (mark == BoxMark::kNone) continue;
    if (mark != BoxMark::kTicked && side > kMaxBoxSide * line.height) continue;
    ticked = ticked || mark == BoxMark::kTicked;
    boxes.push_back({x, y, x + w, y + h, mark == BoxMark::kMarked || mark == BoxMark::kTicked,
                     false});
  }
  boxaDestroy(&found);
  return boxes;
}

// The checkboxes of one line, left to right; empty when the line has no marked box.
std::vector<Checkbox> FindCheckboxes(Pix* binary, const OcrLine& line) {
  BOX* region = boxCreate(line.left, line.top, line.width, line.height);
  PixPtr clipped(pixClipRectangle(binary, region, nullptr));
  boxDestroy(&region);
  if (!clipped) return {};
  bool ticked = false;
  std::vector<Checkbox> boxes = BoxComponents(clipped.get(), line, ticked);
  const auto marked_count =
      std::count_if(boxes.begin(), boxes.end(), [](const Checkbox& b) { return b.marked; });
  // Empty boxes and no mark: a tick that ran into its option's first glyph?
  if (marked_count == 0 && !boxes.empty()) {
    if (auto tick = FindTickedFrame(clipped.get(), boxes)) {
      boxes.push_back(*tick);
      return FindCheckboxesDone(std::move(boxes), line, true);
    }
  }
  return FindCheckboxesDone(std::move(boxes), line, ticked);
}

// --- rings drawn by hand around a chosen option ---------------------------------------------

constexpr double kMinRingHoleShare = 0.35;  // of the ring's box: the paper it encloses
constexpr double kMaxRingInk = 0.3;         // of the ring's box: its own ink
// The corners of an ellipse's box (this share of each side) hold all but no ink: at most a few
// pixels of a noisy or JPEG scan, this share of each corner (a cell's frame fills a third).
constexpr double kRingCorner = 0.15;
constexpr double kMaxRingCornerInk = 0.05;

// The paper a ring encloses, an ellipse, leaves its box's corners (this share of each side) all
// but empty (a hand-drawn ring wobbles); a table cell fills them.
constexpr double kHoleCorner = 0.1;
constexpr double kMaxHoleCornerShare = 0.15;

constexpr double kMinRingAspect = 1.2;        // width over height
constexpr int kMaxRingsOnPage = 8;           // more: a drawing, not a form's marks
constexpr int kMinRingReadConfidence = 40;   // 0..100, for a ringed row read again to be kept

struct Ring {
  int left = 0, top = 0, right = 0, bottom = 0;
  PixPtr mask;  // the ring's pixels, at (left, top)
  // Whether `mask` holds the ring's ink alone (traced round the paper it encloses), or the whole
  // component, with the glyphs the ring touches.
  bool traced = false;
};

// Whether the corners of `mask`'s box (`corner` of each side) hold at most `max_share` ink: an
// ellipse leaves them empty, a rectangle (a table cell) fills them.
bool CornersEmpty(Pix* mask, double corner, double max_share) {
  const int w = pixGetWidth(mask), h = pixGetHeight(mask);
  const int cw = std::max(1, static_cast<int>(corner * w));
  const int ch = std::max(1, static_cast<int>(corner * h));
  for (const auto& [x, y] : {std::pair{0, 0}, {w - cw, 0}, {0, h - ch}, {w - cw, h - ch}}) {
    if (DarkIn(mask, x, y, x + cw, y + ch) > max_share * cw * ch) return false;
  }
  return true;
}

// Whether the largest of `holes` (the paper a loop encloses) is wider than tall: a ring drawn
// round words, not a round name seal (印) that a glyph beside it makes a wide shape with.
bool WidestHoleIsWide(Pix* holes) {
  BOXA* found = pixConnCompBB(holes, 4);
  l_int32 best_w = 0, best_h = 0;
  for (int i = 0; found && i < boxaGetCount(found); ++i) {
    l_int32 w = 0, h = 0;
    boxaGetBoxGeometry(found, i, nullptr, nullptr, &w, &h);
    if (w * h > best_w * best_h) {
      best_w = w;
      best_h = h;
    }
  }
  boxaDestroy(&found);
  return best_h > 0 && best_w >= kMinRingAspect * best_h;
}

// Whether the component `mask` (its own box) is a closed loop round words with (all but) empty
// corners: an ellipse around words, not a table cell's frame (ink in the corners), a glyph or a
// round seal touching one.
bool IsRing(Pix* mask) {
  const int w = pixGetWidth(mask), h = pixGetHeight(mask);
  const double area = static_cast<double>(w) * h;
  l_int32 ink = 0;
  pixCountPixels(mask, &ink, nullptr);
  if (ink > kMaxRingInk * area) return false;
  PixPtr holes(pixHolesByFilling(mask, 4));
  if (!holes) return false;
  l_int32 hole = 0;
  pixCountPixels(holes.get(), &hole, nullptr);
  if (hole < kMinRingHoleShare * area) return false;
  return CornersEmpty(mask, kRingCorner, kMaxRingCornerInk) && WidestHoleIsWide(holes.get());
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

int MedianLineHeight(const PageReading& reading) {
  std::vector<int> heights;
  for (const auto& l : reading.lines)
    if (!l.line.vertical && l.characters >= 2) heights.push_back(l.line.height);
  if (heights.empty()) return 0;
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
  return heights[heights.size() / 2];
}

// The component of `binary` whose box is (x, y, w, h): its own pixels, cut out of that box.
PixPtr ComponentIn(Pix* binary, int x, int y, int w, int h) {
  BOX* box = boxCreate(x, y, w, h);
  PixPtr clipped(pixClipRectangle(binary, box, nullptr));
  boxDestroy(&box);
  if (!clipped) return nullptr;
  PIXA* parts = nullptr;
  BOXA* found = pixConnComp(clipped.get(), &parts, 8);
  PixPtr mask;
  for (int i = 0; found && i < boxaGetCount(found); ++i) {
    l_int32 bw = 0, bh = 0;
    boxaGetBoxGeometry(found, i, nullptr, nullptr, &bw, &bh);
    if (bw == w && bh == h) {  // the one that spans the box; others only lie inside it
      mask.reset(pixaGetPix(parts, i, L_COPY));
      break;
    }
  }
  boxaDestroy(&found);
  pixaDestroy(&parts);
  return mask;
}

// How tall the text of a page is: its lines' median height (Tesseract's boxes), and its glyphs'
// — the median of each line's lower quartile of word heights, never above the first. On a
// speckled scan the specks above and below a line stretch its box and most of its words' (a
// form of 45-pixel glyphs read as lines 91 pixels high), and a ring round a word, a little taller
// than the word's glyphs, would seem too small for one.
struct TextHeights {
  int line = 0;
  int glyph = 0;
};

TextHeights HeightsOf(const PageReading& reading) {
  TextHeights heights;
  heights.line = MedianLineHeight(reading);
  std::vector<int> lower_quartiles;
  for (const auto& l : reading.lines) {
    if (l.line.vertical || l.characters < 2 || l.line.words.empty()) continue;
    std::vector<int> words;
    for (const auto& w : l.line.words) words.push_back(w.height);
    std::nth_element(words.begin(), words.begin() + words.size() / 4, words.end());
    lower_quartiles.push_back(words[words.size() / 4]);
  }
  heights.glyph = heights.line;
  if (!lower_quartiles.empty()) {
    std::nth_element(lower_quartiles.begin(), lower_quartiles.begin() + lower_quartiles.size() / 2,
                     lower_quartiles.end());
    heights.glyph = std::min(heights.line, lower_quartiles[lower_quartiles.size() / 2]);
  }
  return heights;
}

// Whether a ring's box (x, y, w, h) has the size of one drawn round a word or two: a little
// taller than the glyphs, at most a few lines high, wider than tall (a name seal, 印, is a
// circle), not a page-wide frame.
bool RingSized(int w, int h, const TextHeights& heights) {
  return h >= 0.8 * heights.glyph && h <= 2.5 * heights.line && w >= kMinRingAspect * h &&
         w <= 20 * heights.line;
}

// Whether two boxes overlap.
bool Overlaps(const Ring& ring, int left, int top, int right, int bottom) {
  return left < ring.right && ring.left < right && top < ring.bottom && ring.top < bottom;
}

struct Area {
  int left = 0, top = 0, right = 0, bottom = 0;
};

// The ring round `ellipse` (placed at (x, y) of the page): the page's ink within `stroke` of it,
// outside it, as a mask of `area`. The ellipse is closed first: a glyph that touches the ring is
// a notch in the paper it encloses, and must stay.
PixPtr TraceRing(Pix* binary, Pix* ellipse, Area area, int x, int y, int stroke) {
  const int width = area.right - area.left, height = area.bottom - area.top;
  PixPtr mask(pixCreate(width, height, 1));
  if (!mask) return nullptr;
  pixRasterop(mask.get(), x - area.left, y - area.top, pixGetWidth(ellipse),
              pixGetHeight(ellipse), PIX_SRC, ellipse, 0, 0);
  const int notch = (2 * pixGetHeight(ellipse) / 3) | 1;
  mask.reset(pixCloseSafeBrick(nullptr, mask.get(), notch, notch));
  if (!mask) return nullptr;
  PixPtr ring(pixDilateBrick(nullptr, mask.get(), 2 * stroke + 1, 2 * stroke + 1));
  if (!ring) return nullptr;
  pixSubtract(ring.get(), ring.get(), mask.get());
  BOX* box = boxCreate(area.left, area.top, width, height);
  PixPtr ink(pixClipRectangle(binary, box, nullptr));
  boxDestroy(&box);
  if (!ink) return nullptr;
  pixAnd(ring.get(), ring.get(), ink.get());
  return ring;
}

// The rings that touch a table's rules: the ring and the table are one component, too large to
// be a ring, but the paper the ring encloses is a hole of its own — an ellipse, where a cell's
// hole is a rectangle with its corners. The ring is the ink in a band round that hole. Holes are
// looked for only on a page with a table (15-50 ms a page at 300 dpi; at half the resolution it
// is a tenth of that, but rings at 200 dpi and ones close to their words are lost).
void AddRingsInTables(Pix* binary, const TextHeights& heights, std::vector<Ring>& rings) {
  const int line_height = heights.line;
  PixPtr holes(pixHolesByFilling(binary, 4));
  if (!holes) return;
  BOXA* found = pixConnCompBB(holes.get(), 4);
  const int stroke = std::max(2, line_height / 6);  // a hand-drawn ring's line, and its wobble
  for (int i = 0; found && i < boxaGetCount(found); ++i) {
    l_int32 x = 0, y = 0, w = 0, h = 0;
    boxaGetBoxGeometry(found, i, &x, &y, &w, &h);
    // Sized by the lines alone: every glyph's loop (口, 日) is a hole of a glyph's height.
    if (!RingSized(w + 2 * stroke, h + 2 * stroke, {line_height, line_height})) continue;
    const int left = std::max(0, x - stroke), top = std::max(0, y - stroke);
    const int right = std::min<int>(pixGetWidth(binary), x + w + stroke);
    const int bottom = std::min<int>(pixGetHeight(binary), y + h + stroke);
    if (right - left <= w || bottom - top <= h) continue;  // at the page's edge
    if (std::any_of(rings.begin(), rings.end(),
                    [&](const Ring& r) { return Overlaps(r, left, top, right, bottom); }))
      continue;
    PixPtr inside = ComponentIn(holes.get(), x, y, w, h);
    if (!inside) continue;
    // The hole with the words in it filled: the ellipse the ring encloses. Its corners are
    // paper outside the ring, a cell's are not.
    PixPtr words(pixHolesByFilling(inside.get(), 8));
    PixPtr ellipse(words ? pixOr(nullptr, inside.get(), words.get()) : nullptr);
    if (!ellipse || !CornersEmpty(ellipse.get(), kHoleCorner, kMaxHoleCornerShare)) continue;
    if (PixPtr ring = TraceRing(binary, ellipse.get(), {left, top, right, bottom}, x, y, stroke)) {
      rings.push_back({left, top, right, bottom, std::move(ring), true});
    }
  }
  boxaDestroy(&found);
}

// The rings drawn by hand on the page: closed loops a little taller than its lines of text.
// Components are measured by their boxes first; only the few of a ring's shape are cut out.
// Rings that touch a table's rules are found by the paper they enclose.
std::vector<Ring> FindRings(Pix* binary, const TextHeights& heights) {
  const int line_height = heights.line;
  BOXA* found = pixConnCompBB(binary, 8);
  std::vector<Ring> rings;
  bool table = false;  // a rule as long as a table's: a ring may touch it
  for (int i = 0; found && i < boxaGetCount(found); ++i) {
    l_int32 x = 0, y = 0, w = 0, h = 0;
    boxaGetBoxGeometry(found, i, &x, &y, &w, &h);
    table = table || w > 20 * line_height || h > 2.5 * line_height;
    if (!RingSized(w, h, heights)) continue;
    PixPtr mask = ComponentIn(binary, x, y, w, h);
    if (!mask || !IsRing(mask.get())) continue;
    rings.push_back({x, y, x + w, y + h, std::move(mask)});
  }
  boxaDestroy(&found);
  if (table) AddRingsInTables(binary, heights, rings);
  if (static_cast<int>(rings.size()) > kMaxRingsOnPage) rings.clear();
  return rings;
}

// Paints the table rules of a row white: ink that runs straight down the row's height (a
// cell's side) or along three lines' heights (its top and bottom). Read as one line, a rule
// becomes a 1 or |, and a row holding a label's cell loses the label.
void EraseRules(Pix* row, int line_height) {
  PixPtr binary(pixConvertTo1(row, kBoxThreshold));
  if (!binary) return;
  const int height = pixGetHeight(row);
  PixPtr down(pixOpenBrick(nullptr, binary.get(), 1, std::max(3, height * 4 / 5)));
  PixPtr along(pixOpenBrick(nullptr, binary.get(), 3 * line_height, 1));
  if (!down || !along) return;
  pixOr(down.get(), down.get(), along.get());
  // A rule's edge greys into the paper: one pixel more on each side.
  PixPtr rules(pixDilateBrick(nullptr, down.get(), 3, 3));
  if (rules) pixSetMaskedGeneral(row, rules.get(), WhiteOf(row), 0, 0);
}

// Paints the specks of a noisy scan white in a row of the page: ink no larger each way than a
// tenth of a line (a form's options have no dakuten to lose). Read as one line across the page's
// width, a row's specks become glyphs that pull its mean confidence below what is kept.
void EraseSpecks(Pix* row, int line_height) {
  PixPtr binary(pixConvertTo1(row, kBoxThreshold));
  if (!binary) return;
  const int speck = std::max(3, line_height / 10);
  PixPtr specks(pixSelectBySize(binary.get(), speck, speck, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LTE,
                                nullptr));
  if (!specks) return;
  PixPtr grown(pixDilateBrick(nullptr, specks.get(), 3, 3));  // and their grey edge
  if (grown) pixSetMaskedGeneral(row, grown.get(), WhiteOf(row), 0, 0);
}

// The row of `ring` (the page's width, the ring's height) in grey, with the ring, the table
// rules and the specks erased.
PixPtr RingedRow(Pix* page, const Ring& ring, int line_height) {
  const int top = std::max(0, ring.top - 2);
  const int bottom = std::min<int>(pixGetHeight(page), ring.bottom + 2);
  BOX* box = boxCreate(0, top, pixGetWidth(page), bottom - top);
  PixPtr row(pixClipRectangle(page, box, nullptr));
  boxDestroy(&box);
  // A bilevel scan's row in grey: erasing paints (pixSetMaskedGeneral takes 8 bpp and more).
  if (row && pixGetDepth(row.get()) == 1) row.reset(pixConvert1To8(nullptr, row.get(), 255, 0));
  if (!row) return nullptr;
  PixPtr band(pixCopy(nullptr, ring.mask.get()));
  if (!band) return nullptr;
  if (!ring.traced) {
    // Erase the ring where it runs clear of the words: its band along the box's edges. Where it
    // touches a glyph the two are one component, and the glyph must stay.
    const int w = pixGetWidth(band.get()), h = pixGetHeight(band.get());
    const int dy = h * 3 / 20, dx = std::max(w / 10, h / 4);
    BOX* middle = boxCreate(dx, dy, std::max(1, w - 2 * dx), std::max(1, h - 2 * dy));
    pixClearInRect(band.get(), middle);
    boxDestroy(&middle);
  }
  pixSetMaskedGeneral(row.get(), band.get(), WhiteOf(row.get()), ring.left, ring.top - top);
  EraseRules(row.get(), line_height);
  EraseSpecks(row.get(), line_height);
  return row;
}

// The row of `ring` read again as one line with the ring and the rules erased, the ringed
// symbols between ■ and □; empty when it reads unsurely or nothing inside the ring.
std::string ReadRingedRow(tesseract::TessBaseAPI& engine, Pix* page, const Ring& ring,
                          int line_height) {
  PixPtr row = RingedRow(page, ring, line_height);
  if (!row) return {};
  constexpr int kBorder = 16;
  PixPtr framed(pixAddBorder(row.get(), kBorder, WhiteOf(row.get())));
  if (!framed) return {};
  ClearOnExit clear(engine);
  engine.SetPageSegMode(tesseract::PSM_SINGLE_LINE);
  engine.SetImage(framed.get());
  if (engine.Recognize(nullptr) != 0 || engine.MeanTextConf() < kMinRingReadConfidence) return {};
  std::unique_ptr<tesseract::ResultIterator> it(engine.GetIterator());
  if (!it) return {};
  std::string text;
  bool inside = false, any_inside = false;
  int last_right = -1;
  it->Begin();
  do {
    if (it->Empty(tesseract::RIL_SYMBOL)) continue;
    int left = 0, t = 0, right = 0, b = 0;
    if (!it->BoundingBox(tesseract::RIL_SYMBOL, &left, &t, &right, &b)) continue;
    std::unique_ptr<char[]> glyph(it->GetUTF8Text(tesseract::RIL_SYMBOL));
    const int cx = (left + right) / 2 - kBorder;
    const bool ringed = cx > ring.left && cx < ring.right;
    if (inside && !ringed) text += "□";
    if (last_right >= 0 && left - last_right > line_height / 2) text += " ";
    if (ringed && !inside) text += "■";
    text += glyph ? glyph.get() : "";
    inside = ringed;
    any_inside = any_inside || ringed;
    last_right = right;
  } while (it->Next(tesseract::RIL_SYMBOL));
  if (inside) text += "□";
  return any_inside ? text : std::string();
}

}  // namespace

bool WriteRingedChoices(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading,
                        Deadline deadline) {
  if (reading.cut_short || reading.lines.empty()) return false;
  const TextHeights heights = HeightsOf(reading);
  const int line_height = heights.line;
  if (line_height <= 0) return false;
  PixPtr binary(reading.ink              ? pixClone(reading.ink.get())
                : pixGetDepth(page) == 1 ? pixClone(page)
                                         : pixConvertTo1(page, kBoxThreshold));
  if (!binary) return false;
  bool changed = false;
  for (const Ring& ring : FindRings(binary.get(), heights)) {
    if (Passed(deadline)) break;
    const std::string row = ReadRingedRow(engine, page, ring, line_height);
    if (row.empty()) continue;
    // The row read again stands in for the lines Tesseract read across the ring's height.
    ReadLine line;
    line.line = {0, ring.top, pixGetWidth(page), ring.bottom - ring.top, false, row};
    line.characters = CountCharacters(row);
    line.confidence = kMinRingReadConfidence;
    int block = -1;
    std::erase_if(reading.lines, [&](const ReadLine& l) {
      // Lines that lie half or more within the ring's height (a straightened page's lines lean
      // a little out of it).
      const int overlap = std::min(l.line.top + l.line.height, ring.bottom) -
                          std::max(l.line.top, ring.top);
      const bool across = !l.line.vertical && overlap * 2 >= std::min(l.line.height,
                                                                      ring.bottom - ring.top);
      if (across && block < 0) block = l.block;
      return across;
    });
    const auto at = std::find_if(reading.lines.begin(), reading.lines.end(), [&](const ReadLine& l) {
      return !l.line.vertical && l.line.top > ring.top;
    });
    if (block < 0) block = at == reading.lines.end() ? 0 : at->block;
    line.block = block;
    reading.lines.insert(at, std::move(line));
    changed = true;
  }
  if (changed) reading.text = TextOf(reading.lines);
  return changed;
}

bool WriteCheckboxMarks(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading) {
  if (reading.cut_short || reading.lines.empty()) return false;
  // A light threshold: the thin frame of an empty box prints light grey on a grey scan.
  PixPtr binary(pixGetDepth(page) == 1 ? pixClone(page) : pixConvertTo1(page, kBoxThreshold));
  if (!binary) return false;
  reading.ink.reset(pixClone(binary.get()));
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

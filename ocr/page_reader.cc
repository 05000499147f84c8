#include "ocr/page_reader.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <utility>

#include "ocr/page_mending.h"

namespace intake::ocr {
namespace {

long long Area(const OcrLine& line) { return static_cast<long long>(line.width) * line.height; }

struct Box {
  int left = 0, top = 0, right = 0, bottom = 0;
  bool Contains(int x, int y) const { return x >= left && x < right && y >= top && y < bottom; }
};

// Gives each line its words: the words of the last recognition, each to the line of its block
// whose box holds the word's centre (lines are few; a page has some hundreds of words).
void CollectWords(tesseract::ResultIterator& it, std::vector<ReadLine>& lines) {
  it.Begin();
  do {
    if (it.Empty(tesseract::RIL_WORD)) continue;
    int left = 0, top = 0, right = 0, bottom = 0;
    if (!it.BoundingBox(tesseract::RIL_WORD, &left, &top, &right, &bottom)) continue;
    std::unique_ptr<char[]> text(it.GetUTF8Text(tesseract::RIL_WORD));
    if (!text || text[0] == '\0') continue;
    const int cx = (left + right) / 2;
    const int cy = (top + bottom) / 2;
    for (ReadLine& line : lines) {
      const OcrLine& l = line.line;
      if (cx < l.left || cx >= l.left + l.width || cy < l.top || cy >= l.top + l.height) continue;
      line.line.words.push_back({left, top, right - left, bottom - top, text.get()});
      break;
    }
  } while (it.Next(tesseract::RIL_WORD));
}

}  // namespace

ClearOnExit::~ClearOnExit() { api_.Clear(); }

int CountCharacters(const std::string& utf8) {
  int count = 0;
  for (unsigned char b : utf8) {
    if ((b & 0xC0) != 0x80 && b != ' ' && b != '\t') ++count;
  }
  return count;
}

std::string TrimLineEnd(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string TextOf(const std::vector<ReadLine>& lines) {
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0 && lines[i].block != lines[i - 1].block) text += "\n";
    text += lines[i].line.text + "\n";
  }
  return text;
}

std::uint32_t WhiteOf(Pix* pix) {
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
  return PixPtr(pixAddBorder(clipped.get(), kCropMargin, WhiteOf(clipped.get())));
}

RegionReading ReadRegion(tesseract::TessBaseAPI& engine, Pix* region,
                         tesseract::PageSegMode mode) {
  RegionReading out;
  ClearOnExit clear(engine);
  engine.SetPageSegMode(mode);
  engine.SetImage(region);
  if (engine.Recognize(nullptr) != 0) return out;
  std::unique_ptr<char[]> text(engine.GetUTF8Text());
  if (text) out.text = TrimLineEnd(text.get());
  out.confidence = engine.MeanTextConf();
  return out;
}

bool Passed(Deadline deadline) {
  return deadline != kNoDeadline && std::chrono::steady_clock::now() >= deadline;
}

Result<PageReading> ReadPage(tesseract::TessBaseAPI& engine, Pix* page, Deadline deadline) {
  PageReading reading;
  if (Passed(deadline)) {
    reading.cut_short = true;
    return reading;
  }
  ClearOnExit clear(engine);
  engine.SetPageSegMode(tesseract::PSM_AUTO);
  engine.SetImage(page);
  tesseract::ETEXT_DESC monitor;
  if (deadline != kNoDeadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    // set_deadline_msecs ignores 0: a deadline less than a millisecond away is one millisecond.
    monitor.set_deadline_msecs(static_cast<std::int32_t>(
        std::clamp<long long>(left, 1, std::numeric_limits<std::int32_t>::max())));
  }
  if (engine.Recognize(deadline == kNoDeadline ? nullptr : &monitor) != 0) {
    // Stopped by the deadline, Tesseract keeps the words it recognised and marks the rest as
    // failed (empty): what was read is still worth having.
    if (!monitor.deadline_exceeded()) return Result<PageReading>::Fail("recognition failed");
    reading.cut_short = true;
  }

  if (!reading.cut_short) {
    std::unique_ptr<char[]> text(engine.GetUTF8Text());
    if (text) reading.text = text.get();
    reading.confidence = std::clamp(engine.MeanTextConf(), 0, 100) / 100.0;
  }

  std::unique_ptr<tesseract::ResultIterator> it(engine.GetIterator());
  if (!it) return reading;
  int block = -1;
  bool vertical = false;
  long long vertical_area = 0;
  long long total_area = 0;
  it->Begin();
  do {
    if (it->IsAtBeginningOf(tesseract::RIL_BLOCK) || block < 0) {
      ++block;
      tesseract::Orientation orientation;
      tesseract::WritingDirection direction;
      tesseract::TextlineOrder order;
      float deskew = 0;
      it->Orientation(&orientation, &direction, &order, &deskew);
      vertical = direction == tesseract::WRITING_DIRECTION_TOP_TO_BOTTOM;
    }
    if (it->Empty(tesseract::RIL_TEXTLINE)) continue;
    std::unique_ptr<char[]> line_text(it->GetUTF8Text(tesseract::RIL_TEXTLINE));
    ReadLine line;
    line.line.text = TrimLineEnd(line_text ? line_text.get() : "");
    line.characters = CountCharacters(line.line.text);
    if (line.characters == 0) continue;
    int left = 0, top = 0, right = 0, bottom = 0;
    if (!it->BoundingBox(tesseract::RIL_TEXTLINE, &left, &top, &right, &bottom)) continue;
    line.line.left = left;
    line.line.top = top;
    line.line.width = right - left;
    line.line.height = bottom - top;
    line.line.vertical = vertical;
    line.block = block;
    line.confidence = it->Confidence(tesseract::RIL_TEXTLINE);
    total_area += Area(line.line);
    if (vertical) vertical_area += Area(line.line);
    reading.lines.push_back(std::move(line));
  } while (it->Next(tesseract::RIL_TEXTLINE));
  if (total_area > 0) reading.vertical_share = static_cast<double>(vertical_area) / total_area;
  CollectWords(*it, reading.lines);
  if (reading.cut_short) reading.text = TextOf(reading.lines);  // the lines read, nothing else
  if (!reading.cut_short) WriteCheckboxMarks(engine, page, reading);  // before the engine clears
  return reading;
}

double MeanLineConfidence(const PageReading& reading, bool vertical) {
  double sum = 0;
  long long characters = 0;
  for (const auto& line : reading.lines) {
    if (line.line.vertical != vertical) continue;
    sum += line.confidence * line.characters;
    characters += line.characters;
  }
  return characters > 0 ? sum / characters : 0.0;
}

bool NeedsVerticalModel(const PageReading& reading) {
  return reading.vertical_share >= kMinVerticalShare &&
         MeanLineConfidence(reading, true) < kSidewaysLineConfidence;
}

bool LooksSideways(const PageReading& reading) {
  return reading.vertical_share >= kMinSidewaysShare &&
         MeanLineConfidence(reading, true) >= kSidewaysLineConfidence;
}

PageReading MergeReadings(const PageReading& horizontal, const PageReading& vertical) {
  std::vector<bool> used(vertical.lines.size(), false);
  PageReading merged;
  // Block numbers in the merged reading: horizontal's blocks, then one for unplaced columns.
  for (std::size_t i = 0; i < horizontal.lines.size();) {
    const int block = horizontal.lines[i].block;
    std::size_t end = i;
    Box box{horizontal.lines[i].line.left, horizontal.lines[i].line.top, 0, 0};
    bool vertical_block = false;
    for (; end < horizontal.lines.size() && horizontal.lines[end].block == block; ++end) {
      const OcrLine& l = horizontal.lines[end].line;
      box.left = std::min(box.left, l.left);
      box.top = std::min(box.top, l.top);
      box.right = std::max(box.right, l.left + l.width);
      box.bottom = std::max(box.bottom, l.top + l.height);
      vertical_block = vertical_block || l.vertical;
    }
    if (!vertical_block) {
      merged.lines.insert(merged.lines.end(), horizontal.lines.begin() + static_cast<long>(i),
                          horizontal.lines.begin() + static_cast<long>(end));
    } else {
      for (std::size_t k = 0; k < vertical.lines.size(); ++k) {
        const OcrLine& l = vertical.lines[k].line;
        if (used[k] || !l.vertical || !box.Contains(l.left + l.width / 2, l.top + l.height / 2)) {
          continue;
        }
        used[k] = true;
        ReadLine placed = vertical.lines[k];
        placed.block = block;
        merged.lines.push_back(std::move(placed));
      }
    }
    i = end;
  }
  const int extra_block = horizontal.lines.empty() ? 0 : horizontal.lines.back().block + 1;
  for (std::size_t k = 0; k < vertical.lines.size(); ++k) {
    if (used[k] || !vertical.lines[k].line.vertical) continue;
    ReadLine placed = vertical.lines[k];
    placed.block = extra_block;
    merged.lines.push_back(std::move(placed));
  }

  double sum = 0;
  long long characters = 0;
  long long vertical_area = 0;
  long long total_area = 0;
  for (const auto& line : merged.lines) {
    sum += line.confidence * line.characters;
    characters += line.characters;
    total_area += Area(line.line);
    if (line.line.vertical) vertical_area += Area(line.line);
  }
  merged.confidence = characters > 0 ? sum / characters / 100.0 : 0.0;
  merged.vertical_share = total_area > 0 ? static_cast<double>(vertical_area) / total_area : 0.0;
  merged.text = TextOf(merged.lines);
  return merged;
}

}  // namespace intake::ocr

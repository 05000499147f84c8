#include "ocr/field_reread.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/utf8.h"
#include "text/text_normalize.h"

namespace intake::ocr {
namespace {

// What follows a label may be longer than the longest answer by this many characters (a speck,
// a bracket) and still be that field's answer alone.
constexpr int kMaxExtraCharacters = 4;
// Mean confidence (0..100) below which a reading of the answer's region is taken for noise.
constexpr int kMinAnswerConfidence = 10;
// The most characters an answer of a field of a shape has (令和元年12月31日生 (75歳)).
constexpr int kLongestShapedAnswer = 16;

// The characters of the answers, each once: Tesseract's whitelist.
std::string AlphabetOf(const std::vector<std::string>& answers) {
  std::u32string seen;
  std::string out;
  for (const auto& answer : answers) {
    for (const char32_t c : text::CodePoints(answer)) {
      if (seen.find(c) != std::u32string::npos) continue;
      seen.push_back(c);
      AppendUtf8(c, out);
    }
  }
  return out;
}

bool HoldsAnswer(const std::string& text, const ClosedField& field) {
  if (field.has_shape) return field.has_shape(text);
  return std::any_of(field.answers.begin(), field.answers.end(),
                     [&](const std::string& a) { return text.find(a) != std::string::npos; });
}

// `text` without the specks and rules read at its ends (. 。 , 、 | _ - ー ・).
std::string TrimmedMarks(std::string text) {
  static const std::vector<std::string> kMarks{".", "。", ",", "、", "|", "_", "-", "ー", "・"};
  for (bool cut = true; cut && !text.empty();) {
    cut = false;
    for (const auto& m : kMarks) {
      if (text.size() >= m.size() && text.ends_with(m)) {
        text.resize(text.size() - m.size());
        cut = true;
      } else if (text.starts_with(m)) {
        text.erase(0, m.size());
        cut = true;
      }
    }
  }
  return text;
}

int LongestAnswer(const ClosedField& field) {
  if (field.has_shape) return kLongestShapedAnswer;
  int longest = 0;
  for (const auto& a : field.answers) longest = std::max(longest, CountCharacters(a));
  return longest;
}

// Where a label ends in a line read word by word.
struct AfterLabel {
  std::size_t word = 0;     // the first word that is not all label
  std::string head;         // that word's part within the label ("" when the label ends before it)
  int x = 0;                // where the rest begins, in page pixels
  int top = 0;              // the label's last word's top and height: the row of the answer (a
  int height = 0;           // line's box may span two rows of a straightened form)
  std::size_t row_end = 0;  // the first word after it on another row (Tesseract's line wrapped)
  std::string label;        // the label as read (one character may be missing), without spaces
  std::string rest;         // the row after the label, without spaces
};

std::optional<AfterLabel> FindAfterLabel(const OcrLine& line, const std::string& label) {
  std::string joined;
  std::vector<std::size_t> starts;
  for (const OcrWord& w : line.words) {
    starts.push_back(joined.size());
    joined += text::RemoveWhitespace(w.text);
  }
  const auto span = text::FindLabel(joined, label, /*allow_drop=*/true);
  if (!span) return std::nullopt;
  const auto [at, end] = *span;
  AfterLabel after;
  after.label = joined.substr(at, end - at);
  after.word = line.words.size();
  after.row_end = line.words.size();
  after.x = line.left + line.width;
  after.top = line.top;
  after.height = line.height;
  for (std::size_t i = 0; i < line.words.size(); ++i) {
    const OcrWord& w = line.words[i];
    const std::size_t word_end = starts[i] + text::RemoveWhitespace(w.text).size();
    if (word_end <= at) continue;
    if (word_end <= end || starts[i] < end) {  // a word of the label
      after.top = w.top;
      after.height = w.height;
    }
    if (word_end <= end) continue;
    after.word = i;
    after.x = w.left;
    if (starts[i] < end) {  // the label ends inside this word: split its box by characters
      after.head = joined.substr(starts[i], end - starts[i]);
      const int all = std::max(1, CountCharacters(joined.substr(starts[i], word_end - starts[i])));
      after.x = w.left + w.width * CountCharacters(after.head) / all;
    }
    break;
  }
  // A line box on a skewed or noisy scan may run on into the next row: its words start again
  // left of the answer.
  for (std::size_t i = after.word + 1; i < line.words.size(); ++i) {
    if (line.words[i].left < after.x) {
      after.row_end = i;
      break;
    }
  }
  const std::size_t rest_end =
      after.row_end < line.words.size() ? starts[after.row_end] : joined.size();
  after.rest = joined.substr(end, rest_end - std::min(end, rest_end));
  return after;
}

// Tesseract's whitelist for as long as this lives.
class Whitelist {
 public:
  Whitelist(tesseract::TessBaseAPI& engine, const std::string& characters) : engine_(engine) {
    engine_.SetVariable("tessedit_char_whitelist", characters.c_str());
  }
  ~Whitelist() { engine_.SetVariable("tessedit_char_whitelist", ""); }
  Whitelist(const Whitelist&) = delete;
  Whitelist& operator=(const Whitelist&) = delete;

 private:
  tesseract::TessBaseAPI& engine_;
};

// Whether each row (or column) of `binary` holds ink: two dark pixels at least.
std::vector<bool> InkLines(Pix* binary, bool rows) {
  NUMA* counts = rows ? pixCountPixelsByRow(binary, nullptr) : pixCountPixelsByColumn(binary);
  std::vector<bool> ink;
  if (counts == nullptr) return ink;
  ink.resize(static_cast<std::size_t>(numaGetCount(counts)));
  for (std::size_t i = 0; i < ink.size(); ++i) {
    l_int32 n = 0;
    numaGetIValue(counts, static_cast<int>(i), &n);
    ink[i] = n >= 2;  // a lone dark pixel is noise
  }
  numaDestroy(&counts);
  return ink;
}

// From `from`, the last index with ink reached by steps of `step` across gaps of at most
// `max_gap` without ink.
int ExtendInk(const std::vector<bool>& ink, int from, int step, int max_gap) {
  int last = from;
  for (int i = from, gap = 0; i >= 0 && i < static_cast<int>(ink.size()) && gap <= max_gap;
       i += step) {
    if (ink[static_cast<std::size_t>(i)]) {
      last = i;
      gap = 0;
    } else {
      ++gap;
    }
  }
  return last;
}

struct InkBox {
  int left = 0;
  int top = 0;
  int right = 0;   // past the last column
  int bottom = 0;  // past the last row
};

// The box [left, right) x [top, bottom) of the answer's ink in `page` right of `left`: the rows
// of ink around `center` (from the ink nearest it, up and down across gaps of height / 4 rows
// within `height` of it: a kanji's strokes leave gaps, 三), then from the first inked column
// across gaps narrower than that band is high. Specks (components smaller than height / 8 each
// way) are left out, so a scanner's noise neither widens the box nor starts it. Tesseract reads
// a glyph in a wide box of paper and specks badly (長女 as LN), and its line boxes on a
// straightened form can take in a stroke of the row above; this box has neither.
std::optional<InkBox> AnswerInk(Pix* page, int left, int right, int center, int height) {
  const int top = std::max(0, center - height);
  const int bottom = std::min<int>(pixGetHeight(page), center + height);
  left = std::max(0, left);
  right = std::min<int>(pixGetWidth(page), right);
  if (right - left < 2 || bottom - top < 2) return std::nullopt;
  BOX* box = boxCreate(left, top, right - left, bottom - top);
  PixPtr clipped(pixClipRectangle(page, box, nullptr));
  boxDestroy(&box);
  if (!clipped) return std::nullopt;
  PixPtr binary(pixGetDepth(clipped.get()) == 1 ? pixClone(clipped.get())
                                                : pixConvertTo1(clipped.get(), 128));
  if (!binary) return std::nullopt;
  const int speck = std::max(3, height / 8);
  PixPtr ink(
      pixSelectBySize(binary.get(), speck, speck, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, nullptr));
  if (!ink) return std::nullopt;
  const std::vector<bool> rows = InkLines(ink.get(), true);
  const int mid = center - top;
  int seed = -1;
  for (int d = 0; d < height && seed < 0; ++d) {
    for (const int y : {mid - d, mid + d}) {
      if (y >= 0 && y < static_cast<int>(rows.size()) && rows[static_cast<std::size_t>(y)]) {
        seed = y;
        break;
      }
    }
  }
  if (seed < 0) return std::nullopt;
  const int row_gap = std::max(2, height / 4);
  const int first = ExtendInk(rows, seed, -1, row_gap);
  const int last = ExtendInk(rows, seed, 1, row_gap);
  BOX* band_box = boxCreate(0, first, pixGetWidth(ink.get()), last - first + 1);
  PixPtr band(pixClipRectangle(ink.get(), band_box, nullptr));
  boxDestroy(&band_box);
  if (!band) return std::nullopt;
  const std::vector<bool> columns = InkLines(band.get(), false);
  const auto start = std::find(columns.begin(), columns.end(), true);
  if (start == columns.end()) return std::nullopt;
  const int x0 = static_cast<int>(start - columns.begin());
  const int x1 = ExtendInk(columns, x0, 1, last - first + 1);
  return InkBox{left + x0, top + first, left + x1 + 1, top + last + 1};
}

// The answer's ink in the line's region from `after.x` on, with a margin: what is read again;
// nullptr when there is none.
PixPtr AnswerRegion(Pix* page, const OcrLine& line, const AfterLabel& after) {
  // Handwriting runs past the box Tesseract gave the line's last word.
  const int right = line.left + line.width + 2 * after.height;
  const auto ink = AnswerInk(page, after.x, right, after.top + after.height / 2, after.height);
  if (!ink) return nullptr;
  const int pad = std::max(2, (ink->bottom - ink->top) / 5);
  return Crop(page, ink->left - pad, ink->top - pad, ink->right + pad, ink->bottom + pad);
}

// The answer read in the line's region from `after.x` on, or "" when none is read surely.
std::string ReadAnswer(tesseract::TessBaseAPI& engine, Pix* page, const OcrLine& line,
                       const AfterLabel& after, const ClosedField& field) {
  PixPtr region = AnswerRegion(page, line, after);
  if (!region) return {};
  // As it is first (a field of a shape: only so).
  const RegionReading free = ReadRegion(engine, region.get(), tesseract::PSM_SINGLE_LINE);
  const std::string free_text = TrimmedMarks(text::RemoveWhitespace(free.text));
  if (field.has_shape) {
    const bool sure = free.confidence >= kMinAnswerConfidence && field.has_shape(free_text);
    return sure ? free_text : std::string();
  }
  const std::string free_answer = text::NearMissOf(free_text, field.answers).value_or("");
  if (!free_answer.empty() && free.confidence >= kMinAnswerConfidence) return free_answer;
  // Then limited to the answers' characters, which reads some glyphs better (妻 misread as 加
  // alone). That reading is kept only with as many characters as the first: the whitelist
  // chooses each glyph's reading, it may not make a word of others (総合診療科, no answer, forced
  // into 総合内科). Unsure, it stands only where the first reading was that very answer (a
  // hand-drawn 妻 read as 妻 both ways, but at 7 %).
  const Whitelist limit(engine, AlphabetOf(field.answers));
  const RegionReading limited = ReadRegion(engine, region.get(), tesseract::PSM_SINGLE_LINE);
  const std::string limited_text = TrimmedMarks(text::RemoveWhitespace(limited.text));
  if (CountCharacters(limited_text) != CountCharacters(free_text)) return {};
  const std::string limited_answer = text::NearMissOf(limited_text, field.answers).value_or("");
  if (limited.confidence >= kMinAnswerConfidence) return limited_answer;
  return limited_text == free_text && limited_answer == free_text ? limited_answer : std::string();
}

// `text` up to the end of `label` (found with the whitespace of `text` left out), whitespace
// kept; the label alone when `text` does not hold it.
std::string TextThrough(const std::string& text, const std::string& label) {
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (text::RemoveWhitespace(text.substr(0, i)).ends_with(label)) return text.substr(0, i);
  }
  return label;
}

// The line with the words after the label replaced by `answer`.
void PutAnswer(ReadLine& read, const AfterLabel& after, const std::string& answer) {
  OcrLine& line = read.line;
  std::vector<OcrWord> words(line.words.begin(),
                             line.words.begin() + static_cast<std::ptrdiff_t>(after.word));
  if (!after.head.empty()) {
    OcrWord head = line.words[after.word];
    head.width = std::max(1, after.x - head.left);
    head.text = after.head;
    words.push_back(head);
  }
  const int right = line.left + line.width;
  words.push_back({after.x, after.top, std::max(1, right - after.x), after.height, answer});
  std::string next_rows;
  for (std::size_t i = after.row_end; i < line.words.size(); ++i) {
    next_rows += " " + line.words[i].text;
    words.push_back(line.words[i]);
  }
  line.words = std::move(words);
  line.text = TextThrough(line.text, after.label) + " " + answer + next_rows;
  read.characters = CountCharacters(line.text);
}

// Reads a field's answer again on `read` when what follows its label is none of its answers.
bool RereadField(tesseract::TessBaseAPI& engine, Pix* page, ReadLine& read,
                 const ClosedField& field) {
  for (const auto& label : field.labels) {
    const auto after = FindAfterLabel(read.line, label);
    if (!after) continue;
    if (after->rest.empty() || HoldsAnswer(after->rest, field) ||
        CountCharacters(after->rest) > LongestAnswer(field) + kMaxExtraCharacters)
      return false;
    const std::string answer = ReadAnswer(engine, page, read.line, *after, field);
    if (answer.empty()) return false;
    PutAnswer(read, *after, answer);
    return true;
  }
  return false;
}

// --- the numbers of an answer of a shape ---

// The digit a code point writes (0-9, full width too), or -1.
int DigitOf(char32_t c) {
  if (c >= U'0' && c <= U'9') return static_cast<int>(c - U'0');
  if (c >= U'０' && c <= U'９') return static_cast<int>(c - U'０');
  return -1;
}

// The numbers written in `text` (runs of digits), in Latin digits.
std::vector<std::string> NumbersIn(const std::string& text) {
  std::vector<std::string> numbers;
  bool in_number = false;
  for (const char32_t c : text::CodePoints(text)) {
    const int digit = DigitOf(c);
    if (digit < 0) {
      in_number = false;
      continue;
    }
    if (!in_number) numbers.emplace_back();
    numbers.back().push_back(static_cast<char>('0' + digit));
    in_number = true;
  }
  return numbers;
}

// `text` with its numbers replaced, in order, by `numbers` (as many as it has).
std::string WithNumbers(const std::string& text, const std::vector<std::string>& numbers) {
  std::string out;
  std::size_t next = 0;
  bool in_number = false;
  for (const char32_t c : text::CodePoints(text)) {
    if (DigitOf(c) < 0) {
      in_number = false;
      AppendUtf8(c, out);
      continue;
    }
    if (!in_number && next < numbers.size()) out += numbers[next++];
    in_number = true;
  }
  return out;
}

// The number of `read` or of `alone` (two readings of one number that differ) that the Latin
// model's reading of the same ink (`latin`: its digits, whatever it made of the kanji between
// them) holds: the one it holds, or the longer when it holds both (a digit left out is the
// usual misreading); `read` when it holds neither.
std::string NumberLatinHolds(const std::string& read, const std::string& alone,
                             const std::string& latin) {
  const bool holds_read = latin.find(read) != std::string::npos;
  const bool holds_alone = latin.find(alone) != std::string::npos;
  if (holds_alone && (!holds_read || alone.size() > read.size())) return alone;
  return read;
}

// Reads the numbers of a field's answer again: the answer's ink alone, with the page's model and
// with the Latin one (ocr/field_reread.h).
bool RereadNumbers(tesseract::TessBaseAPI& engine, const DigitReader& digit_reader, Pix* page,
                   ReadLine& read, const ClosedField& field) {
  for (const auto& label : field.labels) {
    const auto after = FindAfterLabel(read.line, label);
    if (!after) continue;
    if (CountCharacters(after->rest) > LongestAnswer(field) + kMaxExtraCharacters) return false;
    const std::vector<std::string> as_read = NumbersIn(after->rest);
    if (as_read.empty()) return false;
    PixPtr region = AnswerRegion(page, read.line, *after);
    if (!region) return false;
    const std::vector<std::string> alone =
        NumbersIn(ReadRegion(engine, region.get(), tesseract::PSM_SINGLE_LINE).text);
    if (alone.size() != as_read.size() || alone == as_read) return false;
    tesseract::TessBaseAPI* digits = digit_reader();
    if (digits == nullptr) return false;
    std::string latin;
    for (const auto& number :
         NumbersIn(ReadRegion(*digits, region.get(), tesseract::PSM_SINGLE_LINE).text))
      latin += number;
    std::vector<std::string> numbers;
    for (std::size_t i = 0; i < as_read.size(); ++i)
      numbers.push_back(NumberLatinHolds(as_read[i], alone[i], latin));
    if (numbers == as_read) return false;
    // A reading of the shape keeps it; one without (a misread era: 邊和724年) may change.
    const std::string answer = WithNumbers(after->rest, numbers);
    if (field.has_shape(after->rest) && !field.has_shape(answer)) return false;
    PutAnswer(read, *after, answer);
    return true;
  }
  return false;
}

}  // namespace

bool RereadClosedFields(tesseract::TessBaseAPI& engine, Pix* page, PageReading& reading,
                        const std::vector<ClosedField>& fields, Deadline deadline,
                        const DigitReader& digit_reader) {
  if (fields.empty() || reading.cut_short) return false;
  bool changed = false;
  for (ReadLine& read : reading.lines) {
    // A line whose choices were written as ■ and □ is decided by its marks (page_mending.h).
    if (read.line.vertical || read.line.words.empty() ||
        read.line.text.find("■") != std::string::npos ||
        read.line.text.find("□") != std::string::npos)
      continue;
    for (const ClosedField& field : fields) {
      if (Passed(deadline)) break;
      changed = RereadField(engine, page, read, field) || changed;
      if (field.has_shape && digit_reader && !Passed(deadline))
        changed = RereadNumbers(engine, digit_reader, page, read, field) || changed;
    }
  }
  if (changed) reading.text = TextOf(reading.lines);
  return changed;
}

}  // namespace intake::ocr

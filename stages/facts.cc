#include "stages/facts.h"

#include <algorithm>
#include <array>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/manifest.h"
#include "pipeline/log.h"
#include "pipeline/utf8.h"
#include "stages/domain_words.h"
#include "stages/japanese_date.h"
#include "text/text_normalize.h"

namespace intake::stages {
namespace {

constexpr double kParseCertainty = 0.95;  // a labelled field read as written
// A value read that cannot be what the field asks for (a department without 科): kept in the
// report for staff to see, below any sensible min_confidence so that no rule trusts it.
constexpr double kImplausibleReading = 0.2;

// The labels of the application form's fields: the University of Tokyo's wording first, then
// other second-opinion forms' (ご希望の診療科, 来院される方, 患者との関係 ...). Only labels of four
// characters or more are added: FindField also tries each with one character dropped, and a
// shorter one would then match unrelated lines (相談者 as 相談, the start of 相談内容).
const std::vector<std::string> kAttendanceLabels{"受診者", "受診される方", "来院される方",
                                                 "相談される方", "来院する方", "受診する方"};
const std::vector<std::string> kDepartmentLabels{"希望診療科", "受診希望科", "希望の診療科",
                                                 "希望する診療科", "相談希望科", "受診診療科"};
// Not 同居別居: with the spaces gone it is also how "患者との同居　別居" (label and answer) reads.
const std::vector<std::string> kLivingTogetherLabels{"患者との同居", "同居の有無", "同居・別居",
                                                     "同居/別居", "同居の別"};
const std::vector<std::string> kPatientNameLabels{"患者氏名", "患者様氏名", "患者さま氏名",
                                                  "患者のお名前", "患者様のお名前"};
const std::vector<std::string> kRelationLabels{"続柄", "患者との関係", "患者様との関係",
                                               "患者さまとの関係"};
const std::vector<std::string> kBirthDateLabels{"生年月日"};

// Where a field was read: the page and how sure we are of its text.
struct Located {
  std::string value;  // match form (NFKC, no spaces)
  const Document* document = nullptr;
  const Page* page = nullptr;
  double confidence = 0;
  bool at_line_start = false;  // the label begins its line (a form field, not a mention)
  std::string matched;         // the line from the label on (match form), to find it on the page
};

double PageTextConfidence(const Page& page) {
  if (page.text_source == TextSource::kPdfTextLayer) return 1.0;
  return page.ocr_confidence.value_or(0.0);
}

std::string StripLeadingPunctuation(std::string value) {
  // Also what specks and ruled lines before a value are read as (. _ ' 、).
  static const std::array<std::string, 11> kPunct{":", "：", "・", "-", "=", "|", ".",
                                                  "。", "_",  "'", "、"};
  bool changed = true;
  while (changed && !value.empty()) {
    changed = false;
    for (const auto& p : kPunct) {
      if (value.rfind(p, 0) == 0) {
        value.erase(0, p.size());
        changed = true;
      }
    }
  }
  return value;
}

std::size_t FirstCodepointBytes(const std::string& s) {
  std::size_t len = s.empty() ? 0 : 1;
  while (len < s.size() && (static_cast<unsigned char>(s[len]) & 0xC0) == 0x80) ++len;
  return len;
}

// Calls visit(document, page, n, line) for each line (match form, the n-th of its page) of the
// documents of `type`.
template <typename Visit>
void ForEachLine(const Case& c, const std::string& type, Visit visit) {
  for (const auto& doc : c.documents) {
    if (doc.type != type) continue;
    for (const auto& page_id : doc.page_ids) {
      const Page* page = c.FindPage(page_id);
      const std::vector<std::string> lines = text::MatchFormLines(page->text);
      for (std::size_t n = 0; n < lines.size(); ++n) visit(doc, page, n, lines[n]);
    }
  }
}

// A field read from `line` of `page`: `value` from `begin` (bytes) on is what was matched.
Located LocatedAt(const Document& doc, const Page* page, const std::string& line,
                  std::size_t begin, std::string value) {
  Located l;
  l.value = std::move(value);
  l.document = &doc;
  l.page = page;
  l.confidence = std::min(kParseCertainty, PageTextConfidence(*page));
  // At the start of its line, or one character in: OCR misread the label's first character
  // (傷病名 read as 但病名) or read a table rule or bullet before it.
  l.at_line_start = begin == 0 || begin == FirstCodepointBytes(line);
  l.matched = line.substr(begin);
  return l;
}

// The text after a label, on every line (of the documents of `type`) that has one: exact
// matches first, then labels with one character dropped. Callers take the first that parses.
std::vector<Located> FindField(const Case& c, const std::string& type,
                               const std::vector<std::string>& labels) {
  std::vector<Located> found;
  std::set<std::pair<const Page*, std::size_t>> matched;  // each line once
  for (const bool allow_drop : {false, true}) {
    ForEachLine(c, type, [&](const Document& doc, const Page* page, std::size_t n,
                             const std::string& line) {
      if (matched.count({page, n})) return;
      for (const auto& label : labels) {
        const auto span = text::FindLabel(line, text::MatchForm(label), allow_drop);
        if (!span) continue;
        const auto [begin, end] = *span;
        found.push_back(
            LocatedAt(doc, page, line, begin, StripLeadingPunctuation(line.substr(end))));
        matched.insert({page, n});
        return;
      }
    });
  }
  return found;
}

// Lines (of the documents of `type`) that are a field's row of choices by what they offer, its
// label misread (受診者 read as 受及話 beside a punch hole): the whole line as the value.
template <typename Offers>
std::vector<Located> FindChoiceRows(const Case& c, const std::string& type, Offers offers) {
  std::vector<Located> found;
  ForEachLine(c, type, [&](const Document& doc, const Page* page, std::size_t,
                           const std::string& line) {
    if (offers(line)) found.push_back(LocatedAt(doc, page, line, 0, line));
  });
  return found;
}

// The first field found whose value `parse` accepts.
template <typename Parse>
auto FirstParsed(const std::vector<Located>& found, Parse parse) -> std::optional<
    std::pair<Located, typename std::invoke_result_t<Parse, std::string>::value_type>> {
  for (const auto& l : found) {
    if (auto v = parse(l.value)) return std::make_pair(l, *v);
  }
  return std::nullopt;
}

std::optional<std::string> NonEmpty(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

Fact MakeFact(std::string name, FactValue value, const Located& where) {
  Fact f;
  f.name = std::move(name);
  f.value = std::move(value);
  f.confidence = where.confidence;
  f.source.document_id = where.document->id;
  f.source.page_id = where.page->id;
  f.source.matched = where.matched;
  return f;
}

// The option marked with ■ (or ☑ ✔ ✓) on a checkbox line, or the whole value when none is.
std::string MarkedOption(const std::string& value) {
  static const std::array<std::string, 4> kMarks{"■", "☑", "✔", "✓"};
  for (const auto& mark : kMarks) {
    const auto pos = value.find(mark);
    if (pos == std::string::npos) continue;
    std::string rest = value.substr(pos + mark.size());
    const auto next = std::min(rest.find("□"), rest.find("☐"));
    return next == std::string::npos ? rest : rest.substr(0, next);
  }
  return value;
}

// The option a ring's mark falls inside, the ring's edge having cut its word (同■居□: the
// ring round 同居 drawn through 同): with the marks taken out, the one option that has a glyph
// on each side of the ■'s place and ends where the □ was (at the ring's other edge), if there
// is one. nullopt when the ■ falls between words, or more than one option could be meant. (An
// attendance option cut so still names one by its tail, 者本人と家族, or is near one, 族のみ.)
std::optional<std::string> OptionCutByMark(const std::string& value,
                                           const std::vector<std::string>& options) {
  std::u32string plain;
  std::size_t mark = std::u32string::npos, end = std::u32string::npos;
  for (const char32_t glyph : text::CodePoints(value)) {
    if (glyph == U'■' && mark == std::u32string::npos) {
      mark = plain.size();
    } else if (glyph == U'□' && mark != std::u32string::npos && end == std::u32string::npos) {
      end = plain.size();
    } else if (glyph != U'■' && glyph != U'□') {
      plain += glyph;
    }
  }
  if (mark == std::u32string::npos) return std::nullopt;
  std::optional<std::string> cut;
  for (const auto& option : options) {
    const std::u32string glyphs = text::CodePoints(option);
    for (std::size_t at = plain.find(glyphs); at != std::u32string::npos;
         at = plain.find(glyphs, at + 1)) {
      const bool across = at < mark && mark < at + glyphs.size();
      if (!across || (end != std::u32string::npos && at + glyphs.size() != end)) continue;
      if (cut && *cut != option) return std::nullopt;
      cut = option;
    }
  }
  return cut;
}

// The options a field's row offers, as forms print them: the ringed-option reading below matches
// a ring's contents against these.
const std::vector<std::string> kAttendanceOptions{"患者本人", "本人", "患者本人と家族", "本人と家族",
                                                  "家族のみ"};
const std::vector<std::string> kLivingTogetherOptions{"同居", "別居"};

// The one of `options` that `read` is nearest to, with at most one glyph in `misread_in` of it
// misread and no other option as near; nullopt when none is. Options a mark or ring singles out
// are few and known, so a nearer miss than text::NearMissOf asks of free text will do.
std::optional<std::string> NearestOption(std::u32string_view read,
                                         const std::vector<std::string>& options,
                                         std::size_t misread_in) {
  const auto nearest = text::FindNearestWord(read, options);
  if (!nearest || nearest->distance * misread_in > text::CodePoints(*nearest->word).size() ||
      nearest->runner_up <= nearest->distance)
    return std::nullopt;
  return *nearest->word;
}

// The option a hand-drawn ring marks where OCR read the ring as brackets round it ("(同居)",
// "<屋者本人と家族)", 患 misread): the bracketed text is one of `options` or a near miss of one (a
// third of its characters at most, no other option as near). A printed remark in brackets,
// "(本人は来院しない)", is none, and a row with a ■ is decided by its marks (MarkedOption).
std::optional<std::string> RingedOption(const std::string& value,
                                        const std::vector<std::string>& options) {
  static const std::array<std::string_view, 7> kOpen{"(", "<", "〈", "[", "《", "【", "{"};
  static const std::array<std::string_view, 7> kClose{")", ">", "〉", "]", "》", "】", "}"};
  std::optional<std::string> ringed;
  for (std::size_t at = 0; at < value.size(); ++at) {
    const auto open = std::find_if(kOpen.begin(), kOpen.end(), [&](std::string_view o) {
      return std::string_view(value).substr(at).starts_with(o);
    });
    if (open == kOpen.end()) continue;
    const std::size_t from = at + open->size();
    std::size_t to = std::string::npos;
    for (const auto close : kClose) to = std::min(to, value.find(close, from));
    if (to == std::string::npos) break;
    if (auto option = NearestOption(text::CodePoints(value.substr(from, to - from)), options, 3)) {
      if (ringed) return std::nullopt;  // two rings: not one answer
      ringed = std::move(option);
    }
    at = to;
  }
  return ringed;
}

// The option words of the attendance field as OCR commonly misreads them (人 read as 入 or 大,
// 族 as 旅), folded back: the field has no other words those readings could be.
std::string FoldAttendanceMisreadings(std::string v) {
  static const std::array<std::pair<std::string_view, std::string_view>, 3> kFolds{
      {{"本入", "本人"}, {"本大", "本人"}, {"家旅", "家族"}}};
  for (const auto& [misread, word] : kFolds) {
    for (auto at = v.find(misread); at != std::string::npos; at = v.find(misread, at))
      v.replace(at, misread.size(), word);
  }
  return v;
}

// The attendance options a value names: family only, patient and family, patient.
int AttendanceOptionsNamed(std::string v) {
  int named = 0;
  for (const char* both : {"本人と家族", "本人及び家族", "本人および家族"}) {
    const auto at = v.find(both);
    if (at == std::string::npos) continue;
    ++named;
    v.erase(at, std::string(both).size());
    break;
  }
  if (v.find("家族のみ") != std::string::npos) ++named;
  if (v.find("本人") != std::string::npos) ++named;
  return named;
}

// What OCR reads an empty checkbox (□) as: the box itself, the kanji 口 or the katakana ロ.
bool IsEmptyBoxGlyph(char32_t glyph) {
  return glyph == U'□' || glyph == U'☐' || glyph == U'口' || glyph == U'ロ';
}

// The option marked in a row read as boxes and options and nothing else, each box read as a
// glyph before its option (the longest option that follows it: 患者本人と家族 before 患者本人):
// the one option whose box is no empty box, nor a glyph of an option, where the others' are.
// "画患者本人口患者本人と家族口家族のみ" marks 患者本人, though 患者本人 is also part of the second.
std::optional<std::string> MarkedInRowOfBoxes(const std::string& value,
                                              const std::vector<std::string>& options) {
  const std::u32string row = text::CodePoints(value);
  std::u32string option_glyphs;
  for (const auto& option : options) option_glyphs += text::CodePoints(option);
  std::optional<std::string> marked;
  int empty = 0;
  for (std::size_t at = 0; at < row.size();) {
    const std::string* longest = nullptr;
    std::size_t length = 0;
    for (const auto& option : options) {
      const std::u32string glyphs = text::CodePoints(option);
      if (glyphs.size() > length && row.compare(at + 1, glyphs.size(), glyphs) == 0) {
        longest = &option;
        length = glyphs.size();
      }
    }
    if (longest == nullptr) return std::nullopt;  // not a box and an option
    if (IsEmptyBoxGlyph(row[at])) {
      ++empty;
    } else if (marked || option_glyphs.find(row[at]) != std::u32string::npos) {
      return std::nullopt;
    } else {
      marked = *longest;
    }
    at += 1 + length;
  }
  return empty > 0 ? marked : std::nullopt;
}

// A value that names several options with none marked is a form's printed choices whose mark was
// not seen (a ring or tick OCR does not read): no answer, rather than the first option's.
std::optional<std::string> ParseAttendance(const std::string& value) {
  std::string marked = MarkedOption(value);
  if (marked == value)
    marked = RingedOption(FoldAttendanceMisreadings(value), kAttendanceOptions).value_or(value);
  if (marked == value) {
    marked = MarkedInRowOfBoxes(FoldAttendanceMisreadings(StripLeadingPunctuation(value)),
                                kAttendanceOptions)
                 .value_or(value);
  }
  const std::string v = FoldAttendanceMisreadings(marked);
  if (marked == value && AttendanceOptionsNamed(v) > 1) return std::nullopt;
  if (v.find("家族のみ") != std::string::npos) return "family_only";
  // "本人と…" or "…と家族" is only ever the option of both, however the rest was read (家施).
  if (v.find("本人と") != std::string::npos || v.find("と家族") != std::string::npos ||
      v.find("及び家族") != std::string::npos || v.find("および家族") != std::string::npos)
    return "patient_and_family";
  if (v.find("本人") != std::string::npos) return "patient";
  // A marked or ringed option misread (■愚者本/): the option it is nearest to, with half its
  // glyphs right at least and no other option as near.
  if (marked != value) {
    std::u32string glyphs = text::CodePoints(StripLeadingPunctuation(marked));
    std::erase_if(glyphs, [](char32_t g) { return g == U' ' || g == U'　'; });
    if (const auto option = NearestOption(glyphs, kAttendanceOptions, 2))
      return ParseAttendance(*option);
  }
  return std::nullopt;
}

// Where `option` is in `row`: the option itself, or — when `by_first` and it is not there — its
// first glyph followed by another (a hand-like face's second glyph misread: 別居 read as 別由).
std::size_t FindOption(const std::u32string& row, const std::u32string& option, bool by_first) {
  const std::size_t at = row.find(option);
  if (at != std::u32string::npos || !by_first) return at;
  const std::size_t first = row.find(option.front());
  if (first == std::u32string::npos || first + 1 >= row.size()) return std::u32string::npos;
  return first;
}

// The option whose box OCR read as a glyph other than an empty box where the other options' boxes
// were read as empty ones (an empty □ and the kanji 口 look alike; a filled or ticked box comes out
// as 画, 品, 一, M ...): "口同居 画別居" marks 別居. Each option must have such a glyph before it
// that is no part of an option, so "口同居 別居" (the second box not read at all) marks nothing.
// For options that are not part of each other; where their first glyphs differ, an option is also
// found by its first glyph ("口同居 M別由" marks 別居).
std::optional<std::string> BoxReadAsGlyph(const std::string& value,
                                          const std::vector<std::string>& options) {
  const std::u32string row = text::CodePoints(value);
  std::u32string option_glyphs, first_glyphs;
  for (const auto& option : options) {
    const std::u32string glyphs = text::CodePoints(option);
    option_glyphs += glyphs;
    if (!glyphs.empty() && first_glyphs.find(glyphs.front()) == std::u32string::npos)
      first_glyphs += glyphs.front();
  }
  const bool by_first = first_glyphs.size() == options.size();
  std::optional<std::string> marked;
  for (const auto& option : options) {
    const std::u32string glyphs = text::CodePoints(option);
    const std::size_t at =
        glyphs.empty() ? std::u32string::npos : FindOption(row, glyphs, by_first);
    if (at == std::u32string::npos || at == 0) return std::nullopt;
    const char32_t box = row[at - 1];
    if (IsEmptyBoxGlyph(box)) continue;
    if (marked || option_glyphs.find(box) != std::u32string::npos) return std::nullopt;
    marked = option;
  }
  return marked;
}

// Whether an empty box was read directly before one of `options` in `value`: a row of boxes,
// whose answer is the marked box's option, never an option merely printed there.
bool HasEmptyBoxBeforeAnOption(const std::string& value, const std::vector<std::string>& options) {
  const std::u32string row = text::CodePoints(value);
  for (const auto& option : options) {
    const std::u32string glyphs = text::CodePoints(option);
    for (std::size_t at = row.find(glyphs); at != std::u32string::npos;
         at = row.find(glyphs, at + 1)) {
      if (at > 0 && IsEmptyBoxGlyph(row[at - 1])) return true;
    }
  }
  return false;
}

std::optional<bool> ParseLivingTogether(const std::string& value) {
  std::string v = MarkedOption(value);
  if (v != value && v.find("同居") == std::string::npos && v.find("別居") == std::string::npos)
    v = OptionCutByMark(value, kLivingTogetherOptions).value_or(v);
  if (v == value) v = RingedOption(value, kLivingTogetherOptions).value_or(value);
  if (v == value) v = BoxReadAsGlyph(value, kLivingTogetherOptions).value_or(value);
  if (v == value && HasEmptyBoxBeforeAnOption(value, kLivingTogetherOptions)) return std::nullopt;
  const bool apart = v.find("別居") != std::string::npos;
  const bool together = v.find("同居") != std::string::npos;
  if (apart && together) return std::nullopt;  // both printed, the mark not seen
  if (apart) return false;
  if (together) return true;
  // A marked option whose second glyph was misread (■同怖, in a hand-like face): the two options
  // differ in their first, so that one decides.
  if (v != value) {
    std::string option = StripLeadingPunctuation(v);
    while (option.rfind(" ", 0) == 0) option.erase(0, 1);
    while (option.rfind("　", 0) == 0) option.erase(0, std::string("　").size());
    if (option.rfind("同", 0) == 0) return true;
    if (option.rfind("別", 0) == 0) return false;
    // Or misread whole (■司居 □口別居): the option not printed after an empty box, by elimination.
    const bool apart_empty = HasEmptyBoxBeforeAnOption(value, {"別居"});
    if (apart_empty != HasEmptyBoxBeforeAnOption(value, {"同居"})) return apart_empty;
  }
  return std::nullopt;
}

// Cuts a free-text value at the next field on the same line: "(", "、", or a known label.
std::string CutValue(std::string value) {
  for (const char* stop : {"(", "（", "、", "受診希望", "電話"}) {
    const auto pos = value.find(stop);
    if (pos != std::string::npos && pos > 0) value = value.substr(0, pos);
  }
  return value;
}

// A short free-text value (department, name, relation) cut at the next field on its line.
std::optional<std::string> ParseShortValue(const std::string& value) {
  return NonEmpty(CutValue(value));
}

// A birth date as written; or, its era read with a glyph wrong (邊和24年), the one date of the
// eras it may be that is not after `latest` (the submission date, when known).
std::optional<std::string> ParseIsoBirthDate(const std::string& value,
                                             const std::optional<Date>& latest) {
  if (auto d = ParseJapaneseDate(value)) return d->Iso();
  std::vector<Date> dates = DatesWithEraMisread(value);
  if (latest) {
    std::erase_if(dates, [&](const Date& d) { return DaysBetween(d, *latest) < 0; });
  }
  if (dates.size() == 1) return dates.front().Iso();
  return std::nullopt;
}

template <typename Parse>
void SetFirst(Case& c, const char* fact, const std::vector<Located>& found, Parse parse) {
  if (auto hit = FirstParsed(found, parse)) c.SetFact(MakeFact(fact, hit->second, hit->first));
}

// --- yes/no form fields ---------------------------------------------------------------------

// The answer of a yes/no field as written: a marked box (■有　□無) or a word at the start of the
// value (有 / あり / はい, 無 / なし / いいえ). Anything else, both boxes marked, or text after the
// word that is not a note in brackets, is no answer: a form field says it plainly or not at all.
std::optional<bool> ParseYesNo(std::string value, const std::vector<std::string>& yes_words,
                               const std::vector<std::string>& no_words) {
  for (const char* lead : {"の有無", "有無", "について", "の予定"}) {
    if (value.rfind(lead, 0) == 0) value.erase(0, std::string(lead).size());
  }
  value = StripLeadingPunctuation(value);
  static const std::array<std::string, 4> kMarks{"■", "☑", "✔", "✓"};
  std::optional<std::string> marked;
  for (const auto& mark : kMarks) {
    for (auto pos = value.find(mark); pos != std::string::npos; pos = value.find(mark, pos + 1)) {
      if (marked) return std::nullopt;  // two marks: contradictory
      marked = value.substr(pos + mark.size());
    }
  }
  const std::string answer = marked ? *marked : value;
  auto starts = [&](const std::vector<std::string>& words) {
    for (const auto& w : words) {
      if (answer.rfind(w, 0) != 0) continue;
      const std::string rest = answer.substr(w.size());
      // After the word: nothing, a note in brackets, or (for marked boxes) the other options.
      if (marked || rest.empty() || rest.rfind("(", 0) == 0 || rest.rfind("（", 0) == 0)
        return true;
    }
    return false;
  };
  // Longer words first where one starts another (得ていない / 得ている).
  const bool no = starts(no_words);
  const bool yes = !no && starts(yes_words);
  if (yes) return true;
  if (no) return false;
  // OCR may leave the glyph it read in a marked box beside the mark (■田有): one more try
  // without it.
  if (marked && !marked->empty()) {
    const std::string rest = marked->substr(FirstCodepointBytes(*marked));
    for (const auto& w : no_words)
      if (rest.rfind(w, 0) == 0) return false;
    for (const auto& w : yes_words)
      if (rest.rfind(w, 0) == 0) return true;
  }
  return std::nullopt;
}

const std::vector<std::string> kYesWords = {"有り", "有", "あり", "はい", "得ている", "済み", "済"};
const std::vector<std::string> kNoWords = {"無し", "無", "なし", "いいえ", "得ていない"};

// A form field that states one of the exclusion facts (or the physician's approval) outright.
struct FlagField {
  const char* fact;
  std::vector<std::string> document_types;
  std::vector<std::string> labels;  // at the start of a line
  std::vector<std::string> yes_words;
  std::vector<std::string> no_words;
};

const std::vector<FlagField>& FlagFields() {
  static const std::vector<FlagField> fields = {
      {"physician_approval",
       {"application_form", "referral_letter"},
       {"主治医の了承", "主治医の承諾", "主治医了承", "担当医の了承"},
       kYesWords,
       kNoWords},
      {"transfer_request",
       {"application_form"},
       {"転院のご希望", "転院の希望", "転院希望"},
       kYesWords,
       kNoWords},
      {"litigation",
       {"application_form"},
       {"医療訴訟", "訴訟の有無", "訴訟・係争", "係争中の訴訟"},
       kYesWords,
       kNoWords},
      {"from_abroad",
       {"application_form"},
       {"海外からのご相談", "海外からの相談", "海外在住"},
       kYesWords,
       kNoWords},
      {"from_abroad", {"application_form"}, {"お住まい", "居住地"}, {"海外"}, {"国内", "日本国内"}},
      {"patient_deceased",
       {"application_form"},
       {"患者さんのご逝去", "患者の死亡", "患者死亡"},
       kYesWords,
       kNoWords},
      {"patient_deceased",
       {"application_form"},
       {"患者さんの生死", "患者の生死", "患者さんのご存命", "患者の存命"},
       {"死亡", "逝去", "亡"},
       {"存命", "生存"}},
  };
  return fields;
}

// Reads each flag field from the lines that start with its label (one character dropped by
// OCR is tolerated for labels of four or more), never from free text that merely mentions it.
void ExtractFlags(Case& c) {
  for (const FlagField& field : FlagFields()) {
    if (c.FindFact(field.fact)) continue;  // an earlier field (or label) answered it
    for (const auto& type : field.document_types) {
      if (c.FindFact(field.fact)) break;
      for (const Located& l : FindField(c, type, field.labels)) {
        if (!l.at_line_start) continue;
        if (auto answer = ParseYesNo(l.value, field.yes_words, field.no_words)) {
          c.SetFact(MakeFact(field.fact, *answer, l));
          break;
        }
      }
    }
  }
}

std::optional<std::int64_t> KinshipDegree(const std::string& relation);

// A relation as written after 続柄 ("：長男)", "(患者からみて)長男"), cut at the next field.
std::string CutRelation(std::string value) {
  value = StripLeadingPunctuation(value);
  if (value.rfind("(患者からみて)", 0) == 0) value.erase(0, std::string("(患者からみて)").size());
  value = StripLeadingPunctuation(value);
  for (const char* stop : {")", "）"}) {
    const auto pos = value.find(stop);
    if (pos != std::string::npos) value = value.substr(0, pos);
  }
  value = CutValue(value);
  // A speck after the word, read as a full stop or comma (夫.).
  for (bool cut = true; cut;) {
    cut = false;
    for (const std::string_view tail : {".", ",", "。", "、", "・", " "}) {
      if (value.size() > tail.size() && value.ends_with(tail)) {
        value.resize(value.size() - tail.size());
        cut = true;
      }
    }
  }
  return value;
}

// --- attending family members ---------------------------------------------------------------

// The rows of the application form that name an attending family member ("受診する家族の氏名
// 山田　花子　続柄　長女"), one per member; and the relations written in them.
struct AttendeeRows {
  std::vector<Located> rows;
  std::vector<Located> relations;
};

// A member's name as a row of the form gives it: without the birth date the row may carry
// ("山田花子昭和50年3月2日生"), cut at 続柄.
std::string AttendeeName(std::string row) {
  static const std::regex kDate(
      "(明治|大正|昭和|平成|令和|[MTSHR])?[0-9]{1,4}[年./-][0-9]{1,2}[月./-][0-9]{1,2}日?生?");
  row = std::regex_replace(row, kDate, "");
  return StripLeadingPunctuation(row.substr(0, row.find("続柄")));
}

AttendeeRows FindAttendeeRows(const Case& c) {
  AttendeeRows out;
  for (const Located& l :
       FindField(c, "application_form", {"受診する家族", "同席する家族", "受診するご家族",
                                         "来院する家族", "来院されるご家族", "同行する家族"})) {
    std::string row = l.value;
    for (const char* lead : {"の氏名", "氏名"}) {
      if (row.rfind(lead, 0) == 0) row.erase(0, std::string(lead).size());
    }
    row = StripLeadingPunctuation(row);
    const std::string name = AttendeeName(row);
    if (name.empty()) continue;  // a blank row of the form
    // A member's name is short; a sentence mentioning family is not a row.
    if (text::CodepointLength(name) > 12 || name.find("。") != std::string::npos) continue;
    out.rows.push_back(l);
    const auto relation_at = row.find("続柄");
    if (relation_at != std::string::npos) {
      Located relation = l;
      relation.value = CutRelation(row.substr(relation_at + std::string("続柄").size()));
      // A kinship word, or no relation: a misread one (妻 read as 加) is no answer.
      if (!relation.value.empty() && KinshipDegree(relation.value))
        out.relations.push_back(relation);
    }
  }
  return out;
}

void ExtractAttendees(Case& c) {
  const AttendeeRows found = FindAttendeeRows(c);
  std::vector<Located> relations = found.relations;
  if (relations.empty()) {  // forms with 続柄 on a line of its own, or beside 受診者
    for (const Located& l : FindField(c, "application_form", kRelationLabels)) {
      const std::string relation = CutRelation(l.value);
      if (relation.empty() || !KinshipDegree(relation)) continue;
      Located r = l;
      r.value = relation;
      relations.push_back(r);
      break;
    }
  }
  if (!relations.empty()) {
    // Several members: all their relations, the least sure reading decides the confidence.
    Located joined = relations.front();
    for (std::size_t i = 1; i < relations.size(); ++i) {
      joined.value += "、" + relations[i].value;
      joined.confidence = std::min(joined.confidence, relations[i].confidence);
    }
    c.SetFact(MakeFact("attendee_relation", joined.value, joined));
  }
  // How many attend: the rows that name a member; without readable rows, the relations the form
  // names (one relation, one member).
  const std::vector<Located>& members = found.rows.empty() ? relations : found.rows;
  if (!members.empty()) {
    Located first = members.front();
    for (const auto& m : members) first.confidence = std::min(first.confidence, m.confidence);
    c.SetFact(
        MakeFact("attending_family_count", static_cast<std::int64_t>(members.size()), first));
  }
}

// With the patient attending alone no family member attends; with family, the rows counted
// above (or the manifest) say how many.
void DeriveAttendingFamilyCount(Case& c) {
  const Fact* attendance = c.FindFact("attendance");
  const Fact* count = c.FindFact("attending_family_count");
  if (!attendance || !attendance->known()) return;
  const std::string& who = std::get<std::string>(attendance->value);
  const Fact* relation = c.FindFact("attendee_relation");
  if (who != "patient" && !count && relation && relation->known()) {
    // The relations named (the manifest's "長女", a form's "長女、孫"): one member each.
    const std::string& names = std::get<std::string>(relation->value);
    std::int64_t members = 1;
    for (const char* sep : {"、", ",", "・", "/"}) {
      for (auto at = names.find(sep); at != std::string::npos; at = names.find(sep, at + 1))
        ++members;
    }
    Fact f = *relation;
    f.name = "attending_family_count";
    f.value = members;
    c.SetFact(std::move(f));
    return;
  }
  if (who == "patient") {
    if (count && count->source.from_manifest) return;
    Fact f = *attendance;
    f.name = "attending_family_count";
    f.value = std::int64_t{0};
    c.SetFact(std::move(f));
  }
}

// The diagnosis as the referral letter writes it, else as the application form does (a letter's
// table may put the value beside its label where the text layer breaks it off), with near-miss
// OCR of common diagnoses corrected and the reading kept beside the correction.
void ExtractDiagnosis(Case& c) {
  for (const char* type : {"referral_letter", "application_form"}) {
    std::vector<Located> found = FindField(c, type, {"傷病名", "診断名", "疾患名", "病名"});
    std::erase_if(found, [](const Located& l) { return !l.at_line_start; });  // a field, not prose
    auto hit = FirstParsed(found, NonEmpty);
    if (!hit) continue;
    Fact f = MakeFact("diagnosis", hit->second, hit->first);
    if (hit->first.page->text_source != TextSource::kPdfTextLayer) {
      const Fact* department = c.FindFact("department");
      const Corrected corrected = CorrectDiagnosis(
          hit->second, department && department->known()
                           ? std::get<std::string>(department->value) : std::string());
      if (corrected.changed) {
        f.read_as = hit->second;
        f.value = corrected.text;
      }
    }
    c.SetFact(std::move(f));
    return;
  }
}

// Clinical departments are named ...科 (泌尿器科, 乳腺・内分泌外科), or a clinic (...外来,
// ...センター, ペインクリニック); a reading with none of these is no department's name (導M).
constexpr std::array<std::string_view, 4> kDepartmentEndings{"科", "外来", "センター",
                                                             "クリニック"};

bool LooksLikeDepartment(const std::string& value) {
  return std::any_of(kDepartmentEndings.begin(), kDepartmentEndings.end(),
                     [&](std::string_view e) { return value.find(e) != std::string::npos; });
}

// A department read by OCR up to its name's ending: specks read after it on the line (._。」R0
// on a noisy scan) are not part of it.
std::string UpToDepartmentEnding(const std::string& value) {
  std::size_t end = std::string::npos;
  for (const std::string_view ending : kDepartmentEndings) {
    const auto at = value.rfind(ending);
    if (at != std::string::npos && (end == std::string::npos || at + ending.size() > end))
      end = at + ending.size();
  }
  return end == std::string::npos ? value : value.substr(0, end);
}

// Lines of the application form that are its department's row by their value, the label misread
// (希望診療科 read as 笛当有療科 on a bilevel scan): a head as long as a label, a glyph more or
// less, that ends as the labels do (科), then a common department's name or a near miss of one.
// The value is what follows the head.
std::vector<Located> FindDepartmentRows(const Case& c) {
  static const std::vector<std::string> departments = CommonDepartments();
  std::vector<Located> found;
  ForEachLine(c, "application_form", [&](const Document& doc, const Page* page, std::size_t,
                                         const std::string& line) {
    const std::u32string glyphs = text::CodePoints(UpToDepartmentEnding(line));
    constexpr std::size_t kShortestHead = 4;  // 希望診療科 with a glyph dropped
    constexpr std::size_t kLongestHead = 8;   // 希望する診療科 with one more
    for (std::size_t head = kShortestHead; head <= kLongestHead && head < glyphs.size(); ++head) {
      if (glyphs[head - 1] != U'科') continue;
      const std::string value = Utf8Of(std::u32string_view(glyphs).substr(head));
      if (CorrectDepartment(value).changed ||
          std::find(departments.begin(), departments.end(), value) != departments.end()) {
        found.push_back(LocatedAt(doc, page, line, 0, value));
        return;
      }
    }
  });
  return found;
}

// The department applied to, with a near-miss reading of a common department's name corrected
// (the reading kept beside it) on OCR'd pages; a reading that is no department's name is not
// trusted.
void ExtractDepartment(Case& c) {
  auto hit = FirstParsed(FindField(c, "application_form", kDepartmentLabels), ParseShortValue);
  if (!hit) hit = FirstParsed(FindDepartmentRows(c), ParseShortValue);
  if (!hit) return;
  Fact f = MakeFact("department", hit->second, hit->first);
  if (hit->first.page->text_source != TextSource::kPdfTextLayer) {
    f.value = UpToDepartmentEnding(hit->second);
    const Corrected corrected = CorrectDepartment(std::get<std::string>(f.value));
    if (corrected.changed) {
      f.read_as = hit->second;
      f.value = corrected.text;
    }
    if (!LooksLikeDepartment(corrected.text))
      f.confidence = std::min(f.confidence, kImplausibleReading);
  }
  c.SetFact(std::move(f));
}

// A row that offers the choices of a field and marks one of them: a ■ (or ☑ ✔ ✓) among them, or
// a ring read as brackets round one of `options`.
bool MarksOneOf(const std::string& line, int offered, const std::vector<std::string>& options) {
  return offered > 1 && (MarkedOption(line) != line || RingedOption(line, options).has_value());
}

void ExtractChoices(Case& c) {
  SetFirst(c, "attendance", FindField(c, "application_form", kAttendanceLabels), ParseAttendance);
  if (!c.FindFact("attendance")) {
    SetFirst(c, "attendance", FindChoiceRows(c, "application_form", [](const std::string& line) {
               return MarksOneOf(line, AttendanceOptionsNamed(FoldAttendanceMisreadings(line)),
                                 kAttendanceOptions);
             }), ParseAttendance);
  }
  SetFirst(c, "living_together",
           FindField(c, "application_form", kLivingTogetherLabels),
           ParseLivingTogether);
  if (!c.FindFact("living_together")) {
    SetFirst(c, "living_together",
             FindChoiceRows(c, "application_form", [](const std::string& line) {
               const int offered = (line.find("同居") != std::string::npos ? 1 : 0) +
                                   (line.find("別居") != std::string::npos ? 1 : 0);
               return MarksOneOf(line, offered, kLivingTogetherOptions);
             }), ParseLivingTogether);
  }
}

void ExtractFromDocuments(Case& c) {
  ExtractChoices(c);
  ExtractDepartment(c);
  // The consent form names the patient too: a follow-up envelope with only the consent form is
  // matched to its case by these (followup/).
  for (const char* type : {"application_form", "referral_letter", "consent_form"}) {
    if (c.FindFact("patient_birth_date")) break;
    SetFirst(c, "patient_birth_date", FindField(c, type, kBirthDateLabels),
             [latest = ParseIsoDate(c.submission_date)](const std::string& value) {
               return ParseIsoBirthDate(value, latest);
             });
  }
  ExtractDiagnosis(c);
  for (const char* type : {"application_form", "consent_form"}) {
    if (c.FindFact("patient_name")) break;
    SetFirst(c, "patient_name", FindField(c, type, kPatientNameLabels), ParseShortValue);
  }
  SetFirst(c, "patient_name_kana", FindField(c, "application_form", {"フリガナ", "ふりがな"}),
           NonEmpty);
  ExtractAttendees(c);
  ExtractFlags(c);
}

// Facts keyed in by staff (intake.yaml / intake.json at the top level) win over documents.
void ApplyManifest(Case& c) {
  const auto it = std::find_if(c.files.begin(), c.files.end(),
                               [](const SourceFile& f) { return f.kind == FileKind::kManifest; });
  if (it == c.files.end()) return;
  const Result<config::Manifest> manifest = config::ReadManifest(it->path);
  if (!manifest.ok()) {
    c.AddFinding(FindingCode::kCorruptFile, "マニフェストを読み取れません: " + it->relative_path,
                 it->id);
    return;
  }
  if (!manifest->shape_ok) {
    c.AddFinding(FindingCode::kCorruptFile,
                 "マニフェストの形式が正しくありません: " + it->relative_path, it->id);
    return;
  }
  int applied = 0;
  for (const config::ManifestFact& entry : manifest->facts) {
    Fact f;
    f.name = entry.name;
    f.confidence = 1.0;
    f.source.from_manifest = true;
    if (f.name == "living_together" || f.name == "patient_deceased" || f.name == "from_abroad" ||
        f.name == "transfer_request" || f.name == "litigation" || f.name == "physician_approval") {
      if (!entry.boolean) continue;
      f.value = *entry.boolean;
    } else if (f.name == "patient_age" || f.name == "attendee_kinship_degree" ||
               f.name == "lead_time_days" || f.name == "attending_family_count") {
      if (!entry.integer) continue;
      f.value = *entry.integer;
    } else if (f.name == "patient_birth_date") {
      auto d = ParseIsoDate(entry.text);
      if (!d) d = ParseJapaneseDate(entry.text);
      if (!d) continue;
      f.value = d->Iso();
    } else {
      f.value = entry.text;
    }
    c.SetFact(std::move(f));
    ++applied;
  }
  Log()->info("case {} facts: {} taken from the manifest", c.id, applied);
}

// Degree of kinship (親等) of the attending family member to the patient, from the relation as
// the form writes it. A spouse has no degree (0). Unknown words give no fact.
// The kinship words by degree of kinship, highest first.
const std::vector<std::pair<std::int64_t, std::vector<std::string>>>& KinshipWords() {
  static const std::vector<std::pair<std::int64_t, std::vector<std::string>>> kDegrees{
      {4, {"いとこ", "従兄弟", "従姉妹", "従兄", "従弟", "従姉", "従妹"}},
      {3, {"曾孫", "ひ孫", "曾祖父", "曾祖母", "伯父", "叔父", "伯母", "叔母", "甥", "姪"}},
      {2, {"祖父", "祖母", "孫", "兄", "弟", "姉", "妹", "兄弟", "姉妹"}},
      {1,
       {"父", "母", "長男", "次男", "三男", "長女", "次女", "三女", "息子", "娘", "子", "義父",
        "義母"}},
      {0, {"配偶者", "夫", "妻"}},
  };
  return kDegrees;
}

std::optional<std::int64_t> KinshipDegree(const std::string& relation) {
  // Higher degrees are tried first: their words contain lower ones (曾祖父 > 祖父 > 父).
  for (const auto& [degree, words] : KinshipWords()) {
    for (const auto& w : words) {
      if (relation.find(w) != std::string::npos) return degree;
    }
  }
  return std::nullopt;
}

void DeriveKinshipDegree(Case& c) {
  const Fact* relation = c.FindFact("attendee_relation");
  if (!relation || !relation->known() || c.FindFact("attendee_kinship_degree")) return;
  const auto degree = KinshipDegree(std::get<std::string>(relation->value));
  if (!degree) return;
  Fact f = *relation;
  f.name = "attendee_kinship_degree";
  f.value = *degree;
  c.SetFact(std::move(f));
}

// Days from the submission to the consultation date the patient asks for (受診希望日).
void DeriveLeadTime(Case& c) {
  if (c.FindFact("lead_time_days")) return;
  const auto on = ParseIsoDate(c.submission_date);
  const auto found = FindField(c, "application_form", {"受診希望日", "希望日"});
  const auto hit = FirstParsed(found, [](const std::string& v) { return ParseJapaneseDate(v); });
  if (!on || !hit) return;
  c.SetFact(MakeFact("lead_time_days", static_cast<std::int64_t>(DaysBetween(*on, hit->second)),
                     hit->first));
}

void DeriveAge(Case& c) {
  const Fact* birth = c.FindFact("patient_birth_date");
  const Fact* age = c.FindFact("patient_age");
  if (!birth || !birth->known() || (age && age->source.from_manifest)) return;
  const auto b = ParseIsoDate(std::get<std::string>(birth->value));
  const auto on = ParseIsoDate(c.submission_date);
  if (!b || !on) return;
  Fact f = *birth;
  f.name = "patient_age";
  f.value = static_cast<std::int64_t>(AgeOn(*b, *on));
  c.SetFact(std::move(f));
}

class FactsStage final : public Stage {
 public:
  std::string_view name() const override { return "facts"; }
  Status Run(Case& c) override {
    ExtractFromDocuments(c);
    ApplyManifest(c);
    DeriveAge(c);
    DeriveKinshipDegree(c);
    DeriveAttendingFamilyCount(c);
    DeriveLeadTime(c);
    return Status::Ok();
  }
};

}  // namespace

std::vector<ocr::ClosedField> FormClosedFields() {
  std::vector<std::string> relations;
  for (const auto& [degree, words] : KinshipWords())
    relations.insert(relations.end(), words.begin(), words.end());
  return {{kRelationLabels, relations},
          {kDepartmentLabels, CommonDepartments()},
          {kLivingTogetherLabels, {"同居", "別居"}},
          {kBirthDateLabels, {},
           [](const std::string& text) { return ParseJapaneseDate(text).has_value(); }}};
}

std::unique_ptr<Stage> MakeFactsStage() { return std::make_unique<FactsStage>(); }

}  // namespace intake::stages

#include "stages/domain_words.h"

#include <algorithm>
#include <array>
#include <vector>

#include "pipeline/utf8.h"
#include "text/text_normalize.h"

namespace intake::stages {
namespace {

// Organs and sites that name a cancer with 癌 (胃癌, 肺癌 …), and diagnoses as they are written.
constexpr std::array<std::u32string_view, 24> kCancerSites{
    U"食道", U"大腸", U"直腸", U"結腸", U"前立腺", U"膀胱", U"子宮", U"卵巣", U"甲状腺", U"胆管",
    U"胆嚢", U"咽頭", U"喉頭", U"口腔", U"肺腺", U"肝細胞", U"腎細胞", U"扁平上皮", U"尿路上皮",
    U"膵", U"腎盂", U"十二指腸", U"乳管", U"胃前庭部"};
constexpr std::array<std::u32string_view, 40> kDiagnoses{
    U"髄膜腫", U"膠芽腫", U"神経膠腫", U"悪性リンパ腫", U"びまん性大細胞型B細胞リンパ腫",
    U"白血病", U"多発性骨髄腫", U"骨肉腫", U"肉腫", U"膵管内乳頭粘液性腫瘍", U"認知症",
    U"アルツハイマー型認知症", U"心筋症", U"拡張型心筋症", U"肥大型心筋症", U"大動脈弁狭窄症",
    U"僧帽弁閉鎖不全症", U"狭心症", U"心筋梗塞", U"心不全", U"心房細動", U"慢性腎臓病",
    U"糖尿病", U"関節リウマチ", U"若年性特発性関節炎", U"全身性エリテマトーデス",
    U"パーキンソン病", U"脳梗塞", U"脳腫瘍", U"潰瘍性大腸炎", U"クローン病", U"肝硬変",
    U"間質性肺炎", U"慢性閉塞性肺疾患", U"緑内障", U"浸潤性乳管癌", U"腺癌", U"乳癌",
    U"腹膜播種", U"胃癌"};
// The departments that usually treat a word of the list, by the stems of their names: where a
// misreading is as near to two words (引細胞癌: 腎細胞癌 or 肝細胞癌), the department the patient
// applies to may name one of them (泌尿器科 → 腎細胞癌).
struct DepartmentHint {
  std::u32string_view word_part;    // in the word: 腎細胞, 肝
  std::u32string_view departments;  // stems separated by '|': 泌尿器|腎
};
constexpr std::array<DepartmentHint, 14> kDepartmentHints{{
    {U"腎", U"泌尿器|腎臓"},
    {U"膀胱", U"泌尿器"},
    {U"前立腺", U"泌尿器"},
    {U"尿路", U"泌尿器"},
    {U"肝", U"消化器|肝|胆"},
    {U"胆", U"消化器|肝|胆"},
    {U"膵", U"消化器|膵"},
    {U"腸", U"消化器|大腸"},
    {U"肺", U"呼吸器"},
    {U"子宮", U"婦人|産科"},
    {U"卵巣", U"婦人|産科"},
    {U"心", U"循環器|心臓"},
    {U"脳", U"脳神経|神経"},
    {U"膜腫", U"脳神経|神経"},
}};

// Whether the department (its name as written, e.g. 泌尿器科) usually treats `word`.
bool TreatedBy(const std::u32string& word, const std::u32string& department) {
  if (department.empty()) return false;
  for (const auto& hint : kDepartmentHints) {
    if (word.find(hint.word_part) == std::u32string::npos) continue;
    std::u32string_view stems = hint.departments;
    while (!stems.empty()) {
      const auto bar = stems.find(U'|');
      const std::u32string_view stem = stems.substr(0, bar);
      if (department.find(stem) != std::u32string::npos) return true;
      stems = bar == std::u32string_view::npos ? std::u32string_view() : stems.substr(bar + 1);
    }
  }
  return false;
}

// Characters that end disease names: a word read with one of these in place of its own is a
// different diagnosis, not a misreading.
constexpr std::u32string_view kDiseaseEndings = U"炎症腫癌病瘍瘤痛症害全塞";

const std::vector<std::u32string>& Words() {
  static const std::vector<std::u32string> words = [] {
    std::vector<std::u32string> w;
    for (const auto site : kCancerSites) w.push_back(std::u32string(site) + U"癌");
    for (const auto d : kDiagnoses) w.emplace_back(d);
    return w;
  }();
  return words;
}

// Misread characters of `word` at `at` in `text`, or -1 when the stretch is another diagnosis
// (a disease ending read in place of another one) or differs too much.
int Misreads(const std::u32string& text, std::size_t at, const std::u32string& word) {
  const int allowed = word.size() >= 6 ? 2 : 1;
  int misread = 0;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (text[at + i] == word[i]) continue;
    if (kDiseaseEndings.find(text[at + i]) != std::u32string_view::npos &&
        kDiseaseEndings.find(word[i]) != std::u32string_view::npos)
      return -1;
    if (++misread > allowed) return -1;
  }
  return misread;
}

// Whether [at, at + length) overlaps a word of the list written (or already corrected) in `text`:
// 骨髄腫 inside 多発性骨髄腫 is not a misread 骨肉腫.
bool InsideAWord(const std::u32string& text, std::size_t at, std::size_t length) {
  for (const auto& w : Words()) {
    for (auto pos = text.find(w); pos != std::u32string::npos; pos = text.find(w, pos + 1)) {
      if (pos < at + length && at < pos + w.size()) return true;
    }
  }
  return false;
}

// Whether another word of the list is as near to the stretch at `at` as `word` is: 引細胞癌 could
// be 腎細胞癌 or 肝細胞癌, and a guess would be worse than the reading, unless the department
// treats `word` and none of the others.
bool Ambiguous(const std::u32string& text, std::size_t at, const std::u32string& word,
               const std::u32string& department) {
  const int misreads = Misreads(text, at, word);
  const bool word_fits = TreatedBy(word, department);
  return std::any_of(Words().begin(), Words().end(), [&](const std::u32string& other) {
    if (other == word || other.size() != word.size()) return false;
    const int m = Misreads(text, at, other);
    if (m < 0 || m > misreads) return false;
    return !word_fits || TreatedBy(other, department);
  });
}

// Departments of Japanese university hospitals that take second opinions, as they name them.
constexpr std::array<std::u32string_view, 44> kDepartments{
    U"消化器内科", U"呼吸器内科", U"循環器内科", U"腎臓・内分泌内科", U"糖尿病・代謝内科",
    U"血液・腫瘍内科", U"アレルギー・リウマチ内科", U"感染症内科", U"脳神経内科", U"神経内科",
    U"老年病科", U"心療内科", U"総合内科", U"胃・食道外科", U"大腸・肛門外科", U"肝・胆・膵外科",
    U"肝胆膵外科", U"血管外科", U"乳腺・内分泌外科", U"呼吸器外科", U"心臓外科", U"心臓血管外科",
    U"脳神経外科", U"一般外科", U"消化器外科", U"泌尿器科", U"女性外科", U"婦人科", U"産科",
    U"整形外科", U"皮膚科", U"眼科", U"耳鼻咽喉科", U"耳鼻咽喉科・頭頸部外科", U"放射線科",
    U"放射線治療科", U"精神神経科", U"小児科", U"小児外科", U"形成外科", U"口腔外科",
    U"リハビリテーション科", U"腫瘍内科", U"緩和ケア科"};

}  // namespace

std::vector<std::string> CommonDepartments() {
  std::vector<std::string> out;
  for (const auto word : kDepartments) out.push_back(Utf8Of(word));
  return out;
}

// The one department name as long as `read` (four glyphs or more) that `read` has at most half
// misread, where a glyph `read` has in that name's place is in no other name as long (尿 of
// 泌尿器科 in 決尿回科: a hand-like face's 泌 and 器 misread; 糖尿病・代謝内科 is longer); empty
// when there is none, or more than one.
std::u32string NameByItsOwnGlyph(const std::u32string& read) {
  constexpr std::size_t kShortest = 4;
  std::u32string found;
  for (const auto name : kDepartments) {
    if (name.size() != read.size() || name.size() < kShortest) continue;
    std::size_t misread = 0;
    bool own_glyph = false;
    for (std::size_t i = 0; i < name.size(); ++i) {
      if (read[i] != name[i]) {
        ++misread;
        continue;
      }
      own_glyph = own_glyph || std::none_of(kDepartments.begin(), kDepartments.end(),
                                            [&](std::u32string_view other) {
                                              return other != name &&
                                                     other.size() == name.size() &&
                                                     other.find(name[i]) != other.npos;
                                            });
    }
    if (!own_glyph || 2 * misread > name.size()) continue;
    if (!found.empty()) return {};
    found = name;
  }
  return found;
}

Corrected CorrectDepartment(std::string_view text) {
  static const std::vector<std::string> departments = CommonDepartments();
  const std::u32string read = text::CodePoints(text);
  if (const std::u32string name = NameByItsOwnGlyph(read); !name.empty() && name != read)
    return {Utf8Of(name), true};
  // A department is one of a known few: a reading is the name it is a third off where every other
  // name is further, as a glyph that tells the two nearest apart was read as the nearest's
  // (還吸器内科: 呼吸器内科, not 消化器内科), where free text asks two edits more (text::NearMissOf).
  const auto nearest = text::FindNearestWord(read, departments);
  if (!nearest || nearest->distance == 0) return {std::string(text), false};
  const std::size_t length = text::CodePoints(*nearest->word).size();
  // A name of two characters (眼科) has no near miss: one misread is half of it.
  if (length < 3 || nearest->distance > (length + 1) / 3 ||
      nearest->runner_up <= nearest->distance)
    return {std::string(text), false};
  return {*nearest->word, true};
}

Corrected CorrectDiagnosis(std::string_view text, std::string_view department) {
  std::u32string t = text::CodePoints(text);
  const std::u32string dept = text::CodePoints(department);
  bool changed = false;
  for (const auto& word : Words()) {
    if (word.size() < 3 || t.size() < word.size()) continue;
    if (t.find(word) != std::u32string::npos) continue;  // written right
    for (std::size_t at = 0; at + word.size() <= t.size(); ++at) {
      if (Misreads(t, at, word) > 0 && !InsideAWord(t, at, word.size()) &&
          !Ambiguous(t, at, word, dept)) {
        t.replace(at, word.size(), word);
        changed = true;
        break;
      }
    }
  }
  return {Utf8Of(t), changed};
}

}  // namespace intake::stages

#include "stages/patient_match.h"

#include <algorithm>
#include <array>
#include <utility>

#include "dicom/person_name.h"
#include "pipeline/utf8.h"
#include "text/text_normalize.h"

namespace intake::stages {
namespace {

// --- UTF-8 <-> code points -----------------------------------------------------------------

std::u32string Decode(std::string_view s) {
  std::u32string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    char32_t cp = 0xFFFD;
    std::size_t len = 1;
    if (b < 0x80) {
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
    }
    if (len > 1) {
      if (i + len > s.size()) {
        len = 1;
      } else {
        cp = b & (0xFF >> (len + 1));
        for (std::size_t k = 1; k < len; ++k) {
          const auto c = static_cast<unsigned char>(s[i + k]);
          if ((c & 0xC0) != 0x80) {
            cp = 0xFFFD;
            len = 1;
            break;
          }
          cp = (cp << 6) | (c & 0x3F);
        }
      }
    }
    out += cp;
    i += len;
  }
  return out;
}

std::string Encode(std::u32string_view cps) {
  std::string out;
  for (char32_t cp : cps) AppendUtf8(cp, out);
  return out;
}

// --- character classes ---------------------------------------------------------------------

bool IsSeparator(char32_t cp) {
  return cp == U' ' || cp == U'\t' || cp == 0x3000 || cp == U'^' || cp == U'=' || cp == 0x30FB ||
         cp == 0xFF65 || cp == 0x00B7;
}

bool IsIdeograph(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF) || cp == 0x3005 ||
         cp == 0x3006;
}

bool IsKana(char32_t cp) {
  return (cp >= 0x3041 && cp <= 0x309F) || (cp >= 0x30A0 && cp <= 0x30FF) ||
         (cp >= 0xFF66 && cp <= 0xFF9F) || (cp >= 0x31F0 && cp <= 0x31FF);
}

bool IsLatinLetter(char32_t cp) {
  return (cp >= U'a' && cp <= U'z') || (cp >= U'A' && cp <= U'Z') ||
         (cp >= 0xC0 && cp <= 0x17F && cp != 0xD7 && cp != 0xF7);
}

// Half-width katakana U+FF66..U+FF9D to full width (index cp - 0xFF66).
constexpr std::array<char32_t, 56> kHalfWidthKatakana{
    0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2,
    0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9,
    0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE,
    0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6,
    0x30E8, 0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3};

bool TakesDakuten(char32_t cp) {
  return (cp >= 0x30AB && cp <= 0x30C8 && cp != 0x30C3 &&
          ((cp <= 0x30C1 && cp % 2 == 1) || (cp >= 0x30C4 && cp % 2 == 0))) ||
         (cp >= 0x30CF && cp <= 0x30DB && (cp - 0x30CF) % 3 == 0);
}

bool TakesHandakuten(char32_t cp) { return cp >= 0x30CF && cp <= 0x30DB && (cp - 0x30CF) % 3 == 0; }

// Half-width katakana to full width, voicing marks (half-width, spacing or combining) composed
// with the kana before them; `hiragana_too`: hiragana to katakana as well.
std::u32string WidthFold(std::u32string_view in, bool hiragana_too) {
  std::u32string out;
  for (char32_t cp : in) {
    const bool dakuten = cp == 0xFF9E || cp == 0x3099 || cp == 0x309B;
    const bool handakuten = cp == 0xFF9F || cp == 0x309A || cp == 0x309C;
    if ((dakuten || handakuten) && !out.empty()) {
      char32_t& last = out.back();
      if (dakuten && last == 0x30A6) {
        last = 0x30F4;  // ヴ
        continue;
      }
      if (dakuten && TakesDakuten(last)) {
        last += 1;
        continue;
      }
      if (handakuten && TakesHandakuten(last)) {
        last += 2;
        continue;
      }
    }
    if (cp >= 0xFF66 && cp <= 0xFF9D) {
      cp = kHalfWidthKatakana[cp - 0xFF66];
    } else if (hiragana_too && cp >= 0x3041 && cp <= 0x3096) {
      cp += 0x60;
    }
    out += cp;
  }
  return out;
}

// Small kana as large, ヂ ヅ ヲ ヰ ヱ as ジ ズ オ イ エ.
char32_t FoldKatakanaVariant(char32_t cp) {
  switch (cp) {
    case 0x30A1:
    case 0x30A3:
    case 0x30A5:
    case 0x30A7:
    case 0x30A9:
    case 0x30C3:
    case 0x30E3:
    case 0x30E5:
    case 0x30E7:
    case 0x30EE:
      return cp + 1;
    case 0x30F5:
      return 0x30AB;
    case 0x30F6:
      return 0x30B1;
    case 0x30C2:
      return 0x30B8;
    case 0x30C5:
      return 0x30BA;
    case 0x30F2:
      return 0x30AA;
    case 0x30F0:
      return 0x30A4;
    case 0x30F1:
      return 0x30A8;
    default:
      return cp;
  }
}

// --- romaji --------------------------------------------------------------------------------

// Hepburn for katakana U+30A1..U+30F6 (index cp - 0x30A1); small kana have their vowel.
constexpr std::array<std::string_view, 86> kRomaji{
    "a",  "a",  "i",   "i",  "u",  "u",   "e",  "e",   "o",  "o",  "ka", "ga", "ki", "gi", "ku",
    "gu", "ke", "ge",  "ko", "go", "sa",  "za", "shi", "ji", "su", "zu", "se", "ze", "so", "zo",
    "ta", "da", "chi", "ji", "",   "tsu", "zu", "te",  "de", "to", "do", "na", "ni", "nu", "ne",
    "no", "ha", "ba",  "pa", "hi", "bi",  "pi", "fu",  "bu", "pu", "he", "be", "pe", "ho", "bo",
    "po", "ma", "mi",  "mu", "me", "mo",  "ya", "ya",  "yu", "yu", "yo", "yo", "ra", "ri", "ru",
    "re", "ro", "wa",  "wa", "i",  "e",   "o",  "n",   "vu", "ka", "ke"};

bool IsSmallY(char32_t cp) { return cp == 0x30E3 || cp == 0x30E5 || cp == 0x30E7; }
bool IsSmallVowel(char32_t cp) {
  return cp == 0x30A1 || cp == 0x30A3 || cp == 0x30A5 || cp == 0x30A7 || cp == 0x30A9;
}
bool IsVowel(char ch) { return ch == 'a' || ch == 'i' || ch == 'u' || ch == 'e' || ch == 'o'; }

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

// Repeats `from` -> `to` until nothing changes (for "ooo", "yyy" ...).
void ReplaceAllRepeated(std::string& s, std::string_view from, std::string_view to) {
  while (s.find(from) != std::string::npos) ReplaceAll(s, from, to);
}

// --- variant kanji -------------------------------------------------------------------------

// Variant (異体字) and old forms common in family names, to the form usually printed.
constexpr std::array<std::pair<char32_t, char32_t>, 26> kVariantKanji{{
    {U'髙', U'高'}, {U'﨑', U'崎'}, {U'嵜', U'崎'}, {U'𠮷', U'吉'}, {U'邊', U'辺'}, {U'邉', U'辺'},
    {U'澤', U'沢'}, {U'濱', U'浜'}, {U'濵', U'浜'}, {U'嶋', U'島'}, {U'嶌', U'島'}, {U'廣', U'広'},
    {U'國', U'国'}, {U'櫻', U'桜'}, {U'惠', U'恵'}, {U'眞', U'真'}, {U'德', U'徳'}, {U'冨', U'富'},
    {U'齋', U'斎'}, {U'齊', U'斉'}, {U'槇', U'槙'}, {U'條', U'条'}, {U'瀨', U'瀬'}, {U'藏', U'蔵'},
    {U'龍', U'竜'}, {U'曾', U'曽'},
}};

char32_t FoldVariantKanji(char32_t cp) {
  for (const auto& [variant, usual] : kVariantKanji) {
    if (cp == variant) return usual;
  }
  return cp;
}

std::string Trimmed(std::string_view s) {
  std::u32string cps = Decode(s);
  while (!cps.empty() && (cps.back() == U' ' || cps.back() == 0x3000)) cps.pop_back();
  std::size_t start = 0;
  while (start < cps.size() && (cps[start] == U' ' || cps[start] == 0x3000)) ++start;
  return Encode(std::u32string_view(cps).substr(start));
}

// The DICOM name's groups sorted by what they hold, whatever their position: real discs put
// half-width katakana in the first (alphabetic) group, and kanji where they like.
struct DicomNameForms {
  std::string kanji;               // ideographic group
  std::string reading;             // a kana-only group
  std::vector<std::string> latin;  // components of a romaji group
};

DicomNameForms SortDicomName(const std::string& name) {
  const dicom::PersonName pn = dicom::ParsePersonName(name);
  DicomNameForms forms;
  for (const dicom::PersonNameGroup* g : {&pn.ideographic, &pn.alphabetic, &pn.phonetic}) {
    const std::string text = g->Joined();
    if (forms.kanji.empty() && ClassifyName(text) == NameScript::kKanji) forms.kanji = text;
  }
  for (const dicom::PersonNameGroup* g : {&pn.phonetic, &pn.alphabetic, &pn.ideographic}) {
    const std::string text = g->Joined();
    if (forms.reading.empty() && ClassifyName(text) == NameScript::kKana) forms.reading = text;
  }
  if (ClassifyName(pn.alphabetic.Joined()) == NameScript::kLatin) {
    for (const auto& c : pn.alphabetic.components) {
      if (!c.empty()) forms.latin.push_back(c);
    }
  }
  return forms;
}

std::string JoinComponents(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

std::string SexWordJa(const std::string& sex) {
  if (sex == "M") return "男";
  if (sex == "F") return "女";
  return sex;
}

}  // namespace

NameScript ClassifyName(std::string_view text) {
  bool any = false;
  bool kanji = false;
  bool kana_only = true;
  bool latin_only = true;
  for (char32_t cp : Decode(text)) {
    if (IsSeparator(cp)) continue;
    any = true;
    if (IsIdeograph(cp)) kanji = true;
    if (!IsKana(cp) && cp != 0x30FC) kana_only = false;
    if (!IsLatinLetter(cp) && cp != U'.' && cp != U'-' && cp != U'\'') latin_only = false;
  }
  if (!any) return NameScript::kEmpty;
  if (kanji) return NameScript::kKanji;
  if (kana_only) return NameScript::kKana;
  if (latin_only) return NameScript::kLatin;
  return NameScript::kOther;
}

std::string FoldReading(std::string_view text) {
  std::u32string out;
  for (char32_t cp : WidthFold(Decode(text), /*hiragana_too=*/true)) {
    if (IsSeparator(cp)) continue;
    if (!((cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC)) return {};
    out += FoldKatakanaVariant(cp);
  }
  return Encode(out);
}

std::string KanaToRomaji(std::string_view kana) {
  std::string out;
  bool geminate = false;
  for (char32_t cp : WidthFold(Decode(kana), /*hiragana_too=*/true)) {
    if (IsSeparator(cp)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    if (cp == 0x30FC) continue;  // ー: the long vowel is folded away when comparing
    if (cp < 0x30A1 || cp > 0x30F6) return {};
    if (cp == 0x30C3) {  // ッ doubles the next consonant
      geminate = true;
      continue;
    }
    const std::string_view base = kRomaji[cp - 0x30A1];
    if (IsSmallY(cp) && out.size() >= 2 && out.back() == 'i' && !IsVowel(out[out.size() - 2])) {
      out.pop_back();  // キャ: ki + ya -> kya; シャ: shi + ya -> sha
      if (out.ends_with("sh") || out.ends_with("ch") || out.ends_with('j')) {
        out += base.substr(1);
      } else {
        out += base;
      }
      continue;
    }
    if (IsSmallVowel(cp) && !out.empty() && IsVowel(out.back())) {
      // ファ: fu + a -> fa; ティ: te + i -> ti; ウィ: u + i -> wi
      if (out.size() == 1 || out[out.size() - 2] == ' ') {
        out.back() = 'w';
      } else {
        out.pop_back();
      }
      out += base;
      continue;
    }
    if (geminate && !base.empty() && !IsVowel(base[0]))
      out += base.starts_with("ch") ? 't' : base[0];
    geminate = false;
    out += base;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string FoldRomaji(std::string_view text) {
  std::string s;
  for (char32_t cp : Decode(text)) {
    if (cp >= U'A' && cp <= U'Z') cp = cp - U'A' + U'a';
    switch (cp) {
      case 0xE2:
      case 0xC2:
      case 0x101:
      case 0x100:
        cp = U'a';
        break;
      case 0xEE:
      case 0xCE:
      case 0x12B:
      case 0x12A:
        cp = U'i';
        break;
      case 0xFB:
      case 0xDB:
      case 0x16B:
      case 0x16A:
        cp = U'u';
        break;
      case 0xEA:
      case 0xCA:
      case 0x113:
      case 0x112:
        cp = U'e';
        break;
      case 0xF4:
      case 0xD4:
      case 0x14D:
      case 0x14C:
        cp = U'o';
        break;
      default:
        break;
    }
    if (cp >= U'a' && cp <= U'z') s += static_cast<char>(cp);
  }
  // Hepburn, Kunrei and Nihon-shiki spellings of the same kana to one form.
  ReplaceAll(s, "sh", "sy");
  ReplaceAll(s, "ch", "ty");
  ReplaceAll(s, "ts", "t");
  ReplaceAll(s, "j", "zy");
  ReplaceAll(s, "f", "h");
  ReplaceAllRepeated(s, "yy", "y");
  ReplaceAll(s, "syi", "si");
  ReplaceAll(s, "tyi", "ti");
  ReplaceAll(s, "zyi", "zi");
  ReplaceAll(s, "di", "zi");
  ReplaceAll(s, "du", "zu");
  ReplaceAll(s, "wo", "o");
  ReplaceAll(s, "mb", "nb");
  ReplaceAll(s, "mp", "np");
  ReplaceAll(s, "mm", "nm");
  ReplaceAllRepeated(s, "nn", "n");
  // Long vowels: Satou, Satoo, Satoh and Sato are one name.
  std::string shortened;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == 'h' && i > 0 && s[i - 1] == 'o' && (i + 1 == s.size() || !IsVowel(s[i + 1]))) {
      continue;
    }
    shortened += s[i];
  }
  s = std::move(shortened);
  ReplaceAllRepeated(s, "ou", "o");
  for (std::string_view doubled : {"oo", "uu", "aa", "ii", "ee"}) {
    ReplaceAllRepeated(s, doubled, doubled.substr(1));
  }
  return s;
}

std::string FoldKanjiName(std::string_view text) {
  std::u32string out;
  for (char32_t cp : WidthFold(Decode(text), /*hiragana_too=*/false)) {
    if (IsSeparator(cp)) continue;
    out += FoldVariantKanji(cp);
  }
  return Encode(out);
}

std::string NormalizeSex(std::string_view text) {
  std::string t = Trimmed(text);
  for (char& ch : t) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  if (t == "m" || t == "male" || t == "男" || t == "男性") return "M";
  if (t == "f" || t == "female" || t == "女" || t == "女性") return "F";
  return {};
}

namespace {

// A form of the name known on both sides, each folded for comparison.
struct NameForm {
  std::size_t field;  // index into PatientComparison::fields
  std::u32string document_folded;
  std::u32string dicom_folded;
};

void AddField(PatientComparison& result, std::string field, std::string doc_value,
              std::string dicom_value, bool same) {
  result.fields.push_back(FieldComparison{
      std::move(field), std::move(doc_value), std::move(dicom_value), same, true, {}});
}

// Birth date and sex, where both sides give them; whether the birth dates agree.
bool CompareBirthDateAndSex(const DicomPatient& dicom, const DocumentPatient& documents,
                            PatientComparison& result) {
  bool birth_date_same = false;
  if (!documents.birth_date.empty() && !dicom.birth_date.empty()) {
    birth_date_same = documents.birth_date == dicom.birth_date;
    AddField(result, "生年月日", documents.birth_date, dicom.birth_date, birth_date_same);
  }
  const std::string doc_sex = NormalizeSex(documents.sex);
  const std::string dicom_sex = NormalizeSex(dicom.sex);
  if (!doc_sex.empty() && !dicom_sex.empty()) {
    AddField(result, "性別", SexWordJa(doc_sex), SexWordJa(dicom_sex), doc_sex == dicom_sex);
  }
  return birth_date_same;
}

// The reading, the kanji name and (without a reading) the romaji name, where both sides give
// them; the DICOM side may match any of its candidate foldings.
std::vector<NameForm> CompareNameForms(const DicomPatient& dicom, const DocumentPatient& documents,
                                       PatientComparison& result) {
  std::vector<NameForm> names;
  const auto compare_name = [&](std::string field, const std::string& doc_value,
                                const std::string& dicom_value, std::string doc_folded,
                                std::vector<std::string> dicom_folded_candidates) {
    std::string dicom_folded = dicom_folded_candidates.front();
    for (const auto& candidate : dicom_folded_candidates) {
      if (candidate == doc_folded) dicom_folded = candidate;
    }
    AddField(result, std::move(field), Trimmed(doc_value), dicom_value, doc_folded == dicom_folded);
    names.push_back(NameForm{result.fields.size() - 1, Decode(doc_folded), Decode(dicom_folded)});
  };
  const DicomNameForms forms = SortDicomName(dicom.name);
  const std::string doc_reading = FoldReading(documents.kana);
  if (!doc_reading.empty() && !forms.reading.empty()) {
    compare_name("フリガナ", documents.kana, forms.reading, doc_reading,
                 {FoldReading(forms.reading)});
  }
  const std::string doc_name = FoldKanjiName(documents.name);
  if (!doc_name.empty() && !forms.kanji.empty()) {
    compare_name("氏名（漢字）", documents.name, forms.kanji, doc_name,
                 {FoldKanjiName(forms.kanji)});
  }
  if (forms.reading.empty() && !forms.latin.empty()) {
    const std::string doc_romaji = KanaToRomaji(documents.kana);
    if (!doc_romaji.empty()) {
      // Family name first, or given name first as some systems write it.
      std::vector<std::string> reversed(forms.latin.rbegin(), forms.latin.rend());
      compare_name("氏名（ローマ字）", documents.kana, JoinComponents(forms.latin),
                   FoldRomaji(doc_romaji),
                   {FoldRomaji(JoinComponents(forms.latin)), FoldRomaji(JoinComponents(reversed))});
    }
  }
  return names;
}

// A differing form of the name does not decide alone when (1) another form of the name agrees
// (variant kanji, a misread reading), or (2) the birth date agrees and the two differ in one
// character of at least four: an OCR misreading, not another person.
void ToleratedNameDifferences(const std::vector<NameForm>& names, bool birth_date_same,
                              PatientComparison& result) {
  const bool some_name_form_agrees = std::any_of(
      names.begin(), names.end(), [&](const NameForm& n) { return result.fields[n.field].same; });
  for (const NameForm& n : names) {
    FieldComparison& f = result.fields[n.field];
    if (f.same) continue;
    if (some_name_form_agrees) {
      f.decisive = false;
      f.tolerance = "ほかの氏名表記が一致するため、異体字・読み取りの差とみなしました";
    } else if (birth_date_same && std::min(n.document_folded.size(), n.dicom_folded.size()) >= 4 &&
               text::EditDistance(n.document_folded, n.dicom_folded) <= 1) {
      f.decisive = false;
      f.tolerance = "1文字だけの違いで生年月日が一致するため、読み取りの誤りとみなしました";
    }
  }
}

// The verdict of the comparison and its note for staff (what agrees, what differs, what was
// tolerated and why).
void Conclude(const DocumentPatient& documents, PatientComparison& result) {
  std::string agree;
  std::string differ;
  for (const auto& f : result.fields) {
    if (f.same) {
      agree += (agree.empty() ? "" : "、") + f.field;
    } else if (f.decisive) {
      differ += (differ.empty() ? "" : "、") + f.field + "（書類: " + f.document_value +
                "／画像: " + f.dicom_value + "）";
    }
  }
  if (!differ.empty()) {
    result.match = PatientMatch::kMismatch;
    result.note = "書類と一致しません: " + differ;
    if (!agree.empty()) result.note += "。一致: " + agree;
  } else if (!agree.empty()) {
    result.match = PatientMatch::kMatch;
    result.note = "書類と一致: " + agree;
  } else {
    result.match = PatientMatch::kNotComparable;
    const bool documents_silent = documents.name.empty() && documents.kana.empty() &&
                                  documents.birth_date.empty() && documents.sex.empty();
    result.note = documents_silent
                      ? "書類から患者の氏名・生年月日を読み取れなかったため、照合できませんでした"
                      : "書類と画像の両方に記載のある項目がなく、照合できませんでした";
  }
  if (result.match != PatientMatch::kNotComparable && !result.name_compared) {
    result.note += "。氏名は照合できませんでした";
  }
  for (const auto& f : result.fields) {
    if (f.same || f.decisive) continue;
    result.note += "。" + f.field + "が異なります（書類: " + f.document_value +
                   "／画像: " + f.dicom_value + "）が、" + f.tolerance;
  }
}

}  // namespace

PatientComparison ComparePatient(const DicomPatient& dicom, const DocumentPatient& documents) {
  PatientComparison result;
  const bool birth_date_same = CompareBirthDateAndSex(dicom, documents, result);
  const std::vector<NameForm> names = CompareNameForms(dicom, documents, result);
  result.name_compared = !names.empty();
  ToleratedNameDifferences(names, birth_date_same, result);
  Conclude(documents, result);
  return result;
}

}  // namespace intake::stages

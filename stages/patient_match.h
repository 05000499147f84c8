// Comparing the DICOM patient with the patient the documents name.
//
// Japanese names are compared the way intake staff do: on the reading (フリガナ; hiragana,
// katakana and half-width katakana equal) plus the birth date. No NFKC on names (it folds some
// kanji); only the width of kana is folded. A DICOM name with only a romaji group
// ("YAMADA^TARO") is compared with the documents' reading transliterated to Hepburn romaji, with
// the usual spelling variants (ou/oo/oh/o, shi/si, tsu/tu ...) made equal. A field unknown on
// either side is not compared.
//
// The documents' values come from OCR and names have variant kanji (髙/高, 﨑/崎), so a form of
// the name that differs does not decide alone when another form of the name agrees, or when the
// birth date agrees and the difference is one character in a name of at least four: the report
// notes it instead. Birth date and sex decide whenever both sides know them. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/case_model.h"

namespace intake::stages {

// What a name is written in: kanji (at least one ideograph), kana only, Latin letters only.
enum class NameScript { kEmpty, kKanji, kKana, kLatin, kOther };
NameScript ClassifyName(std::string_view text);

// A reading in one form: katakana, full width, small kana as large (ｷﾖｳｺ = キョウコ), ヂ/ヅ/ヲ as
// ジ/ズ/オ, separators (spaces, U+3000, '^', '・', '=') removed. "" when the text holds anything
// but kana, the prolonged sound mark and separators.
std::string FoldReading(std::string_view text);

// Kana to Hepburn romaji, lower case, separators kept as one space: "ヤマダ　タロウ" ->
// "yamada tarou". "" when the text is not kana.
std::string KanaToRomaji(std::string_view kana);

// Romaji in one form for comparison: lower case, letters only, macrons and circumflexes dropped,
// Hepburn / Kunrei / Nihon-shiki spellings made equal and long vowels shortened.
std::string FoldRomaji(std::string_view text);

// A name in kanji in one form: separators removed, common variant kanji to their usual form,
// half-width katakana to full width.
std::string FoldKanjiName(std::string_view text);

// "M", "F" or "" from M/F/男/女/男性/女性/male/female (any case, padded or not).
std::string NormalizeSex(std::string_view text);

// The patient as the documents (facts) name them; empty fields are unknown.
struct DocumentPatient {
  std::string name;        // 患者氏名, usually kanji
  std::string kana;        // フリガナ
  std::string birth_date;  // YYYY-MM-DD
  std::string sex;         // as written
};

struct FieldComparison {
  std::string field;  // Japanese: "氏名（漢字）", "フリガナ", "生年月日", "性別", ...
  std::string document_value;  // as the documents have it
  std::string dicom_value;     // as the DICOM header has it
  bool same = false;
  // False for a name form that differs but does not decide (see ComparePatient), with the
  // reason in `tolerance` (Japanese).
  bool decisive = true;
  std::string tolerance;
};

struct PatientComparison {
  PatientMatch match = PatientMatch::kNotComparable;
  std::vector<FieldComparison> fields;  // the fields known on both sides, compared
  bool name_compared = false;           // some form of the name was compared
  std::string note;                     // Japanese, for the report
};

PatientComparison ComparePatient(const DicomPatient& dicom, const DocumentPatient& documents);

}  // namespace intake::stages

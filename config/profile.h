// Hospital profiles: document types, requirements and exclusions as data (YAML), not code.
//
// A profile (config/profiles/*.yaml, schema "intake.profile/1") names the document types with
// their keywords, the requirements with conditions over case facts, and the exclusions. Load it
// once with LoadProfile(); ValidateProfileFile() reports every problem with file, line and key.
// docs/profile-language.md describes the language.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pipeline/result.h"

namespace intake::config {

struct DocumentType {
  std::string id;
  std::string label;  // Japanese, for reports and the PDFs' file names
  // The case folder's folder for this type ("紹介状"); types that share one are filed together
  // (test results: "検査データ"). Empty: the label.
  std::string folder;
  std::vector<std::string> title_keywords;  // strong evidence (document titles)
  std::vector<std::string> keywords;        // supporting evidence (field names, terms)
};

// A literal in a condition: a string, a boolean or an integer.
using Literal = std::variant<std::string, bool, std::int64_t>;

// A condition over case facts. Evaluated in three-valued logic: a fact that is unknown makes a
// comparison unknown (stages/rules.cc).
struct Condition {
  enum class Op { kAll, kAny, kNot, kEquals, kIn, kLess, kAtLeast, kContains, kKnown };
  Op op = Op::kAll;
  std::string fact;                 // for comparisons
  std::vector<Literal> values;      // kEquals: 1; kIn: n; kLess/kAtLeast: 1 int; kContains: 1+
  std::vector<Condition> children;  // kAll, kAny, kNot (1)
};

// One way to satisfy a requirement: a document type, acceptable only when `when` holds.
struct Alternative {
  std::string document_type;
  std::optional<Condition> when;
};

// How many distinct documents a requirement needs: a fixed number, or the value of an integer
// fact ("an ID for every attending family member": {fact: attending_family_count}). Never less
// than one: a requirement that applies needs at least one document.
struct Count {
  std::int64_t at_least = 1;
  std::string fact;  // when set, the number needed is this fact's value
};

struct Requirement {
  std::string id;
  std::string label;                // Japanese
  std::string ask;                  // Japanese: what to ask the patient for
  std::optional<Condition> when;    // absent: always required
  std::vector<Alternative> any_of;  // present when enough acceptable documents are found
  Count count;                      // default: one document
};

struct Exclusion {
  std::string id;
  std::string label;                  // Japanese
  std::optional<Condition> when;      // over facts
  // Or any of these in a sentence of a page's text (of the document types `keywords_in`, all
  // pages when empty) that is not the hospital's printed notice of what it does not accept and
  // does not deny it: a mention for a person to confirm (verdict needs_review, not rejected).
  std::vector<std::string> keywords;
  std::vector<std::string> keywords_in;
};

// The letter to the patient when something must come from them (letter/): how to send it, by
// when, and whom to ask. Empty strings are left out of the letter.
struct LetterSettings {
  std::string office;       // 地域医療連携センター セカンドオピニオン外来 受付
  std::string address;      // the office's postal address (where to send)
  std::string phone;        // the office's phone number
  std::string hours;        // when it answers the phone (平日 9:00〜17:00)
  std::string how_to_send;  // 簡易書留でお送りください …
  int deadline_days = 14;   // the deadline, in days from the letter's date
};

struct Profile {
  std::string id;
  std::string name;  // Japanese
  std::filesystem::path source;
  std::string sha256;           // of the file's bytes
  double min_confidence = 0.5;  // below: needs_review, never present on a guess
  std::vector<DocumentType> document_types;
  std::vector<Requirement> requirements;
  std::vector<Exclusion> exclusions;
  LetterSettings letter;

  const DocumentType* FindDocumentType(const std::string& type_id) const;
};

// Every fact a condition may name, and those that hold whole numbers (for count and for
// less_than / at_least).
const std::vector<std::string>& KnownFacts();
bool IsIntegerFact(const std::string& fact);

// Document type id the DICOM stage's imaging counts as.
inline constexpr const char* kDicomImagesType = "dicom_images";

struct ConfigError {
  std::string file;
  int line = 0;     // 1-based; 0 when unknown
  std::string key;  // dotted path, e.g. requirements[3].when.fact
  std::string message;
  std::string ToString() const;  // "file:line: key: message"
};

// Every problem in the file (empty: valid).
std::vector<ConfigError> ValidateProfileFile(const std::filesystem::path& path);

// Loads a valid profile; the error message lists the first problems.
Result<Profile> LoadProfile(const std::filesystem::path& path);

// The profile shipped with the program (University of Tokyo Hospital, online second opinion).
std::filesystem::path DefaultProfilePath();

}  // namespace intake::config

#include "letter/reply_slip.h"

#include <array>
#include <cctype>
#include <string>

#include "text/text_normalize.h"

namespace intake::letter {
namespace {

constexpr std::string_view kPrefix = "INTAKE-CASE:";

// Parts of the slip's printed words (letter/patient_letter.cc), short enough that one glyph read
// wrong elsewhere in the word does not lose them.
constexpr std::array<std::string_view, 7> kSlipWords = {"返信", "用紙", "受付番号", "キリトリ",
                                                        "切り取", "QR", "ＱＲ"};

// Whether `text` holds 8 ASCII digits followed by '-': the date part of a case id.
bool HasCaseIdDate(std::string_view text) {
  int digits = 0;
  for (char ch : text) {
    if (ch == '-' && digits >= 8) return true;
    digits = std::isdigit(static_cast<unsigned char>(ch)) ? digits + 1 : 0;
  }
  return false;
}

}  // namespace

std::string ReplySlipPayload(std::string_view case_id) {
  std::string out(kPrefix);
  for (char ch : case_id) out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

bool LooksLikeCaseId(std::string_view text) {
  if (text.size() != 17 || text[8] != '-') return false;
  for (std::size_t i = 0; i < 8; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  for (std::size_t i = 9; i < 17; ++i) {
    const char ch = text[i];
    if (!std::isdigit(static_cast<unsigned char>(ch)) && (ch < 'a' || ch > 'f')) return false;
  }
  return true;
}

bool MayShowReplySlip(std::string_view ocr_text) {
  // Tesseract puts spaces between Japanese words.
  const std::string text = text::RemoveWhitespace(ocr_text);
  for (std::string_view word : kSlipWords) {
    if (text.find(word) != std::string::npos) return true;
  }
  return HasCaseIdDate(text);
}

std::optional<std::string> CaseIdFromReplySlip(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string id;
  for (char ch : text.substr(kPrefix.size())) {
    id += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  if (!LooksLikeCaseId(id)) return std::nullopt;
  return id;
}

}  // namespace intake::letter

#include "letter/reply_slip.h"

#include <cctype>

namespace intake::letter {
namespace {

constexpr std::string_view kPrefix = "INTAKE-CASE:";

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

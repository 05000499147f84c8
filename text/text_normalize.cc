#include "text/text_normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>

#include "text/decode.h"

namespace intake::text {
namespace {

bool IsSpace(char32_t c) { return u_isUWhiteSpace(static_cast<UChar32>(c)) || c == 0x3000; }

}  // namespace

std::u32string CodePoints(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    const char32_t c = NextCodePoint(utf8, i);
    out.push_back(c == kMalformed ? 0xFFFD : c);
  }
  return out;
}

std::size_t EditDistance(std::u32string_view a, std::u32string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<NearestWord> FindNearestWord(std::u32string_view read,
                                           const std::vector<std::string>& words) {
  std::optional<NearestWord> nearest;
  for (const auto& word : words) {
    const std::size_t d = EditDistance(read, CodePoints(word));
    if (!nearest || d < nearest->distance) {
      const std::size_t runner_up = nearest ? nearest->distance : std::u32string::npos;
      nearest = NearestWord{&word, d, runner_up};
    } else if (d < nearest->runner_up) {
      nearest->runner_up = d;
    }
  }
  return nearest;
}

std::optional<std::string> NearMissOf(std::string_view read,
                                      const std::vector<std::string>& words) {
  if (read.empty()) return std::nullopt;
  const auto nearest = FindNearestWord(CodePoints(read), words);
  if (!nearest) return std::nullopt;
  if (nearest->distance == 0) return *nearest->word;
  const std::size_t allowed = (CodePoints(*nearest->word).size() + 1) / 3;
  const bool alone = nearest->runner_up == std::u32string::npos ||
                     nearest->runner_up >= nearest->distance + 2;
  if (nearest->distance > allowed || !alone) return std::nullopt;
  return *nearest->word;
}

std::string Nfkc(std::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) return std::string(utf8);
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  icu::UnicodeString out = nfkc->normalize(in, status);
  if (U_FAILURE(status)) return std::string(utf8);
  std::string result;
  out.toUTF8String(result);
  return result;
}

std::string RemoveWhitespace(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t start = i;
    const char32_t c = NextCodePoint(utf8, i);
    if (c != kMalformed && IsSpace(c)) continue;
    out.append(utf8.substr(start, i - start));
  }
  return out;
}

std::string MatchForm(std::string_view utf8) { return RemoveWhitespace(Nfkc(utf8)); }

std::vector<std::string> MatchFormLines(std::string_view utf8) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= utf8.size()) {
    std::size_t end = utf8.find('\n', start);
    if (end == std::string_view::npos) end = utf8.size();
    std::string line = MatchForm(utf8.substr(start, end - start));
    if (!line.empty()) lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

std::string TrimSpaces(std::string_view utf8) {
  const std::u32string u = CodePoints(utf8);
  std::size_t b = 0;
  std::size_t e = u.size();
  while (b < e && IsSpace(u[b])) ++b;
  while (e > b && IsSpace(u[e - 1])) --e;
  // Re-encode only the kept range by byte offsets: walk again to find them.
  const std::size_t n = utf8.size();
  std::size_t i = 0;
  std::size_t byte_begin = n;
  std::size_t byte_end = n;
  for (std::size_t cp = 0; i <= n; ++cp) {
    if (cp == b) byte_begin = i;
    if (cp == e) {
      byte_end = i;
      break;
    }
    if (i == n) break;
    (void)NextCodePoint(utf8, i);
  }
  if (byte_begin >= byte_end) return {};
  return std::string(utf8.substr(byte_begin, byte_end - byte_begin));
}

long CodepointLength(std::string_view utf8) { return static_cast<long>(CodePoints(utf8).size()); }

std::optional<std::pair<std::size_t, std::size_t>> FindLabel(std::string_view text,
                                                             std::string_view label,
                                                             bool allow_drop) {
  if (const auto at = text.find(label); at != std::string_view::npos)
    return std::make_pair(at, at + label.size());
  if (!allow_drop || CodepointLength(label) < 3) return std::nullopt;
  for (std::size_t i = 0; i < label.size();) {
    const std::size_t start = i;
    (void)NextCodePoint(label, i);  // i: past the character dropped
    const std::string shorter =
        std::string(label.substr(0, start)).append(label.substr(i));
    if (const auto at = text.find(shorter); at != std::string_view::npos)
      return std::make_pair(at, at + shorter.size());
  }
  return std::nullopt;
}

long FindCodepoints(std::string_view text, std::string_view keyword) {
  const std::u32string t = CodePoints(text);
  const std::u32string k = CodePoints(keyword);
  const auto pos = t.find(k);
  return pos == std::u32string::npos ? -1 : static_cast<long>(pos);
}

int AllowedEdits(long keyword_length) {
  if (keyword_length < 4) return 0;
  if (keyword_length < 10) return 1;
  if (keyword_length < 15) return 2;
  return 3;
}

bool ContainsFuzzy(std::string_view text, std::string_view keyword) {
  if (keyword.empty()) return false;
  if (text.find(keyword) != std::string_view::npos) return true;
  const std::u32string k = CodePoints(keyword);
  const int allowed = AllowedEdits(static_cast<long>(k.size()));
  if (allowed == 0) return false;
  const std::u32string t = CodePoints(text);
  // Approximate substring match (Sellers): row j holds the fewest edits that turn keyword[0, j)
  // into some text substring ending at the current position; a match may start anywhere.
  std::vector<int> prev(k.size() + 1);
  std::vector<int> cur(k.size() + 1);
  for (std::size_t j = 0; j <= k.size(); ++j) prev[j] = static_cast<int>(j);
  for (char32_t ch : t) {
    cur[0] = 0;
    for (std::size_t j = 1; j <= k.size(); ++j) {
      const int substitute = prev[j - 1] + (k[j - 1] == ch ? 0 : 1);
      cur[j] = std::min({substitute, prev[j] + 1, cur[j - 1] + 1});
    }
    if (cur[k.size()] <= allowed) return true;
    std::swap(prev, cur);
  }
  return false;
}

}  // namespace intake::text

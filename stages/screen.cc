#include "stages/screen.h"

#include <string>
#include <vector>

#include "pipeline/log.h"
#include "text/decode.h"
#include "text/text_normalize.h"

namespace intake::stages {
namespace {

// A decimal digit, half- or full-width: its value, or -1.
int DigitValue(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 0xFF10 && c <= 0xFF19) return static_cast<int>(c - 0xFF10);
  return -1;
}

// What may stand between the groups of a number: space, hyphen, and their full-width forms.
bool IsDigitSeparator(char32_t c) {
  return c == ' ' || c == '-' || c == 0x3000 || c == 0xFF0D || c == 0x30FC || c == 0x2010 ||
         c == 0x2212;
}

int MaskValidNumbers(std::string& text);

bool NamesMyNumber(const std::string& match_form_text) {
  return match_form_text.find("個人番号") != std::string::npos ||
         match_form_text.find("マイナンバー") != std::string::npos;
}

bool SaysSlidesAreEnclosed(const std::string& text) {
  for (const auto& line : text::MatchFormLines(text)) {
    if (line.find("プレパラート") == std::string::npos) continue;
    const bool enclosed =
        line.find("同封") != std::string::npos || line.find("送付") != std::string::npos ||
        line.find("添付") != std::string::npos || line.find("お送り") != std::string::npos;
    const bool negated = line.find("ません") != std::string::npos ||
                         line.find("なし") != std::string::npos ||
                         line.find("ない") != std::string::npos;
    if (enclosed && !negated) return true;
  }
  return false;
}

class ScreenStage final : public Stage {
 public:
  std::string_view name() const override { return "screen"; }

  Status Run(Case& c) override {
    int my_number_pages = 0;
    for (auto& page : c.pages) {
      const SourceFile* file = c.FindFile(page.file_id);
      const std::string where =
          (file ? file->relative_path : page.file_id) + " p." + std::to_string(page.number_in_file);
      const int in_lines = MaskMyNumbersInLines(page.text, page.lines);
      if (MaskMyNumbers(page.text) + in_lines > 0) {
        ++my_number_pages;
        c.AddFinding(FindingCode::kMyNumber,
                     "個人番号（マイナンバー）が記載されています（番号は保存していません。原本の取"
                     "り扱いに注意してください）: " +
                         where,
                     page.file_id);
      }
      if (SaysSlidesAreEnclosed(page.text)) {
        c.AddFinding(FindingCode::kGlassSlides,
                     "プレパラート（病理標本）が同封されている可能性があります。受け付けていないた"
                     "め返送等の対応を確認してください: " +
                         where,
                     page.file_id);
      }
    }
    Log()->info("case {} screen: My Number masked on {} pages", c.id, my_number_pages);
    return Status::Ok();
  }
};

}  // namespace

bool IsValidMyNumber(std::string_view d) {
  if (d.size() != 12) return false;
  for (char ch : d) {
    if (ch < '0' || ch > '9') return false;
  }
  // Check digit: P(n) is the n-th digit from the right of the first eleven, weighted n+1 for
  // n = 1..6 and n-5 for n = 7..11; remainder r of the sum by 11; check = 0 if r <= 1, else 11-r.
  int sum = 0;
  for (int n = 1; n <= 11; ++n) {
    const int p = d[static_cast<std::size_t>(11 - n)] - '0';
    const int q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const int r = sum % 11;
  const int check = r <= 1 ? 0 : 11 - r;
  return check == d[11] - '0';
}

int MaskMyNumbers(std::string& text) {
  if (!NamesMyNumber(text::MatchForm(text))) return 0;
  return MaskValidNumbers(text);
}

int MaskMyNumbersInLines(std::string_view page_text, std::vector<TextLine>& lines) {
  if (lines.empty() || !NamesMyNumber(text::MatchForm(page_text))) return 0;
  int masked = 0;
  for (auto& line : lines) {
    if (const int n = MaskValidNumbers(line.text); n > 0) {
      line.redact = true;
      masked += n;
    }
  }
  return masked;
}

namespace {

// Masks every run of digits in `text` that is a valid My Number; returns how many.
int MaskValidNumbers(std::string& text) {
  struct CodePoint {
    char32_t c;         // text::kMalformed for a malformed sequence
    std::size_t begin;  // byte offsets in text
    std::size_t end;
  };
  std::vector<CodePoint> cps;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t begin = i;
    const char32_t c = text::NextCodePoint(text, i);
    cps.push_back({c, begin, i});
  }
  // A run of digits, single separators allowed between them, is a My Number when it has exactly
  // 12 digits with a valid check digit.
  std::vector<bool> mask(cps.size(), false);
  int masked = 0;
  for (std::size_t i = 0; i < cps.size();) {
    if (DigitValue(cps[i].c) < 0) {
      ++i;
      continue;
    }
    std::string digits;
    std::vector<std::size_t> positions;
    std::size_t j = i;
    while (j < cps.size()) {
      if (const int v = DigitValue(cps[j].c); v >= 0) {
        digits.push_back(static_cast<char>('0' + v));
        positions.push_back(j++);
      } else if (IsDigitSeparator(cps[j].c) && j + 1 < cps.size() &&
                 DigitValue(cps[j + 1].c) >= 0) {
        ++j;
      } else {
        break;
      }
    }
    if (IsValidMyNumber(digits)) {
      for (std::size_t p : positions) mask[p] = true;
      ++masked;
    }
    i = j;
  }
  if (masked == 0) return 0;
  std::string out;
  out.reserve(text.size());
  for (std::size_t k = 0; k < cps.size(); ++k) {
    if (mask[k]) {
      out += "＊";
    } else {
      out.append(text, cps[k].begin, cps[k].end - cps[k].begin);
    }
  }
  text = std::move(out);
  return masked;
}

}  // namespace

std::unique_ptr<Stage> MakeScreenStage() { return std::make_unique<ScreenStage>(); }

}  // namespace intake::stages

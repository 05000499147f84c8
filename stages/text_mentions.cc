#include "stages/text_mentions.h"

#include <array>

#include "text/text_normalize.h"

namespace intake::stages {
namespace {

// Words of a hospital's notice of what it does not accept, printed on its forms.
constexpr std::array<std::string_view, 11> kNoticeWords{
    "できません", "出来ません", "お受けし", "受け付けて", "受付できな", "対象外",
    "お断り",     "ご遠慮",     "除きます", "不可",       "いたしかねます"};
// Words that deny what the sentence names ("訴訟の予定はありません", "係争なし").
constexpr std::array<std::string_view, 10> kDenialWords{
    "ありません", "ございません", "ていません", "ておりません", "予定はな",
    "つもりはな", "考えていな",   "なし",       "無し",         "はなく"};

bool ContainsAny(const std::string& sentence, const auto& words) {
  for (const auto w : words) {
    if (sentence.find(w) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> Sentences(std::string_view text) {
  std::string joined;
  for (const auto& line : text::MatchFormLines(text)) joined += line;
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < joined.size()) {
    std::size_t end = std::string::npos;
    std::size_t stop_len = 0;
    for (const std::string_view stop : {"。", "!", "?"}) {
      const auto at = joined.find(stop, start);
      if (at < end) {
        end = at;
        stop_len = stop.size();
      }
    }
    if (end == std::string::npos) end = joined.size();
    if (end > start) out.push_back(joined.substr(start, end - start));
    start = end + stop_len;
  }
  return out;
}

std::optional<std::string> StatedMention(std::string_view text,
                                         const std::vector<std::string>& keywords) {
  for (const auto& sentence : Sentences(text)) {
    if (ContainsAny(sentence, kNoticeWords) || ContainsAny(sentence, kDenialWords)) continue;
    for (const auto& kw : keywords) {
      if (sentence.find(text::MatchForm(kw)) != std::string::npos) return kw;
    }
  }
  return std::nullopt;
}

}  // namespace intake::stages

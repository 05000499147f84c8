#include "dicom/person_name.h"

namespace intake::dicom {
namespace {

constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";  // U+3000

std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

// Leading and trailing ASCII and ideographic spaces removed.
std::string TrimSpaces(std::string_view s) {
  while (true) {
    if (!s.empty() && s.front() == ' ') {
      s.remove_prefix(1);
    } else if (s.starts_with(kIdeographicSpace)) {
      s.remove_prefix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  while (true) {
    if (!s.empty() && s.back() == ' ') {
      s.remove_suffix(1);
    } else if (s.ends_with(kIdeographicSpace)) {
      s.remove_suffix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  return std::string(s);
}

// Runs of ASCII or ideographic spaces as separators: "ﾌﾙﾊｼ　ﾀｲﾁ" -> {"ﾌﾙﾊｼ", "ﾀｲﾁ"}.
std::vector<std::string> SplitOnSpaces(std::string_view s) {
  std::vector<std::string> parts;
  std::string current;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t space = 0;
    if (s[i] == ' ') {
      space = 1;
    } else if (s.substr(i).starts_with(kIdeographicSpace)) {
      space = kIdeographicSpace.size();
    }
    if (space > 0) {
      if (!current.empty()) parts.push_back(std::move(current));
      current.clear();
      i += space;
    } else {
      current += s[i++];
    }
  }
  if (!current.empty()) parts.push_back(std::move(current));
  return parts;
}

PersonNameGroup ParseGroup(std::string_view group) {
  PersonNameGroup out;
  if (group.find('^') != std::string_view::npos) {
    for (const std::string& part : Split(group, '^')) out.components.push_back(TrimSpaces(part));
  } else {
    out.components = SplitOnSpaces(group);
  }
  while (!out.components.empty() && out.components.back().empty()) out.components.pop_back();
  return out;
}

}  // namespace

std::string PersonNameGroup::Joined(std::string_view separator) const {
  std::string out;
  for (const std::string& c : components) {
    if (c.empty()) continue;
    if (!out.empty()) out += separator;
    out += c;
  }
  return out;
}

PersonName ParsePersonName(std::string_view decoded) {
  const std::vector<std::string> groups = Split(decoded, '=');
  PersonName name;
  if (!groups.empty()) name.alphabetic = ParseGroup(groups[0]);
  if (groups.size() > 1) name.ideographic = ParseGroup(groups[1]);
  if (groups.size() > 2) name.phonetic = ParseGroup(groups[2]);
  return name;
}

}  // namespace intake::dicom

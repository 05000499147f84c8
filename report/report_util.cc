#include "report/report_util.h"

#include <algorithm>
#include <cstdint>

namespace intake::report {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is invalid.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80;
  std::uint8_t high = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) low = 0xA0;   // overlong
    if (b0 == 0xED) high = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) low = 0x90;   // overlong
    if (b0 == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  const std::uint8_t b1 = byte(i + 1);
  if (b1 < low || b1 > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

struct BuiltInLabel {
  std::string_view type;
  std::string_view label;
};
constexpr std::array kBuiltInLabels{
    BuiltInLabel{kOtherType, kOtherTypeLabel},
    BuiltInLabel{kImagingType, "画像データ（DICOM）"},
};

}  // namespace

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string DocumentTypeLabel(const ReportContext& context, std::string_view type) {
  if (auto it = context.document_type_labels.find(std::string(type));
      it != context.document_type_labels.end() && !it->second.empty()) {
    return it->second;
  }
  for (const auto& built_in : kBuiltInLabels) {
    if (built_in.type == type) return std::string(built_in.label);
  }
  return std::string(type);
}

const Document* FindDocument(const Case& c, std::string_view document_id) {
  auto it = std::find_if(c.documents.begin(), c.documents.end(),
                         [&](const Document& d) { return d.id == document_id; });
  return it == c.documents.end() ? nullptr : &*it;
}

std::string DocumentFileId(const Case& c, const Document& document) {
  for (const auto& page_id : document.page_ids) {
    if (const Page* page = c.FindPage(page_id)) return page->file_id;
  }
  return {};
}

int DocumentEnvelope(const Case& c, const Document& document) {
  const SourceFile* file = c.FindFile(DocumentFileId(c, document));
  return file ? file->envelope : 1;
}

std::vector<int> DocumentPageNumbers(const Case& c, const Document& document) {
  std::vector<int> numbers;
  numbers.reserve(document.page_ids.size());
  for (const auto& page_id : document.page_ids) {
    if (const Page* page = c.FindPage(page_id)) numbers.push_back(page->number_in_file);
  }
  return numbers;
}

std::string DocumentTextSource(const Case& c, const Document& document) {
  std::string_view source;
  for (const auto& page_id : document.page_ids) {
    const Page* page = c.FindPage(page_id);
    if (page == nullptr) continue;
    const std::string_view name = TextSourceName(page->text_source);
    if (source.empty()) {
      source = name;
    } else if (source != name) {
      return "mixed";
    }
  }
  return source.empty() ? std::string(TextSourceName(TextSource::kNone)) : std::string(source);
}

double DocumentMinOcrConfidence(const Case& c, const Document& document) {
  double lowest = -1.0;
  for (const auto& page_id : document.page_ids) {
    const Page* page = c.FindPage(page_id);
    if (page == nullptr || !page->ocr_confidence) continue;
    if (lowest < 0.0 || *page->ocr_confidence < lowest) lowest = *page->ocr_confidence;
  }
  return lowest;
}

}  // namespace intake::report

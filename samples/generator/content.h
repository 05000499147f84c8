// Document content: the Japanese text of each document type for a sample's fictional patient.
//
// A document is a list of pages, a page a list of blocks (title, "label　value" fields,
// paragraphs, tables, an ID card). The content knows nothing about fonts or pixels: render.h
// lays the blocks out on A4. Field labels follow the conventions the facts stage parses
// (`受診者　家族のみ`, `希望診療科　消化器内科`, ...), and each document carries several keywords
// of its type from the profile and no title keyword of another type (CheckAgainstProfile).
#pragma once

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "pipeline/result.h"
#include "samples/generator/sample_spec.h"

namespace intake::samplegen {

// The large heading at the top of a page.
struct TitleBlock {
  std::string text;
  double size_pt = 18;
};

enum class Align { kLeft, kCenter, kRight };

// A paragraph, wrapped to the text width.
struct TextBlock {
  std::string text;
  double size_pt = 11;
  Align align = Align::kLeft;
  bool bold = false;
  double indent_pt = 0;
};

// One "label　value" line; `seal` draws a red name seal (印) over the end of the value, and
// `handwritten` sets the value in a serif face like a signature.
struct FieldBlock {
  std::string label;
  std::string value;
  std::string seal;
  bool handwritten = false;
};

// A ruled table; the first row is the header.
struct TableBlock {
  std::vector<std::vector<std::string>> rows;
  std::vector<double> column_weights;  // relative widths; empty: equal
  double size_pt = 10.5;
};

struct SpacerBlock {
  double height_pt = 12;
};

// A photocopied card (driver's licence), enlarged, with a photo box on the right.
struct CardBlock {
  std::string title;  // printed on the card
  std::vector<FieldBlock> fields;
  std::string footer;     // e.g. 東京都公安委員会
  double width_mm = 128;  // 85.6 mm x 54 mm enlarged 150 %
  double height_mm = 81;
};

using Block = std::variant<TitleBlock, TextBlock, FieldBlock, TableBlock, SpacerBlock, CardBlock>;

struct PageContent {
  std::vector<Block> blocks;
};

struct DocumentContent {
  std::string type;  // document type id of the profile
  std::vector<PageContent> pages;
};

// The content of one document type for the sample's patient; fails for an unknown type.
Result<DocumentContent> MakeDocument(const SampleSpec& spec, const std::string& type);

// All visible text of a document (for the profile check and for tests).
std::string PlainText(const DocumentContent& document);

// Checks the content against the profile's keywords: each page's text holds a title keyword of
// its type (first page) or at least two of its keywords, and no title keyword of another type
// (unless it is part of the document's own title keyword, like 診療情報提供書 in
// 診療情報提供書別紙).
Status CheckAgainstProfile(const DocumentContent& document,
                           const std::filesystem::path& profile_path);

// 令和8年11月1日 / 昭和45年3月2日 (元年 for year 1).
std::string JapaneseEraDate(const Date& date);

}  // namespace intake::samplegen

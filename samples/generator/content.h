// Document content: the Japanese text of each document type for a sample's fictional patient.
//
// A document is a list of pages, a page a list of blocks (title, "label　value" fields,
// paragraphs, tables, an ID card). The content knows nothing about fonts or pixels: render.h
// lays the blocks out on A4. Field labels follow the conventions the facts stage parses
// (`受診者　家族のみ`, `希望診療科　消化器内科`, ...), and each document carries several keywords
// of its type from the profile and no title keyword of another type (CheckAgainstProfile).
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "pipeline/result.h"
#include "samples/generator/sample_spec.h"

namespace intake::samplegen {

enum class Align { kLeft, kCenter, kRight };

// The large heading at the top of a page.
struct TitleBlock {
  std::string text;
  double size_pt = 18;
  Align align = Align::kCenter;
};

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
  bool photo = true;  // a photo box on the right (licences, passports; not insurance cards)
};

using Block = std::variant<TitleBlock, TextBlock, FieldBlock, TableBlock, SpacerBlock, CardBlock>;

struct PageContent {
  std::vector<Block> blocks;
};

struct DocumentContent {
  std::string type;  // document type id of the profile, or "other"
  std::vector<PageContent> pages;
  std::string variant;  // which variant was drawn (e.g. "passport"), for the corpus truth
};

// Choices of wording and layout for one document, drawn from a seed (the classification
// corpus varies its pages this way). Seed 0, what the samples use, always takes the first choice,
// so the samples stay the same whatever variants are added.
class Variation {
 public:
  explicit Variation(std::uint32_t seed = 0) : seed_(seed), rng_(seed) {}
  bool varied() const { return seed_ != 0; }
  // 0 .. choices-1; 0 for seed 0.
  int Pick(int choices) {
    return varied() && choices > 1 ? static_cast<int>(rng_() % static_cast<unsigned>(choices)) : 0;
  }
  // One of the items; the first for seed 0.
  template <typename T>
  const T& OneOf(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(Pick(static_cast<int>(items.size())))];
  }
  // In [low, high); low for seed 0.
  double Between(double low, double high) {
    if (!varied()) return low;
    return low + (high - low) * ((rng_() >> 5) * (1.0 / 134217728.0));
  }

 private:
  std::uint32_t seed_;
  std::mt19937 rng_;  // specified bit-exactly by the standard: same choices everywhere
};

// The content of one document type for the sample's patient; fails for an unknown type.
// `variation` picks among the type's variants (kinds of ID or card, test kinds, wording, layout).
Result<DocumentContent> MakeDocument(const SampleSpec& spec, const std::string& type,
                                     Variation variation = Variation());

// Every document type MakeDocument knows.
std::vector<std::string> DocumentTypesWithContent();

// Pages that belong to no document type of the profile ("other"), for the corpus: kind is
// "cover_letter" (a clinic's 送付状), "envelope" (the front of the envelope, scanned by mistake)
// or "blank" (an almost empty page: 以下余白 and a page number).
Result<DocumentContent> MakeOtherDocument(const SampleSpec& spec, const std::string& kind,
                                          Variation variation = Variation());
std::vector<std::string> OtherKinds();

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

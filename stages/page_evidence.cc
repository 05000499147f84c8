#include "stages/page_evidence.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "ocr/page_image.h"
#include "pipeline/log.h"
#include "text/text_normalize.h"

namespace intake::stages {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kRedactMargin = 4;  // as in the searchable PDF: anti-aliased edges too
constexpr int kJpegQuality = 75;

// The page's text as read, in match form, code point after code point, each with the line and
// the word (-1: the line has no words) it came from. Lines that held a My Number are left out.
struct PageIndex {
  std::u32string text;
  std::vector<std::pair<int, int>> owner;
};

PageIndex IndexPage(const Page& page) {
  PageIndex index;
  for (int l = 0; l < static_cast<int>(page.lines.size()); ++l) {
    const TextLine& line = page.lines[static_cast<std::size_t>(l)];
    if (line.redact) continue;
    const auto add = [&](std::string_view text, int word) {
      const std::u32string points = text::CodePoints(text::MatchForm(text));
      index.text += points;
      index.owner.insert(index.owner.end(), points.size(), {l, word});
    };
    if (line.words.empty()) add(line.text, -1);
    for (int w = 0; w < static_cast<int>(line.words.size()); ++w) {
      add(line.words[static_cast<std::size_t>(w)].text, w);
    }
  }
  return index;
}

using Span = std::pair<std::size_t, std::size_t>;  // [begin, end) in code points

// The boxes of the words (or lines without words) that make up `span` of the page's text.
std::vector<PixelRect> BoxesOf(const Page& page, const PageIndex& index, Span span) {
  std::vector<PixelRect> boxes;
  std::pair<int, int> last{-1, -2};
  for (std::size_t i = span.first; i < span.second && i < index.owner.size(); ++i) {
    if (index.owner[i] == last) continue;
    last = index.owner[i];
    const TextLine& line = page.lines[static_cast<std::size_t>(last.first)];
    boxes.push_back(last.second < 0 ? PixelRect{line.left, line.top, line.width, line.height}
                                    : line.words[static_cast<std::size_t>(last.second)].box);
  }
  return boxes;
}

// Where `needle` stands in `text`: exactly, or when `fuzzy` within text::AllowedEdits() (the end of
// the closest stretch, its start a needle's length before).
std::optional<Span> Find(const std::u32string& text, const std::u32string& needle, bool fuzzy) {
  if (needle.empty() || text.empty()) return std::nullopt;
  if (const auto at = text.find(needle); at != std::u32string::npos) {
    return Span{at, at + needle.size()};
  }
  const int allowed = text::AllowedEdits(static_cast<long>(needle.size()));
  if (!fuzzy || allowed == 0) return std::nullopt;
  const std::size_t m = needle.size();
  std::vector<int> previous(m + 1);
  std::vector<int> current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = static_cast<int>(j);
  int best = allowed + 1;
  std::size_t best_end = 0;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    current[0] = 0;  // a match may start anywhere in the text
    for (std::size_t j = 1; j <= m; ++j) {
      current[j] = std::min({previous[j - 1] + (text[i - 1] == needle[j - 1] ? 0 : 1),
                             previous[j] + 1, current[j - 1] + 1});
    }
    if (current[m] < best) {
      best = current[m];
      best_end = i;
    }
    std::swap(previous, current);
  }
  if (best > allowed) return std::nullopt;
  return Span{best_end >= m ? best_end - m : 0, best_end};
}

// Where a fact read from the page stands on it (see the header); empty when nowhere.
std::vector<PixelRect> FactBoxes(const Page& page, const PageIndex& index, const Fact& fact) {
  const std::u32string matched = text::CodePoints(fact.source.matched);
  std::vector<std::u32string> tries{matched, text::CodePoints(text::MatchForm(fact.read_as))};
  if (const auto* value = std::get_if<std::string>(&fact.value)) {
    tries.push_back(text::CodePoints(text::MatchForm(*value)));
  }
  for (const std::u32string& text : tries) {
    if (const auto span = Find(index.text, text, false)) return BoxesOf(page, index, *span);
  }
  for (std::size_t n = matched.size(); n >= 2; --n) {  // its label at least
    if (const auto span = Find(index.text, matched.substr(0, n), false)) {
      return BoxesOf(page, index, *span);
    }
  }
  return {};
}

// The profile keyword of a classification evidence ("title:紹介状", "body:同意書", "同意書"), or
// empty for the marks that are no keyword (blank, continuation, reply_slip).
std::string EvidenceKeyword(const std::string& evidence) {
  const auto colon = evidence.find(':');
  if (colon != std::string::npos) return evidence.substr(colon + 1);
  if (evidence == "blank" || evidence == "continuation" || evidence == "reply_slip") return {};
  return evidence;
}

// Plain writes: the case folder is built in staging and published whole (casework/case_processor).
Status WriteBytes(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::Fail("a page file could not be written");
  return Status::Ok();
}

json BoxJson(const PixelRect& r) { return json::array({r.left, r.top, r.width, r.height}); }

json BoxesJson(const std::vector<PixelRect>& boxes) {
  json out = json::array();
  for (const PixelRect& r : boxes) out.push_back(BoxJson(r));
  return out;
}

json LinesJson(const Page& page) {
  json lines = json::array();
  for (const TextLine& line : page.lines) {
    json words = json::array();
    if (!line.redact) {
      for (const TextWord& w : line.words)
        words.push_back({{"box", BoxJson(w.box)}, {"text", w.text}});
    }
    lines.push_back({{"box", BoxJson({line.left, line.top, line.width, line.height})},
                     {"vertical", line.vertical},
                     {"text", line.text},
                     {"words", std::move(words)}});
  }
  return lines;
}

// The page image into the case folder: a hard link to the work area's (a copy where links
// fail), or, when a line held a My Number, painted over.
Status KeepImage(const Page& page, const fs::path& to) {
  std::vector<ocr::PixelBox> redacted;
  for (const TextLine& l : page.lines) {
    if (!l.redact) continue;
    redacted.push_back({std::max(0, l.left - kRedactMargin), std::max(0, l.top - kRedactMargin),
                        l.width + 2 * kRedactMargin, l.height + 2 * kRedactMargin});
  }
  std::error_code ec;
  fs::remove(to, ec);
  if (!redacted.empty()) {
    auto painted = ocr::PaintedOver(page.read_image, redacted, kJpegQuality);
    if (!painted.ok()) return painted.status();
    return WriteBytes(to, *painted);
  }
  fs::create_hard_link(page.read_image, to, ec);
  if (ec) fs::copy_file(page.read_image, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Status::Fail("the page image could not be kept: " + ec.message());
  return Status::Ok();
}

class PageEvidenceStage final : public Stage {
 public:
  explicit PageEvidenceStage(fs::path case_dir) : case_dir_(std::move(case_dir)) {}

  std::string_view name() const override { return "page_evidence"; }

  Status Run(Case& c) override {
    const auto start = std::chrono::steady_clock::now();
    const fs::path dir = case_dir_ / kPageViewFolder;
    int kept = 0;
    int left_out = 0;
    for (Page& page : c.pages) {
      if (page.read_image.empty()) continue;
      std::error_code ec;
      if (kept + left_out == 0) fs::create_directories(dir, ec);
      if (Status done = KeepPage(c, page, dir); !done.ok()) {
        ++left_out;
        page.view_image.clear();
        page.view_text.clear();
        Log()->warn("page_evidence: {}: {}", page.id, done.message());
        continue;
      }
      ++kept;
    }
    Log()->info("page_evidence: case {}: {} pages kept, {} left out, {:.0f} ms", c.id, kept,
                left_out,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count());
    return Status::Ok();
  }

 private:
  Status KeepPage(Case& c, Page& page, const fs::path& dir) {
    const PageIndex index = IndexPage(page);
    json classification = json::array();
    page.evidence_boxes.clear();
    for (const std::string& evidence : page.evidence) {
      const std::string keyword = EvidenceKeyword(evidence);
      const auto span = Find(index.text, text::CodePoints(text::MatchForm(keyword)), true);
      if (keyword.empty() || !span) continue;
      const std::vector<PixelRect> boxes = BoxesOf(page, index, *span);
      page.evidence_boxes.insert(page.evidence_boxes.end(), boxes.begin(), boxes.end());
      classification.push_back({{"keyword", keyword}, {"boxes", BoxesJson(boxes)}});
    }
    json facts = json::array();
    for (Fact& fact : c.facts) {
      if (fact.source.from_manifest || fact.source.page_id != page.id) continue;
      fact.source.boxes = FactBoxes(page, index, fact);
      facts.push_back({{"name", fact.name}, {"boxes", BoxesJson(fact.source.boxes)}});
    }
    const std::string ext = page.read_image.extension() == ".png" ? ".png" : ".jpg";
    page.view_image = std::string(kPageViewFolder) + "/" + page.id + ext;
    page.view_text = std::string(kPageViewFolder) + "/" + page.id + ".json";
    if (Status image = KeepImage(page, dir / (page.id + ext)); !image.ok()) return image;
    const json out = {{"schema", "intake.page/1"},
                      {"page", page.id},
                      {"image", page.id + ext},
                      {"width", page.read_image_width},
                      {"height", page.read_image_height},
                      {"dpi", page.read_image_dpi},
                      {"text_source", std::string(TextSourceName(page.text_source))},
                      {"doc_type", page.doc_type},
                      {"lines", LinesJson(page)},
                      {"facts", std::move(facts)},
                      {"classification", std::move(classification)}};
    return WriteBytes(dir / (page.id + ".json"),
                      out.dump(-1, ' ', false, json::error_handler_t::replace));
  }

  fs::path case_dir_;
};

}  // namespace

std::unique_ptr<Stage> MakePageEvidenceStage(fs::path case_dir) {
  return std::make_unique<PageEvidenceStage>(std::move(case_dir));
}

}  // namespace intake::stages

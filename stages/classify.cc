#include "stages/classify.h"

#include <algorithm>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "pipeline/log.h"
#include "text/text_normalize.h"

namespace intake::stages {
namespace {

// Lines at the top of a page where a document's title sits.
constexpr std::size_t kTitleLines = 6;
// A title keyword in a short line, or making up at least this share of a longer one, is the page's
// title ("相談同意書", "12誘導心電図", "セカンドオピニオン外来　申込書"); in a sentence it is a
// mention ("…を同封します").
constexpr double kTitleLineShare = 0.5;
constexpr long kShortLine = 12;         // code points
constexpr double kTitleWeight = 6.0;    // the page's title names the type: it decides
constexpr double kCardTitleWeight = 3.5;  // a title in a line of its own further down
constexpr double kMentionWeight = 2.0;    // a title keyword in a sentence or a longer line
// Supporting keywords weigh by their length: short Japanese ones (住所, 続柄) are on every kind of
// form, long ones (戸籍に記録されている者) on one; Latin abbreviations (MRI, WBC) are specific.
// Keywords shorter than kFuzzyKeywordLength must match exactly: with one edit a four-character
// field name matches across the join of two lines (患者氏名 in 記録されている者|氏名).
constexpr double kMinKeywordWeight = 2.0 / 3;
constexpr double kMaxKeywordWeight = 1.5;
constexpr double kLatinKeywordWeight = 1.0;
constexpr long kFuzzyKeywordLength = 6;
constexpr double kMinScore = 3.0;  // below: "other", unless unopposed (next line)
// Two supporting keywords of one type and at least twice the evidence of any other type: the page
// is probably of that type even though its title was not read (OCR drops title lines on bad
// scans). It gets a low confidence (below any sensible min_confidence), so it is shown for
// review, never counted as present.
constexpr double kMinUnopposedScore = 1.5;
constexpr double kFullScore = 6.0;  // score for confidence 1
// A page with fewer characters than this is blank (OCR reads specks of a blank back or
// bleed-through as a few characters); its evidence says so.
constexpr long kBlankPageCharacters = 8;
constexpr const char* kBlankEvidence = "blank";

struct TitleHit {
  std::string type;
  std::string keyword;
  long begin;  // code points in the line
  long end;
  bool title = false;  // the keyword is the line's title, not a mention in it
};

struct Scored {
  std::string type;
  double score = 0;
  std::vector<std::string> evidence;
};

// A line of a list of enclosures ("・診療情報提供書", "検査データ一式 1部", a count OCR misread as
// "]通"): it names a document, it is not one.
bool IsEnclosureListLine(const std::string& line) {
  static const std::regex kListLine(
      "^(・|-|\\*|[0-9]+[.)]|\\([0-9]+\\))|(通|部|枚|冊)$");
  return std::regex_search(line, kListLine);
}

double KeywordWeight(const std::string& keyword) {
  const bool latin = std::all_of(keyword.begin(), keyword.end(),
                                 [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
  if (latin) return kLatinKeywordWeight;
  return std::clamp(static_cast<double>(text::CodepointLength(keyword)) / 3.0, kMinKeywordWeight,
                    kMaxKeywordWeight);
}

bool ContainsKeyword(const std::string& text, const std::string& keyword) {
  if (text::CodepointLength(keyword) < kFuzzyKeywordLength)
    return text.find(keyword) != std::string::npos;
  return text::ContainsFuzzy(text, keyword);
}

// Title keywords found in one line of the title zone, dropping hits inside a longer hit of
// another type (診療情報提供書 inside 診療情報提供書別紙). A hit that fills most of the line is the
// title.
std::vector<TitleHit> FindTitleHits(const config::Profile& profile, const std::string& line) {
  const long line_length = std::max(1L, text::CodepointLength(line));
  std::vector<TitleHit> hits;
  for (const auto& t : profile.document_types) {
    for (const auto& kw : t.title_keywords) {
      const std::string k = text::MatchForm(kw);
      const long length = text::CodepointLength(k);
      const long pos = text::FindCodepoints(line, k);
      const bool fuzzy = pos < 0 && text::ContainsFuzzy(line, k);
      if (pos < 0 && !fuzzy) continue;
      hits.push_back({t.id, kw, pos, pos < 0 ? -1 : pos + length, false});
    }
  }
  // The share of the line a type's keywords make up ("日本国旅券 JAPAN PASSPORT": 旅券 and
  // PASSPORT together).
  for (auto& h : hits) {
    long covered = 0;
    for (const auto& o : hits) {
      if (o.type == h.type) covered += text::CodepointLength(text::MatchForm(o.keyword));
    }
    h.title = line_length <= kShortLine ||
              static_cast<double>(std::min(covered, line_length)) / line_length >= kTitleLineShare;
  }
  std::vector<TitleHit> kept;
  for (const auto& h : hits) {
    const bool inside_longer = std::any_of(hits.begin(), hits.end(), [&](const TitleHit& o) {
      return o.begin >= 0 && h.begin >= 0 && (o.end - o.begin) > (h.end - h.begin) &&
             o.begin <= h.begin && h.end <= o.end && o.type != h.type;
    });
    if (!inside_longer) kept.push_back(h);
  }
  return kept;
}

// "2/2", "(2/3)", "-2-", "2頁", "(続き)" style markers of a continuation page.
bool HasContinuationMarker(const std::string& page_text) {
  static const std::regex kMarker(
      "(^|[^0-9])([2-9])/"
      "([2-9])([^0-9]|$)|(?:-|ー)([2-9])(?:-|ー)|([2-9])頁|続き\\)|つづき|\\(続\\)");
  return std::regex_search(page_text, kMarker);
}

class ClassifyStage final : public Stage {
 public:
  explicit ClassifyStage(const config::Profile& profile) : profile_(profile) {}
  std::string_view name() const override { return "classify"; }

  Status Run(Case& c) override {
    for (auto& page : c.pages) ClassifyPage(page);
    MarkContinuations(c);
    SplitDocuments(c);
    return Status::Ok();
  }

 private:
  void ClassifyPage(Page& page) const {
    const std::vector<std::string> lines = text::MatchFormLines(page.text);
    std::string all;
    for (const auto& line : lines) all += line;
    if (!page.reply_slip_case.empty()) {  // the letter's reply slip lists documents by name
      page.doc_type = "other";
      page.type_score = 1.0;
      page.evidence = {"reply_slip"};
      return;
    }
    if (text::CodepointLength(all) < kBlankPageCharacters) {  // a blank back, bleed-through specks
      page.doc_type = "other";
      page.type_score = 0.0;
      page.evidence = {kBlankEvidence};
      return;
    }
    AssignType(page, Score(lines, all));
  }

  // Each type's evidence on the page: its title, its title keywords elsewhere, its keywords.
  std::vector<Scored> Score(const std::vector<std::string>& lines, const std::string& all) const {
    std::vector<Scored> scores;
    for (const auto& t : profile_.document_types) scores.push_back({t.id, 0, {}});
    auto entry = [&](const std::string& type) -> Scored& {
      return *std::find_if(scores.begin(), scores.end(),
                           [&](const Scored& s) { return s.type == type; });
    };
    // The title: the first line of the title zone that is a type's title keyword.
    bool titled = false;
    for (std::size_t i = 0; i < lines.size() && i < kTitleLines && !titled; ++i) {
      for (const auto& hit : FindTitleHits(profile_, lines[i])) {
        if (!hit.title) continue;
        Scored& s = entry(hit.type);
        if (s.score < kTitleWeight) s.score += kTitleWeight;
        s.evidence.push_back("title:" + hit.keyword);
        titled = true;
      }
    }
    const std::set<std::string> card_titles = CardTitles(lines);
    for (const auto& t : profile_.document_types) {
      Scored& s = entry(t.id);
      bool card = false;
      for (const auto& kw : t.title_keywords) {
        const bool is_title = std::find(s.evidence.begin(), s.evidence.end(), "title:" + kw) !=
                              s.evidence.end();
        if (is_title || !ContainsKeyword(all, text::MatchForm(kw))) continue;
        const bool own_line = card_titles.count(kw) > 0 && !card;
        card = card || own_line;
        s.score += own_line ? kCardTitleWeight : kMentionWeight;
        s.evidence.push_back("body:" + kw);
      }
      for (const auto& kw : t.keywords) {
        const std::string k = text::MatchForm(kw);
        if (!ContainsKeyword(all, k)) continue;
        s.score += KeywordWeight(k);
        s.evidence.push_back(kw);
      }
    }
    return scores;
  }

  // Title keywords in a line of their own anywhere on the page: a card copied onto the page
  // (運転免許証, 被保険者証); not the lines of an enclosure list.
  std::set<std::string> CardTitles(const std::vector<std::string>& lines) const {
    std::set<std::string> out;
    for (const auto& line : lines) {
      if (IsEnclosureListLine(line)) continue;
      for (const auto& hit : FindTitleHits(profile_, line)) {
        if (hit.title) out.insert(hit.keyword);
      }
    }
    return out;
  }

  // The best-scored type, with a confidence that grows with the evidence and shrinks when a
  // rival type scores close; "other" when the evidence is too thin.
  static void AssignType(Page& page, std::vector<Scored> scores) {
    std::stable_sort(scores.begin(), scores.end(),
                     [](const Scored& a, const Scored& b) { return a.score > b.score; });
    const Scored& best = scores.front();
    const double second = scores.size() > 1 ? scores[1].score : 0.0;
    const auto supporting = std::count_if(
        best.evidence.begin(), best.evidence.end(),
        [](const std::string& e) { return e.rfind("title:", 0) != 0 && e.rfind("body:", 0) != 0; });
    const bool unopposed =
        supporting >= 2 && best.score >= kMinUnopposedScore && best.score >= 2 * second;
    page.evidence = best.evidence;
    if (best.score < kMinScore && !unopposed) {
      page.doc_type = "other";
      page.type_score = 0.0;
      return;
    }
    const double strength = std::min(1.0, best.score / kFullScore);
    const double margin = (best.score - second) / best.score;
    page.doc_type = best.type;
    page.type_score = strength * (0.5 + 0.5 * margin);
  }

  // A page that matched no type, right after a typed page of the same file and carrying a page
  // marker ("2/2"), continues that document.
  static void MarkContinuations(Case& c) {
    for (std::size_t i = 1; i < c.pages.size(); ++i) {
      Page& page = c.pages[i];
      const Page& prev = c.pages[i - 1];
      if (page.doc_type != "other" || prev.doc_type == "other" || prev.file_id != page.file_id)
        continue;
      if (!HasContinuationMarker(text::MatchForm(page.text))) continue;
      page.doc_type = prev.doc_type;
      page.type_score = prev.type_score * 0.9;
      page.evidence = {"continuation"};
    }
  }

  // Consecutive pages of one type within one file form one document, as sure of its type as its
  // best page (the title page of a letter vouches for the pages that continue it), except that a
  // page with its own title in its title zone starts a new document unless it is marked as a
  // continuation ("2/2"): two driver's licences copied one after the other are two documents,
  // the front and the back of one licence (the back has no title) are one.
  static void SplitDocuments(Case& c) {
    c.documents.clear();
    for (const auto& page : c.pages) {
      Document* last = c.documents.empty() ? nullptr : &c.documents.back();
      // A blank page (the back of a duplex scan) belongs to the document before it and does not
      // part it from the page that follows.
      const bool blank = page.evidence.size() == 1 && page.evidence[0] == kBlankEvidence;
      if (blank && last && c.FindPage(last->page_ids.back())->file_id == page.file_id) {
        last->page_ids.push_back(page.id);
        continue;
      }
      const bool titled =
          std::any_of(page.evidence.begin(), page.evidence.end(),
                      [](const std::string& e) { return e.rfind("title:", 0) == 0; });
      const bool starts_anew =
          titled && page.doc_type != "other" && !HasContinuationMarker(text::MatchForm(page.text));
      const bool same = last && last->type == page.doc_type && !starts_anew &&
                        c.FindPage(last->page_ids.back())->file_id == page.file_id;
      if (same) {
        last->page_ids.push_back(page.id);
        last->confidence = std::max(last->confidence, page.type_score);
        continue;
      }
      Document d;
      char id[16];
      std::snprintf(id, sizeof id, "d%03zu", c.documents.size() + 1);
      d.id = id;
      d.type = page.doc_type;
      d.page_ids.push_back(page.id);
      d.confidence = page.type_score;
      c.documents.push_back(std::move(d));
    }
    Log()->info("case {} classify: {} pages into {} documents", c.id, c.pages.size(),
                c.documents.size());
  }

  const config::Profile& profile_;
};

}  // namespace

std::unique_ptr<Stage> MakeClassifyStage(const config::Profile& profile) {
  return std::make_unique<ClassifyStage>(profile);
}

}  // namespace intake::stages

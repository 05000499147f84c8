#include "stages/classify.h"

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "pipeline/log.h"
#include "stages/text_normalize.h"

namespace intake::stages {
namespace {

// Lines at the top of a page where a document's title sits.
constexpr std::size_t kTitleLines = 6;
constexpr double kTitleWeight = 3.0;      // a title keyword in the title zone
constexpr double kBodyTitleWeight = 2.0;  // a title keyword further down (a copied card)
constexpr double kKeywordWeight = 1.0;    // each distinct supporting keyword
constexpr double kMinScore = 3.0;         // below: "other", unless unopposed (next line)
// Two supporting keywords of one type and at least twice the evidence of any other type: the page
// is probably of that type even though its title was not read (OCR drops title lines on bad
// scans). It gets a low confidence (below any sensible min_confidence), so it is shown for
// review, never counted as present.
constexpr double kMinUnopposedScore = 2.0 * kKeywordWeight;
constexpr double kFullScore = 6.0;  // score for confidence 1

struct TitleHit {
  std::string type;
  std::string keyword;
  long begin;  // code points in the zone text
  long end;
};

struct Scored {
  std::string type;
  double score = 0;
  std::vector<std::string> evidence;
};

// Title keywords found in the title zone, dropping hits inside a longer hit of another keyword
// (診療情報提供書 inside 診療情報提供書別紙, 申込書 inside セカンドオピニオン外来申込書).
std::vector<TitleHit> FindTitleHits(const config::Profile& profile, const std::string& zone) {
  std::vector<TitleHit> hits;
  for (const auto& t : profile.document_types) {
    for (const auto& kw : t.title_keywords) {
      const std::string k = MatchForm(kw);
      const long pos = FindCodepoints(zone, k);
      if (pos >= 0) {
        hits.push_back({t.id, kw, pos, pos + CodepointLength(k)});
      } else if (ContainsFuzzy(zone, k)) {
        hits.push_back({t.id, kw, -1, -1});
      }
    }
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
    const std::vector<std::string> lines = MatchFormLines(page.text);
    std::string zone;
    std::string body;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      (i < kTitleLines ? zone : body) += lines[i];
      if (i < kTitleLines) zone += "\n";
    }
    const std::string all = zone + body;

    std::vector<Scored> scores;
    for (const auto& t : profile_.document_types) scores.push_back({t.id, 0, {}});
    auto entry = [&](const std::string& type) -> Scored& {
      return *std::find_if(scores.begin(), scores.end(),
                           [&](const Scored& s) { return s.type == type; });
    };
    for (const auto& hit : FindTitleHits(profile_, zone)) {
      Scored& s = entry(hit.type);
      s.score += kTitleWeight;
      s.evidence.push_back("title:" + hit.keyword);
    }
    for (const auto& t : profile_.document_types) {
      Scored& s = entry(t.id);
      for (const auto& kw : t.title_keywords) {
        if (std::find(s.evidence.begin(), s.evidence.end(), "title:" + kw) != s.evidence.end())
          continue;
        if (ContainsFuzzy(body, MatchForm(kw))) {
          s.score += kBodyTitleWeight;
          s.evidence.push_back("body:" + kw);
        }
      }
      for (const auto& kw : t.keywords) {
        if (ContainsFuzzy(all, MatchForm(kw))) {
          s.score += kKeywordWeight;
          s.evidence.push_back(kw);
        }
      }
    }
    std::stable_sort(scores.begin(), scores.end(),
                     [](const Scored& a, const Scored& b) { return a.score > b.score; });
    const Scored& best = scores.front();
    const double second = scores.size() > 1 ? scores[1].score : 0.0;
    const auto supporting = std::count_if(
        best.evidence.begin(), best.evidence.end(),
        [](const std::string& e) { return e.rfind("title:", 0) != 0 && e.rfind("body:", 0) != 0; });
    const bool unopposed =
        supporting >= 2 && best.score >= kMinUnopposedScore && best.score >= 2 * second;
    if (best.score < kMinScore && !unopposed) {
      page.doc_type = "other";
      page.type_score = 0.0;
      page.evidence = best.evidence;
      return;
    }
    // Confidence grows with the evidence and shrinks when a rival type scores close.
    const double strength = std::min(1.0, best.score / kFullScore);
    const double margin = (best.score - second) / best.score;
    page.doc_type = best.type;
    page.type_score = strength * (0.5 + 0.5 * margin);
    page.evidence = best.evidence;
  }

  // A page that matched no type, right after a typed page of the same file and carrying a page
  // marker ("2/2"), continues that document.
  static void MarkContinuations(Case& c) {
    for (std::size_t i = 1; i < c.pages.size(); ++i) {
      Page& page = c.pages[i];
      const Page& prev = c.pages[i - 1];
      if (page.doc_type != "other" || prev.doc_type == "other" || prev.file_id != page.file_id)
        continue;
      if (!HasContinuationMarker(MatchForm(page.text))) continue;
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
      const bool titled =
          std::any_of(page.evidence.begin(), page.evidence.end(),
                      [](const std::string& e) { return e.rfind("title:", 0) == 0; });
      const bool starts_anew =
          titled && page.doc_type != "other" && !HasContinuationMarker(MatchForm(page.text));
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

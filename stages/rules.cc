#include "stages/rules.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/log.h"
#include "stages/text_mentions.h"
#include "text/text_normalize.h"

namespace intake::stages {
namespace {

using config::Condition;
using config::Literal;

// Three-valued logic: a condition over a fact that is unknown (or known with too little
// confidence) is unknown, and the requirement depending on it needs review.
enum class Tri { kFalse, kTrue, kUnknown };

Tri Not(Tri t) {
  if (t == Tri::kUnknown) return t;
  return t == Tri::kTrue ? Tri::kFalse : Tri::kTrue;
}

bool LiteralEquals(const FactValue& v, const Literal& lit) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    const auto* l = std::get_if<std::string>(&lit);
    return l && *s == *l;
  }
  if (const auto* b = std::get_if<bool>(&v)) {
    const auto* l = std::get_if<bool>(&lit);
    return l && *b == *l;
  }
  if (const auto* n = std::get_if<std::int64_t>(&v)) {
    const auto* l = std::get_if<std::int64_t>(&lit);
    return l && *n == *l;
  }
  return false;
}

class Evaluator {
 public:
  Evaluator(const Case& c, double min_confidence) : c_(c), min_confidence_(min_confidence) {}

  Tri Eval(const Condition& cond) {
    switch (cond.op) {
      case Condition::Op::kAll: {
        Tri result = Tri::kTrue;
        for (const auto& child : cond.children) {
          const Tri t = Eval(child);
          if (t == Tri::kFalse) return Tri::kFalse;
          if (t == Tri::kUnknown) result = Tri::kUnknown;
        }
        return result;
      }
      case Condition::Op::kAny: {
        Tri result = Tri::kFalse;
        for (const auto& child : cond.children) {
          const Tri t = Eval(child);
          if (t == Tri::kTrue) return Tri::kTrue;
          if (t == Tri::kUnknown) result = Tri::kUnknown;
        }
        return result;
      }
      case Condition::Op::kNot:
        return Not(Eval(cond.children.front()));
      case Condition::Op::kKnown: {
        const Fact* f = c_.FindFact(cond.fact);
        return f && f->known() && f->confidence >= min_confidence_ ? Tri::kTrue : Tri::kFalse;
      }
      default:
        break;
    }
    const Fact* f = c_.FindFact(cond.fact);
    if (!f || !f->known() || f->confidence < min_confidence_) {
      unknown_facts_.insert(cond.fact);
      return Tri::kUnknown;
    }
    const FactValue& v = f->value;
    switch (cond.op) {
      case Condition::Op::kEquals:
        return LiteralEquals(v, cond.values.front()) ? Tri::kTrue : Tri::kFalse;
      case Condition::Op::kIn:
        return std::any_of(cond.values.begin(), cond.values.end(),
                           [&](const Literal& l) { return LiteralEquals(v, l); })
                   ? Tri::kTrue
                   : Tri::kFalse;
      case Condition::Op::kLess:
      case Condition::Op::kAtLeast: {
        const auto* n = std::get_if<std::int64_t>(&v);
        const auto* limit = std::get_if<std::int64_t>(&cond.values.front());
        if (!n || !limit) return Tri::kUnknown;
        const bool less = *n < *limit;
        return (cond.op == Condition::Op::kLess) == less ? Tri::kTrue : Tri::kFalse;
      }
      case Condition::Op::kContains: {
        const auto* s = std::get_if<std::string>(&v);
        if (!s) return Tri::kFalse;
        const std::string text = text::MatchForm(*s);
        return std::any_of(cond.values.begin(), cond.values.end(),
                           [&](const Literal& l) {
                             const auto* w = std::get_if<std::string>(&l);
                             return w && text.find(text::MatchForm(*w)) != std::string::npos;
                           })
                   ? Tri::kTrue
                   : Tri::kFalse;
      }
      default:
        return Tri::kUnknown;
    }
  }

  // Facts that made a condition unknown since the last call, in Japanese for the report.
  std::string TakeUnknownFacts() {
    std::string out;
    for (const auto& fact : unknown_facts_) {
      if (!out.empty()) out += "、";
      out += FactLabel(fact);
    }
    unknown_facts_.clear();
    return out;
  }

  // The value of an integer fact known with enough confidence.
  std::optional<std::int64_t> Integer(const std::string& fact) const {
    const Fact* f = c_.FindFact(fact);
    if (!f || !f->known() || f->confidence < min_confidence_) return std::nullopt;
    const auto* n = std::get_if<std::int64_t>(&f->value);
    if (!n) return std::nullopt;
    return *n;
  }

  static std::string FactLabel(const std::string& fact) {
    static const std::vector<std::pair<std::string, std::string>> kNames{
        {"attendance", "受診者"},
        {"living_together", "同居・別居"},
        {"department", "希望診療科"},
        {"patient_birth_date", "生年月日"},
        {"patient_age", "年齢"},
        {"diagnosis", "傷病名"},
        {"attendee_relation", "受診するご家族の続柄"},
        {"attendee_kinship_degree", "受診するご家族の親等"},
        {"attending_family_count", "受診するご家族の人数"},
        {"lead_time_days", "受診希望日"},
        {"physician_approval", "主治医の了承"}};
    for (const auto& [id, ja] : kNames)
      if (id == fact) return ja;
    return fact;
  }

 private:
  const Case& c_;
  double min_confidence_;
  std::set<std::string> unknown_facts_;
};

class RulesStage final : public Stage {
 public:
  explicit RulesStage(const config::Profile& profile) : profile_(profile) {}
  std::string_view name() const override { return "rules"; }

  Status Run(Case& c) override {
    Evaluator eval(c, profile_.min_confidence);
    c.requirements.clear();
    for (const auto& req : profile_.requirements) c.requirements.push_back(Evaluate(c, eval, req));
    for (const auto& ex : profile_.exclusions) CheckExclusion(c, eval, ex);
    const bool nothing_read = c.pages.empty() && c.dicom_patients.empty();
    // Only the cause when one is known: an encrypted archive or one stopped by the limits is not
    // also an empty submission.
    if (nothing_read && !HasFinding(c, FindingCode::kEncryptedArchive) &&
        !HasFinding(c, FindingCode::kArchiveLimitExceeded)) {
      c.AddFinding(FindingCode::kEmptySubmission,
                   "読み取れる書類も画像データも見つかりませんでした");
    }
    c.verdict = DecideVerdict(c);
    Log()->info("case {} rules: {} requirements, verdict {}", c.id, c.requirements.size(),
                VerdictName(c.verdict));
    return Status::Ok();
  }

 private:
  RequirementResult Evaluate(const Case& c, Evaluator& eval, const config::Requirement& req) const {
    RequirementResult r;
    r.id = req.id;
    r.label = req.label;
    const Tri needed = req.when ? eval.Eval(*req.when) : Tri::kTrue;
    const std::string unknown_for_need = eval.TakeUnknownFacts();
    if (needed == Tri::kFalse) {
      r.status = RequirementStatus::kNotRequired;
      r.reason_code = "condition_not_met";
      r.reason = "この申込みの条件では不要です";
      return r;
    }
    const Evidence evidence = FindEvidence(c, eval, req);
    const std::string unknown_for_alternatives = eval.TakeUnknownFacts();
    Decide(r, eval, req, evidence, needed, unknown_for_need, unknown_for_alternatives);
    return r;
  }

  // The documents (or the imaging) that answer a requirement's alternatives.
  struct Evidence {
    std::vector<std::string> present;   // documents that satisfy it for sure
    std::vector<std::string> doubtful;  // found, but uncertain type or acceptability
  };
  Evidence FindEvidence(const Case& c, Evaluator& eval, const config::Requirement& req) const {
    Evidence e;
    auto add = [](std::vector<std::string>& list, const std::string& id) {
      if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
    };
    for (const auto& alt : req.any_of) {
      const Tri acceptable = alt.when ? eval.Eval(*alt.when) : Tri::kTrue;
      if (acceptable == Tri::kFalse) continue;
      if (alt.document_type == config::kDicomImagesType) {
        if (c.DicomSeriesCount() > 0) {
          add(acceptable == Tri::kTrue ? e.present : e.doubtful, kImagingEvidence);
        }
        continue;
      }
      for (const auto& doc : c.documents) {
        if (doc.type != alt.document_type) continue;
        const bool sure = acceptable == Tri::kTrue && doc.confidence >= profile_.min_confidence;
        add(sure ? e.present : e.doubtful, doc.id);
      }
    }
    // A document sure under one alternative is not also doubtful under another.
    std::erase_if(e.doubtful, [&](const std::string& id) {
      return std::find(e.present.begin(), e.present.end(), id) != e.present.end();
    });
    return e;
  }

  // The status and reason from the evidence, the count needed and what was not known (the facts
  // deciding whether it is needed, whether a found document is acceptable, how many are needed).
  static void Decide(RequirementResult& r, Evaluator& eval, const config::Requirement& req,
                     const Evidence& e, Tri needed, const std::string& unknown_for_need,
                     const std::string& unknown_for_alternatives) {
    // How many documents are needed; unknown when it is a fact that is not known for sure.
    std::optional<std::int64_t> count = req.count.at_least;
    if (!req.count.fact.empty()) count = eval.Integer(req.count.fact);
    const std::int64_t at_least = std::max<std::int64_t>(1, count.value_or(1));
    const auto found = static_cast<std::int64_t>(e.present.size());
    const auto candidates = found + static_cast<std::int64_t>(e.doubtful.size());
    std::vector<std::string> evidence = e.present;
    evidence.insert(evidence.end(), e.doubtful.begin(), e.doubtful.end());
    const std::string of_needed =
        count ? "必要な" + std::to_string(at_least) + "通のうち" + std::to_string(found) + "通"
              : std::to_string(found) + "通";
    if (count && found >= at_least) {
      r.status = RequirementStatus::kPresent;
      r.reason_code = "evidence_found";
      r.evidence_document_ids = e.present;
      return;
    }
    r.evidence_document_ids = evidence;
    if (candidates > 0 && (!count || candidates >= at_least || needed != Tri::kTrue)) {
      r.status = RequirementStatus::kNeedsReview;
      if (!count) {
        r.reason_code = "count_unknown";
        r.reason = "該当する書類が" + std::to_string(candidates) + "通ありますが、" +
                   Evaluator::FactLabel(req.count.fact) +
                   "が読み取れないため、足りているか判断できません";
      } else if (!unknown_for_alternatives.empty()) {
        r.reason_code = "acceptability_unknown";
        r.reason = "該当しそうな書類がありますが、" + unknown_for_alternatives +
                   "が読み取れないため適合するか判断できません";
      } else {
        r.reason_code = "low_confidence";
        r.reason = "該当しそうな書類がありますが、判定の確度が低いため確認してください";
      }
      if (at_least > 1) r.reason += "（確実なものは" + of_needed + "）";
      return;
    }
    r.ask = req.ask;
    if (needed == Tri::kUnknown) {
      r.status = RequirementStatus::kNeedsReview;
      r.reason_code = "need_unknown";
      r.reason = unknown_for_need + "が読み取れないため、この書類が必要か判断できません";
      return;
    }
    r.status = RequirementStatus::kMissing;
    const bool none = found == 0 && e.doubtful.empty() && at_least == 1;
    r.reason_code = none ? "no_document" : "too_few_documents";
    r.reason = none ? "該当する書類が見つかりません"
                    : "書類が足りません（" + of_needed + "が見つかりました）";
  }

  // An exclusion holds when its condition over the facts (a form field) is true; it may hold when
  // a page of the profile's `keywords_in` types mentions one of its keywords in a sentence that is
  // neither the hospital's printed notice nor a denial (stages/text_mentions).
  // A stated exclusion is an error (the verdict is rejected), a mention a warning (needs review).
  void CheckExclusion(Case& c, Evaluator& eval, const config::Exclusion& ex) const {
    const bool by_fact = ex.when && eval.Eval(*ex.when) == Tri::kTrue;
    eval.TakeUnknownFacts();
    if (by_fact) {
      c.AddFinding(FindingCode::kExcludedCase, "受付対象外の可能性: " + ex.label);
      return;
    }
    for (const auto& page : c.pages) {
      if (!ex.keywords_in.empty() && std::find(ex.keywords_in.begin(), ex.keywords_in.end(),
                                               page.doc_type) == ex.keywords_in.end())
        continue;
      if (const auto word = StatedMention(page.text, ex.keywords)) {
        c.AddFinding(FindingCode::kExcludedCase,
                     "受付対象外の可能性（" + *word +
                         "の記載があります。内容を確認してください）: " + ex.label);
        c.findings.back().severity = Severity::kWarning;  // a mention, not a stated fact
        return;
      }
    }
  }

  static bool HasFinding(const Case& c, FindingCode code) {
    return std::any_of(c.findings.begin(), c.findings.end(),
                       [&](const Finding& f) { return f.code == code; });
  }

  const config::Profile& profile_;
};

}  // namespace

Verdict DecideVerdict(const Case& c) {
  auto has = [&](FindingCode code, std::optional<Severity> severity = std::nullopt) {
    return std::any_of(c.findings.begin(), c.findings.end(), [&](const Finding& f) {
      return f.code == code && (!severity || f.severity == *severity);
    });
  };
  const bool nothing_read = c.pages.empty() && c.dicom_patients.empty();
  if (nothing_read || has(FindingCode::kExcludedCase, Severity::kError)) return Verdict::kRejected;
  auto any = [&](RequirementStatus s) {
    return std::any_of(c.requirements.begin(), c.requirements.end(),
                       [&](const RequirementResult& r) { return r.status == s; });
  };
  if (any(RequirementStatus::kMissing)) return Verdict::kIncomplete;
  const bool error = std::any_of(c.findings.begin(), c.findings.end(),
                                 [](const Finding& f) { return f.severity == Severity::kError; });
  // Imaging sent only as pictures (screenshots, no DICOM): staff decide whether to ask for the
  // disc. An exclusion only mentioned in free text (a warning) is for a person to confirm.
  const bool pictures_only = c.DicomSeriesCount() == 0 && has(FindingCode::kNonDicomImages);
  if (any(RequirementStatus::kNeedsReview) || error || pictures_only ||
      has(FindingCode::kExcludedCase))
    return Verdict::kNeedsReview;
  return Verdict::kComplete;
}

std::unique_ptr<Stage> MakeRulesStage(const config::Profile& profile) {
  return std::make_unique<RulesStage>(profile);
}

}  // namespace intake::stages

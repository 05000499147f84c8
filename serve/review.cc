#include "serve/review.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "report/report_json.h"
#include "stages/rules.h"

namespace intake::serve {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxReason = 2000;
constexpr std::size_t kMaxNote = 4000;
constexpr std::size_t kMaxFactText = 200;
constexpr const char* kDefaultReasonCode = "staff_review";

Result<json> Bad(std::string message) { return Result<json>::Fail(std::move(message)); }

bool IsCode(const std::string& s) {
  return !s.empty() && s.size() <= 40 && std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || ch == '_';
  });
}

bool IsDocumentType(const config::Profile& profile, const std::string& type) {
  return type == "other" || profile.FindDocumentType(type) != nullptr;
}

const Document* FindDocument(const Case& c, const std::string& id) {
  for (const auto& d : c.documents)
    if (d.id == id) return &d;
  return nullptr;
}
Document* FindDocument(Case& c, const std::string& id) {
  return const_cast<Document*>(FindDocument(std::as_const(c), id));
}

const RequirementResult* FindRequirement(const Case& c, const std::string& id) {
  for (const auto& r : c.requirements)
    if (r.id == id) return &r;
  return nullptr;
}

std::string NextDocumentId(const Case& c) {
  int highest = 0;
  for (const auto& d : c.documents) {
    int n = 0;
    if (std::sscanf(d.id.c_str(), "d%d", &n) == 1) highest = std::max(highest, n);
  }
  char id[16];
  std::snprintf(id, sizeof id, "d%03d", highest + 1);
  return id;
}

// The reason and reason code every decision but a note carries, into `record`.
Status TakeReason(const json& body, bool required, json& record) {
  const auto reason = body.find("reason");
  std::string text;
  if (reason != body.end()) {
    if (!reason->is_string()) return Status::Fail("\"reason\" must be a string");
    text = reason->get<std::string>();
  }
  if (required && text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::Fail("a decision needs a \"reason\" (free text)");
  }
  if (text.size() > kMaxReason) return Status::Fail("\"reason\" is longer than 2000 bytes");
  std::string code = kDefaultReasonCode;
  if (const auto it = body.find("reason_code"); it != body.end()) {
    if (!it->is_string() || !IsCode(it->get<std::string>()))
      return Status::Fail("\"reason_code\" must be 1-40 characters of a-z and '_'");
    code = it->get<std::string>();
  }
  record["reason"] = text;
  record["reason_code"] = code;
  return Status::Ok();
}

Result<json> RequirementRecord(const json& body, const Case& current) {
  if (!body["requirement"].is_string()) return Bad("\"requirement\" must be a requirement id");
  const std::string id = body["requirement"];
  const RequirementResult* r = FindRequirement(current, id);
  if (r == nullptr) return Bad("this case has no requirement of that id");
  const std::string status = body.value("status", json()).is_string() ? body["status"] : json("");
  static const std::set<std::string> kStatuses{"present", "missing", "needs_review",
                                               "not_required"};
  if (!kStatuses.count(status))
    return Bad("\"status\" must be present, missing, needs_review or not_required");
  return json{{"kind", "requirement"},
              {"target", id},
              {"before", RequirementStatusName(r->status)},
              {"after", status},
              {"status", status}};
}

Result<json> PageRecord(const json& body, const Case& current, const config::Profile& profile) {
  if (!body["page"].is_string()) return Bad("\"page\" must be a page id");
  const Page* page = current.FindPage(body["page"].get<std::string>());
  if (page == nullptr) return Bad("this case has no page of that id");
  const json type = body.value("document_type", json());
  if (!type.is_string() || !IsDocumentType(profile, type))
    return Bad("\"document_type\" must be a document type of the profile, or other");
  return json{{"kind", "page"},
              {"target", page->id},
              {"before", page->doc_type},
              {"after", type},
              {"document_type", type}};
}

Result<json> DocumentRecord(const json& body, const Case& current, const config::Profile& profile) {
  if (!body["document"].is_string()) return Bad("\"document\" must be a document id");
  const Document* d = FindDocument(current, body["document"].get<std::string>());
  if (d == nullptr) return Bad("this case has no document of that id");
  const int given = static_cast<int>(body.contains("document_type")) +
                    static_cast<int>(body.contains("split_at")) +
                    static_cast<int>(body.contains("merge_with"));
  if (given != 1) return Bad("give one of \"document_type\", \"split_at\" or \"merge_with\"");
  json record{{"kind", "document"}, {"target", d->id}};
  if (body.contains("document_type")) {
    const json& type = body["document_type"];
    if (!type.is_string() || !IsDocumentType(profile, type))
      return Bad("\"document_type\" must be a document type of the profile, or other");
    record.update({{"before", d->type}, {"after", type}, {"document_type", type}});
  } else if (body.contains("split_at")) {
    const json& at = body["split_at"];
    const auto pos = at.is_string()
                         ? std::find(d->page_ids.begin(), d->page_ids.end(), at.get<std::string>())
                         : d->page_ids.end();
    if (pos == d->page_ids.end() || pos == d->page_ids.begin())
      return Bad("\"split_at\" must be a page of the document other than its first");
    record.update(
        {{"before", d->id}, {"after", d->id + "+" + NextDocumentId(current)}, {"split_at", at}});
  } else {
    const json& other = body["merge_with"];
    const Document* o =
        other.is_string() ? FindDocument(current, other.get<std::string>()) : nullptr;
    if (o == nullptr || o == d) return Bad("\"merge_with\" must be another document of the case");
    record.update({{"before", d->id + "," + o->id}, {"after", d->id}, {"merge_with", o->id}});
  }
  return record;
}

Result<json> FactRecord(const json& body, const Case& current) {
  if (!body["fact"].is_string()) return Bad("\"fact\" must be a fact name");
  const std::string name = body["fact"];
  const auto& known = config::KnownFacts();
  if (std::find(known.begin(), known.end(), name) == known.end())
    return Bad("unknown fact name (see docs/profile-language.md)");
  const json value = body.value("value", json());
  if (config::IsIntegerFact(name)) {
    if (!value.is_number_integer()) return Bad("this fact's \"value\" must be a whole number");
  } else if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.empty() || text.size() > kMaxFactText)
      return Bad("\"value\" must be 1-200 bytes of text");
  } else if (!value.is_boolean()) {
    return Bad("\"value\" must be text or true/false");
  }
  const Fact* before = current.FindFact(name);
  return json{{"kind", "fact"},
              {"target", name},
              {"before", before && before->known() ? "known" : "unknown"},
              {"after", "corrected"},
              {"value", value}};
}

Result<json> FindingRecord(const json& body, const Case& current, const json& decisions) {
  const json& index = body["finding"];
  if (!index.is_number_unsigned() || index.get<std::size_t>() >= current.findings.size())
    return Bad("\"finding\" must be the index of one of the case's findings");
  const std::string status = body.value("status", json()).is_string() ? body["status"] : json("");
  if (status != "confirmed" && status != "dismissed")
    return Bad("\"status\" of a finding must be confirmed or dismissed");
  const std::string target = std::to_string(index.get<std::size_t>());
  std::string before = "open";
  for (const auto& d : decisions)
    if (d.value("kind", "") == "finding" && d.value("target", "") == target) before = d["after"];
  return json{{"kind", "finding"},
              {"target", target},
              {"code", FindingCodeName(current.findings[index.get<std::size_t>()].code)},
              {"before", before},
              {"after", status},
              {"status", status}};
}

}  // namespace

Result<json> MakeDecisionRecord(const json& body, const Case& current,
                                const config::Profile& profile, const std::string& user,
                                const json& decisions) {
  if (!body.is_object()) return Bad("the body must be a JSON object");
  static const char* const kKinds[] = {"requirement", "page", "document", "fact", "finding", "note"};
  std::string kind;
  for (const char* k : kKinds) {
    if (!body.contains(k)) continue;
    if (!kind.empty()) return Bad("give one decision at a time (requirement, page, ...)");
    kind = k;
  }
  if (kind.empty())
    return Bad("the body must name a requirement, page, document, fact, finding or note");
  Result<json> record = Bad("");
  if (kind == "requirement") record = RequirementRecord(body, current);
  if (kind == "page") record = PageRecord(body, current, profile);
  if (kind == "document") record = DocumentRecord(body, current, profile);
  if (kind == "fact") record = FactRecord(body, current);
  if (kind == "finding") record = FindingRecord(body, current, decisions);
  if (kind == "note") {
    const json& note = body["note"];
    if (!note.is_string() || note.get_ref<const std::string&>().empty() ||
        note.get_ref<const std::string&>().size() > kMaxNote)
      return Bad("\"note\" must be 1-4000 bytes of text");
    record = json{{"kind", "note"}, {"target", ""}, {"before", ""}, {"after", ""}, {"note", note}};
  }
  if (!record.ok()) return record;
  if (Status s = TakeReason(body, kind != "note", *record); !s.ok()) return Bad(s.message());
  (*record)["user"] = user;
  return record;
}

namespace {

void MovePage(Case& c, const std::string& page_id, const std::string& type) {
  auto from = std::find_if(c.documents.begin(), c.documents.end(), [&](const Document& d) {
    return std::find(d.page_ids.begin(), d.page_ids.end(), page_id) != d.page_ids.end();
  });
  Document moved{NextDocumentId(c), type, {page_id}, 1.0};
  auto insert_at = c.documents.end();
  if (from != c.documents.end()) {
    std::erase(from->page_ids, page_id);
    if (from->page_ids.empty()) {
      insert_at = c.documents.erase(from);
    } else {
      insert_at = from + 1;
    }
  }
  c.documents.insert(insert_at, std::move(moved));
  for (auto& p : c.pages) {
    if (p.id != page_id) continue;
    p.doc_type = type;
    p.type_score = 1.0;
  }
}

void ApplyDocumentDecision(Case& c, const json& d) {
  Document* doc = FindDocument(c, d.value("target", ""));
  if (doc == nullptr) return;
  if (d.contains("document_type")) {
    doc->type = d["document_type"];
    doc->confidence = 1.0;
    for (auto& p : c.pages) {
      if (std::find(doc->page_ids.begin(), doc->page_ids.end(), p.id) == doc->page_ids.end())
        continue;
      p.doc_type = doc->type;
      p.type_score = 1.0;
    }
  } else if (d.contains("split_at")) {
    const auto pos =
        std::find(doc->page_ids.begin(), doc->page_ids.end(), d["split_at"].get<std::string>());
    if (pos == doc->page_ids.end() || pos == doc->page_ids.begin()) return;
    Document tail{NextDocumentId(c), doc->type, {pos, doc->page_ids.end()}, doc->confidence};
    doc->page_ids.erase(pos, doc->page_ids.end());
    const auto at = c.documents.begin() + (doc - c.documents.data()) + 1;
    c.documents.insert(at, std::move(tail));
  } else if (d.contains("merge_with")) {
    Document* other = FindDocument(c, d["merge_with"].get<std::string>());
    if (other == nullptr || other == doc) return;
    doc->page_ids.insert(doc->page_ids.end(), other->page_ids.begin(), other->page_ids.end());
    doc->confidence = std::max(doc->confidence, other->confidence);
    const std::string gone = other->id;
    std::erase_if(c.documents, [&](const Document& x) { return x.id == gone; });
  }
}

// Page, document and fact decisions: what the rules read.
void ApplyToModel(Case& c, const json& decisions) {
  for (const auto& d : decisions) {
    const std::string kind = d.value("kind", "");
    if (kind == "page") MovePage(c, d.value("target", ""), d.value("document_type", "other"));
    if (kind == "document") ApplyDocumentDecision(c, d);
    if (kind == "fact" && d.contains("value")) {
      Fact fact;
      fact.name = d.value("target", "");
      const json& v = d["value"];
      if (v.is_string()) fact.value = v.get<std::string>();
      if (v.is_boolean()) fact.value = v.get<bool>();
      if (v.is_number_integer()) fact.value = v.get<std::int64_t>();
      fact.confidence = 1.0;  // a person read it
      c.SetFact(std::move(fact));
    }
  }
}

// Runs the profile's rules again; findings they add that the pipeline's report already holds
// (an exclusion found again) are not doubled. Keyword exclusions need the pages' text, which the
// report does not hold: those the pipeline found stay as they are.
void RerunRules(Case& c, const config::Profile& profile) {
  const std::size_t before = c.findings.size();
  Status s = stages::MakeRulesStage(profile)->Run(c);
  (void)s;  // the rules stage does not fail
  std::vector<Finding> added(c.findings.begin() + static_cast<std::ptrdiff_t>(before),
                             c.findings.end());
  c.findings.resize(before);
  for (auto& f : added) {
    const bool known = std::any_of(c.findings.begin(), c.findings.end(), [&](const Finding& g) {
      return g.code == f.code && g.message == f.message;
    });
    if (!known) c.findings.push_back(std::move(f));
  }
}

// A finding decision's target (its index), or nullopt for a target that is not one (a
// decisions.json edited by hand).
std::optional<std::size_t> FindingIndex(const std::string& target) {
  std::size_t index = 0;
  const auto [end, error] = std::from_chars(target.data(), target.data() + target.size(), index);
  if (error != std::errc() || end != target.data() + target.size()) return std::nullopt;
  return index;
}

// The last decision of `kind` per target.
std::map<std::string, json> LastByTarget(const json& decisions, const std::string& kind) {
  std::map<std::string, json> out;
  for (const auto& d : decisions)
    if (d.value("kind", "") == kind) out[d.value("target", "")] = d;
  return out;
}

void ApplyOverrides(Case& c, const json& decisions) {
  const auto overrides = LastByTarget(decisions, "requirement");
  for (auto& r : c.requirements) {
    const auto it = overrides.find(r.id);
    if (it == overrides.end()) continue;
    for (auto s : {RequirementStatus::kPresent, RequirementStatus::kMissing,
                   RequirementStatus::kNeedsReview, RequirementStatus::kNotRequired}) {
      if (RequirementStatusName(s) == it->second.value("status", "")) r.status = s;
    }
    r.reason_code = "staff_decision";
    r.reason =
        "担当者の判断（" + it->second.value("user", "") + "）: " + it->second.value("reason", "");
    if (r.status != RequirementStatus::kMissing) r.ask.clear();
  }
  for (const auto& [target, d] : LastByTarget(decisions, "finding")) {
    const auto index = FindingIndex(target);
    if (!index || *index >= c.findings.size()) continue;
    c.findings[*index].message += d.value("status", "") == "dismissed" ? "［担当者確認: 該当しない］"
                                                                      : "［担当者確認: 確認済み］";
  }
}

}  // namespace

Recomputed Recompute(Case base, const json& decisions, const config::Profile& profile) {
  Recomputed out{std::move(base), false};
  Case& c = out.c;
  ApplyToModel(c, decisions);
  out.rules_rerun = !profile.sha256.empty() && profile.sha256 == c.profile_sha256;
  if (out.rules_rerun) RerunRules(c, profile);
  ApplyOverrides(c, decisions);
  Case counted = c;  // dismissed findings do not weigh in the verdict
  std::vector<Finding> kept;
  const auto findings = LastByTarget(decisions, "finding");
  for (std::size_t i = 0; i < counted.findings.size(); ++i) {
    const auto it = findings.find(std::to_string(i));
    if (it == findings.end() || it->second.value("status", "") != "dismissed")
      kept.push_back(counted.findings[i]);
  }
  counted.findings = std::move(kept);
  c.verdict = stages::DecideVerdict(counted);
  return out;
}

json ReviewedReportJson(const Recomputed& r, const report::ReportContext& context,
                        const json& decisions, Verdict pipeline_verdict) {
  json report = report::ReportJson(r.c, context);
  json findings = json::array();
  for (const auto& [target, d] : LastByTarget(decisions, "finding"))
    if (const auto index = FindingIndex(target))
      findings.push_back({{"index", *index}, {"status", d.value("status", "")}});
  report["review"] = {
      {"decisions", decisions.size()},
      {"pipeline_verdict", VerdictName(pipeline_verdict)},
      {"rules_rerun", r.rules_rerun},
      {"last_decision_at", decisions.empty() ? json(nullptr) : decisions.back()["time"]},
      {"findings", findings}};
  return report;
}

report::ReportContext ReviewContext(report::ReportContext context, const config::Profile& profile) {
  for (const auto& t : profile.document_types) context.document_type_labels[t.id] = t.label;
  context.document_type_labels.try_emplace(config::kDicomImagesType, "画像データ（DICOM）");
  context.document_type_labels.try_emplace(kOtherType, kOtherTypeLabel);
  context.min_confidence = profile.min_confidence;
  if (context.profile_name.empty()) context.profile_name = profile.name;
  return context;
}

}  // namespace intake::serve

#include "followup/followup.h"

#include <algorithm>
#include <regex>
#include <set>

#include "config/manifest.h"
#include "letter/reply_slip.h"
#include "pipeline/log.h"
#include "stages/patient_match.h"

namespace intake::followup {
namespace {

std::string FactText(const Case& c, std::string_view name) {
  const Fact* fact = c.FindFact(name);
  if (fact == nullptr) return {};
  const auto* text = std::get_if<std::string>(&fact->value);
  return text ? *text : std::string();
}

void AddNamed(std::vector<NamedCase>& out, std::string case_id, const char* how) {
  const bool known = std::any_of(out.begin(), out.end(),
                                 [&](const NamedCase& n) { return n.case_id == case_id; });
  if (!known) out.push_back({std::move(case_id), how});
}

// (a) The reply slip's QR code on a page (the reply_slip stage found it: stages/reply_slip.h).
void ReplySlipsOnPages(const Case& c, std::vector<NamedCase>& out) {
  for (const Page& page : c.pages) {
    if (!page.reply_slip_case.empty()) AddNamed(out, page.reply_slip_case, "reply_slip");
  }
}

// (b) `case: ID` in the manifest (intake.yaml / intake.json, the facts stage reads the rest).
void ManifestCase(const Case& c, std::vector<NamedCase>& out) {
  for (const SourceFile& f : c.files) {
    if (f.kind != FileKind::kManifest) continue;
    // A broken manifest is the facts stage's finding (CORRUPT_FILE).
    const Result<config::Manifest> manifest = config::ReadManifest(f.path);
    if (manifest.ok() && letter::LooksLikeCaseId(manifest->case_id)) {
      AddNamed(out, manifest->case_id, "manifest");
    }
  }
}

// (b) A case id in the envelope's own name or in a file or folder name inside it.
void CaseIdsInNames(const Case& c, std::vector<NamedCase>& out) {
  static const std::regex kCaseId("[0-9]{8}-[0-9a-f]{8}");
  std::vector<std::string> names{c.submission_name};
  for (const SourceFile& f : c.files) names.push_back(f.relative_path);
  for (const std::string& name : names) {
    for (std::sregex_iterator it(name.begin(), name.end(), kCaseId), end; it != end; ++it) {
      AddNamed(out, it->str(), "file_name");
    }
  }
}

// A name as a form gives it, without bracketed notes: "（自署）中村和夫" (the consent form's label
// 患者氏名（自署） read into the value) is 中村和夫.
std::string WithoutBrackets(const std::string& name) {
  static const std::regex kBracketed("(\\([^)]*\\)|（[^）]*）)");
  return std::regex_replace(name, kBracketed, "");
}

// (c) The patient the envelope names is the case's: same birth date, and the same name in kanji
// or the same reading.
bool SamePatient(const Case& envelope, const CaseOnFile& c) {
  const std::string birth = FactText(envelope, "patient_birth_date");
  if (birth.empty() || birth != c.birth_date) return false;
  const std::string written = WithoutBrackets(FactText(envelope, "patient_name"));
  const std::string name = stages::FoldKanjiName(written);
  const std::string kana = stages::FoldReading(FactText(envelope, "patient_name_kana"));
  const bool same_name = !name.empty() && name == stages::FoldKanjiName(c.patient_name);
  const bool same_kana = !kana.empty() && kana == stages::FoldReading(c.patient_kana);
  // A name written in kana on the follow-up compared with the case's reading.
  const std::string case_kana = stages::FoldReading(c.patient_kana);
  const bool name_as_kana = !case_kana.empty() && stages::FoldReading(written) == case_kana;
  return same_name || same_kana || name_as_kana;
}

Finding MakeFinding(FindingCode code, std::string message) {
  Finding f;
  f.code = code;
  f.severity = FindingInfo(code).severity;
  f.message = std::move(message);
  return f;
}

Decision ByIdentity(const Case& envelope, const std::filesystem::path& out) {
  Decision decision;
  std::vector<CaseOnFile> matches;
  for (CaseOnFile& c : ListCasesOnFile(out)) {
    if (c.case_id == envelope.id) continue;
    if (c.Holds(envelope.submission_sha256)) {  // attached before (an interrupted run)
      decision.matched_by = "identity";
      decision.finding =
          MakeFinding(FindingCode::kFollowupMatched,
                      "患者さんの氏名と生年月日からこのケースの追加書類と判断しました。"
                      "同じ患者さんか確認してください");
      decision.attach_to = std::move(c);
      return decision;
    }
    if (c.open && SamePatient(envelope, c)) matches.push_back(std::move(c));
  }
  if (matches.size() == 1) {
    decision.matched_by = "identity";
    decision.finding =
        MakeFinding(FindingCode::kFollowupMatched,
                    "患者さんの氏名と生年月日からこのケースの追加書類と判断しました。"
                    "同じ患者さんか確認してください");
    decision.attach_to = std::move(matches[0]);
    return decision;
  }
  decision.finding = MakeFinding(
      FindingCode::kFollowupUnmatched,
      matches.empty()
          ? "紹介状・申込書のない提出物ですが、受付中のどのケースの追加書類か判断できませんでした。"
            "該当するケースを確認してください"
          : "紹介状・申込書のない提出物で、同じ患者さんの受付中のケースが" +
                std::to_string(matches.size()) +
                "件あります。どのケースの追加書類か確認してください");
  return decision;
}

}  // namespace

std::vector<NamedCase> NamedCases(const Case& envelope) {
  std::vector<NamedCase> out;
  ReplySlipsOnPages(envelope, out);
  ManifestCase(envelope, out);
  CaseIdsInNames(envelope, out);
  return out;
}

bool LooksLikeFollowup(const Case& envelope) {
  const auto& documents = envelope.documents;
  const bool some_document = std::any_of(documents.begin(), documents.end(),
                                         [](const Document& d) { return d.type != "other"; });
  const bool first_envelope = std::any_of(documents.begin(), documents.end(), [](const Document& d) {
    return d.type == "referral_letter" || d.type == "application_form";
  });
  return some_document && !first_envelope;
}

Decision Decide(const Case& envelope, const std::filesystem::path& out) {
  Decision decision;
  std::vector<std::string> not_found;
  for (const NamedCase& named : NamedCases(envelope)) {
    if (named.case_id == envelope.id) continue;
    auto c = ReadCaseOnFile(out, named.case_id);
    if (!c) {
      not_found.push_back(named.case_id);
      continue;
    }
    Log()->info("case {}: follow-up of case {} ({})", envelope.id, c->case_id, named.how);
    decision.matched_by = named.how;
    decision.attach_to = std::move(*c);
    return decision;
  }
  if (!not_found.empty()) {
    decision.finding = MakeFinding(FindingCode::kFollowupUnmatched,
                                   "返信用紙・ファイル名等で受付番号 " + not_found.front() +
                                       " が示されていますが、そのケースが見つかりません。"
                                       "受付番号を確認してください");
    return decision;
  }
  if (!LooksLikeFollowup(envelope)) return decision;
  decision = ByIdentity(envelope, out);
  if (decision.attach_to) {
    Log()->info("case {}: follow-up of case {} (identity)", envelope.id,
                decision.attach_to->case_id);
  }
  return decision;
}

}  // namespace intake::followup

// Follow-up envelopes: what a case was missing, sent later in an envelope of its own, attaches to
// that case instead of becoming a new one.
//
// An envelope is looked at after its pages were read and its facts taken (stages up to the
// cross-check), before the rules. It belongs to a case of the output folder when:
//   (a) a page shows the reply slip's QR code (letter/reply_slip.h), found by the reply_slip stage
//       (stages/reply_slip.h) on the page images OCR kept;
//   (b) its manifest says `case: ID`, or a file or folder name holds the case id;
//   (c) it looks like a follow-up (documents, but no referral letter nor application form) and the patient it
//       names (name in kanji or its reading, with the birth date, compared as stages/patient_match
//       compares them) is the patient of exactly one open case: attached with FOLLOWUP_MATCHED,
//       for staff to confirm.
// A case that already holds the envelope (same SHA-256: a run interrupted after the case was
// written) is its case again, so attaching happens once. An envelope that names a case that is
// not there, or looks like a follow-up and matches no open case (or several), stays a case of its
// own with FOLLOWUP_UNMATCHED. The caller (casework/CaseProcessor) then processes the case again
// over all its envelopes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "followup/cases_on_file.h"
#include "pipeline/case_model.h"

namespace intake::followup {

struct Decision {
  // The case the envelope belongs to; nullopt: it is a case of its own.
  std::optional<CaseOnFile> attach_to;
  // How it was recognised (Envelope::matched_by): reply_slip, manifest, file_name, identity.
  std::string matched_by;
  // FOLLOWUP_MATCHED for the attached case, or FOLLOWUP_UNMATCHED for the envelope's own case.
  std::optional<Finding> finding;
};

// Decides for the envelope `envelope` (one envelope, processed through the cross-check) against
// the cases of `out`. Reads page images from the envelope's work area and the cases' reports.
Decision Decide(const Case& envelope, const std::filesystem::path& out);

// The case ids the envelope names, each with how: QR codes on its pages, its manifest's `case`,
// case ids in its file and folder names. For Decide and for tests.
struct NamedCase {
  std::string case_id;
  std::string how;  // reply_slip, manifest, file_name
};
std::vector<NamedCase> NamedCases(const Case& envelope);

// True when the envelope carries documents of some type, but no referral letter and no
// application form: what a first envelope always holds, and a follow-up usually does not.
bool LooksLikeFollowup(const Case& envelope);

}  // namespace intake::followup

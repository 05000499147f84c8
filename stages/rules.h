// Rules stage: evaluates the profile's requirements and exclusions over the Case model, and sets
// the verdict.
#pragma once

#include <memory>

#include "config/profile.h"
#include "pipeline/stage.h"

namespace intake::stages {

std::unique_ptr<Stage> MakeRulesStage(const config::Profile& profile);

// The verdict of a case from its findings and requirement results (what the rules stage sets):
// rejected when nothing of the submission could be read (no page, no DICOM) or an exclusion is
// stated in a form field (EXCLUDED_CASE as an error); incomplete when a requirement is missing;
// needs_review when one needs review, an error was found, an exclusion is only mentioned
// (EXCLUDED_CASE as a warning) or the imaging came only as pictures; else complete. The review server (serve/) decides
// the verdict again after staff override a requirement.
Verdict DecideVerdict(const Case& c);

}  // namespace intake::stages

// Two small stages of CaseProcessor's own: unpacking one envelope of a case that may span several
// (its files numbered on and marked with the envelope's number), and the case's state (casestate/)
// after the verdict, written into the new case folder and recorded in the audit trail.
#pragma once

#include <filesystem>
#include <memory>

#include "pipeline/stage.h"

namespace intake::app {

// The unpack stage for envelope `number` (from 1) at `submission`.
std::unique_ptr<Stage> MakeEnvelopeUnpackStage(std::filesystem::path submission, int number);

// Carries the state of OUT/<case> (records_dir) over into `case_dir`, moved as the verdict and
// the letter say (a forwarded or closed case stays so); each change is a `case_state` audit
// record. Sets Case::state, waiting_since and days_waited for the reports.
std::unique_ptr<Stage> MakeCaseStateStage(std::filesystem::path case_dir,
                                          std::filesystem::path records_dir);

}  // namespace intake::app

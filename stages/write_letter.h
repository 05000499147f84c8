// Write-letter stage: the letter to the patient (不足書類のご案内.pdf in the case folder) whenever
// something must come from them: each missing requirement in the profile's `ask` words (one whose
// documents were found but not acceptable as "must be sent again"), the deadline and the office's
// contact from the profile's `letter` settings, and a reply slip with the case's QR code
// (letter/). Runs after the rules, before the reports (which link the letter). A letter that
// cannot be written is a failure of the case (the office relies on it), like the reports.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "config/profile.h"
#include "pipeline/stage.h"

namespace intake::stages {

struct WriteLetterOptions {
  std::filesystem::path case_dir;
  // The letter's date (YYYY-MM-DD); empty: today, local time.
  std::string today;
};

std::unique_ptr<Stage> MakeWriteLetterStage(const config::Profile& profile,
                                            WriteLetterOptions options);

// "2026-12-05" for `days` after "2026-11-21"; the date as given when it is not an ISO date.
std::string AddDays(const std::string& iso_date, int days);

}  // namespace intake::stages

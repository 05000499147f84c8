// The default time limits: of reading one page (OCR) and of the stages of one case.
//
// `intake process` and `intake watch` take them as --page-time-limit and --case-time-limit
// (seconds, 0: none); ocr::OcrOptions and app::ProcessOptions start from them.
#pragma once

#include <chrono>

namespace intake {

inline constexpr std::chrono::seconds kDefaultPageTimeLimit{120};
inline constexpr std::chrono::seconds kDefaultCaseTimeLimit{1800};

// The same in seconds, as the command-line options hold them.
inline constexpr double kDefaultPageTimeLimitSeconds = kDefaultPageTimeLimit.count();
inline constexpr double kDefaultCaseTimeLimitSeconds = kDefaultCaseTimeLimit.count();

}  // namespace intake

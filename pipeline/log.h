// Logging: one spdlog logger for the program, writing to stderr.
//
// Patient data never goes into a log line: log case ids, file ids ("f0003"), page ids, codes,
// counts, sizes and durations only. Names, file names from the submission, extracted text and
// DICOM values belong in reports, never here (the end-to-end tests fail on a log line holding
// any of them).
#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace intake {

// The program's logger (created on first use; level from INTAKE_LOG_LEVEL, default "info").
std::shared_ptr<spdlog::logger> Log();

// Sets the level: "trace", "debug", "info", "warn", "error", "off".
void SetLogLevel(const std::string& level);

}  // namespace intake

// Logging: one spdlog logger for the program, writing to stderr.
//
// Patient data never goes into a log line: log case ids, file ids ("f0003"), page ids, codes,
// counts, sizes and durations only. Names, file names from the submission, extracted text and
// DICOM values belong in reports, never here (the end-to-end tests fail on a log line holding
// any of them).
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace intake {

// The program's logger (created on first use; level from INTAKE_LOG_LEVEL, default "info").
std::shared_ptr<spdlog::logger> Log();

// Sets the level: "trace", "debug", "info", "warn", "error", "off".
void SetLogLevel(const std::string& level);

// Sets the line format of every sink: "text" (time level message) or "json" (one object per
// line: {"time":..,"level":..,"msg":..}, for log collectors). Returns false for another name.
// Messages of the watcher are key=value pairs ("event=claimed id=12"), so both are structured.
bool SetLogFormat(const std::string& format);

// The pattern SetLogFormat last chose, for sinks added later (casework/terminal_progress.h).
std::unique_ptr<spdlog::formatter> MakeLogFormatter();

}  // namespace intake

// Logging: one spdlog logger for the program, writing to stderr.
//
// Patient data never goes into a log line: log case ids, file ids ("f0003"), page ids, codes,
// counts, sizes and durations. Anything from the submission (names, file names, text, DICOM
// values) that must be mentioned is wrapped in Redacted, whose formatter prints "<redacted>".
#pragma once

#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace intake {

// The program's logger (created on first use; level from INTAKE_LOG_LEVEL, default "info").
std::shared_ptr<spdlog::logger> Log();

// Sets the level: "trace", "debug", "info", "warn", "error", "off".
void SetLogLevel(const std::string& level);

// A value from the submission. Logging it prints "<redacted>", never the value.
template <typename T>
struct Redacted {
  const T& value;
};

}  // namespace intake

template <typename T>
struct fmt::formatter<intake::Redacted<T>> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const intake::Redacted<T>&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format("<redacted>", ctx);
  }
};

#include "pipeline/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <mutex>

namespace intake {

std::shared_ptr<spdlog::logger> Log() {
  static std::once_flag once;
  static std::shared_ptr<spdlog::logger> logger;
  std::call_once(once, [] {
    logger = spdlog::stderr_color_mt("intake");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    const char* level = std::getenv("INTAKE_LOG_LEVEL");
    logger->set_level(spdlog::level::from_str(level ? level : "info"));
  });
  return logger;
}

void SetLogLevel(const std::string& level) { Log()->set_level(spdlog::level::from_str(level)); }

}  // namespace intake

#include "pipeline/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace intake {
namespace {

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v";
constexpr const char* kJsonPattern = R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%*"})";
std::atomic<bool> g_json{false};

// %* in a pattern: the message, escaped for a JSON string.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (char ch : msg.payload) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        dest.push_back('\\');
        dest.push_back(ch);
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        dest.append(buf, buf + 6);
      } else {
        dest.push_back(ch);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> MakeLogFormatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (g_json.load()) {
    formatter->add_flag<JsonEscapedMessage>('*').set_pattern(kJsonPattern);
  } else {
    formatter->set_pattern(kTextPattern);
  }
  return formatter;
}

bool SetLogFormat(const std::string& format) {
  if (format != "text" && format != "json") return false;
  g_json.store(format == "json");
  Log()->set_formatter(MakeLogFormatter());
  return true;
}

std::shared_ptr<spdlog::logger> Log() {
  static std::once_flag once;
  static std::shared_ptr<spdlog::logger> logger;
  std::call_once(once, [] {
    logger = spdlog::stderr_color_mt("intake");
    logger->set_pattern(kTextPattern);
    const char* level = std::getenv("INTAKE_LOG_LEVEL");
    logger->set_level(spdlog::level::from_str(level ? level : "info"));
  });
  return logger;
}

void SetLogLevel(const std::string& level) { Log()->set_level(spdlog::level::from_str(level)); }

}  // namespace intake

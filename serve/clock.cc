#include "serve/clock.h"
#include "pipeline/local_time.h"

#include <chrono>
#include <ctime>

namespace intake::serve {
namespace {

std::string Format(const char* format) { return FormatLocalNow(format); }

std::optional<std::chrono::sys_days> ParseDate(std::string_view iso) {
  if (iso.size() < 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (std::size_t k = 0; k < lengths[i]; ++k) {
      const char ch = iso[starts[i] + k];
      if (ch < '0' || ch > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (ch - '0');
    }
  }
  const std::chrono::year_month_day ymd{std::chrono::year(parts[0]),
                                        std::chrono::month(static_cast<unsigned>(parts[1])),
                                        std::chrono::day(static_cast<unsigned>(parts[2]))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd);
}

}  // namespace

std::string NowIso() {
  const std::string s = Format("%Y-%m-%dT%H:%M:%S%z");  // +0900 -> +09:00
  if (s.size() < 5) return s;
  return s.substr(0, s.size() - 2) + ":" + s.substr(s.size() - 2);
}

std::string TodayIso() { return Format("%Y-%m-%d"); }

std::optional<int> DaysBetween(std::string_view from, std::string_view to) {
  const auto a = ParseDate(from);
  const auto b = ParseDate(to);
  if (!a || !b) return std::nullopt;
  return static_cast<int>((*b - *a).count());
}

}  // namespace intake::serve

// Time for the review server: ISO 8601 local times (as the reports and the audit trail write
// them) and whole days between dates, for "days waiting".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace intake::serve {

// Now, local time with offset: "2026-12-06T22:15:04+09:00".
std::string NowIso();
// Today's local date: "2026-12-06".
std::string TodayIso();
// Days from `from` to `to` (both starting "YYYY-MM-DD"); nullopt when either is not a date.
std::optional<int> DaysBetween(std::string_view from, std::string_view to);

}  // namespace intake::serve

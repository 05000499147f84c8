// The local time now, formatted with strftime: the one place the program reads the wall clock in
// the office's time zone (case ids, journal and audit times, report dates, DICOM DT).
#pragma once

#include <string>

namespace intake {

// Now in local time, as strftime formats it (e.g. "%Y-%m-%dT%H:%M:%S%z"); at most 63 bytes.
std::string FormatLocalNow(const char* format);

}  // namespace intake

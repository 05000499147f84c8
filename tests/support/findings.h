// Finding look-ups for the tests: how many findings of a code a case has, the first one, and a
// printer so that a failed EXPECT_EQ on codes names them ("CORRUPT_FILE", not a number).
#pragma once

#include <algorithm>
#include <ostream>
#include <string_view>

#include "pipeline/case_model.h"
#include "pipeline/findings.h"

namespace intake {

inline void PrintTo(FindingCode code, std::ostream* os) { *os << FindingCodeName(code); }

namespace testing {

inline int CountFindings(const Case& c, FindingCode code) {
  return static_cast<int>(std::count_if(c.findings.begin(), c.findings.end(),
                                        [&](const Finding& f) { return f.code == code; }));
}

inline bool HasFinding(const Case& c, FindingCode code) { return CountFindings(c, code) > 0; }

// The first finding of `code` (about the file `file_id`, when given), or nullptr.
inline const Finding* FirstFinding(const Case& c, FindingCode code, std::string_view file_id = {}) {
  for (const auto& f : c.findings) {
    if (f.code == code && (file_id.empty() || f.file_id == file_id)) return &f;
  }
  return nullptr;
}

}  // namespace testing
}  // namespace intake

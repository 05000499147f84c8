// gmock matchers and printers for Status and Result<T> (pipeline/result.h), for the tests.
//
//   ASSERT_THAT(loaded, IsOk());                       // prints the error's message when not
//   EXPECT_THAT(lock, ErrorIs(ErrorCode::kBusy));      // failed, with that code
//   EXPECT_THAT(parsed, ErrorIs(ErrorCode::kInvalid, HasSubstr("finding code")));
//
// Include it instead of writing `ASSERT_TRUE(x.ok()) << x.message()`.
#pragma once

#include <gmock/gmock.h>

#include <ostream>
#include <string_view>

#include "pipeline/result.h"

namespace intake {

inline std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kFailed:
      return "kFailed";
    case ErrorCode::kInvalid:
      return "kInvalid";
    case ErrorCode::kNotFound:
      return "kNotFound";
    case ErrorCode::kIo:
      return "kIo";
    case ErrorCode::kBusy:
      return "kBusy";
    case ErrorCode::kLeaseLost:
      return "kLeaseLost";
    case ErrorCode::kEncrypted:
      return "kEncrypted";
    case ErrorCode::kOutOfMemory:
      return "kOutOfMemory";
    case ErrorCode::kDiskFull:
      return "kDiskFull";
    case ErrorCode::kTimeLimit:
      return "kTimeLimit";
  }
  return "?";
}

// gtest prints a Status or Result by its outcome, not by its bytes.
inline void PrintTo(ErrorCode code, std::ostream* os) { *os << ErrorCodeName(code); }
inline void PrintTo(const Status& s, std::ostream* os) {
  if (s.ok()) {
    *os << "ok";
  } else {
    *os << "error " << ErrorCodeName(s.code()) << ": " << s.message();
  }
}
template <typename T>
void PrintTo(const Result<T>& r, std::ostream* os) {
  PrintTo(r.status(), os);
}

namespace testing {

MATCHER(IsOk, negation ? "failed" : "is ok") {
  if (arg.ok()) return true;
  *result_listener << "failed: " << arg.message();
  return false;
}

MATCHER_P(ErrorIs, code,
          std::string(negation ? "is not an error " : "is an error ") +
              std::string(ErrorCodeName(code))) {
  if (arg.ok()) {
    *result_listener << "is ok";
    return false;
  }
  *result_listener << "error " << ErrorCodeName(arg.code()) << ": " << arg.message();
  return arg.code() == code;
}

MATCHER_P2(ErrorIs, code, message_matcher,
           std::string(negation ? "is not an error " : "is an error ") +
               std::string(ErrorCodeName(code)) + " whose message " +
               ::testing::DescribeMatcher<std::string>(message_matcher, negation)) {
  if (arg.ok()) {
    *result_listener << "is ok";
    return false;
  }
  *result_listener << "error " << ErrorCodeName(arg.code()) << ": " << arg.message();
  return arg.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, arg.message(), result_listener);
}

}  // namespace testing
}  // namespace intake

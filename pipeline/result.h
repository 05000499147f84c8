// Result<T> and Status: expected failures as values, not exceptions.
//
// A stage or adapter returns Status (ok or an Error) or Result<T> (a value or an Error). Both are
// [[nodiscard]]: a caller must look at them. Error messages describe the input without its
// content ("PDF could not be opened (size: 1234 bytes)"), so they are safe to log. An Error also
// carries an ErrorCode, the kind of failure a caller can act on (the output folder is busy, a
// lease was lost): callers branch on the code, never on the message's text.
//
// RETURN_IF_ERROR(expr) returns the Error of a failed Status or Result from the enclosing
// function (which returns Status or Result<U>).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace intake {

// The kinds of failure callers tell apart. kFailed is every other failure: its message says
// what happened, and nothing branches on it.
enum class ErrorCode {
  kFailed,
  kInvalid,    // the input (a profile, a code, an argument) is not valid
  kNotFound,   // what was asked for does not exist
  kIo,         // reading or writing a file failed
  kBusy,       // another process holds what was asked for (the output folder's lock)
  kLeaseLost,  // a shared journal's lease on the submission ran out (watch/pg_journal)
  kEncrypted,  // the input is encrypted and no key was given (an archive with a password)
  // What ran out, when a failure is the machine's and not the input's: a caller reports these
  // differently from a broken file (the file may read well on the next run).
  kOutOfMemory,  // an allocation failed (std::bad_alloc, a library returning null)
  kDiskFull,     // a write failed for lack of space (ENOSPC, EFBIG, EDQUOT)
  kTimeLimit,    // a deadline passed before the work was done
};

struct Error {
  std::string message;  // safe to log: no patient data, no file names from the submission
  ErrorCode code = ErrorCode::kFailed;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return {}; }
  static Status Fail(std::string message, ErrorCode code = ErrorCode::kFailed) {
    return Status(Error{std::move(message), code});
  }
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  const std::string& message() const {
    static const std::string kEmpty;
    return error_ ? error_->message : kEmpty;
  }
  ErrorCode code() const { return error_ ? error_->code : ErrorCode::kFailed; }
  // The error of a failed Status (for RETURN_IF_ERROR); an empty kFailed Error when ok.
  Error error() const { return error_.value_or(Error{}); }

 private:
  std::optional<Error> error_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  static Result Fail(std::string message, ErrorCode code = ErrorCode::kFailed) {
    return Result(Error{std::move(message), code});
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &std::get<T>(v_); }
  const T* operator->() const { return &std::get<T>(v_); }
  T& operator*() & { return std::get<T>(v_); }
  const T& operator*() const& { return std::get<T>(v_); }
  const std::string& message() const { return std::get<Error>(v_).message; }
  ErrorCode code() const { return std::get<Error>(v_).code; }
  const Error& error() const { return std::get<Error>(v_); }
  Status status() const { return ok() ? Status::Ok() : Status(std::get<Error>(v_)); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace intake

// Returns the Error of `expr` (a Status or Result) from the enclosing function when it failed.
#define RETURN_IF_ERROR(expr)                                   \
  do {                                                          \
    if (auto&& intake_status_ = (expr); !intake_status_.ok()) { \
      return intake_status_.error();                            \
    }                                                           \
  } while (false)

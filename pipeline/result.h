// Result<T> and Status: expected failures as values, not exceptions.
//
// A stage or adapter returns Status (ok or an Error) or Result<T> (a value or an Error). Both are
// [[nodiscard]]: a caller must look at them. Error messages describe the input without its
// content ("PDF could not be opened (size: 1234 bytes)"), so they are safe to log.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace intake {

// What ran out, when a failure is the machine's and not the input's: a caller reports these
// differently from a broken file (the file may read well on the next run).
enum class ErrorKind {
  kOther,        // the input (or an unexpected failure)
  kOutOfMemory,  // an allocation failed (std::bad_alloc, a library returning null)
  kDiskFull,     // a write failed for lack of space (ENOSPC, EFBIG, EDQUOT)
  kTimeLimit,    // a deadline passed before the work was done
};

struct Error {
  std::string message;  // safe to log: no patient data, no file names from the submission
  ErrorKind kind = ErrorKind::kOther;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return {}; }
  static Status Fail(std::string message) { return Status(Error{std::move(message)}); }
  explicit Status(Error error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }
  const std::string& message() const {
    static const std::string kEmpty;
    return error_ ? error_->message : kEmpty;
  }
  ErrorKind kind() const { return error_ ? error_->kind : ErrorKind::kOther; }

 private:
  std::optional<Error> error_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  static Result Fail(std::string message) { return Result(Error{std::move(message)}); }

  bool ok() const { return std::holds_alternative<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &std::get<T>(v_); }
  const T* operator->() const { return &std::get<T>(v_); }
  T& operator*() & { return std::get<T>(v_); }
  const T& operator*() const& { return std::get<T>(v_); }
  const std::string& message() const { return std::get<Error>(v_).message; }
  const Error& error() const { return std::get<Error>(v_); }
  Status status() const { return ok() ? Status::Ok() : Status(std::get<Error>(v_)); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace intake

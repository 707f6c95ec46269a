// Status and Result<T>: expected failures as values. A Status has a small code set and a message
// with context (file:line, field); Result<T> holds either a value or a non-OK Status, shaped like
// std::expected. No exception crosses a module boundary.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/check.h"

namespace ebb::core {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // bad input: config, trace line, flag value
  kNotFound,            // a file, a server, a node name
  kUnavailable,         // transient: a socket, a command that may succeed later
  kDeadlineExceeded,    // a boot, drain or command that took too long
  kFailedPrecondition,  // the system is not in a state where the action is allowed
  kInternal,            // a bug or an impossible situation reported by a library
};

std::string_view ToString(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: nasa.csv:12: field 'requests': not a number"
  std::string ToString() const;

  // Prefixes context to the message: Status(...).WithContext("config.toml").
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgumentError(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}
inline Status NotFoundError(std::string message) {
  return Status(StatusCode::kNotFound, std::move(message));
}
inline Status UnavailableError(std::string message) {
  return Status(StatusCode::kUnavailable, std::move(message));
}
inline Status FailedPreconditionError(std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(message));
}
inline Status InternalError(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit like std::expected
  Result(Status status) : status_(std::move(status)) { EBB_CHECK(!status_.ok()); }  // NOLINT

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status& status() const { return status_; }

  T& value() & {
    EBB_CHECK(ok());
    return *value_;
  }
  const T& value() const& {
    EBB_CHECK(ok());
    return *value_;
  }
  T&& value() && {
    EBB_CHECK(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace ebb::core

// Returns the Status from the enclosing function when `expr` is not OK.
#define EBB_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::ebb::core::Status ebb_status_ = (expr);  \
    if (!ebb_status_.ok()) return ebb_status_; \
  } while (false)

#define EBB_CONCAT_INNER(a, b) a##b
#define EBB_CONCAT(a, b) EBB_CONCAT_INNER(a, b)
// EBB_ASSIGN_OR_RETURN(auto x, MakeX()): assigns the value or returns the Status.
#define EBB_ASSIGN_OR_RETURN(lhs, expr)                                                           \
  auto EBB_CONCAT(ebb_result_, __LINE__) = (expr);                                                \
  if (!EBB_CONCAT(ebb_result_, __LINE__).ok()) return EBB_CONCAT(ebb_result_, __LINE__).status(); \
  lhs = std::move(EBB_CONCAT(ebb_result_, __LINE__)).value()

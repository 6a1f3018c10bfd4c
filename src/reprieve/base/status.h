// Status: the outcome of a fallible operation, as a value.
//
// A Status carries a StatusCode (Abseil's names, trimmed to what Reprieve uses), a human
// message, and two optional ARM-specific fields: `arm_code`, which overrides the default
// ARM `error.code` chosen by http/arm_error.cc, and `target`, the ARM `error.target`.
// Statuses are cheap to copy when ok (no allocation).
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace reprieve {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kUnauthenticated,
  kPermissionDenied,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kAborted,
  kResourceExhausted,
  kUnavailable,
  kUnimplemented,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message);

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;
  // The ARM `error.code` to use instead of the default for `code()`; empty if none.
  const std::string& arm_code() const;
  // The ARM `error.target`; empty if none.
  const std::string& target() const;

  // Builders: return a copy carrying the ARM code / target.
  Status WithArmCode(std::string arm_code) const;
  Status WithTarget(std::string target) const;

  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b);

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::string arm_code;
    std::string target;
  };
  std::shared_ptr<const Rep> rep_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status FailedPreconditionError(std::string message);
Status AbortedError(std::string message);
Status UnavailableError(std::string message);
Status UnauthenticatedError(std::string message);
Status PermissionDeniedError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);

}  // namespace reprieve

// Error propagation macros, after Abseil's status_macros.h.
#pragma once

#include "reprieve/base/result.h"
#include "reprieve/base/status.h"

#define REPRIEVE_STATUS_CONCAT_INNER(a, b) a##b
#define REPRIEVE_STATUS_CONCAT(a, b) REPRIEVE_STATUS_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it is not ok.
#define REPRIEVE_RETURN_IF_ERROR(expr)                  \
  do {                                                  \
    ::reprieve::Status reprieve_status_ = (expr);       \
    if (!reprieve_status_.ok()) return reprieve_status_; \
  } while (false)

// Evaluates `rexpr` (a Result<T>); on failure returns its Status, else assigns the value to
// `lhs`, which may be a declaration (`auto x`).
#define REPRIEVE_ASSIGN_OR_RETURN(lhs, rexpr) \
  REPRIEVE_ASSIGN_OR_RETURN_IMPL(REPRIEVE_STATUS_CONCAT(reprieve_result_, __LINE__), lhs, rexpr)

#define REPRIEVE_ASSIGN_OR_RETURN_IMPL(result, lhs, rexpr) \
  auto result = (rexpr);                                   \
  if (!result.has_value()) return result.error();          \
  lhs = std::move(result).value()

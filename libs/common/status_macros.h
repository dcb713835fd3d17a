// Early-return helpers for absl::Status / absl::StatusOr. Our Abseil
// (20220623) has no ABSL_RETURN_IF_ERROR, so this is the one place they live.
#ifndef IOB_LIBS_COMMON_STATUS_MACROS_H_
#define IOB_LIBS_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define IOB_STATUS_CONCAT_INNER_(a, b) a##b
#define IOB_STATUS_CONCAT_(a, b) IOB_STATUS_CONCAT_INNER_(a, b)

// IOB_RETURN_IF_ERROR(expr): returns the status from the enclosing function
// when `expr` (an absl::Status) is not OK.
#define IOB_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::absl::Status iob_status_ = (expr);       \
    if (!iob_status_.ok()) return iob_status_; \
  } while (false)

// IOB_ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (an absl::StatusOr<T>);
// on error returns its status, otherwise moves the value into `lhs`
// (which may be a declaration such as `auto x`).
#define IOB_ASSIGN_OR_RETURN(lhs, expr) \
  IOB_ASSIGN_OR_RETURN_IMPL_(IOB_STATUS_CONCAT_(iob_statusor_, __LINE__), lhs, expr)
#define IOB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#endif  // IOB_LIBS_COMMON_STATUS_MACROS_H_

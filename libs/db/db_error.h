// Turns libpqxx / std exceptions into client-safe absl::Status values, and
// the one place database error details are logged (swap for the logging
// library when it lands).
#ifndef IOB_LIBS_DB_DB_ERROR_H_
#define IOB_LIBS_DB_DB_ERROR_H_

#include <exception>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace iob::db {

// What a caught database exception means for the caller.
struct DbFailure {
  // Client-safe: a fixed message per code, never SQL, server text or URLs.
  absl::Status status;
  // For the log only: exception text (for server errors only the primary
  // message: DETAIL lines may quote row values), SQLSTATE and the failing
  // query text (parameter values are not part of it).
  std::string detail;
  // Worth re-running the whole transaction: serialization failure, deadlock,
  // or a connection broken before commit.
  bool retryable = false;
  // The connection must not be reused.
  bool connection_broken = false;
};

// Classifies `error` (typically std::current_exception()):
//   pqxx::in_doubt_error (lost during COMMIT)        -> UNKNOWN
//   pqxx::broken_connection, SQLSTATE 08*, 57P01-03  -> UNAVAILABLE, retryable
//   serialization failure 40001, deadlock 40P01      -> ABORTED, retryable
//   statement completion unknown 40003               -> UNKNOWN
//   other transaction rollback 40*                   -> ABORTED
//   unique violation 23505                           -> ALREADY_EXISTS
//   other integrity violations 23*                   -> FAILED_PRECONDITION
//   query cancelled / statement timeout 57014        -> DEADLINE_EXCEEDED
//   lock timeout 55P03 (lock_not_available)          -> ABORTED
//   anything else (pqxx, std or unknown)             -> INTERNAL
// Thread-safe.
DbFailure ClassifyDbException(std::exception_ptr error);

// Writes one line "iob.db: <context>: <detail>" to stderr. Thread-safe.
// `detail` must already be free of credentials.
void LogDbDetail(absl::string_view context, absl::string_view detail);

}  // namespace iob::db

#endif  // IOB_LIBS_DB_DB_ERROR_H_

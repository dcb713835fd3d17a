// Exception -> Status mapping for libpqxx 6.4 and the database log line.
#include "libs/db/db_error.h"

#include <cstdio>
#include <pqxx/except>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"

namespace iob::db {
namespace {

DbFailure Make(absl::StatusCode code, const char* message, std::string detail,
               bool retryable = false, bool broken = false) {
  return DbFailure{absl::Status(code, message), std::move(detail), retryable, broken};
}

// The server's primary message only: its DETAIL lines can quote row values
// ("Failing row contains ..."), which must not reach the log.
absl::string_view PrimaryMessage(const char* what) {
  absl::string_view message(what);
  return message.substr(0, message.find('\n'));
}

// Server errors by SQLSTATE; libpqxx maps only some of them to subclasses.
DbFailure FromSqlError(const pqxx::sql_error& e) {
  const std::string& state = e.sqlstate();
  std::string detail =
      absl::StrCat(PrimaryMessage(e.what()), " [SQLSTATE ", state, "] query: ", e.query());
  if (state == "40001" || state == "40P01") {
    return Make(absl::StatusCode::kAborted, "database conflict, try again", std::move(detail),
                /*retryable=*/true);
  }
  if (state == "23505") {
    return Make(absl::StatusCode::kAlreadyExists, "record already exists", std::move(detail));
  }
  if (absl::StartsWith(state, "23")) {
    return Make(absl::StatusCode::kFailedPrecondition, "database constraint violated",
                std::move(detail));
  }
  if (absl::StartsWith(state, "08") || state == "57P01" || state == "57P02" || state == "57P03") {
    return Make(absl::StatusCode::kUnavailable, "database unavailable", std::move(detail),
                /*retryable=*/true, /*broken=*/true);
  }
  if (state == "55P03") {
    return Make(absl::StatusCode::kAborted, "database busy, try again", std::move(detail));
  }
  if (state == "57014") {
    return Make(absl::StatusCode::kDeadlineExceeded, "database statement timed out",
                std::move(detail));
  }
  return Make(absl::StatusCode::kInternal, "database error", std::move(detail));
}

}  // namespace

DbFailure ClassifyDbException(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const pqxx::in_doubt_error& e) {
    return Make(absl::StatusCode::kUnknown, "database commit outcome unknown", e.what(),
                /*retryable=*/false, /*broken=*/true);
  } catch (const pqxx::broken_connection& e) {
    return Make(absl::StatusCode::kUnavailable, "database unavailable", e.what(),
                /*retryable=*/true, /*broken=*/true);
  } catch (const pqxx::serialization_failure& e) {
    // libpqxx 6.4: the transaction_rollback family is not an sql_error.
    return Make(absl::StatusCode::kAborted, "database conflict, try again", e.what(),
                /*retryable=*/true);
  } catch (const pqxx::deadlock_detected& e) {
    return Make(absl::StatusCode::kAborted, "database conflict, try again", e.what(),
                /*retryable=*/true);
  } catch (const pqxx::statement_completion_unknown& e) {
    return Make(absl::StatusCode::kUnknown, "database statement outcome unknown", e.what());
  } catch (const pqxx::transaction_rollback& e) {
    return Make(absl::StatusCode::kAborted, "database transaction rolled back", e.what());
  } catch (const pqxx::unique_violation& e) {
    // Typed catches too: libpqxx does not always fill in sqlstate().
    return Make(absl::StatusCode::kAlreadyExists, "record already exists",
                absl::StrCat(PrimaryMessage(e.what()), " query: ", e.query()));
  } catch (const pqxx::integrity_constraint_violation& e) {
    return Make(absl::StatusCode::kFailedPrecondition, "database constraint violated",
                absl::StrCat(PrimaryMessage(e.what()), " query: ", e.query()));
  } catch (const pqxx::sql_error& e) {
    return FromSqlError(e);
  } catch (const pqxx::failure& e) {
    return Make(absl::StatusCode::kInternal, "database error", e.what());
  } catch (const std::exception& e) {
    return Make(absl::StatusCode::kInternal, "database error", e.what());
  } catch (...) {
    return Make(absl::StatusCode::kInternal, "database error", "unknown exception");
  }
}

void LogDbDetail(absl::string_view context, absl::string_view detail) {
  common::LogWarn("database error", {{"context", context}, {"detail", detail}});
}

}  // namespace iob::db

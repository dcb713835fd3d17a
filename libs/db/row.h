// Reading result rows: one row or NOT_FOUND, columns by name, and time
// columns one way. A store
// selects a timestamptz column with TimeColumn("create_time") (microseconds
// since the epoch under the column's own name) and reads it with
// Row::Time("create_time"); no store counts column positions.
#ifndef IOB_LIBS_DB_ROW_H_
#define IOB_LIBS_DB_ROW_H_

#include <cstdint>
#include <optional>
#include <pqxx/binarystring>
#include <pqxx/result>
#include <pqxx/row>
#include <pqxx/transaction_base>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/db/prepared.h"

namespace iob::db {

// SQL for `column` (a timestamptz) as whole microseconds since the epoch,
// for comparisons with a microsecond parameter.
inline std::string Micros(absl::string_view column) {
  return absl::StrCat("(extract(epoch from ", column, ") * 1000000)::bigint");
}

// SQL for a SELECT list: Micros(column), named `column`.
inline std::string TimeColumn(absl::string_view column) {
  return absl::StrCat(Micros(column), " AS ", column);
}

// The first row `sql` (with parameters `args`) returns; NOT_FOUND
// "<what> not found" when it returns none. libpqxx exceptions propagate.
template <typename... Args>
absl::StatusOr<pqxx::row> FindRow(pqxx::transaction_base& tx, absl::string_view what,
                                  const std::string& sql, Args&&... args) {
  pqxx::result r = tx.exec_params(sql, std::forward<Args>(args)...);
  if (r.empty()) return absl::NotFoundError(absl::StrCat(what, " not found"));
  return r[0];
}

// The first row prepared `statement` (libs/db/prepared.h) returns with
// `args`; NOT_FOUND "<what> not found" when it returns none. libpqxx
// exceptions propagate.
template <typename... Args>
absl::StatusOr<pqxx::row> FindRow(pqxx::transaction_base& tx, absl::string_view what,
                                  const Statement& statement, Args&&... args) {
  pqxx::result r = ExecPrepared(tx, statement, std::forward<Args>(args)...);
  if (r.empty()) return absl::NotFoundError(absl::StrCat(what, " not found"));
  return r[0];
}

// A view of one row; reading a column that is missing or NULL (except with
// Nullable) throws a libpqxx exception, which the Pool turns into INTERNAL.
class Row {
 public:
  explicit Row(const pqxx::row& row) : row_(row) {}

  std::string Text(const char* column) const { return row_[column].as<std::string>(); }
  int64_t Int(const char* column) const { return row_[column].as<int64_t>(); }
  bool Bool(const char* column) const { return row_[column].as<bool>(); }
  // A bytea column, selected as is (no encode()): its bytes.
  std::string Bytes(const char* column) const { return pqxx::binarystring(row_[column]).str(); }
  // A column selected with TimeColumn().
  absl::Time Time(const char* column) const { return absl::FromUnixMicros(Int(column)); }
  std::optional<std::string> NullableText(const char* column) const {
    if (row_[column].is_null()) return std::nullopt;
    return Text(column);
  }
  // A nullable timestamptz selected with TimeColumn().
  std::optional<absl::Time> NullableTime(const char* column) const {
    if (row_[column].is_null()) return std::nullopt;
    return Time(column);
  }

 private:
  const pqxx::row& row_;
};

}  // namespace iob::db

#endif  // IOB_LIBS_DB_ROW_H_

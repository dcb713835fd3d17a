// Reading result rows by column name, and time columns one way. A store
// selects a timestamptz column with TimeColumn("create_time") (microseconds
// since the epoch under the column's own name) and reads it with
// Row::Time("create_time"); no store counts column positions.
#ifndef IOB_LIBS_DB_ROW_H_
#define IOB_LIBS_DB_ROW_H_

#include <cstdint>
#include <optional>
#include <pqxx/row>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace iob::db {

// SQL for a SELECT list: `column` (a timestamptz) as whole microseconds since
// the epoch, named `column`.
inline std::string TimeColumn(absl::string_view column) {
  return absl::StrCat("(extract(epoch from ", column, ") * 1000000)::bigint AS ", column);
}

// A view of one row; reading a column that is missing or NULL (except with
// Nullable) throws a libpqxx exception, which the Pool turns into INTERNAL.
class Row {
 public:
  explicit Row(const pqxx::row& row) : row_(row) {}

  std::string Text(const char* column) const { return row_[column].as<std::string>(); }
  int64_t Int(const char* column) const { return row_[column].as<int64_t>(); }
  bool Bool(const char* column) const { return row_[column].as<bool>(); }
  // A column selected with TimeColumn().
  absl::Time Time(const char* column) const { return absl::FromUnixMicros(Int(column)); }
  std::optional<std::string> NullableText(const char* column) const {
    if (row_[column].is_null()) return std::nullopt;
    return Text(column);
  }

 private:
  const pqxx::row& row_;
};

}  // namespace iob::db

#endif  // IOB_LIBS_DB_ROW_H_

// Numbered SQL migrations for one service schema, applied under a Postgres
// advisory lock and recorded with SHA-256 checksums.
#ifndef IOB_LIBS_DB_MIGRATE_H_
#define IOB_LIBS_DB_MIGRATE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace pqxx {
class connection_base;  // pqxx::connection derives from it
}

namespace iob::db {

// One migration file, e.g. {"0001_init.sql", "CREATE TABLE ..."}. Services get
// theirs compiled in by the iob_embed_sql() CMake helper.
struct Migration {
  std::string name;  // "NNNN_what.sql"; NNNN is the version
  std::string sql;
};

// Applies the migrations not yet recorded in `<schema>.schema_migrations`, in
// version order, each in its own transaction with `SET LOCAL search_path TO
// <schema>` (so migration SQL may use unqualified names), while holding the
// session-level pg_advisory_lock(<64-bit key from SHA-256("iob.migrate." +
// schema)>) so concurrent callers (several replicas starting at once) apply
// each migration exactly once. The lock is released before returning.
// Migration SQL must not contain transaction control (BEGIN/COMMIT) or
// statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY).
// Creates the schema if it does not exist (the role must own it or have
// CREATE on the database); an existing schema needs no database privilege.
// Returns:
//  - OK when everything is applied (idempotent);
//  - FAILED_PRECONDITION when a recorded migration's checksum differs from the
//    compiled-in file (migrations are immutable once landed) or the database
//    has a version this binary does not know;
//  - INVALID_ARGUMENT for a malformed migration name (not NNNN_what.sql with
//    at least 4 digits), two migrations with the same version, or an empty
//    schema name;
//  - UNAVAILABLE / INTERNAL for connection or SQL failures (message names the
//    migration or step, never contains credentials or SQL; the detail goes to
//    the log). A failed migration leaves no trace (its transaction rolls back)
//    and the ones before it stay applied.
// Not thread-safe with respect to `conn`.
absl::Status Migrate(pqxx::connection_base& conn, std::string_view schema,
                     const std::vector<Migration>& migrations);

}  // namespace iob::db

#endif  // IOB_LIBS_DB_MIGRATE_H_

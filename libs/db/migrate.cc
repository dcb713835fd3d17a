// Applies numbered SQL migrations under a schema-scoped advisory lock.
#include "libs/db/migrate.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <pqxx/pqxx>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/crypto/key_ring.h"
#include "libs/db/db_error.h"

namespace iob::db {
namespace {

constexpr char kLockPrefix[] = "iob.migrate.";

// A validated migration: its version parsed from the name and its checksum.
struct Planned {
  int version;
  const Migration* migration;
  std::string checksum;
};

// "NNNN_what.sql" with at least four digits; returns the version.
absl::StatusOr<int> ParseVersion(const std::string& name) {
  const size_t digits = name.find_first_not_of("0123456789");
  const bool ok_shape = digits != std::string::npos && digits >= 4 && digits <= 9 &&
                        name[digits] == '_' && absl::EndsWith(name, ".sql") &&
                        name.size() > digits + 1 + 4;
  int version = 0;
  if (!ok_shape || !absl::SimpleAtoi(name.substr(0, digits), &version)) {
    return absl::InvalidArgumentError(
        absl::StrCat("migration name \"", name, "\" is not NNNN_what.sql"));
  }
  return version;
}

// Signed 64-bit advisory lock key from SHA-256("iob.migrate." + schema), so
// the key is stable across Postgres versions and replicas.
int64_t LockKey(const std::string& schema) {
  const std::string hex = crypto::Sha256Hex(absl::StrCat(kLockPrefix, schema)).substr(0, 16);
  uint64_t key = 0;
  for (char c : hex)
    key = (key << 4) | static_cast<uint64_t>(absl::ascii_isdigit(c) ? c - '0' : c - 'a' + 10);
  return static_cast<int64_t>(key);
}

// Holds pg_advisory_lock(key) on `conn` for its lifetime.
class AdvisoryLock {
 public:
  // Blocks until the lock is held; throws what libpqxx throws.
  AdvisoryLock(pqxx::connection_base& conn, int64_t key) : conn_(conn), key_(key) {
    pqxx::nontransaction tx(conn_);
    tx.exec_params("SELECT pg_advisory_lock($1)", key_);
  }
  ~AdvisoryLock() {
    try {
      pqxx::nontransaction tx(conn_);
      tx.exec_params("SELECT pg_advisory_unlock($1)", key_);
    } catch (...) {
      // A broken connection has released the session lock already.
    }
  }
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;

 private:
  pqxx::connection_base& conn_;
  const int64_t key_;
};

absl::Status ApplyAll(pqxx::connection_base& conn, const std::string& schema,
                      const std::vector<Planned>& plan, std::string& step) {
  step = "locking";
  AdvisoryLock lock(conn, LockKey(schema));
  const std::string qschema = conn.quote_name(schema);
  const std::string table = qschema + ".schema_migrations";

  step = "creating schema " + schema;
  {
    pqxx::work tx(conn);
    // Check first: CREATE SCHEMA IF NOT EXISTS still demands CREATE on the
    // database, which a service role owning its schema does not have.
    if (tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema).empty()) {
      tx.exec("CREATE SCHEMA " + qschema);
    }
    tx.exec("CREATE TABLE IF NOT EXISTS " + table +
            " (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())");
    tx.commit();
  }

  step = "reading " + schema + ".schema_migrations";
  std::map<int, std::pair<std::string, std::string>> recorded;  // version -> name, checksum
  {
    pqxx::read_transaction tx(conn);
    for (const auto& row : tx.exec("SELECT version, name, checksum FROM " + table)) {
      recorded[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
    }
  }
  std::map<int, const Planned*> known;
  for (const Planned& p : plan) known[p.version] = &p;
  for (const auto& [version, name_checksum] : recorded) {
    auto it = known.find(version);
    if (it == known.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "schema ", schema, " has migration ", name_checksum.first, " (version ", version,
          ") that this binary does not know; is it older than the database?"));
    }
    if (it->second->checksum != name_checksum.second) {
      return absl::FailedPreconditionError(absl::StrCat(
          "migration ", it->second->migration->name, " was changed after it was applied to schema ",
          schema, " (checksum mismatch); add a new migration instead"));
    }
  }

  for (const Planned& p : plan) {
    if (recorded.count(p.version) > 0) continue;
    step = "migration " + p.migration->name;
    pqxx::work tx(conn);
    tx.exec("SET LOCAL search_path TO " + qschema);
    tx.exec(p.migration->sql);
    tx.exec_params("INSERT INTO " + table + " (version, name, checksum) VALUES ($1, $2, $3)",
                   p.version, p.migration->name, p.checksum);
    tx.commit();
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Migrate(pqxx::connection_base& conn, std::string_view schema_view,
                     const std::vector<Migration>& migrations) {
  const std::string schema(schema_view);
  if (schema.empty()) return absl::InvalidArgumentError("migration schema is empty");
  std::vector<Planned> plan;
  plan.reserve(migrations.size());
  std::map<int, const std::string*> names;
  for (const Migration& m : migrations) {
    absl::StatusOr<int> version = ParseVersion(m.name);
    if (!version.ok()) return version.status();
    auto [it, inserted] = names.emplace(*version, &m.name);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat("migrations ", *it->second, " and ", m.name, " have the same version"));
    }
    plan.push_back(Planned{*version, &m, crypto::Sha256Hex(m.sql)});
  }
  std::sort(plan.begin(), plan.end(),
            [](const Planned& a, const Planned& b) { return a.version < b.version; });

  std::string step = "starting";
  try {
    return ApplyAll(conn, schema, plan, step);
  } catch (...) {
    DbFailure failure = ClassifyDbException(std::current_exception());
    LogDbDetail(absl::StrCat("migrate ", schema, ": ", step), failure.detail);
    const absl::StatusCode code = failure.status.code() == absl::StatusCode::kUnavailable
                                      ? absl::StatusCode::kUnavailable
                                      : absl::StatusCode::kInternal;
    return absl::Status(code, absl::StatusCode::kUnavailable == code
                                  ? absl::StrCat(step, " failed: database unavailable")
                                  : absl::StrCat(step, " failed: database error"));
  }
}

}  // namespace iob::db

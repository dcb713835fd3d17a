// A small fixed-size pool of libpqxx connections bound to one service schema,
// and transaction helpers that turn libpqxx exceptions into absl::Status.
#ifndef IOB_LIBS_DB_POOL_H_
#define IOB_LIBS_DB_POOL_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pqxx {
class connection;
class transaction_base;
}  // namespace pqxx

namespace iob::db {

struct PoolOptions {
  std::string url;     // libpq URL or key=value string; may contain a password
  std::string schema;  // every connection runs `SET search_path TO <schema>`
  int size = 8;
  absl::Duration acquire_timeout = absl::Seconds(5);
};

// Thread-safe. Connections are opened lazily and reopened after a broken
// connection. Error messages never contain the URL or password.
class Pool {
 public:
  // Validates options and opens one connection to prove the database is
  // reachable (UNAVAILABLE otherwise).
  static absl::StatusOr<std::unique_ptr<Pool>> Create(PoolOptions options);
  ~Pool();

  // Runs `fn` inside one read-write transaction (pqxx::work) on a pooled
  // connection and commits when it returns OK; rolls back otherwise.
  // Retries the whole function (up to 3 times) on serialization failure,
  // deadlock or a connection broken before commit.
  // libpqxx exceptions become: unique_violation -> ALREADY_EXISTS,
  // check/not-null/foreign-key violation -> FAILED_PRECONDITION,
  // broken connection -> UNAVAILABLE, anything else -> INTERNAL. The message
  // is safe for clients ("database error"); the detail goes to the log.
  absl::Status Transact(const std::function<absl::Status(pqxx::transaction_base&)>& fn);

  // Like Transact but read-only (pqxx::read_transaction).
  absl::Status Read(const std::function<absl::Status(pqxx::transaction_base&)>& fn);

  // Runs `SELECT 1`; OK when the database answers.
  absl::Status Ping();

  // Runs `fn` with a raw connection (for migrations, LISTEN, COPY).
  absl::Status WithConnection(const std::function<absl::Status(pqxx::connection&)>& fn);

  const std::string& schema() const;

 private:
  class Impl;
  explicit Pool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace iob::db

#endif  // IOB_LIBS_DB_POOL_H_

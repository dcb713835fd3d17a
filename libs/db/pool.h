// A small fixed-size pool of libpqxx connections bound to one service schema,
// transaction helpers that turn libpqxx exceptions into absl::Status, and the
// per-thread call deadline that bounds the database work of one RPC.
#ifndef IOB_LIBS_DB_POOL_H_
#define IOB_LIBS_DB_POOL_H_

#include <functional>
#include <memory>
#include <pqxx/connection>  // pqxx::connection is an alias: it cannot be forward-declared.
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace iob::db {

struct PoolOptions {
  std::string url;     // libpq URL or key=value string; may contain a password
  std::string schema;  // every connection runs `SET search_path TO <schema>`
  int size = 8;        // maximum number of open connections, 1..1000
  absl::Duration acquire_timeout = absl::Seconds(5);
  // Used as libpq connect_timeout when the URL sets none.
  absl::Duration connect_timeout = absl::Seconds(5);
  // Set on every connection (`SET statement_timeout` / `SET lock_timeout`):
  // no statement runs longer, no lock is waited for longer. A ScopedDeadline
  // shortens the statement timeout of one call. Zero disables.
  absl::Duration statement_timeout = absl::Seconds(10);
  absl::Duration lock_timeout = absl::Seconds(5);
  // Statement timeout of Ping, on its own connection.
  absl::Duration ping_timeout = absl::Seconds(2);
};

// Bounds the database work the calling thread does while it lives: Pool
// calls made on this thread fail with DEADLINE_EXCEEDED once `deadline` has
// passed, wait for a connection no longer than it, and run their statements
// with a statement_timeout of 90-100% of the time left, so Postgres cancels
// a query still running at the deadline (at most 10% of it early). The
// timeout is set on the connection's session only when the one it has is
// out of that range: calls with like deadlines cost no extra round trip.
// The RPC edge (runtime::HandleRpc) sets the client's gRPC deadline. Nests
// (the earlier deadline wins); restores the previous one on destruction.
// absl::InfiniteFuture() sets none. Thread-local: not shared.
class ScopedDeadline {
 public:
  explicit ScopedDeadline(absl::Time deadline);
  ~ScopedDeadline();
  ScopedDeadline(const ScopedDeadline&) = delete;
  ScopedDeadline& operator=(const ScopedDeadline&) = delete;

  // The calling thread's deadline; absl::InfiniteFuture() when none is set.
  static absl::Time Current();

 private:
  absl::Time previous_;
};

// Thread-safe. At most `size` connections, opened lazily on demand and
// reopened after a broken connection; when one is found broken (say after a
// Postgres restart) the idle ones, which likely broke with it, are closed
// too, so the retry runs on a fresh connection. Callers wait up to
// `acquire_timeout` for a free connection. Ping uses one more connection of
// its own, outside the `size`. Error messages never contain the URL or password;
// the details go to the log (see libs/db/db_error.h).
class Pool {
 public:
  // Validates options (INVALID_ARGUMENT for an empty schema, a size out of
  // range, a non-positive timeout or a URL libpq cannot parse) and opens one
  // connection to prove the database is reachable (UNAVAILABLE otherwise).
  static absl::StatusOr<std::unique_ptr<Pool>> Create(PoolOptions options);
  // Closes idle connections. Every call into the pool must have returned.
  ~Pool();

  // Runs `fn` inside one read-write transaction (pqxx::work) on a pooled
  // connection and commits when it returns OK; rolls back otherwise and
  // returns fn's status unchanged. `fn` returns absl::Status, or
  // absl::StatusOr<T> to hand a value out: Transact then returns that
  // StatusOr (an error from fn rolls back like an error Status).
  // Retries the whole function (at most 3 retries after the first attempt,
  // with a short jittered backoff) on serialization failure, deadlock or a
  // connection broken before commit, so `fn` may run more than once and must
  // have no effects outside the transaction.
  // libpqxx exceptions (from fn or commit) become (see db_error.h):
  //   unique_violation -> ALREADY_EXISTS,
  //   check/not-null/foreign-key/other integrity violation -> FAILED_PRECONDITION,
  //   broken connection -> UNAVAILABLE,
  //   serialization failure/deadlock still failing after the retries -> ABORTED,
  //   connection lost during COMMIT (outcome unknown; not retried) -> UNKNOWN,
  //   statement timeout / query cancelled -> DEADLINE_EXCEEDED,
  //   lock timeout -> ABORTED,
  //   anything else -> INTERNAL.
  // DEADLINE_EXCEEDED also when the thread's ScopedDeadline has passed
  // (before a try, or while waiting for a connection); no retry starts
  // after it.
  // The message is safe for clients ("database error", ...); the detail goes
  // to the log. UNAVAILABLE also when no connection frees up within
  // acquire_timeout or a new connection cannot be opened.
  template <typename Fn>
  auto Transact(Fn&& fn) {
    return Run(Kind::kWrite, std::forward<Fn>(fn));
  }

  // Like Transact but read-only (pqxx::read_transaction; writes fail).
  template <typename Fn>
  auto Read(Fn&& fn) {
    return Run(Kind::kRead, std::forward<Fn>(fn));
  }

  // A single-statement read without BEGIN/COMMIT (pqxx::nontransaction): one
  // round trip instead of three. Statements in `fn` do not share a snapshot,
  // so use it for one SELECT only. Errors as Transact.
  template <typename Fn>
  auto ReadOne(Fn&& fn) {
    return Run(Kind::kReadOne, std::forward<Fn>(fn));
  }

  // A single-statement write without BEGIN/COMMIT (pqxx::nontransaction):
  // the statement commits on its own, in one round trip instead of three,
  // and is committed when this returns OK. `fn` runs exactly one statement;
  // an error status it returns after that statement ran undoes nothing.
  // Errors and retries as Transact, except that a connection lost once the
  // statement was sent leaves the outcome unknown: UNKNOWN "database write
  // outcome unknown", not retried (as a COMMIT lost in Transact). A
  // connection the server closed while it was idle (a Postgres restart) is
  // found before the statement is sent, and the statement retried.
  template <typename Fn>
  auto WriteOne(Fn&& fn) {
    return Run(Kind::kWriteOne, std::forward<Fn>(fn));
  }

  // Runs `SELECT 1` on a dedicated connection (not one of the pool's, so a
  // busy pool does not make the database look down), opened on first use
  // and reopened once when found broken, with ping_timeout as statement
  // timeout. OK when the database answers, UNAVAILABLE otherwise. Concurrent
  // pings wait for each other.
  absl::Status Ping();

  // Runs `fn` with a raw connection (for migrations, LISTEN, COPY); no
  // retries. Exceptions map as for Transact. `fn` must leave the session as
  // it found it (no open transaction, search_path unchanged).
  absl::Status WithConnection(const std::function<absl::Status(pqxx::connection&)>& fn);

  // The schema every connection's search_path points at.
  const std::string& schema() const;

 private:
  enum class Kind { kWrite, kRead, kReadOne, kWriteOne };

  absl::Status RunStatus(Kind kind, const std::function<absl::Status(pqxx::transaction_base&)>& fn);

  template <typename Fn>
  auto Run(Kind kind, Fn&& fn) -> std::invoke_result_t<Fn&, pqxx::transaction_base&> {
    using Result = std::invoke_result_t<Fn&, pqxx::transaction_base&>;
    if constexpr (std::is_same_v<Result, absl::Status>) {
      return RunStatus(kind, fn);
    } else {
      Result out = absl::UnknownError("transaction did not run");
      absl::Status st = RunStatus(kind, [&](pqxx::transaction_base& tx) {
        out = fn(tx);
        return out.status();
      });
      if (!st.ok()) return st;
      return out;
    }
  }

  class Impl;
  explicit Pool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace iob::db

#endif  // IOB_LIBS_DB_POOL_H_

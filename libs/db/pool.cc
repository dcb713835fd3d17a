// Fixed-size libpqxx connection pool with retrying transaction helpers.
#include "libs/db/pool.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdint>
#include <pqxx/pqxx>
#include <random>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/common/status_macros.h"
#include "libs/db/db_error.h"

namespace iob::db {
namespace {

constexpr int kMaxRetries = 3;
constexpr int kMaxSize = 1000;

// Owns a PQconninfoParse() result.
struct ConninfoDeleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};

// A libpq connection string rebuilt from the caller's URL (so a default
// connect_timeout can be added whatever the input form), and the password
// to scrub from log lines.
struct Conninfo {
  std::string text;
  std::string password;
};

std::string QuoteConninfoValue(const char* value) {
  std::string out = "'";
  for (const char* p = value; *p != '\0'; ++p) {
    if (*p == '\'' || *p == '\\') out.push_back('\\');
    out.push_back(*p);
  }
  out.push_back('\'');
  return out;
}

absl::StatusOr<Conninfo> ParseConninfo(const std::string& url, absl::Duration connect_timeout) {
  char* err = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoDeleter> options(PQconninfoParse(url.c_str(), &err));
  if (options == nullptr) {
    // libpq's message may quote parts of the URL: do not log or return it.
    if (err != nullptr) PQfreemem(err);
    return absl::InvalidArgumentError("database URL cannot be parsed");
  }
  Conninfo out;
  bool has_timeout = false;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string keyword = o->keyword;
    if (keyword == "password") out.password = o->val;
    if (keyword == "connect_timeout") has_timeout = true;
    absl::StrAppend(&out.text, out.text.empty() ? "" : " ", keyword, "=",
                    QuoteConninfoValue(o->val));
  }
  if (!has_timeout) {
    const int64_t secs = std::max<int64_t>(2, absl::ToInt64Seconds(connect_timeout));
    absl::StrAppend(&out.text, out.text.empty() ? "" : " ", "connect_timeout=", secs);
  }
  return out;
}

// The calling thread's ScopedDeadline.
thread_local absl::Time tl_deadline = absl::InfiniteFuture();

// A duration as a Postgres setting in whole milliseconds (at least 1 unless
// zero, which disables the setting).
int64_t Millis(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return 0;
  return std::max<int64_t>(1, absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1))));
}

// A deadline-bound call keeps a connection's statement_timeout while it is
// no longer than the time left and at least 90% of it, and sets 95% of the
// time left otherwise: calls with like deadlines (a peer's 5 s), and the
// statements of one call, then share one SET per connection.
constexpr int64_t kKeepTimeoutPercent = 90;
constexpr int64_t kSetTimeoutPercent = 95;

// Jittered exponential backoff before retry `attempt` (1-based): ~5, 10, 20 ms.
void Backoff(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  const int base_ms = 5 << (attempt - 1);
  std::uniform_int_distribution<int> jitter(0, base_ms);
  absl::SleepFor(absl::Milliseconds(base_ms + jitter(rng)));
}

}  // namespace

ScopedDeadline::ScopedDeadline(absl::Time deadline) : previous_(tl_deadline) {
  tl_deadline = std::min(previous_, deadline);
}

ScopedDeadline::~ScopedDeadline() { tl_deadline = previous_; }

absl::Time ScopedDeadline::Current() { return tl_deadline; }

class Pool::Impl {
 public:
  // A pooled connection and the statement_timeout its session has now.
  struct Pooled {
    std::unique_ptr<pqxx::connection> conn;
    int64_t statement_timeout_ms = 0;  // 0: none
  };

  // A borrowed connection; returns it to the pool (or drops it when broken)
  // on destruction.
  class Lease {
   public:
    Lease(Impl* pool, Pooled pooled) : pool_(pool), pooled_(std::move(pooled)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          pooled_(std::move(other.pooled_)),
          broken_(other.broken_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Release(std::move(pooled_), broken_);
    }
    pqxx::connection& conn() { return *pooled_.conn; }
    int64_t& statement_timeout_ms() { return pooled_.statement_timeout_ms; }
    void MarkBroken() { broken_ = true; }

   private:
    Impl* pool_;
    Pooled pooled_;
    bool broken_ = false;
  };

  Impl(PoolOptions options, Conninfo conninfo)
      : options_(std::move(options)), conninfo_(std::move(conninfo)) {}

  const PoolOptions& options() const { return options_; }

  // Waits up to acquire_timeout (or until `call_deadline`, when earlier)
  // for an idle connection or a free slot; opens a new connection in a free
  // slot. UNAVAILABLE on timeout or connect error, DEADLINE_EXCEEDED when
  // the call deadline ended the wait.
  absl::StatusOr<Lease> Acquire(absl::Time call_deadline = absl::InfiniteFuture()) {
    const absl::Time deadline = std::min(absl::Now() + options_.acquire_timeout, call_deadline);
    {
      absl::MutexLock lock(&mu_);
      while (idle_.empty() && open_ >= options_.size) {
        if (cv_.WaitWithDeadline(&mu_, deadline) && idle_.empty() && open_ >= options_.size) {
          if (deadline == call_deadline) {
            return absl::DeadlineExceededError("deadline passed waiting for a database connection");
          }
          return absl::UnavailableError("timed out waiting for a database connection");
        }
      }
      if (!idle_.empty()) {
        Pooled pooled = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(pooled));
      }
      ++open_;  // Reserve the slot; connect outside the lock.
    }
    absl::StatusOr<std::unique_ptr<pqxx::connection>> conn = Open(options_.statement_timeout);
    if (!conn.ok()) {
      absl::MutexLock lock(&mu_);
      --open_;
      cv_.Signal();
      return conn.status();
    }
    return Lease(this, Pooled{*std::move(conn), Millis(options_.statement_timeout)});
  }

  // Runs `fn` in a transaction of type Tx, retrying as documented in pool.h.
  // `autocommit_write`: fn's one statement commits on its own
  // (pqxx::nontransaction), so once it is sent a broken connection leaves
  // the outcome unknown (UNKNOWN, no retry).
  template <typename Tx>
  absl::Status RunTransaction(const std::function<absl::Status(pqxx::transaction_base&)>& fn,
                              const char* what, bool autocommit_write = false) {
    for (int attempt = 0;; ++attempt) {
      const absl::Time call_deadline = ScopedDeadline::Current();
      if (call_deadline <= absl::Now()) {
        return absl::DeadlineExceededError("deadline passed before the database call");
      }
      {
        IOB_ASSIGN_OR_RETURN(Lease lease, Acquire(call_deadline));
        bool write_sent = false;
        try {
          BoundStatementTimeout(lease, call_deadline);
          // Reads what the server sent while the connection was idle: one
          // it closed (a restart) fails here, before the write is sent, so
          // the write is retried on a fresh connection.
          if (autocommit_write) lease.conn().get_notifs();
          Tx tx(lease.conn());
          write_sent = autocommit_write;
          absl::Status status = fn(tx);
          if (status.ok()) tx.commit();
          return status;  // Not OK: ~Tx rolls back.
        } catch (...) {
          DbFailure failure = ClassifyDbException(std::current_exception());
          if (failure.connection_broken) lease.MarkBroken();
          if (write_sent && failure.connection_broken) {
            failure.status = absl::UnknownError("database write outcome unknown");
            failure.retryable = false;
          }
          const bool retry = failure.retryable && attempt < kMaxRetries;
          Log(retry ? absl::StrCat(what, " (will retry)") : std::string(what), failure.detail);
          if (!retry) return failure.status;
        }
      }  // The connection goes back before we sleep.
      Backoff(attempt + 1);
    }
  }

  absl::Status WithConnection(const std::function<absl::Status(pqxx::connection&)>& fn) {
    IOB_ASSIGN_OR_RETURN(Lease lease, Acquire());
    try {
      absl::Status status = fn(lease.conn());
      if (!lease.conn().is_open()) lease.MarkBroken();
      return status;
    } catch (...) {
      DbFailure failure = ClassifyDbException(std::current_exception());
      if (failure.connection_broken || !lease.conn().is_open()) lease.MarkBroken();
      Log("connection", failure.detail);
      return failure.status;
    }
  }

  // Gives the leased session the statement_timeout this call needs: the
  // configured one, or, when the time left before `call_deadline` is
  // shorter, 90-100% of the time left (Postgres then cancels a statement
  // still running at the deadline, at most 10% of it early). A
  // session-level SET, outside any transaction (so no rollback undoes it),
  // sent only when the session's value must change. libpqxx exceptions
  // propagate.
  void BoundStatementTimeout(Lease& lease, absl::Time call_deadline) {
    int64_t want = Millis(options_.statement_timeout);
    int64_t& have = lease.statement_timeout_ms();
    if (call_deadline != absl::InfiniteFuture()) {
      const int64_t left = std::max<int64_t>(1, Millis(call_deadline - absl::Now()));
      if (want == 0 || left < want) {
        if (have > 0 && have <= left && have * 100 >= left * kKeepTimeoutPercent) return;
        want = std::max<int64_t>(1, left * kSetTimeoutPercent / 100);
      }
    }
    if (have == want) return;
    pqxx::nontransaction tx(lease.conn());
    tx.exec(absl::StrCat("SET statement_timeout = ", want));
    have = want;
  }

  // SELECT 1 on the dedicated ping connection; see Pool::Ping.
  absl::Status Ping() {
    absl::MutexLock lock(&ping_mu_);
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (ping_conn_ == nullptr) {
        IOB_ASSIGN_OR_RETURN(ping_conn_, Open(options_.ping_timeout));
      }
      try {
        pqxx::nontransaction tx(*ping_conn_);
        tx.exec1("SELECT 1");
        return absl::OkStatus();
      } catch (...) {
        DbFailure failure = ClassifyDbException(std::current_exception());
        Log("ping", failure.detail);
        ping_conn_.reset();
        // A stale connection (database restarted since) gets one more try.
        if (!failure.connection_broken) break;
      }
    }
    return absl::UnavailableError("database did not answer");
  }

  // Logs with the URL's password scrubbed (libpq messages could echo it).
  void Log(absl::string_view context, const std::string& detail) const {
    if (conninfo_.password.empty()) {
      LogDbDetail(context, detail);
    } else {
      LogDbDetail(context, absl::StrReplaceAll(detail, {{conninfo_.password, "<redacted>"}}));
    }
  }

 private:
  // Opens a connection, points its search_path at the schema and sets its
  // statement and lock timeouts.
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Open(absl::Duration statement_timeout) {
    try {
      auto conn = std::make_unique<pqxx::connection>(conninfo_.text);
      pqxx::nontransaction tx(*conn);
      tx.exec(absl::StrCat("SET search_path TO ", tx.quote_name(options_.schema),
                           "; SET statement_timeout = ", Millis(statement_timeout),
                           "; SET lock_timeout = ", Millis(options_.lock_timeout)));
      tx.commit();
      return conn;
    } catch (...) {
      DbFailure failure = ClassifyDbException(std::current_exception());
      Log("connect", failure.detail);
      // Whatever went wrong, the caller cannot use this database right now.
      return absl::UnavailableError("cannot connect to the database");
    }
  }

  // Returns a connection. A broken one is dropped with every idle one: what
  // broke it (a Postgres restart, a failover) most likely broke them too.
  void Release(Pooled pooled, bool broken) {
    std::vector<Pooled> dropped;  // closed after unlock
    absl::MutexLock lock(&mu_);
    if (!broken && pooled.conn != nullptr && pooled.conn->is_open()) {
      idle_.push_back(std::move(pooled));
      cv_.Signal();
      return;
    }
    dropped.push_back(std::move(pooled));
    --open_;
    open_ -= static_cast<int>(idle_.size());
    for (auto& c : idle_) dropped.push_back(std::move(c));
    idle_.clear();
    cv_.SignalAll();
  }

  const PoolOptions options_;
  const Conninfo conninfo_;
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<Pooled> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + leased + being opened
  absl::Mutex ping_mu_;
  std::unique_ptr<pqxx::connection> ping_conn_ ABSL_GUARDED_BY(ping_mu_);
};

absl::StatusOr<std::unique_ptr<Pool>> Pool::Create(PoolOptions options) {
  if (options.schema.empty()) return absl::InvalidArgumentError("database schema is empty");
  if (options.size < 1 || options.size > kMaxSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("database pool size must be 1..", kMaxSize, ", got ", options.size));
  }
  if (options.acquire_timeout <= absl::ZeroDuration() ||
      options.connect_timeout <= absl::ZeroDuration() ||
      options.ping_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("database timeouts must be positive");
  }
  if (options.statement_timeout < absl::ZeroDuration() ||
      options.lock_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("database statement and lock timeouts must not be negative");
  }
  if (options.url.empty()) return absl::InvalidArgumentError("database URL is empty");
  IOB_ASSIGN_OR_RETURN(Conninfo conninfo, ParseConninfo(options.url, options.connect_timeout));
  auto impl = std::make_unique<Impl>(std::move(options), std::move(conninfo));
  {
    // Prove the database is reachable; the connection stays in the pool.
    IOB_ASSIGN_OR_RETURN(Impl::Lease lease, impl->Acquire());
  }
  return std::unique_ptr<Pool>(new Pool(std::move(impl)));
}

Pool::Pool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pool::~Pool() = default;

absl::Status Pool::RunStatus(Kind kind,
                             const std::function<absl::Status(pqxx::transaction_base&)>& fn) {
  switch (kind) {
    case Kind::kWrite:
      return impl_->RunTransaction<pqxx::work>(fn, "transaction");
    case Kind::kRead:
      return impl_->RunTransaction<pqxx::read_transaction>(fn, "read transaction");
    case Kind::kReadOne:
      break;
    case Kind::kWriteOne:
      return impl_->RunTransaction<pqxx::nontransaction>(fn, "write", /*autocommit_write=*/true);
  }
  return impl_->RunTransaction<pqxx::nontransaction>(fn, "read");
}

absl::Status Pool::Ping() { return impl_->Ping(); }

absl::Status Pool::WithConnection(const std::function<absl::Status(pqxx::connection&)>& fn) {
  return impl_->WithConnection(fn);
}

const std::string& Pool::schema() const { return impl_->options().schema; }

}  // namespace iob::db

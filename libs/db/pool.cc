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

// Jittered exponential backoff before retry `attempt` (1-based): ~5, 10, 20 ms.
void Backoff(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  const int base_ms = 5 << (attempt - 1);
  std::uniform_int_distribution<int> jitter(0, base_ms);
  absl::SleepFor(absl::Milliseconds(base_ms + jitter(rng)));
}

}  // namespace

class Pool::Impl {
 public:
  // A borrowed connection; returns it to the pool (or drops it when broken)
  // on destruction.
  class Lease {
   public:
    Lease(Impl* pool, std::unique_ptr<pqxx::connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          conn_(std::move(other.conn_)),
          broken_(other.broken_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Release(std::move(conn_), broken_);
    }
    pqxx::connection& conn() { return *conn_; }
    void MarkBroken() { broken_ = true; }

   private:
    Impl* pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool broken_ = false;
  };

  Impl(PoolOptions options, Conninfo conninfo)
      : options_(std::move(options)), conninfo_(std::move(conninfo)) {}

  const PoolOptions& options() const { return options_; }

  // Waits up to acquire_timeout for an idle connection or a free slot; opens
  // a new connection in a free slot. UNAVAILABLE on timeout or connect error.
  absl::StatusOr<Lease> Acquire() {
    const absl::Time deadline = absl::Now() + options_.acquire_timeout;
    {
      absl::MutexLock lock(&mu_);
      while (idle_.empty() && open_ >= options_.size) {
        if (cv_.WaitWithDeadline(&mu_, deadline) && idle_.empty() && open_ >= options_.size) {
          return absl::UnavailableError("timed out waiting for a database connection");
        }
      }
      if (!idle_.empty()) {
        std::unique_ptr<pqxx::connection> conn = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(conn));
      }
      ++open_;  // Reserve the slot; connect outside the lock.
    }
    absl::StatusOr<std::unique_ptr<pqxx::connection>> conn = Open();
    if (!conn.ok()) {
      absl::MutexLock lock(&mu_);
      --open_;
      cv_.Signal();
      return conn.status();
    }
    return Lease(this, *std::move(conn));
  }

  // Runs `fn` in a transaction of type Tx, retrying as documented in pool.h.
  template <typename Tx>
  absl::Status RunTransaction(const std::function<absl::Status(pqxx::transaction_base&)>& fn,
                              const char* what) {
    for (int attempt = 0;; ++attempt) {
      {
        IOB_ASSIGN_OR_RETURN(Lease lease, Acquire());
        try {
          Tx tx(lease.conn());
          absl::Status status = fn(tx);
          if (status.ok()) tx.commit();
          return status;  // Not OK: ~Tx rolls back.
        } catch (...) {
          DbFailure failure = ClassifyDbException(std::current_exception());
          if (failure.connection_broken) lease.MarkBroken();
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

  // Logs with the URL's password scrubbed (libpq messages could echo it).
  void Log(absl::string_view context, const std::string& detail) const {
    if (conninfo_.password.empty()) {
      LogDbDetail(context, detail);
    } else {
      LogDbDetail(context, absl::StrReplaceAll(detail, {{conninfo_.password, "<redacted>"}}));
    }
  }

 private:
  // Opens a connection and points its search_path at the schema.
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Open() {
    try {
      auto conn = std::make_unique<pqxx::connection>(conninfo_.text);
      pqxx::nontransaction tx(*conn);
      tx.exec("SET search_path TO " + tx.quote_name(options_.schema));
      tx.commit();
      return conn;
    } catch (...) {
      DbFailure failure = ClassifyDbException(std::current_exception());
      Log("connect", failure.detail);
      // Whatever went wrong, the caller cannot use this database right now.
      return absl::UnavailableError("cannot connect to the database");
    }
  }

  void Release(std::unique_ptr<pqxx::connection> conn, bool broken) {
    absl::MutexLock lock(&mu_);
    if (!broken && conn != nullptr && conn->is_open()) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
    cv_.Signal();
  }

  const PoolOptions options_;
  const Conninfo conninfo_;
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + leased + being opened
};

absl::StatusOr<std::unique_ptr<Pool>> Pool::Create(PoolOptions options) {
  if (options.schema.empty()) return absl::InvalidArgumentError("database schema is empty");
  if (options.size < 1 || options.size > kMaxSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("database pool size must be 1..", kMaxSize, ", got ", options.size));
  }
  if (options.acquire_timeout <= absl::ZeroDuration() ||
      options.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("database timeouts must be positive");
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
  }
  return impl_->RunTransaction<pqxx::nontransaction>(fn, "read");
}

absl::Status Pool::Ping() {
  absl::Status status = impl_->RunTransaction<pqxx::nontransaction>(
      [](pqxx::transaction_base& tx) {
        tx.exec1("SELECT 1");
        return absl::OkStatus();
      },
      "ping");
  if (status.ok() || status.code() == absl::StatusCode::kUnavailable) return status;
  return absl::UnavailableError("database did not answer");
}

absl::Status Pool::WithConnection(const std::function<absl::Status(pqxx::connection&)>& fn) {
  return impl_->WithConnection(fn);
}

const std::string& Pool::schema() const { return impl_->options().schema; }

}  // namespace iob::db

#include "libs/runtime/service_main.h"

#include <malloc.h>

#include <iostream>
#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"

namespace iob::runtime {

ServiceMain::ServiceMain(ServiceDefaults defaults)
    : defaults_(std::move(defaults)),
      flags_("iob-" + defaults_.name + " [" + absl::StrJoin(defaults_.commands, "|") + "]",
             defaults_.summary),
      // "invoice-intake" owns schema "invoice_intake" (a bare SQL identifier).
      db_schema_(absl::StrReplaceAll(defaults_.name, {{"-", "_"}})) {
  // Debian builds Abseil without NDEBUG, which leaves Mutex deadlock
  // detection on: every lock and unlock (ours and gRPC's) updated a global
  // lock graph, ~2% of the credentials service's CPU under load. Off is
  // Abseil's default for release builds.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // glibc gives threads that allocate at the same time arenas of their own
  // (up to 8 per core): with the gRPC threads a service keeps that added
  // ~4 MiB to its RSS under load, for no throughput we could measure.
  mallopt(M_ARENA_MAX, 2);
  host_options_.grpc_listen = defaults_.grpc_listen;
  host_options_.metrics_listen = defaults_.metrics_listen;
  flags_.Add("db-url", &db_url_, "Postgres URL for this service's own role (required)");
  flags_.Add("db-schema", &db_schema_, "the schema this service owns");
  flags_.Add("db-pool-size", &db_pool_size_, "database connections");
  flags_.Add("db-statement-timeout", &db_statement_timeout_,
             "longest a database statement may run (0 = no limit)");
  flags_.Add("db-lock-timeout", &db_lock_timeout_,
             "longest a database statement may wait for a lock (0 = no limit)");
  flags_.Add("db-start-timeout", &db_start_timeout_,
             "at start, how long to keep retrying an unreachable database");
  flags_.Add("tokens-file", &tokens_file_, "bearer token hashes JSON (required to serve)");
  flags_.Add("migrate-on-start", &migrate_on_start_, "apply migrations before serving");
  flags_.Add("debug", &debug_, "debug logs");
  host_options_.Register(flags_);
}

std::optional<int> ServiceMain::Parse(int argc, char** argv) {
  auto args = flags_.Parse(argc, argv);
  if (!args.ok()) {
    if (args.status().code() == absl::StatusCode::kCancelled) return 0;
    std::cerr << args.status().message() << "\n" << flags_.Usage();
    return 2;
  }
  command_ = args->empty() ? defaults_.commands.front() : (*args)[0];
  if (!http_listen_.empty()) {
    const size_t colon = http_listen_.rfind(':');
    if (colon == std::string::npos ||
        !absl::SimpleAtoi(http_listen_.substr(colon + 1), &http_options_.port)) {
      std::cerr << "--http-listen must be host:port\n" << flags_.Usage();
      return 2;
    }
    http_options_.host = http_listen_.substr(0, colon);
    http_edge_ = std::make_unique<http::HttpServer>(http_options_);
  }
  common::InitLogging(defaults_.name, debug_ ? common::LogLevel::kDebug : common::LogLevel::kInfo);
  if (std::find(defaults_.commands.begin(), defaults_.commands.end(), command_) ==
      defaults_.commands.end()) {
    std::cerr << "unknown command '" << command_ << "'\n" << flags_.Usage();
    return 2;
  }
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<db::Pool>> ServiceMain::OpenDatabase(
    const std::vector<db::Migration>& migrations) {
  if (db_url_.empty()) return absl::InvalidArgumentError("--db-url (IOB_DB_URL) is required");
  const bool migrate = command_ == "migrate" || (command_ == "serve" && migrate_on_start_);
  auto open = [&]() -> absl::StatusOr<std::unique_ptr<db::Pool>> {
    IOB_ASSIGN_OR_RETURN(auto pool, db::Pool::Create({.url = db_url_,
                                                      .schema = db_schema_,
                                                      .size = db_pool_size_,
                                                      .statement_timeout = db_statement_timeout_,
                                                      .lock_timeout = db_lock_timeout_}));
    if (migrate) {
      // Migrations run without statement or lock timeouts (a long index
      // build; another replica holding the migration lock), on a connection
      // of their own.
      IOB_ASSIGN_OR_RETURN(auto migration_pool,
                           db::Pool::Create({.url = db_url_,
                                             .schema = db_schema_,
                                             .size = 1,
                                             .statement_timeout = absl::ZeroDuration(),
                                             .lock_timeout = absl::ZeroDuration()}));
      IOB_RETURN_IF_ERROR(migration_pool->WithConnection(
          [&](pqxx::connection_base& conn) { return db::Migrate(conn, db_schema_, migrations); }));
      common::LogInfo("migrations applied", {{"schema", db_schema_}});
    }
    return pool;
  };
  const absl::Time give_up = absl::Now() + db_start_timeout_;
  absl::Duration delay = absl::Milliseconds(200);
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<std::unique_ptr<db::Pool>> pool = open();
    if (pool.ok() || pool.status().code() != absl::StatusCode::kUnavailable ||
        absl::Now() + delay > give_up) {
      return pool;
    }
    common::LogWarn("database not ready, retrying",
                    {{"attempt", attempt},
                     {"retry_in_seconds", absl::ToDoubleSeconds(delay)},
                     {"error", pool.status().ToString()}});
    absl::SleepFor(delay);
    delay = std::min(delay * 2, absl::Seconds(5));
  }
}

absl::StatusOr<std::unique_ptr<Authenticator>> ServiceMain::LoadTokens() const {
  return Authenticator::LoadFile(tokens_file_);
}

void ServiceMain::AddHttpEdge(std::string default_listen, http::HttpServerOptions options) {
  http_listen_ = std::move(default_listen);
  http_options_ = std::move(options);
  flags_.Add("http-listen", &http_listen_, "inbound HTTP edge listen address (host:port)");
}

absl::StatusOr<int> ServiceMain::StartHttpEdge() {
  IOB_ASSIGN_OR_RETURN(int port, http_edge_->Start());
  common::LogInfo("http serving", {{"http_port", port}});
  return port;
}

void ServiceMain::RunEvery(absl::Duration period, std::function<void()> fn) {
  periodic_.push_back({period, std::move(fn)});
}

void ServiceMain::AtShutdown(std::function<void()> fn) { at_shutdown_.push_back(std::move(fn)); }

absl::StatusOr<ServiceHost*> ServiceMain::CreateHost(const std::string& service_name) {
  IOB_ASSIGN_OR_RETURN(host_, ServiceHost::Create(service_name, host_options_));
  return host_.get();
}

int ServiceMain::Serve(std::vector<grpc::Service*> services, std::function<absl::Status()> ready,
                       std::function<void()> on_reload) {
  if (absl::Status st = host_->Start(std::move(services), std::move(ready)); !st.ok()) {
    return Fail("cannot start", st);
  }
  for (const Periodic& p : periodic_) {
    periodic_threads_.emplace_back([this, &p] {
      do {
        p.fn();
      } while (!stop_periodic_.WaitForNotificationWithTimeout(p.period));
    });
  }
  host_->ServeUntilSignal(on_reload, [this] {
    stop_periodic_.Notify();
    for (std::thread& t : periodic_threads_) t.join();
    for (const auto& fn : at_shutdown_) fn();
  });
  if (http_edge_) http_edge_->Stop();
  return 0;
}

int ServiceMain::Fail(absl::string_view what, const absl::Status& status) {
  common::LogError(what, {{"error", status.ToString()}});
  return 1;
}

}  // namespace iob::runtime

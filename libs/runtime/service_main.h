// What every service's main() shares: the common flags, the command word
// (serve / migrate / ...), logging, opening the database with its
// migrations, the optional HTTP edge, periodic work, and serving until
// SIGTERM. A main() builds one ServiceMain, adds its own flags, parses, wires
// its own pieces and calls Serve: it holds no start-up or shutdown logic.
#ifndef IOB_LIBS_RUNTIME_SERVICE_MAIN_H_
#define IOB_LIBS_RUNTIME_SERVICE_MAIN_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/common/flags.h"
#include "libs/db/migrate.h"
#include "libs/db/pool.h"
#include "libs/http/server.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/service_host.h"

namespace iob::runtime {

struct ServiceDefaults {
  std::string name;     // "credentials": log field and default schema ("-" -> "_")
  std::string summary;  // one line for --help
  std::vector<std::string> commands = {"serve", "migrate"};  // first is the default
  std::string grpc_listen;                                   // "127.0.0.1:7101"
  std::string metrics_listen;
};

// Not thread-safe; lives in main().
class ServiceMain {
 public:
  // Also sets process-wide knobs (see service_main.cc): Abseil's Mutex
  // deadlock detection off, at most two glibc malloc arenas.
  explicit ServiceMain(ServiceDefaults defaults);

  // Add service-specific flags here before Parse.
  common::Flags& flags() { return flags_; }

  // Parses argv (flags, IOB_* variables, the command) and starts logging.
  // Returns an exit code when the process should stop now (0 after --help,
  // 2 for bad usage, with the usage printed), nullopt to go on.
  std::optional<int> Parse(int argc, char** argv);

  const std::string& command() const { return command_; }

  // Opens the pool (--db-url, --db-schema, --db-pool-size,
  // --db-statement-timeout, --db-lock-timeout) and applies `migrations`
  // under their advisory lock when the command is "migrate" or when serving
  // with --migrate-on-start. While the database is unreachable (UNAVAILABLE)
  // it retries with backoff (0.2 s doubling to 5 s) for up to
  // --db-start-timeout, so a pod starting before its database does not
  // crash-loop; other errors (bad URL, changed migration) return at once.
  absl::StatusOr<std::unique_ptr<db::Pool>> OpenDatabase(
      const std::vector<db::Migration>& migrations);

  // The --tokens-file authenticator.
  absl::StatusOr<std::unique_ptr<Authenticator>> LoadTokens() const;

  // Before Parse: declares --http-listen (default `default_listen`,
  // "host:port") for the service's inbound HTTP edge (form posts, supplier
  // cXML), served with `options` (its host and port come from the flag).
  void AddHttpEdge(std::string default_listen, http::HttpServerOptions options = {});

  // After Parse, with AddHttpEdge: the edge's server, to register routes on.
  http::HttpServer& http_edge() { return *http_edge_; }

  // Starts the HTTP edge and returns its bound port. INVALID_ARGUMENT for a
  // malformed --http-listen, UNAVAILABLE when it cannot bind.
  absl::StatusOr<int> StartHttpEdge();

  // Runs `fn` every `period` (first at Serve) on a thread of its own, until
  // shutdown begins; a run in progress then finishes before the drain.
  void RunEvery(absl::Duration period, std::function<void()> fn);

  // Runs `fn` when shutdown begins, after the periodic work has stopped and
  // before the gRPC calls drain: stop background workers here (their work
  // in flight finishes first). Called in the order added.
  void AtShutdown(std::function<void()> fn);

  // The gRPC host for the service whose full name is `service_name`; create
  // it before building what registers metrics on its metrics().
  absl::StatusOr<ServiceHost*> CreateHost(const std::string& service_name);

  // Starts `services` on the host (health SERVING while `ready` is OK) and
  // the periodic work, then blocks until SIGTERM or SIGINT (SIGHUP calls
  // `on_reload`). Then stops the periodic work, drains the gRPC calls and
  // stops the HTTP edge. Returns the process exit code (1 when the host
  // cannot start).
  int Serve(std::vector<grpc::Service*> services, std::function<absl::Status()> ready,
            std::function<void()> on_reload = {});

  // Logs `what` with the status and returns exit code 1.
  static int Fail(absl::string_view what, const absl::Status& status);

 private:
  ServiceDefaults defaults_;
  common::Flags flags_;
  std::string command_;
  std::string db_url_;
  std::string db_schema_;
  int db_pool_size_ = 16;
  absl::Duration db_statement_timeout_ = absl::Seconds(10);
  absl::Duration db_lock_timeout_ = absl::Seconds(5);
  absl::Duration db_start_timeout_ = absl::Seconds(60);
  std::string tokens_file_;
  bool migrate_on_start_ = true;
  bool debug_ = false;
  HostOptions host_options_;
  std::string http_listen_;
  std::unique_ptr<http::HttpServer> http_edge_;
  http::HttpServerOptions http_options_;
  struct Periodic {
    absl::Duration period;
    std::function<void()> fn;
  };
  std::vector<Periodic> periodic_;
  absl::Notification stop_periodic_;
  std::vector<std::thread> periodic_threads_;
  std::vector<std::function<void()>> at_shutdown_;
  std::unique_ptr<ServiceHost> host_;
};

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_SERVICE_MAIN_H_

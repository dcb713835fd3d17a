// Runs a gRPC service the way every iob service runs: health
// (grpc.health.v1: readiness under "" and the service's full name, SERVING
// only while the readiness check passes; liveness under "liveness", SERVING
// while the process runs), optional server reflection, RED metrics, optional
// TLS / mTLS, JSON logs, and graceful shutdown on SIGTERM (NOT_SERVING, a
// pause so load balancers notice, then drain with a deadline).
#ifndef IOB_LIBS_RUNTIME_SERVICE_HOST_H_
#define IOB_LIBS_RUNTIME_SERVICE_HOST_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/common/flags.h"
#include "libs/runtime/metrics.h"

namespace iob::runtime {

// Flags shared by every service; Register adds them to `flags`.
struct HostOptions {
  std::string grpc_listen = "127.0.0.1:0";
  std::string metrics_listen = "127.0.0.1:0";
  std::string tls_cert_file;  // PEM; enables TLS when set with tls_key_file
  std::string tls_key_file;
  std::string tls_client_ca_file;  // PEM; when set, clients must present a cert (mTLS)
  // On SIGTERM: readiness turns NOT_SERVING, new calls are still served for
  // shutdown_pause (load balancers stop sending), then calls in flight get
  // drain_timeout, which must exceed the slowest call.
  absl::Duration shutdown_pause = absl::ZeroDuration();
  absl::Duration drain_timeout = absl::Seconds(30);
  absl::Duration readiness_interval = absl::Seconds(5);
  // Serve grpc.reflection.v1alpha (unauthenticated: off in production).
  bool reflection = true;
  // Threads the gRPC sync server keeps once started. A call runs on the
  // thread that picked it up; when none is left waiting for the next call
  // gRPC starts one, and a thread that finds this many others waiting ends.
  // gRPC's default (2) started and ended a thread for nearly every call
  // beyond the second in flight (docs/performance.md). Keep it above the
  // calls a service serves at once: a call waiting for the database (or for
  // a shared query, db::GroupRead) still holds its thread.
  int sync_server_threads = 64;
  // When set, a second, plaintext port that serves grpc.health.v1 only (the
  // same statuses), for probes that cannot speak TLS (Kubernetes' gRPC
  // probes) while the service port is TLS-only.
  std::string health_listen;

  void Register(common::Flags& flags);
};

// The health service name that reports liveness: SERVING from Start until
// the process stops, whatever the database does.
inline constexpr char kLivenessService[] = "liveness";

class ServiceHost {
 public:
  // Serves /metrics for the service whose full gRPC name is `service_name`
  // ("iob.credentials.v1.CredentialsService"; its RED series are created at
  // zero). Services add their own metrics to metrics().registry() before
  // Start. UNAVAILABLE when the metrics port cannot be bound.
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Create(const std::string& service_name,
                                                             const HostOptions& options);

  // Binds the gRPC port and starts serving `services` (not owned; must
  // outlive the host). Readiness ("" and the service name) starts
  // NOT_SERVING until `ready` returns OK, re-checked every
  // readiness_interval (every 200 ms while failing); `ready` must be cheap
  // and must not wait on the request pool (db::Pool::Ping has its own
  // connection). Liveness (kLivenessService) is SERVING at once.
  // UNAVAILABLE when the port cannot be bound; INVALID_ARGUMENT for
  // unreadable TLS files.
  absl::Status Start(std::vector<grpc::Service*> services, std::function<absl::Status()> ready);
  ~ServiceHost();

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_->port(); }
  Metrics& metrics() { return *metrics_; }

  // Blocks until SIGTERM or SIGINT (SIGHUP calls `on_reload`), sets
  // readiness NOT_SERVING, keeps serving for shutdown_pause, calls
  // `on_drain` (stop background work), then stops accepting and waits up to
  // drain_timeout for calls in flight. Call
  // BlockShutdownSignals() at the top of main, before any thread starts, so
  // the signals reach this wait.
  void ServeUntilSignal(const std::function<void()>& on_reload = {},
                        const std::function<void()>& on_drain = {});

  // Stops now, without the pause (tests); idempotent.
  void Shutdown();

 private:
  ServiceHost() = default;
  void ReadinessLoop();
  // Stops the readiness loop and sets readiness NOT_SERVING; idempotent.
  void StopReadiness(absl::string_view reason);
  void SetReadiness(bool serving);

  std::string service_name_;
  HostOptions options_;
  std::function<absl::Status()> ready_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;  // --health-listen, or null
  int grpc_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};
  absl::Notification stop_readiness_;
  std::thread readiness_thread_;
};

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and every thread it
// starts afterwards.
void BlockShutdownSignals();

// Reads a whole file; NOT_FOUND naming the path when it cannot be read.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_SERVICE_HOST_H_

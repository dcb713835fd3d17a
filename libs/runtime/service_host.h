// Runs a gRPC service the way every iob service runs: health
// (grpc.health.v1; SERVING only while the readiness check passes), server
// reflection, RED metrics, optional TLS / mTLS, JSON logs, and graceful
// shutdown on SIGTERM (NOT_SERVING, then drain with a deadline).
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
  absl::Duration drain_timeout = absl::Seconds(10);
  absl::Duration readiness_interval = absl::Seconds(5);

  void Register(common::Flags& flags);
};

class ServiceHost {
 public:
  // Serves /metrics for the service whose full gRPC name is `service_name`
  // ("iob.credentials.v1.CredentialsService"; its RED series are created at
  // zero). Services add their own metrics to metrics().registry() before
  // Start. UNAVAILABLE when the metrics port cannot be bound.
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Create(const std::string& service_name,
                                                             const HostOptions& options);

  // Binds the gRPC port and starts serving `services` (not owned; must
  // outlive the host). Health starts NOT_SERVING until `ready` returns OK,
  // re-checked every readiness_interval. UNAVAILABLE when the port cannot be
  // bound; INVALID_ARGUMENT for unreadable TLS files.
  absl::Status Start(std::vector<grpc::Service*> services, std::function<absl::Status()> ready);
  ~ServiceHost();

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_->port(); }
  Metrics& metrics() { return *metrics_; }

  // Blocks until SIGTERM or SIGINT (SIGHUP calls `on_reload`), calls
  // `on_drain` (stop background work), then sets NOT_SERVING, stops
  // accepting, and waits up to drain_timeout for calls in flight. Call
  // BlockShutdownSignals() at the top of main, before any thread starts, so
  // the signals reach this wait.
  void ServeUntilSignal(const std::function<void()>& on_reload = {},
                        const std::function<void()>& on_drain = {});

  // Stops now (tests); idempotent.
  void Shutdown();

 private:
  ServiceHost() = default;
  void ReadinessLoop();

  std::string service_name_;
  HostOptions options_;
  std::function<absl::Status()> ready_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<grpc::Server> server_;
  int grpc_port_ = 0;
  std::atomic<bool> stopping_{false};
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

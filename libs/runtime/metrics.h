// Prometheus /metrics for a service, and RED metrics for every gRPC method
// under the de-facto names of go-grpc-prometheus:
//   grpc_server_started_total, grpc_server_handled_total{grpc_code},
//   grpc_server_handling_seconds (labels grpc_service, grpc_method, grpc_type).
// Series of registered services are pre-created at zero. The process's own
// series (process_resident_memory_bytes, ...) come with them.
#ifndef IOB_LIBS_RUNTIME_METRICS_H_
#define IOB_LIBS_RUNTIME_METRICS_H_

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace iob::runtime {

// Thread-safe.
class Metrics {
 public:
  // Serves /metrics on `bind_address` ("127.0.0.1:9101"; port 0 picks one).
  // UNAVAILABLE when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<Metrics>> Start(const std::string& bind_address);
  ~Metrics();

  prometheus::Registry& registry() { return *registry_; }
  int port() const { return port_; }

  // Pre-creates RED series for each method of the service named
  // `full_name` (e.g. "iob.credentials.v1.CredentialsService"), for every
  // status code. Unknown names are ignored.
  void RegisterGrpcService(const std::string& full_name);

  // An interceptor factory recording RED metrics; pass to the ServerBuilder.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory();

  // The series of one method, created on first use ("/pkg.Service/Method").
  struct MethodSeries {
    prometheus::Counter* started;
    prometheus::Counter* handled[17];  // by grpc::StatusCode
    prometheus::Histogram* seconds;
  };
  MethodSeries& Series(const std::string& full_method, const std::string& type);

 private:
  Metrics() = default;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<prometheus::Collectable> process_;  // process_* series
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
  prometheus::Family<prometheus::Counter>* started_ = nullptr;
  prometheus::Family<prometheus::Counter>* handled_ = nullptr;
  prometheus::Family<prometheus::Histogram>* seconds_ = nullptr;
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<MethodSeries>> series_ ABSL_GUARDED_BY(mu_);
};

// Latency buckets in seconds shared by all histograms (1 ms .. 30 s).
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_METRICS_H_

#include "libs/runtime/metrics.h"

#include <google/protobuf/descriptor.h>
#include <prometheus/counter.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/runtime/process_metrics.h"

namespace iob::runtime {
namespace {

constexpr const char* kCodeNames[17] = {
    "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
    "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
    "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
    "DataLoss", "Unauthenticated"};

const char* TypeName(grpc::experimental::ServerRpcInfo::Type type) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case Type::UNARY:
      return "unary";
    case Type::CLIENT_STREAMING:
      return "client_stream";
    case Type::SERVER_STREAMING:
      return "server_stream";
    case Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unary";
}

class RedInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit RedInterceptor(Metrics::MethodSeries* series) : series_(series) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      start_ = std::chrono::steady_clock::now();
      series_->started->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const int code = static_cast<int>(methods->GetSendStatus().error_code());
      series_->handled[code >= 0 && code < 17 ? code : 2]->Increment();
      series_->seconds->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    }
    methods->Proceed();
  }

 private:
  Metrics::MethodSeries* series_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class RedInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RedInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RedInterceptor(&metrics_->Series(info->method(), TypeName(info->type())));
  }

 private:
  Metrics* metrics_;
};

}  // namespace

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return *kBuckets;
}

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Start(const std::string& bind_address) {
  std::unique_ptr<Metrics> m(new Metrics());
  m->registry_ = std::make_shared<prometheus::Registry>();
  try {
    m->exposer_ = std::make_unique<prometheus::Exposer>(bind_address, 2);
  } catch (const std::exception&) {
    return absl::UnavailableError(absl::StrCat("cannot serve /metrics on ", bind_address));
  }
  m->exposer_->RegisterCollectable(m->registry_);
  m->process_ = std::make_shared<ProcessMetrics>();
  m->exposer_->RegisterCollectable(m->process_);
  auto ports = m->exposer_->GetListeningPorts();
  m->port_ = ports.empty() ? 0 : ports.front();
  m->started_ = &prometheus::BuildCounter()
                     .Name("grpc_server_started_total")
                     .Help("Total number of RPCs started on the server.")
                     .Register(*m->registry_);
  m->handled_ = &prometheus::BuildCounter()
                     .Name("grpc_server_handled_total")
                     .Help("Total number of RPCs completed on the server, regardless of success.")
                     .Register(*m->registry_);
  m->seconds_ = &prometheus::BuildHistogram()
                     .Name("grpc_server_handling_seconds")
                     .Help("Histogram of response latency of RPCs handled by the server.")
                     .Register(*m->registry_);
  return m;
}

Metrics::~Metrics() = default;

Metrics::MethodSeries& Metrics::Series(const std::string& full_method, const std::string& type) {
  absl::MutexLock lock(&mu_);
  auto& slot = series_[full_method];
  if (slot) return *slot;
  // "/iob.credentials.v1.CredentialsService/GetIntegration"
  std::string service = full_method, method;
  if (auto slash = full_method.rfind('/'); slash != std::string::npos && slash > 0) {
    service = full_method.substr(1, slash - 1);
    method = full_method.substr(slash + 1);
  }
  const prometheus::Labels labels = {
      {"grpc_service", service}, {"grpc_method", method}, {"grpc_type", type}};
  slot = std::make_unique<MethodSeries>();
  slot->started = &started_->Add(labels);
  for (int code = 0; code < 17; ++code) {
    auto with_code = labels;
    with_code["grpc_code"] = kCodeNames[code];
    slot->handled[code] = &handled_->Add(with_code);
  }
  slot->seconds = &seconds_->Add(labels, LatencyBuckets());
  return *slot;
}

void Metrics::RegisterGrpcService(const std::string& full_name) {
  const auto* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(full_name);
  if (service == nullptr) return;
  for (int i = 0; i < service->method_count(); ++i) {
    const auto* m = service->method(i);
    const char* type = m->client_streaming()
                           ? (m->server_streaming() ? "bidi_stream" : "client_stream")
                       : m->server_streaming() ? "server_stream"
                                               : "unary";
    Series(absl::StrCat("/", service->full_name(), "/", m->name()), type);
  }
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Metrics::InterceptorFactory() {
  return std::make_unique<RedInterceptorFactory>(this);
}

}  // namespace iob::runtime

#include "libs/runtime/service_host.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"

namespace iob::runtime {
namespace {

// Turns server reflection on or off for one ServerBuilder. Linking
// grpc++_reflection registers its plugin for every server of the process
// (a static initializer), so "off" has to take it out again.
class ReflectionOption : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool enabled) : enabled_(enabled) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    const std::string name = grpc::reflection::ProtoServerReflectionPlugin().name();
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [&](const auto& p) { return p->name() == name; }),
                   plugins->end());
    if (enabled_)
      plugins->push_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
  }

 private:
  const bool enabled_;
};

}  // namespace

void HostOptions::Register(common::Flags& flags) {
  flags.Add("grpc-listen", &grpc_listen, "gRPC listen address host:port (port 0 picks one)");
  flags.Add("metrics-listen", &metrics_listen, "Prometheus /metrics listen address host:port");
  flags.Add("tls-cert-file", &tls_cert_file, "PEM server certificate; enables TLS on gRPC");
  flags.Add("tls-key-file", &tls_key_file, "PEM private key for --tls-cert-file");
  flags.Add("tls-client-ca-file", &tls_client_ca_file,
            "PEM CA bundle; when set, gRPC clients must present a certificate (mTLS)");
  flags.Add("shutdown-pause", &shutdown_pause,
            "on SIGTERM, how long to keep serving while NOT_SERVING before draining");
  flags.Add("drain-timeout", &drain_timeout,
            "how long calls in flight may finish on SIGTERM (longer than the slowest call)");
  flags.Add("reflection", &reflection, "serve gRPC server reflection (unauthenticated)");
  flags.Add("readiness-interval", &readiness_interval, "how often readiness is re-checked");
  flags.Add("health-listen", &health_listen,
            "plaintext port serving grpc.health.v1 only, for probes that cannot speak TLS");
}

void BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read file ", path));
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Create(const std::string& service_name,
                                                                 const HostOptions& options) {
  std::unique_ptr<ServiceHost> host(new ServiceHost());
  host->service_name_ = service_name;
  host->options_ = options;
  auto metrics = Metrics::Start(options.metrics_listen);
  if (!metrics.ok()) return metrics.status();
  host->metrics_ = std::move(metrics).value();
  host->metrics_->RegisterGrpcService(service_name);
  return host;
}

absl::Status ServiceHost::Start(std::vector<grpc::Service*> services,
                                std::function<absl::Status()> ready) {
  ServiceHost* host = this;
  const HostOptions& options = options_;
  ready_ = std::move(ready);

  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    auto cert = ReadFile(options.tls_cert_file);
    auto key = ReadFile(options.tls_key_file);
    if (!cert.ok() || !key.ok()) {
      return absl::InvalidArgumentError("--tls-cert-file and --tls-key-file must both be readable");
    }
    grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    if (!options.tls_client_ca_file.empty()) {
      auto ca = ReadFile(options.tls_client_ca_file);
      if (!ca.ok()) return absl::InvalidArgumentError("--tls-client-ca-file is not readable");
      ssl.pem_root_certs = *ca;
      ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    creds = grpc::SslServerCredentials(ssl);
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.SetOption(std::make_unique<ReflectionOption>(options.reflection));
  builder.AddListeningPort(options.grpc_listen, creds, &host->grpc_port_);
  for (grpc::Service* s : services) builder.RegisterService(s);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(host->metrics_->InterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.SetMaxReceiveMessageSize(4 << 20);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              std::max(2, options.sync_server_threads));
  host->server_ = builder.BuildAndStart();
  if (host->server_ == nullptr || host->grpc_port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.grpc_listen));
  }
  if (!options.health_listen.empty()) {
    grpc::ServerBuilder health_builder;
    int health_port = 0;
    health_builder.AddListeningPort(options.health_listen, grpc::InsecureServerCredentials(),
                                    &health_port);
    host->health_server_ = health_builder.BuildAndStart();
    if (host->health_server_ == nullptr || health_port == 0) {
      host->server_->Shutdown();
      return absl::UnavailableError(absl::StrCat("cannot listen on ", options.health_listen));
    }
    common::LogInfo("health port", {{"health_port", health_port}});
  }
  SetReadiness(false);
  for (grpc::Server* server : {host->server_.get(), host->health_server_.get()}) {
    if (server != nullptr)
      server->GetHealthCheckService()->SetServingStatus(kLivenessService, true);
  }
  host->readiness_thread_ = std::thread([host] { host->ReadinessLoop(); });
  common::LogInfo("serving", {{"grpc_port", host->grpc_port_},
                              {"metrics_port", host->metrics_->port()},
                              {"transport", options.tls_cert_file.empty()        ? "plaintext"
                                            : options.tls_client_ca_file.empty() ? "tls"
                                                                                 : "mtls"},
                              {"reflection", options.reflection ? "on" : "off"}});
  return absl::OkStatus();
}

ServiceHost::~ServiceHost() { Shutdown(); }

void ServiceHost::ReadinessLoop() {
  bool serving = false;
  do {
    if (stopping_) break;
    const absl::Status st = ready_ ? ready_() : absl::OkStatus();
    const bool now_serving = st.ok() && !stopping_;
    if (now_serving != serving) {
      serving = now_serving;
      SetReadiness(serving);
      if (serving) {
        common::LogInfo("health SERVING");
      } else {
        common::LogWarn("health NOT_SERVING", {{"reason", std::string(st.message())}});
      }
    }
  } while (!stop_readiness_.WaitForNotificationWithTimeout(serving ? options_.readiness_interval
                                                                   : absl::Milliseconds(200)));
}

void ServiceHost::ServeUntilSignal(const std::function<void()>& on_reload,
                                   const std::function<void()>& on_drain) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      common::LogInfo("SIGHUP: reloading");
      if (on_reload) on_reload();
      continue;
    }
    common::LogInfo("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  StopReadiness("shutting down");
  if (options_.shutdown_pause > absl::ZeroDuration()) {
    common::LogInfo("shutdown pause",
                    {{"seconds", absl::ToDoubleSeconds(options_.shutdown_pause)}});
    absl::SleepFor(options_.shutdown_pause);  // Still serving: load balancers catch up.
  }
  if (on_drain) on_drain();
  Shutdown();
}

void ServiceHost::SetReadiness(bool serving) {
  for (grpc::Server* server : {server_.get(), health_server_.get()}) {
    if (server == nullptr) continue;
    grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
    health->SetServingStatus("", serving);
    health->SetServingStatus(service_name_, serving);
  }
}

void ServiceHost::StopReadiness(absl::string_view reason) {
  if (stopping_.exchange(true)) return;
  if (!stop_readiness_.HasBeenNotified()) stop_readiness_.Notify();
  if (readiness_thread_.joinable()) readiness_thread_.join();
  if (server_) {
    SetReadiness(false);
    common::LogInfo("health NOT_SERVING", {{"reason", reason}});
  }
}

void ServiceHost::Shutdown() {
  StopReadiness("stopping");
  if (stopped_.exchange(true)) return;
  if (server_) {
    common::LogInfo("draining", {{"seconds", absl::ToDoubleSeconds(options_.drain_timeout)}});
    server_->Shutdown(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(options_.drain_timeout));
    server_->Wait();
  }
  if (health_server_) {
    health_server_->Shutdown();
    health_server_->Wait();
  }
  common::LogInfo("stopped");
}

}  // namespace iob::runtime

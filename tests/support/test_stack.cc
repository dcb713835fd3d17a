// The shared integration-test stack: database, secrets, service processes.
#include "tests/support/test_stack.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace iob::testing {
namespace {

// What the stack needs to know about a service binary.
struct ServiceSpec {
  Service service;
  const char* name;    // log file prefix
  const char* binary;  // relative to $IOB_BINARY_DIR
  const char* role;    // database role prefix; "" = no database
  const char* schema;  // the schema it owns
  bool grpc;           // serves gRPC + health (else: a "serving" log line)
  // The log line message carrying "http_port"; "" = no HTTP listener.
  const char* http_log_message;
  // The principal whose token (and, with mtls, client certificate) it
  // presents to credentials and its other peers; "" = calls no one.
  const char* principal;
};

constexpr ServiceSpec kSpecs[] = {
    {Service::kCredentials, "credentials", "services/credentials/iob-credentials",
     "iob_credentials", "credentials", true, "", ""},
    {Service::kSupplierSim, "supplier-sim", "tools/supplier-sim/iob-supplier-sim", "", "", false,
     "serving", ""},
    {Service::kPunchout, "punchout", "services/punchout/iob-punchout", "iob_punchout", "punchout",
     true, "http serving", "punchout"},
    {Service::kDispatch, "dispatch", "services/dispatch/iob-dispatch", "iob_dispatch", "dispatch",
     true, "http serving", "dispatch"},
    {Service::kInvoiceIntake, "invoice-intake", "services/invoice-intake/iob-invoice-intake",
     "iob_invoice_intake", "invoice_intake", true, "http serving", "invoice-intake"},
};

const ServiceSpec& Spec(Service service) {
  for (const ServiceSpec& s : kSpecs) {
    if (s.service == service) return s;
  }
  std::fprintf(stderr, "test_stack: service %d has no spec\n", static_cast<int>(service));
  std::abort();
}

[[noreturn]] void Fatal(const std::string& message) {
  std::fprintf(stderr, "test_stack: %s\n", message.c_str());
  std::abort();
}

absl::StatusOr<nlohmann::json> ParseJson(absl::StatusOr<HttpResult> r, const std::string& what) {
  if (!r.ok()) return r.status();
  if (r->status / 100 != 2) {
    return absl::FailedPreconditionError(absl::StrCat(what, ": HTTP ", r->status, " ", r->body));
  }
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return absl::InternalError(absl::StrCat(what, ": not JSON: ", r->body));
  return j;
}

// Runs openssl; aborts the test binary when it fails (no PKI, no test).
void Openssl(const std::vector<std::string>& args) {
  auto r = RunCommand("/usr/bin/openssl", args);
  if (!r.ok() || r->exit_code != 0) {
    Fatal(
        absl::StrCat("openssl ", args[0], " failed: ", r.ok() ? r->output : r.status().ToString()));
  }
}

// A CA in `dir`, the server certificate and the client certificates the
// stack's services and tests present (StackOptions::mtls).
void MakeTestPki(const std::string& dir) {
  auto path = [&](const std::string& name) { return absl::StrCat(dir, "/", name); };
  const std::vector<std::string> key = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                        "-nodes"};
  std::vector<std::string> ca = {"req", "-x509"};
  ca.insert(ca.end(), key.begin(), key.end());
  ca.insert(ca.end(), {"-keyout", path("ca.key"), "-out", path("ca.crt"), "-days", "2", "-subj",
                       "/CN=iob test stack CA", "-addext", "basicConstraints=critical,CA:TRUE",
                       "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  Openssl(ca);
  const std::pair<std::string, std::string> leaves[] = {
      {"server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"},
      {"punchout", "extendedKeyUsage=clientAuth\n"},
      {"dispatch", "extendedKeyUsage=clientAuth\n"},
      {"operator", "extendedKeyUsage=clientAuth\n"}};
  for (const auto& [name, ext] : leaves) {
    std::vector<std::string> req = {"req"};
    req.insert(req.end(), key.begin(), key.end());
    req.insert(req.end(), {"-keyout", path(name + ".key"), "-out", path(name + ".csr"), "-subj",
                           "/CN=" + (name == "server" ? std::string("localhost") : name)});
    Openssl(req);
    WriteFileAtomically(path(name + ".ext"), ext);
    Openssl({"x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.crt"), "-CAkey",
             path("ca.key"), "-CAcreateserial", "-out", path(name + ".crt"), "-days", "2",
             "-extfile", path(name + ".ext")});
  }
}

}  // namespace

std::unique_ptr<TestStack> TestStack::Create(StackOptions options) {
  auto db = PgTestDatabase::Create();
  if (db == nullptr) return nullptr;
  std::unique_ptr<TestStack> s(new TestStack());
  s->options_ = std::move(options);
  s->db_ = std::move(db);
  s->dir_ = MakeTempDir("iob-stack-");
  s->secrets_ = WriteTestSecrets(s->dir_, "k1", s->options_.principals);
  if (s->options_.mtls) MakeTestPki(s->dir_);
  for (Service service : s->options_.services) {
    const ServiceSpec& spec = Spec(service);
    if (*spec.role != '\0') s->roles_[service] = s->db_->CreateServiceRole(spec.role, spec.schema);
    const std::string principal = spec.principal;
    if (principal.empty()) continue;
    auto token = s->secrets_.tokens.find(principal);
    if (token == s->secrets_.tokens.end()) {
      Fatal(absl::StrCat(spec.name, " needs principal '", principal, "' in StackOptions"));
    }
    const std::string file = absl::StrCat(s->dir_, "/", principal, ".token");
    WriteFileAtomically(file, token->second + "\n");
    s->peer_token_files_[service] = file;
  }
  return s;
}

TestStack::~TestStack() {
  // Dependents first: the enum lists a service after those it calls.
  while (!processes_.empty()) processes_.erase(std::prev(processes_.end()));
  db_.reset();
  if (!dir_.empty() && std::getenv("IOB_KEEP_TEST_DIRS") == nullptr) RemoveTree(dir_);
}

std::string TestStack::Binary(Service service) {
  return absl::StrCat(TestEnv("IOB_BINARY_DIR", "."), "/", Spec(service).binary);
}

std::vector<std::string> TestStack::Args(Service service) const {
  switch (service) {
    case Service::kCredentials:
      return {"--db-url",      role(service).url,    "--key-ring-file", secrets_.key_ring_file,
              "--tokens-file", secrets_.tokens_file, "--db-pool-size",  "8"};
    case Service::kSupplierSim:
      return {};
    case Service::kPunchout:
    case Service::kDispatch: {
      std::vector<std::string> args = {"--db-url", role(service).url, "--db-pool-size",
                                       "4",        "--tokens-file",   secrets_.tokens_file};
      AppendPeerArgs(service, Service::kCredentials, &args);
      // Without punchout running dispatch gets an empty address: orders from
      // a session then fail, everything else works.
      if (service == Service::kDispatch) AppendPeerArgs(service, Service::kPunchout, &args);
      return args;
    }
    case Service::kInvoiceIntake: {
      std::vector<std::string> args = {"--db-url", role(service).url, "--db-pool-size",
                                       "4",        "--tokens-file",   secrets_.tokens_file};
      AppendPeerArgs(service, Service::kCredentials, &args);
      AppendPeerArgs(service, Service::kDispatch, &args);
      return args;
    }
  }
  return {};
}

void TestStack::AppendPeerArgs(Service caller, Service peer, std::vector<std::string>* args) const {
  const std::string flag = absl::StrCat("--", Spec(peer).name);
  args->insert(args->end(), {flag + "-addr", Running(peer) ? process(peer).grpc_address() : "",
                             flag + "-token-file", peer_token_files_.at(caller)});
  // Only credentials serves TLS in this stack (StackOptions::mtls).
  if (options_.mtls && peer == Service::kCredentials) {
    const std::string client = Spec(caller).principal;
    args->insert(args->end(),
                 {flag + "-ca-file", pki_path("ca.crt"), flag + "-cert-file",
                  pki_path(client + ".crt"), flag + "-key-file", pki_path(client + ".key")});
  }
}

absl::StatusOr<std::vector<std::string>> TestStack::ServeArgs(Service service) const {
  if (!InStack(service)) {
    return absl::FailedPreconditionError(
        absl::StrCat(Spec(service).name, " is not in this stack's StackOptions::services"));
  }
  if (Spec(service).principal[0] != '\0' && !Running(Service::kCredentials)) {
    return absl::FailedPreconditionError(
        absl::StrCat("start credentials before ", Spec(service).name));
  }
  if (service == Service::kDispatch && InStack(Service::kPunchout) &&
      !Running(Service::kPunchout)) {
    return absl::FailedPreconditionError("start punchout before dispatch");
  }
  if (service == Service::kInvoiceIntake && InStack(Service::kDispatch) &&
      !Running(Service::kDispatch)) {
    return absl::FailedPreconditionError("start dispatch before invoice-intake");
  }
  std::vector<std::string> args;
  if (Spec(service).grpc) args = {"serve"};
  for (std::string& a : Args(service)) args.push_back(std::move(a));
  std::vector<std::string> serve;
  switch (service) {
    case Service::kCredentials:
      serve = {"--grpc-listen", "127.0.0.1:0",       "--metrics-listen",
               "127.0.0.1:0",   "--test-mode-hosts", "127.0.0.1,localhost"};
      if (options_.mtls) {
        serve.insert(serve.end(),
                     {"--tls-cert-file", pki_path("server.crt"), "--tls-key-file",
                      pki_path("server.key"), "--tls-client-ca-file", pki_path("ca.crt")});
      }
      break;
    case Service::kSupplierSim:
      serve = {"--listen", "127.0.0.1:0"};
      break;
    case Service::kPunchout:
      serve = {"--grpc-listen",      "127.0.0.1:0",
               "--metrics-listen",   "127.0.0.1:0",
               "--http-listen",      "127.0.0.1:0",
               "--plain-http-hosts", "127.0.0.1",
               "--return-url",       "https://p2p.example/punchout/return?session={session}"};
      break;
    case Service::kDispatch:
      serve = {"--grpc-listen", "127.0.0.1:0", "--metrics-listen",   "127.0.0.1:0",
               "--http-listen", "127.0.0.1:0", "--plain-http-hosts", "127.0.0.1"};
      break;
    case Service::kInvoiceIntake:
      serve = {"--grpc-listen", "127.0.0.1:0",   "--metrics-listen",
               "127.0.0.1:0",   "--http-listen", "127.0.0.1:0"};
      break;
  }
  args.insert(args.end(), serve.begin(), serve.end());
  auto flags = options_.flags.find(service);
  if (flags != options_.flags.end()) {
    args.insert(args.end(), flags->second.begin(), flags->second.end());
  }
  return args;
}

absl::StatusOr<std::unique_ptr<ServiceProcess>> TestStack::Launch(
    Service service, const std::vector<std::string>& extra_args, const std::string& log_name) {
  absl::StatusOr<std::vector<std::string>> args = ServeArgs(service);
  if (!args.ok()) return args.status();
  args->insert(args->end(), extra_args.begin(), extra_args.end());
  return ServiceProcess::Start({.binary = Binary(service),
                                .args = *std::move(args),
                                .env = {},
                                .log_path = absl::StrCat(dir_, "/", log_name, ".log")});
}

absl::StatusOr<int> TestStack::WaitReady(Service service, ServiceProcess& process) {
  const ServiceSpec& spec = Spec(service);
  const absl::Status ready = spec.grpc ? process.WaitServing(absl::Seconds(60))
                                       : process.WaitForLogMessage("serving", absl::Seconds(30));
  if (!ready.ok())
    return absl::Status(ready.code(), absl::StrCat(spec.name, ": ", ready.message()));
  if (*spec.http_log_message == '\0') return 0;
  return process.LogIntField(spec.http_log_message, "http_port");
}

absl::Status TestStack::Start(Service service, const std::vector<std::string>& extra_args) {
  processes_.erase(service);  // stops a running instance first
  http_ports_.erase(service);
  auto p = Launch(service, extra_args, absl::StrCat(Spec(service).name, "-", log_index_++));
  if (!p.ok()) return p.status();
  // Kept even when it fails to serve, so the test can read its log.
  ServiceProcess& process = *(processes_[service] = *std::move(p));
  absl::StatusOr<int> http_port = WaitReady(service, process);
  if (!http_port.ok()) return http_port.status();
  http_ports_[service] = *http_port;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ServiceProcess>> TestStack::StartExtra(
    Service service, const std::vector<std::string>& extra_args, int* http_port) {
  auto p = Launch(service, extra_args, absl::StrCat(Spec(service).name, "-extra-", log_index_++));
  if (!p.ok()) return p.status();
  absl::StatusOr<int> port = WaitReady(service, **p);
  if (!port.ok()) return port.status();
  if (http_port != nullptr) *http_port = *port;
  return p;
}

int TestStack::Stop(Service service) {
  auto it = processes_.find(service);
  if (it == processes_.end()) return -1;
  it->second->Signal(SIGTERM);
  auto code = it->second->WaitExit(absl::Seconds(20));
  return code.ok() ? *code : -1;
}

bool TestStack::InStack(Service service) const {
  return std::find(options_.services.begin(), options_.services.end(), service) !=
         options_.services.end();
}

bool TestStack::Running(Service service) const {
  auto it = processes_.find(service);
  return it != processes_.end() && it->second->Running();
}

ServiceProcess& TestStack::process(Service service) const {
  auto it = processes_.find(service);
  if (it == processes_.end()) Fatal(absl::StrCat(Spec(service).name, " was never started"));
  return *it->second;
}

int TestStack::http_port(Service service) const {
  auto it = http_ports_.find(service);
  return it == http_ports_.end() ? 0 : it->second;
}

std::string TestStack::http_url(Service service) const {
  return absl::StrCat("http://127.0.0.1:", http_port(service));
}

std::string TestStack::Metrics(Service service) const {
  auto body = HttpGet(process(service).metrics_port(), "/metrics");
  return body.ok() ? *body : "";
}

std::shared_ptr<grpc::Channel> TestStack::Channel(Service service,
                                                  std::shared_ptr<grpc::ChannelCredentials> creds,
                                                  const std::string& target_override) const {
  grpc::ChannelArguments args;
  if (creds == nullptr && options_.mtls && service == Service::kCredentials) {
    creds = TlsCredentials("operator");
  }
  if (!target_override.empty()) args.SetSslTargetNameOverride(target_override);
  // Fresh connections per channel, so TLS tests do not share a subchannel.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(process(service).grpc_address(),
                                   creds ? creds : grpc::InsecureChannelCredentials(), args);
}

std::string TestStack::pki_path(const std::string& name) const {
  if (!options_.mtls) Fatal("pki_path needs StackOptions::mtls");
  return absl::StrCat(dir_, "/", name);
}

std::shared_ptr<grpc::ChannelCredentials> TestStack::TlsCredentials(
    const std::string& client) const {
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = ReadFileOrEmpty(pki_path("ca.crt"));
  if (!client.empty()) {
    o.pem_cert_chain = ReadFileOrEmpty(pki_path(client + ".crt"));
    o.pem_private_key = ReadFileOrEmpty(pki_path(client + ".key"));
  }
  return grpc::SslCredentials(o);
}

std::unique_ptr<credentials::v1::CredentialsService::Stub> TestStack::Credentials(
    std::shared_ptr<grpc::ChannelCredentials> creds, const std::string& target_override) const {
  return credentials::v1::CredentialsService::NewStub(
      Channel(Service::kCredentials, std::move(creds), target_override));
}

std::unique_ptr<punchout::v1::PunchoutService::Stub> TestStack::Punchout() const {
  return punchout::v1::PunchoutService::NewStub(Channel(Service::kPunchout));
}

std::unique_ptr<punchout::v1::PunchoutService::Stub> TestStack::PunchoutAt(
    const std::string& address) {
  return punchout::v1::PunchoutService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

std::unique_ptr<invoice::v1::InvoiceService::Stub> TestStack::Invoices() const {
  return invoice::v1::InvoiceService::NewStub(Channel(Service::kInvoiceIntake));
}

std::unique_ptr<dispatch::v1::DispatchService::Stub> TestStack::Dispatch() const {
  return dispatch::v1::DispatchService::NewStub(Channel(Service::kDispatch));
}

std::unique_ptr<dispatch::v1::DispatchService::Stub> TestStack::DispatchAt(
    const std::string& address) {
  return dispatch::v1::DispatchService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

std::unique_ptr<grpc::ClientContext> TestStack::Ctx(const std::string& principal) const {
  if (principal.empty()) return CtxWithHeader("");
  return CtxWithHeader("Bearer " + Token(principal));
}

std::unique_ptr<grpc::ClientContext> TestStack::CtxWithHeader(const std::string& header) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!header.empty()) ctx->AddMetadata("authorization", header);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

const std::string& TestStack::Token(const std::string& principal) const {
  auto it = secrets_.tokens.find(principal);
  if (it == secrets_.tokens.end()) Fatal("no principal '" + principal + "' in StackOptions");
  return it->second;
}

const ServiceRole& TestStack::role(Service service) const {
  auto it = roles_.find(service);
  if (it == roles_.end()) Fatal(absl::StrCat(Spec(service).name, " has no database role"));
  return it->second;
}

pqxx::result TestStack::AdminQuery(const std::string& sql) {
  pqxx::connection conn(db_->AdminUrl());
  pqxx::work tx(conn);
  pqxx::result r = tx.exec(sql);
  tx.commit();
  return r;
}

absl::StatusOr<SimGroup> TestStack::CreateSimGroup(const std::string& json) const {
  auto j = SimPost("/admin/groups", json);
  if (!j.ok()) return j.status();
  SimGroup g;
  g.from_identity = j->value("from_identity", "");
  g.shared_secret = j->value("shared_secret", "");
  g.punchout_url = j->value("punchout_url", "");
  g.order_url = j->value("order_url", "");
  g.cart_encoding = j->value("cart_encoding", "");
  return g;
}

absl::StatusOr<nlohmann::json> TestStack::SimGet(const std::string& path) const {
  return ParseJson(Http("GET", http_url(Service::kSupplierSim) + path), "GET " + path);
}

absl::StatusOr<nlohmann::json> TestStack::SimPost(const std::string& path,
                                                  const std::string& json) const {
  return ParseJson(Http("POST", http_url(Service::kSupplierSim) + path, json, "application/json"),
                   "POST " + path);
}

absl::StatusOr<std::vector<std::string>> TestStack::SimReceived(const std::string& endpoint) const {
  auto j = SimGet("/admin/received?endpoint=" + endpoint);
  if (!j.ok()) return j.status();
  std::vector<std::string> out;
  for (const auto& d : (*j)["documents"]) out.push_back(d.value("body", ""));
  return out;
}

int64_t TestStack::SimOutcomeCount(const std::string& endpoint, const std::string& outcome) const {
  auto j = SimGet("/admin/stats");
  if (!j.ok()) return -1;
  const auto& e = (*j)["endpoints"];
  if (!e.contains(endpoint) || !e[endpoint]["outcomes"].contains(outcome)) return 0;
  return e[endpoint]["outcomes"][outcome].get<int64_t>();
}

grpc::health::v1::HealthCheckResponse::ServingStatus HealthStatus(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status st = stub->Check(&ctx, req, &resp);
  if (!st.ok()) {
    std::fprintf(stderr, "health check failed: %d %s\n", st.error_code(),
                 st.error_message().c_str());
    return grpc::health::v1::HealthCheckResponse::UNKNOWN;
  }
  return resp.status();
}

double SampleSum(const std::string& metrics, const std::string& name,
                 const std::map<std::string, std::string>& labels) {
  double sum = 0;
  for (absl::string_view line : absl::StrSplit(metrics, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "#")) continue;
    if (!absl::StartsWith(line, name)) continue;
    absl::string_view rest = line.substr(name.size());
    std::string label_text;
    if (absl::ConsumePrefix(&rest, "{")) {
      const size_t close = rest.find('}');
      if (close == absl::string_view::npos) continue;
      label_text = std::string(rest.substr(0, close));
      rest = rest.substr(close + 1);
    } else if (!absl::StartsWith(rest, " ")) {
      continue;  // a longer metric name
    }
    bool match = true;
    for (const auto& [k, v] : labels) {
      match = match && absl::StrContains(label_text, absl::StrCat(k, "=\"", v, "\""));
    }
    double value = 0;
    if (match && absl::SimpleAtod(absl::StripAsciiWhitespace(rest), &value)) sum += value;
  }
  return sum;
}

}  // namespace iob::testing

// The one test stack every service's integration tests build on: a fresh
// Postgres database with one login role and schema per service, a key ring,
// one bearer-tokens file with the principals the test declares, and the REAL
// service binaries started on demand as child processes on kernel-picked
// ports, wired to each other as ./iob up wires them.
//
//   auto stack = TestStack::Create({
//       .services = {Service::kCredentials, Service::kSupplierSim, Service::kPunchout},
//       .principals = {{"punchout", {"integrations.read", "secrets.resolve"}, {"*"}},
//                      {"platform", {"punchout.read", "punchout.start"}, {"acme"}}}});
//   if (stack == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
//   ASSERT_TRUE(stack->Start(Service::kCredentials).ok());
//   ... stack->Credentials()->GetIntegration(stack->Ctx("platform").get(), ...) ...
//
// Adding a service is an entry in `Service`, its row in the table in
// test_stack.cc (binary, schema, readiness, which principal it presents to
// credentials) and its flags in TestStack::Args / ServeArgs.
#ifndef IOB_TESTS_SUPPORT_TEST_STACK_H_
#define IOB_TESTS_SUPPORT_TEST_STACK_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "iob/dispatch/v1/dispatch_service.grpc.pb.h"
#include "iob/invoice/v1/invoice_service.grpc.pb.h"
#include "iob/punchout/v1/punchout_service.grpc.pb.h"
#include "tests/support/http_client.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/service_process.h"

namespace iob::testing {

// The binaries a stack can run. A service may only be started after those
// it calls (credentials before punchout; credentials, and punchout when the
// stack has it, before dispatch). Dispatch is wired to the punchout instance
// running when it starts: restarting punchout means restarting dispatch.
enum class Service { kCredentials, kSupplierSim, kPunchout, kDispatch, kInvoiceIntake };

// The services of a stack and who may call them.
struct StackOptions {
  // The services this test uses: each with a database service role and its
  // own schema (when it has one). Starting a service not listed fails.
  std::vector<Service> services;
  // One tokens file with these principals, read by every service. A service
  // that calls its peers presents the token of its own principal ("punchout"
  // for iob-punchout, "dispatch" for iob-dispatch, to credentials and
  // punchout alike), which must be listed here.
  std::vector<TestPrincipal> principals;
  // Flags appended to a service's command line on every start (before the
  // start's own extra flags; a later flag wins).
  std::map<Service, std::vector<std::string>> flags;
  // When true, Create makes a throwaway CA with openssl (pki_path("ca.crt"))
  // and certificates it signs: "server" (SAN localhost, 127.0.0.1) and the
  // client certificates "punchout", "dispatch" and "operator". Credentials
  // then serves mTLS only, punchout and dispatch dial it with their client
  // certificates, and Channel(kCredentials) presents "operator" unless given
  // other creds. (Punchout and dispatch serve plaintext either way.)
  bool mtls = false;
};

// A punchout group as the simulator's POST /admin/groups returns it.
struct SimGroup {
  std::string from_identity;
  std::string shared_secret;
  std::string punchout_url;
  std::string order_url;
  std::string cart_encoding;
};

// Owns the database, the temporary directory (removed at destruction unless
// IOB_KEEP_TEST_DIRS is set) and the service processes (SIGTERM at
// destruction, dependents first). Not thread-safe, except the stubs and
// contexts it returns, which gRPC makes thread-safe.
class TestStack {
 public:
  // Creates the database, roles, key ring "k1" and tokens; starts nothing.
  // Returns nullptr when IOB_TEST_PG_URL is unset (callers GTEST_SKIP).
  // Aborts the test binary when a service's own principal is not declared.
  static std::unique_ptr<TestStack> Create(StackOptions options);
  ~TestStack();
  TestStack(const TestStack&) = delete;
  TestStack& operator=(const TestStack&) = delete;

  // Absolute path of the service's binary (under $IOB_BINARY_DIR).
  static std::string Binary(Service service);

  // The configuration flags every invocation of the service needs
  // (database URL, secrets files, its peers' addresses), without the
  // subcommand and listeners: what `<binary> migrate` and the like take.
  std::vector<std::string> Args(Service service) const;

  // Starts the service (replacing an earlier, stopped or running, instance)
  // on kernel-picked loopback ports with StackOptions::flags and
  // `extra_args`, and waits until it serves. FAILED_PRECONDITION when the
  // service is not part of the stack or a peer it calls is not running;
  // otherwise ServiceProcess::WaitServing's errors.
  absl::Status Start(Service service, const std::vector<std::string>& extra_args = {});
  // Another instance of the service on the same database and peers, owned by
  // the caller; `*http_port` (when given) receives its HTTP port. Same errors
  // as Start.
  absl::StatusOr<std::unique_ptr<ServiceProcess>> StartExtra(
      Service service, const std::vector<std::string>& extra_args, int* http_port = nullptr);
  // SIGTERM and wait up to 20 s; returns the exit code, or -1 when it had to
  // be killed or was never started. The process stays readable (its log).
  int Stop(Service service);

  // The instance Start started last. Aborts when there is none.
  ServiceProcess& process(Service service) const;
  // The HTTP port (supplier simulator; punchout's browser edge; dispatch's
  // supplier edge, `POST /cxml/fulfill`) of the instance Start started last;
  // 0 when it has none.
  int http_port(Service service) const;
  // "http://127.0.0.1:<http_port>".
  std::string http_url(Service service) const;
  // The service's /metrics page ("" when it cannot be read).
  std::string Metrics(Service service) const;

  // A channel to the service's gRPC port: insecure unless `creds` given;
  // `target_override` sets the TLS name to check. Each channel makes its own
  // connections (no shared subchannel).
  std::shared_ptr<grpc::Channel> Channel(Service service,
                                         std::shared_ptr<grpc::ChannelCredentials> creds = nullptr,
                                         const std::string& target_override = "") const;
  // With StackOptions::mtls: the file `name` ("ca.crt", "punchout.key") of
  // the stack's PKI, and TLS credentials trusting its CA that present the
  // client certificate `client` ("" = none).
  std::string pki_path(const std::string& name) const;
  std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(const std::string& client) const;

  // Stubs over Channel(...).
  std::unique_ptr<credentials::v1::CredentialsService::Stub> Credentials(
      std::shared_ptr<grpc::ChannelCredentials> creds = nullptr,
      const std::string& target_override = "") const;
  std::unique_ptr<punchout::v1::PunchoutService::Stub> Punchout() const;
  // A punchout stub for another instance (StartExtra) at `address`.
  static std::unique_ptr<punchout::v1::PunchoutService::Stub> PunchoutAt(
      const std::string& address);
  std::unique_ptr<dispatch::v1::DispatchService::Stub> Dispatch() const;
  std::unique_ptr<invoice::v1::InvoiceService::Stub> Invoices() const;
  // A dispatch stub for another instance (StartExtra) at `address`.
  static std::unique_ptr<dispatch::v1::DispatchService::Stub> DispatchAt(
      const std::string& address);

  // A context carrying `authorization: Bearer <token of principal>` (none
  // when `principal` is empty) and a 20 s deadline.
  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& principal) const;
  // A context with this exact authorization header ("" = none).
  static std::unique_ptr<grpc::ClientContext> CtxWithHeader(const std::string& header);

  // The principal's bearer token; aborts when it was not declared.
  const std::string& Token(const std::string& principal) const;
  const TestSecrets& secrets() const { return secrets_; }
  const std::string& dir() const { return dir_; }
  PgTestDatabase& db() const { return *db_; }
  // The service's database role; aborts when it has none.
  const ServiceRole& role(Service service) const;

  // Runs `sql` as the superuser in the test database and returns the rows.
  // Throws pqxx exceptions (the test fails).
  pqxx::result AdminQuery(const std::string& sql);

  // The supplier simulator's admin API (over http_url(kSupplierSim)).
  // A new punchout group (POST /admin/groups with `json`).
  absl::StatusOr<SimGroup> CreateSimGroup(const std::string& json = "{}") const;
  // GET / POST `path` and parse the JSON answer; FAILED_PRECONDITION when
  // the status is not 2xx, INTERNAL when the body is not JSON. The orders
  // the simulator received: SimGet("/admin/orders") (`orders`, oldest
  // first, `total_received`, `duplicates`) or SimGet("/admin/orders/<PO>")
  // (one; FAILED_PRECONDITION with HTTP 404 when unknown). Where fulfilment
  // documents go: SimPost("/admin/fulfillment", R"({"url": ...})") with
  // http_url(Service::kDispatch) + "/cxml/fulfill".
  absl::StatusOr<nlohmann::json> SimGet(const std::string& path) const;
  absl::StatusOr<nlohmann::json> SimPost(const std::string& path, const std::string& json) const;
  // The bodies the simulator received at `endpoint` ("punchout"), oldest
  // first.
  absl::StatusOr<std::vector<std::string>> SimReceived(const std::string& endpoint) const;
  // /admin/stats endpoints.<endpoint>.outcomes.<outcome>: 0 when absent, -1
  // when the stats cannot be read.
  int64_t SimOutcomeCount(const std::string& endpoint, const std::string& outcome) const;

 private:
  TestStack() = default;
  // Flags of a `serve` (or the simulator's) command line, Args included.
  absl::StatusOr<std::vector<std::string>> ServeArgs(Service service) const;
  // Starts an instance logging to <dir>/<log_name>.log (does not wait).
  absl::StatusOr<std::unique_ptr<ServiceProcess>> Launch(Service service,
                                                         const std::vector<std::string>& extra_args,
                                                         const std::string& log_name);
  // Waits until `process` serves; returns its HTTP port (0 = none).
  static absl::StatusOr<int> WaitReady(Service service, ServiceProcess& process);
  bool InStack(Service service) const;
  bool Running(Service service) const;
  // --<flag>-addr, --<flag>-token-file and (with mtls, when `peer` serves
  // TLS) --<flag>-{ca,cert,key}-file for `caller` dialling `peer`, appended
  // to `args`. The address is "" when `peer` is not running.
  void AppendPeerArgs(Service caller, Service peer, std::vector<std::string>* args) const;

  StackOptions options_;
  std::unique_ptr<PgTestDatabase> db_;
  std::map<Service, ServiceRole> roles_;
  std::string dir_;
  TestSecrets secrets_;
  // The token file a service presents to its peers (its own principal's).
  std::map<Service, std::string> peer_token_files_;
  std::map<Service, std::unique_ptr<ServiceProcess>> processes_;
  std::map<Service, int> http_ports_;
  int log_index_ = 0;
};

// Health status of `service` ("" = the server) on `channel`; UNKNOWN with the
// RPC error printed to the test log when the call fails.
grpc::health::v1::HealthCheckResponse::ServingStatus HealthStatus(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service = "");

// The value of the sample `name{labels}` in a Prometheus text page, summed
// over every sample whose labels include all of `labels`; 0 when none.
double SampleSum(const std::string& metrics, const std::string& name,
                 const std::map<std::string, std::string>& labels);

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_TEST_STACK_H_

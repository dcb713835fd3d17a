// Shared setup for the credentials integration tests: a fresh database with
// the service's own role, a key ring and tokens, the REAL iob-credentials
// binary as a child process, and gRPC stubs that call it.
//
// Principals (bearer tokens) every harness writes:
//   acme-admin     integrations.read/write, audit.read   tenant acme
//   globex-admin   integrations.read/write, audit.read   tenant globex
//   acme-reader    integrations.read                     tenant acme
//   resolver       integrations.read, secrets.resolve    every tenant
//   verifier       suppliers.verify                      every tenant
//   acme-verifier  suppliers.verify                      tenant acme
//   super          every scope                           every tenant
#ifndef IOB_TESTS_INTEGRATION_CREDENTIALS_CREDENTIALS_HARNESS_H_
#define IOB_TESTS_INTEGRATION_CREDENTIALS_CREDENTIALS_HARNESS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/service_process.h"

namespace iob::credentials::testing {

namespace pb = ::iob::credentials::v1;
using ::iob::testing::PgTestDatabase;
using ::iob::testing::ServiceProcess;
using ::iob::testing::ServiceRole;
using ::iob::testing::TestSecrets;

// Not thread-safe except the stubs and Ctx, which gRPC makes thread-safe.
class CredentialsHarness {
 public:
  // A database, role, temp dir and secrets; no service yet. nullptr when
  // IOB_TEST_PG_URL is unset (callers GTEST_SKIP).
  static std::unique_ptr<CredentialsHarness> Create();
  ~CredentialsHarness();

  // Path of the iob-credentials binary ($IOB_BINARY_DIR/services/...).
  static std::string Binary();

  // Flags every invocation needs: --db-url, --key-ring-file, --tokens-file.
  std::vector<std::string> BaseArgs() const;

  // Starts `iob-credentials serve` on ports picked by the kernel (plus
  // `extra_args`) and waits for health SERVING.
  absl::Status StartService(const std::vector<std::string>& extra_args = {});
  // SIGTERM and wait; returns the exit code (-1 when it had to be killed).
  int StopService();
  ServiceProcess& service() { return *service_; }

  // A stub over a channel to the service (insecure unless `creds` given;
  // `target_override` sets the TLS name to check).
  std::unique_ptr<pb::CredentialsService::Stub> Stub(
      std::shared_ptr<grpc::ChannelCredentials> creds = nullptr,
      const std::string& target_override = "");
  std::shared_ptr<grpc::Channel> Channel(std::shared_ptr<grpc::ChannelCredentials> creds = nullptr,
                                         const std::string& target_override = "");

  // A context carrying `authorization: Bearer <token of principal>` (none
  // when `principal` is empty) and a 15 s deadline.
  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& principal) const;
  // A context with this exact authorization header.
  static std::unique_ptr<grpc::ClientContext> CtxWithHeader(const std::string& header);

  const std::string& Token(const std::string& principal) const;
  const TestSecrets& secrets() const { return secrets_; }
  const std::string& dir() const { return dir_; }
  PgTestDatabase& db() { return *db_; }
  const ServiceRole& role() const { return role_; }

  // Runs `sql` as the database superuser (the test database) and returns
  // the rows.
  pqxx::result AdminQuery(const std::string& sql);

 private:
  CredentialsHarness() = default;
  std::unique_ptr<PgTestDatabase> db_;
  ServiceRole role_;
  std::string dir_;
  TestSecrets secrets_;
  std::unique_ptr<ServiceProcess> service_;
  int log_index_ = 0;
};

// A valid CreateIntegrationRequest for Amazon Business (production, hosts
// on amazon.com) in `tenant` with id `id` (may be empty) and `secret`.
pb::CreateIntegrationRequest AmazonCreate(const std::string& tenant, const std::string& id,
                                          const std::string& secret,
                                          const std::string& from_identity = "buyer-1");

// Health status of `service` ("" = the server) on `channel`; UNKNOWN with the
// RPC error printed to the test log when the call fails.
grpc::health::v1::HealthCheckResponse::ServingStatus HealthStatus(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service = "");

// A unique printable secret with `prefix`.
std::string RandomSecret(const std::string& prefix);

}  // namespace iob::credentials::testing

#endif  // IOB_TESTS_INTEGRATION_CREDENTIALS_CREDENTIALS_HARNESS_H_

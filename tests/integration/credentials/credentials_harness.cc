#include "tests/integration/credentials/credentials_harness.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/crypto/key_ring.h"

namespace iob::credentials::testing {
namespace {

std::vector<iob::testing::TestPrincipal> Principals() {
  const std::set<std::string> admin = {"integrations.read", "integrations.write", "audit.read"};
  return {
      {"acme-admin", admin, {"acme"}},
      {"globex-admin", admin, {"globex"}},
      {"acme-reader", {"integrations.read"}, {"acme"}},
      {"resolver", {"integrations.read", "secrets.resolve"}, {"*"}},
      {"verifier", {"suppliers.verify"}, {"*"}},
      {"acme-verifier", {"suppliers.verify"}, {"acme"}},
      {"super",
       {"integrations.read", "integrations.write", "audit.read", "secrets.resolve",
        "suppliers.verify"},
       {"*"}},
  };
}

}  // namespace

std::unique_ptr<CredentialsHarness> CredentialsHarness::Create() {
  auto db = PgTestDatabase::Create();
  if (db == nullptr) return nullptr;
  std::unique_ptr<CredentialsHarness> h(new CredentialsHarness());
  h->db_ = std::move(db);
  h->role_ = h->db_->CreateServiceRole("iob_credentials", "credentials");
  h->dir_ = iob::testing::MakeTempDir("iob-cred-");
  h->secrets_ = iob::testing::WriteTestSecrets(h->dir_, "k1", Principals());
  return h;
}

CredentialsHarness::~CredentialsHarness() {
  if (service_ != nullptr) StopService();
  service_.reset();
  if (!dir_.empty()) iob::testing::RemoveTree(dir_);
}

std::string CredentialsHarness::Binary() {
  return iob::testing::TestEnv("IOB_BINARY_DIR", ".") + "/services/credentials/iob-credentials";
}

std::vector<std::string> CredentialsHarness::BaseArgs() const {
  return {"--db-url",        role_.url,
          "--key-ring-file", secrets_.key_ring_file,
          "--tokens-file",   secrets_.tokens_file,
          "--db-pool-size",  "8"};
}

absl::Status CredentialsHarness::StartService(const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {"serve"};
  for (const auto& a : BaseArgs()) args.push_back(a);
  for (const auto& a : {"--grpc-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                        "--test-mode-hosts", "127.0.0.1,localhost"}) {
    args.push_back(a);
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto svc = ServiceProcess::Start(
      {.binary = Binary(),
       .args = args,
       .env = {},
       .log_path = absl::StrCat(dir_, "/credentials-", log_index_++, ".log")});
  if (!svc.ok()) return svc.status();
  service_ = std::move(svc).value();
  return service_->WaitServing(absl::Seconds(60));
}

int CredentialsHarness::StopService() {
  if (service_ == nullptr) return -1;
  service_->Signal(SIGTERM);
  auto code = service_->WaitExit(absl::Seconds(20));
  return code.ok() ? *code : -1;
}

std::shared_ptr<grpc::Channel> CredentialsHarness::Channel(
    std::shared_ptr<grpc::ChannelCredentials> creds, const std::string& target_override) {
  grpc::ChannelArguments args;
  if (!target_override.empty()) args.SetSslTargetNameOverride(target_override);
  // Fresh connections per channel, so TLS tests do not share a subchannel.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(service_->grpc_address(),
                                   creds ? creds : grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<pb::CredentialsService::Stub> CredentialsHarness::Stub(
    std::shared_ptr<grpc::ChannelCredentials> creds, const std::string& target_override) {
  return pb::CredentialsService::NewStub(Channel(std::move(creds), target_override));
}

const std::string& CredentialsHarness::Token(const std::string& principal) const {
  return secrets_.tokens.at(principal);
}

std::unique_ptr<grpc::ClientContext> CredentialsHarness::Ctx(const std::string& principal) const {
  if (principal.empty()) return CtxWithHeader("");
  return CtxWithHeader("Bearer " + Token(principal));
}

std::unique_ptr<grpc::ClientContext> CredentialsHarness::CtxWithHeader(const std::string& header) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!header.empty()) ctx->AddMetadata("authorization", header);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
  return ctx;
}

pqxx::result CredentialsHarness::AdminQuery(const std::string& sql) {
  pqxx::connection conn(db_->AdminUrl());
  pqxx::work tx(conn);
  pqxx::result r = tx.exec(sql);
  tx.commit();
  return r;
}

pb::CreateIntegrationRequest AmazonCreate(const std::string& tenant, const std::string& id,
                                          const std::string& secret,
                                          const std::string& from_identity) {
  pb::CreateIntegrationRequest req;
  req.set_parent("tenants/" + tenant);
  req.set_integration_id(id);
  pb::Integration* in = req.mutable_integration();
  in->set_supplier("amazon-business");
  in->mutable_from()->set_identity(from_identity);
  in->set_shared_secret(secret);
  in->set_punchout_url("https://www.amazon.com/eprocurement/punchout");
  in->set_order_url("https://www.amazon.com/eprocurement/order");
  in->set_mode(pb::MODE_PRODUCTION);
  return req;
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

std::string RandomSecret(const std::string& prefix) {
  return prefix + crypto::Sha256Hex(crypto::RandomBytes(32)).substr(0, 32);
}

}  // namespace iob::credentials::testing

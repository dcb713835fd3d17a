// Operating the credentials service: migrations (idempotent, concurrent),
// key rotation and rewrap while requests run, retired keys, and TLS / mTLS.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/crypto/key_ring.h"
#include "tests/integration/credentials/credentials_test_util.h"

namespace iob::credentials::testing {
namespace {

using ::iob::testing::CommandResult;
using ::iob::testing::ReadFileOrEmpty;
using ::iob::testing::RunCommand;
using ::iob::testing::WriteFileAtomically;
using ::testing::HasSubstr;
using ::testing::Not;

class CredentialsOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_ = NewCredentialsStack();
    if (h_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
  }
  int64_t AdminCount(const std::string& sql) { return h_->AdminQuery(sql)[0][0].as<int64_t>(); }

  CommandResult Run(const std::string& command) {
    std::vector<std::string> args = {command};
    for (const auto& a : h_->Args(kCredentials)) args.push_back(a);
    auto r = RunCommand(TestStack::Binary(kCredentials), args);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : CommandResult{};
  }

  std::unique_ptr<TestStack> h_;
};

int CountMigrationFiles() {
  const std::string dir =
      iob::testing::TestEnv("IOB_SOURCE_DIR", ".") + "/services/credentials/migrations";
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".sql") ++n;
  }
  return n;
}

TEST_F(CredentialsOpsTest, MigrateTwiceAndConcurrently) {
  const int files = CountMigrationFiles();
  ASSERT_GT(files, 0);
  for (int round = 0; round < 2; ++round) {
    CommandResult r = Run("migrate");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("migrations applied"));
  }
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.schema_migrations"), files);

  // A second fresh database: four replicas migrating at once.
  auto other = NewCredentialsStack();
  ASSERT_NE(other, nullptr);
  std::vector<std::thread> threads;
  std::vector<CommandResult> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      std::vector<std::string> args = {"migrate"};
      for (const auto& a : other->Args(kCredentials)) args.push_back(a);
      auto r = RunCommand(TestStack::Binary(kCredentials), args);
      if (r.ok()) results[i] = *r;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(other->AdminQuery("SELECT count(*) FROM credentials.schema_migrations")[0][0].as<int>(),
            files);
  EXPECT_EQ(other
                ->AdminQuery(
                    "SELECT count(*) FROM (SELECT version FROM "
                    "credentials.schema_migrations GROUP BY version HAVING count(*) > 1) d")[0][0]
                .as<int>(),
            0);
  // The tables exist and the service starts on the migrated schema.
  EXPECT_EQ(other->AdminQuery("SELECT count(*) FROM credentials.integrations")[0][0].as<int>(), 0);
  ASSERT_TRUE(other->Start(kCredentials, {"--no-migrate-on-start"}).ok())
      << other->process(kCredentials).ReadLog();
}

// The key-ring JSON with `keys` (id -> state) taken from `pool` (id -> key
// entry) and `primary`, keeping the fingerprint key of `base`.
std::string KeyRingJson(const nlohmann::json& base,
                        const std::map<std::string, nlohmann::json>& pool,
                        const std::string& primary,
                        const std::map<std::string, std::string>& states) {
  nlohmann::json doc = base;
  doc["primary"] = primary;
  doc["keys"] = nlohmann::json::array();
  for (const auto& [id, state] : states) {
    nlohmann::json key = pool.at(id);
    key["state"] = state;
    doc["keys"].push_back(key);
  }
  return doc.dump();
}

TEST_F(CredentialsOpsTest, RotationAndRewrapWhileRequestsRun) {
  const nlohmann::json k1_ring =
      nlohmann::json::parse(ReadFileOrEmpty(h_->secrets().key_ring_file));
  const nlohmann::json k2_ring = nlohmann::json::parse(crypto::KeyRing::GenerateJson("k2"));
  const std::map<std::string, nlohmann::json> keys = {{"k1", k1_ring["keys"][0]},
                                                      {"k2", k2_ring["keys"][0]}};
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
  auto stub = h_->Credentials();

  std::vector<std::pair<std::string, std::string>> originals;  // name, secret
  for (int i = 0; i < 20; ++i) {
    const std::string secret = RandomSecret("rot-" + std::to_string(i) + "-");
    pb::Integration out;
    grpc::Status st =
        stub->CreateIntegration(h_->Ctx("acme-admin").get(),
                                AmazonCreate("acme", "int-" + std::to_string(i), secret), &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    originals.emplace_back(out.name(), secret);
  }
  ASSERT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations WHERE secret_key_id = 'k1'"),
            20);
  // Keep one k1 ciphertext to put back after k1 is retired.
  const pqxx::result kept = h_->AdminQuery(
      "SELECT encode(secret_ciphertext, 'hex') FROM credentials.integrations "
      "WHERE integration_id = 'int-0'");
  const std::string k1_ciphertext_hex = kept[0][0].as<std::string>();

  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, errors{0}, mismatches{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      auto reader = h_->Credentials();
      for (int i = t; !stop.load(); ++i) {
        const auto& [name, secret] = originals[i % originals.size()];
        pb::ResolveIntegrationSecretRequest req;
        req.set_name(name);
        pb::ResolveIntegrationSecretResponse resp;
        grpc::Status st = reader->ResolveIntegrationSecret(h_->Ctx("resolver").get(), req, &resp);
        if (!st.ok()) {
          ++errors;
          std::fprintf(stderr, "resolve %s: %d %s\n", name.c_str(), st.error_code(),
                       st.error_message().c_str());
        } else if (resp.shared_secret() != secret) {
          ++mismatches;
        }
        ++calls;
      }
    });
  }
  auto wait_for_calls = [&](int more) {
    const int target = calls.load() + more;
    for (int i = 0; i < 6000 && calls.load() < target; ++i) absl::SleepFor(absl::Milliseconds(10));
    EXPECT_GE(calls.load(), target);
  };
  wait_for_calls(20);

  // k2 becomes primary, k1 stays active; the service reloads on SIGHUP.
  WriteFileAtomically(h_->secrets().key_ring_file,
                      KeyRingJson(k1_ring, keys, "k2", {{"k1", "active"}, {"k2", "active"}}));
  h_->process(kCredentials).Signal(SIGHUP);
  ASSERT_TRUE(
      h_->process(kCredentials).WaitForLogMessage("key ring reloaded", absl::Seconds(30)).ok());
  wait_for_calls(20);

  // New secrets are sealed with k2 at once.
  const std::string new_secret = RandomSecret("rot-new-");
  pb::Integration created;
  ASSERT_TRUE(stub->CreateIntegration(h_->Ctx("acme-admin").get(),
                                      AmazonCreate("acme", "after-reload", new_secret), &created)
                  .ok());
  originals.emplace_back(created.name(), new_secret);
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations WHERE secret_key_id = 'k2'"),
            1);

  CommandResult rewrap = Run("rewrap");
  EXPECT_EQ(rewrap.exit_code, 0) << rewrap.output;
  EXPECT_THAT(rewrap.output, HasSubstr("\"rewrapped\":20"));
  wait_for_calls(40);
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GT(calls.load(), 80);

  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations WHERE secret_key_id <> 'k2'"),
            0);
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.audit_events "
                       "WHERE action = 'secret.rewrapped' AND actor = 'system:rewrap'"),
            20);
  // A second rewrap has nothing to do.
  rewrap = Run("rewrap");
  EXPECT_EQ(rewrap.exit_code, 0) << rewrap.output;
  EXPECT_THAT(rewrap.output, HasSubstr("\"rewrapped\":0"));

  auto resolve = [&](const std::string& name, pb::ResolveIntegrationSecretResponse* resp) {
    pb::ResolveIntegrationSecretRequest req;
    req.set_name(name);
    return stub->ResolveIntegrationSecret(h_->Ctx("resolver").get(), req, resp);
  };
  for (const auto& [name, secret] : originals) {
    pb::ResolveIntegrationSecretResponse resp;
    ASSERT_TRUE(resolve(name, &resp).ok()) << name;
    EXPECT_EQ(resp.shared_secret(), secret);
  }

  // Retire k1: everything was rewrapped, so everything still resolves.
  WriteFileAtomically(h_->secrets().key_ring_file,
                      KeyRingJson(k1_ring, keys, "k2", {{"k1", "retired"}, {"k2", "active"}}));
  h_->process(kCredentials).Signal(SIGHUP);
  ASSERT_TRUE(
      h_->process(kCredentials).WaitForLogMessage("key ring reloaded", absl::Seconds(30), 1).ok());
  for (const auto& [name, secret] : originals) {
    pb::ResolveIntegrationSecretResponse resp;
    ASSERT_TRUE(resolve(name, &resp).ok()) << name;
    EXPECT_EQ(resp.shared_secret(), secret);
  }

  // A row still sealed with the retired key: refused, nothing leaks.
  h_->AdminQuery(
      "UPDATE credentials.integrations SET secret_key_id = 'k1', secret_ciphertext = "
      "decode('" +
      k1_ciphertext_hex + "', 'hex') WHERE integration_id = 'int-0'");
  const std::string& int0_secret = originals[0].second;
  pb::ResolveIntegrationSecretResponse refused;
  grpc::Status st = resolve(originals[0].first, &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_TRUE(refused.shared_secret().empty());
  EXPECT_THAT(st.error_message(), Not(HasSubstr(int0_secret)));
  EXPECT_THAT(st.error_message(), Not(HasSubstr(keys.at("k1")["key"].get<std::string>())));
  pb::VerifySupplierCredentialRequest ver;
  ver.mutable_buyer()->set_identity("buyer-1");
  ver.set_shared_secret(int0_secret);
  pb::VerifySupplierCredentialResponse ver_resp;
  EXPECT_EQ(stub->VerifySupplierCredential(h_->Ctx("verifier").get(), ver, &ver_resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The other rows are unaffected.
  pb::ResolveIntegrationSecretResponse ok;
  ASSERT_TRUE(resolve(originals[1].first, &ok).ok());
  EXPECT_EQ(ok.shared_secret(), originals[1].second);
  // Rewrap cannot open it either and says so instead of looping.
  rewrap = Run("rewrap");
  EXPECT_NE(rewrap.exit_code, 0) << rewrap.output;
  EXPECT_THAT(rewrap.output, Not(HasSubstr(int0_secret)));
  const std::string log = h_->process(kCredentials).ReadLog();
  EXPECT_THAT(log, Not(HasSubstr(int0_secret)));
  EXPECT_THAT(log, Not(HasSubstr(keys.at("k2")["key"].get<std::string>())));
}

TEST_F(CredentialsOpsTest, BadKeyRingReloadKeepsTheCurrentKeys) {
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
  auto stub = h_->Credentials();
  const std::string secret = RandomSecret("reload-");
  pb::Integration out;
  ASSERT_TRUE(
      stub->CreateIntegration(h_->Ctx("acme-admin").get(), AmazonCreate("acme", "a", secret), &out)
          .ok());
  WriteFileAtomically(h_->secrets().key_ring_file, "{\"primary\": \"k9\", \"keys\": []}");
  h_->process(kCredentials).Signal(SIGHUP);
  ASSERT_TRUE(
      h_->process(kCredentials)
          .WaitForLogMessage("key ring reload failed; keeping the current keys", absl::Seconds(30))
          .ok());
  pb::ResolveIntegrationSecretRequest req;
  req.set_name(out.name());
  pb::ResolveIntegrationSecretResponse resp;
  ASSERT_TRUE(stub->ResolveIntegrationSecret(h_->Ctx("resolver").get(), req, &resp).ok());
  EXPECT_EQ(resp.shared_secret(), secret);
}

// A CA, certificates signed by it, and an unrelated CA, made with openssl.
class TestPki {
 public:
  explicit TestPki(const std::string& dir) : dir_(dir) {
    MakeCa("ca");
    MakeCa("rogue-ca");
    MakeLeaf("server", "ca",
             "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    MakeLeaf("client", "ca", "extendedKeyUsage=clientAuth\n");
    MakeLeaf("rogue-client", "rogue-ca", "extendedKeyUsage=clientAuth\n");
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Pem(const std::string& name) const { return ReadFileOrEmpty(Path(name)); }

 private:
  void Openssl(const std::vector<std::string>& args) {
    auto r = RunCommand("/usr/bin/openssl", args);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->exit_code, 0) << r->output;
  }
  void MakeCa(const std::string& name) {
    Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", Path(name + ".key"), "-out", Path(name + ".crt"), "-days", "2", "-subj",
             "/CN=iob test " + name, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign"});
  }
  void MakeLeaf(const std::string& name, const std::string& ca, const std::string& ext) {
    Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", Path(name + ".key"), "-out", Path(name + ".csr"), "-subj",
             "/CN=" + (name == "server" ? std::string("localhost") : name)});
    WriteFileAtomically(Path(name + ".ext"), ext);
    Openssl({"x509", "-req", "-in", Path(name + ".csr"), "-CA", Path(ca + ".crt"), "-CAkey",
             Path(ca + ".key"), "-CAcreateserial", "-out", Path(name + ".crt"), "-days", "2",
             "-extfile", Path(name + ".ext")});
  }
  std::string dir_;
};

class CredentialsTlsTest : public CredentialsOpsTest {
 protected:
  // A call that needs the transport to work: OK or the transport's error.
  grpc::Status Call(std::shared_ptr<grpc::ChannelCredentials> creds) {
    auto stub = h_->Credentials(std::move(creds), "localhost");
    pb::ListIntegrationsRequest req;
    req.set_parent("tenants/acme");
    pb::ListIntegrationsResponse resp;
    auto ctx = h_->Ctx("acme-admin");
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return stub->ListIntegrations(ctx.get(), req, &resp);
  }
  std::shared_ptr<grpc::ChannelCredentials> Tls(const TestPki& pki, const std::string& root,
                                                const std::string& client = "") {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = pki.Pem(root + ".crt");
    if (!client.empty()) {
      o.pem_cert_chain = pki.Pem(client + ".crt");
      o.pem_private_key = pki.Pem(client + ".key");
    }
    return grpc::SslCredentials(o);
  }
};

TEST_F(CredentialsTlsTest, TlsServesOnlyTlsClientsThatTrustTheCa) {
  TestPki pki(h_->dir());
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(h_->Start(kCredentials, {"--tls-cert-file", pki.Path("server.crt"), "--tls-key-file",
                                       pki.Path("server.key")})
                  .ok())
      << h_->process(kCredentials).ReadLog();
  EXPECT_THAT(h_->process(kCredentials).ReadLog(), HasSubstr("\"transport\":\"tls\""));
  grpc::Status st = Call(Tls(pki, "ca"));
  EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_FALSE(Call(grpc::InsecureChannelCredentials()).ok());
  EXPECT_FALSE(Call(Tls(pki, "rogue-ca")).ok());
  // The key file never reaches the log.
  const std::string key_pem = pki.Pem("server.key");
  ASSERT_GT(key_pem.size(), 100u);
  EXPECT_THAT(h_->process(kCredentials).ReadLog(), Not(HasSubstr(key_pem.substr(40, 40))));
}

TEST_F(CredentialsTlsTest, MutualTlsRequiresAClientCertFromTheCa) {
  TestPki pki(h_->dir());
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(
      h_->Start(kCredentials, {"--tls-cert-file", pki.Path("server.crt"), "--tls-key-file",
                               pki.Path("server.key"), "--tls-client-ca-file", pki.Path("ca.crt")})
          .ok())
      << h_->process(kCredentials).ReadLog();
  EXPECT_THAT(h_->process(kCredentials).ReadLog(), HasSubstr("\"transport\":\"mtls\""));
  grpc::Status st = Call(Tls(pki, "ca", "client"));
  EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_FALSE(Call(Tls(pki, "ca")).ok());                  // no client certificate
  EXPECT_FALSE(Call(Tls(pki, "ca", "rogue-client")).ok());  // signed by another CA
  EXPECT_FALSE(Call(grpc::InsecureChannelCredentials()).ok());
}

TEST_F(CredentialsTlsTest, UnreadableTlsFilesStopStartup) {
  auto r = RunCommand(
      TestStack::Binary(kCredentials),
      [&] {
        std::vector<std::string> args = {"serve"};
        for (const auto& a : h_->Args(kCredentials)) args.push_back(a);
        for (const auto& a :
             {"--grpc-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--tls-cert-file",
              "/nonexistent.crt", "--tls-key-file", "/nonexistent.key"}) {
          args.push_back(a);
        }
        return args;
      }(),
      {}, absl::Seconds(60));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NE(r->exit_code, 0) << r->output;
  EXPECT_THAT(r->output, HasSubstr("tls-cert-file"));
}

}  // namespace
}  // namespace iob::credentials::testing

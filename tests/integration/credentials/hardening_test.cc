// Issue 8, findings 5-8, against the real iob-credentials binary and
// Postgres: verification is not crowded out by another tenant, rewrap does
// not say "done" early and never strands a row, the secret version is bound
// into the ciphertext, and secret files are owner-only and reloadable.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/escaping.h"
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

class CredentialsHardeningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_ = NewCredentialsStack();
    if (h_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
    k1_ring_ = nlohmann::json::parse(ReadFileOrEmpty(h_->secrets().key_ring_file));
    const nlohmann::json k2 = nlohmann::json::parse(crypto::KeyRing::GenerateJson("k2"));
    keys_ = {{"k1", k1_ring_["keys"][0]}, {"k2", k2["keys"][0]}};
  }

  int64_t AdminCount(const std::string& sql) { return h_->AdminQuery(sql)[0][0].as<int64_t>(); }

  // Replaces the key ring file: `primary` and the keys named in `states`.
  void WriteRing(const std::string& primary, const std::map<std::string, std::string>& states) {
    nlohmann::json doc = k1_ring_;
    doc["primary"] = primary;
    doc["keys"] = nlohmann::json::array();
    for (const auto& [id, state] : states) {
      nlohmann::json key = keys_.at(id);
      key["state"] = state;
      doc["keys"].push_back(key);
    }
    WriteFileAtomically(h_->secrets().key_ring_file, doc.dump());
  }

  CommandResult Run(const std::string& command) {
    std::vector<std::string> args = {command};
    for (const auto& a : h_->Args(kCredentials)) args.push_back(a);
    auto r = RunCommand(TestStack::Binary(kCredentials), args);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : CommandResult{};
  }

  std::string Create(const std::string& principal, const std::string& tenant, const std::string& id,
                     const std::string& secret, const std::string& from_identity = "buyer-1") {
    pb::Integration out;
    grpc::Status st = h_->Credentials()->CreateIntegration(
        h_->Ctx(principal).get(), AmazonCreate(tenant, id, secret, from_identity), &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.name();
  }

  grpc::Status Resolve(const std::string& name, pb::ResolveIntegrationSecretResponse* resp) {
    pb::ResolveIntegrationSecretRequest req;
    req.set_name(name);
    return h_->Credentials()->ResolveIntegrationSecret(h_->Ctx("resolver").get(), req, resp);
  }

  grpc::Status Verify(const std::string& principal, const std::string& identity,
                      const std::string& secret, pb::VerifySupplierCredentialResponse* resp) {
    pb::VerifySupplierCredentialRequest req;
    req.mutable_buyer()->set_identity(identity);
    req.set_shared_secret(secret);
    return h_->Credentials()->VerifySupplierCredential(h_->Ctx(principal).get(), req, resp);
  }

  grpc::Status List(const std::string& principal) {
    pb::ListIntegrationsRequest req;
    req.set_parent("tenants/acme");
    pb::ListIntegrationsResponse resp;
    return h_->Credentials()->ListIntegrations(h_->Ctx(principal).get(), req, &resp);
  }

  std::unique_ptr<TestStack> h_;
  nlohmann::json k1_ring_;
  std::map<std::string, nlohmann::json> keys_;
};

// Finding 5: the tenant filter comes before the bound on candidates.
TEST_F(CredentialsHardeningTest, Finding5_VerifyFiltersByTenantBeforeLimit) {
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
  // A tenant sorting before acme names acme's From identity 101 times.
  for (int i = 0; i < 101; ++i) {
    Create("super", "aardvark", absl::StrCat("decoy-", i), RandomSecret("decoy-"), "acme-buyer");
    ASSERT_FALSE(HasFailure());
  }
  const std::string secret = RandomSecret("real-");
  const std::string real = Create("acme-admin", "acme", "real", secret, "acme-buyer");
  ASSERT_EQ(real, "tenants/acme/integrations/real");

  // A verifier limited to acme, and one for every tenant: both find it.
  for (const char* principal : {"acme-verifier", "verifier"}) {
    pb::VerifySupplierCredentialResponse resp;
    grpc::Status st = Verify(principal, "acme-buyer", secret, &resp);
    ASSERT_TRUE(st.ok()) << principal << ": " << st.error_message();
    EXPECT_EQ(resp.integration().name(), real) << principal;
  }
  // A wrong secret is still refused.
  pb::VerifySupplierCredentialResponse wrong;
  EXPECT_EQ(Verify("acme-verifier", "acme-buyer", RandomSecret("nope-"), &wrong).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Finding 6: a row another transaction holds is waited for, not skipped.
TEST_F(CredentialsHardeningTest, Finding6_RewrapWaitsForLockedRowsBeforeSayingDone) {
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
  for (const char* id : {"a", "b", "c"}) Create("acme-admin", "acme", id, RandomSecret("w-"));
  ASSERT_FALSE(HasFailure());
  WriteRing("k2", {{"k1", "active"}, {"k2", "active"}});

  pqxx::connection holder_conn(h_->db().AdminUrl());
  pqxx::work holder(holder_conn);
  holder.exec("SELECT 1 FROM credentials.integrations WHERE integration_id = 'b' FOR UPDATE");

  std::atomic<bool> finished{false};
  CommandResult rewrap;
  std::thread runner([&] {
    rewrap = Run("rewrap");
    finished = true;
  });
  // Wait (bounded) until rewrap either finishes or waits for the held row.
  bool waited_for_lock = false;
  for (int i = 0; i < 6000 && !finished.load() && !waited_for_lock; ++i) {
    waited_for_lock = AdminCount("SELECT count(*) FROM pg_locks WHERE NOT granted") > 0;
    if (!waited_for_lock) absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(waited_for_lock) << "rewrap finished without waiting: " << rewrap.output;
  holder.commit();
  runner.join();
  EXPECT_EQ(rewrap.exit_code, 0) << rewrap.output;
  EXPECT_THAT(rewrap.output, HasSubstr("\"rewrapped\":3"));
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations WHERE secret_key_id <> 'k2'"),
            0);
}

// Finding 6: one row that cannot be opened is named, and the rest move on.
TEST_F(CredentialsHardeningTest, Finding6_RewrapReportsUnopenableRowsByNameAndRewrapsTheRest) {
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
  std::map<std::string, std::string> secrets;
  for (const char* id : {"a", "b", "c"}) {
    secrets[id] = RandomSecret("u-");
    Create("acme-admin", "acme", id, secrets[id]);
  }
  ASSERT_FALSE(HasFailure());
  h_->AdminQuery(
      "UPDATE credentials.integrations SET secret_ciphertext = "
      "decode(repeat('00', 48), 'hex') WHERE integration_id = 'a'");
  WriteRing("k2", {{"k1", "active"}, {"k2", "active"}});

  CommandResult rewrap = Run("rewrap");
  EXPECT_NE(rewrap.exit_code, 0) << rewrap.output;
  EXPECT_THAT(rewrap.output, HasSubstr("tenants/acme/integrations/a"));
  EXPECT_THAT(rewrap.output, HasSubstr("rewrap incomplete"));
  EXPECT_THAT(rewrap.output, Not(HasSubstr("rewrap done")));
  for (const auto& [id, secret] : secrets) EXPECT_THAT(rewrap.output, Not(HasSubstr(secret)));
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations WHERE secret_key_id = 'k2'"),
            2);
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations "
                       "WHERE secret_key_id = 'k1' AND integration_id = 'a'"),
            1);
}

// Finding 6: a key ring that retires (or drops) a key still sealing rows is
// refused at reload and at start, with the number of rows.
TEST_F(CredentialsHardeningTest, Finding6_RetiringAKeyThatStillSealsRowsIsRefused) {
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
  const std::string secret = RandomSecret("r-");
  const std::string name = Create("acme-admin", "acme", "a", secret);
  Create("acme-admin", "acme", "b", RandomSecret("r-"));
  ASSERT_FALSE(HasFailure());
  auto& svc = h_->process(kCredentials);

  WriteRing("k2", {{"k1", "retired"}, {"k2", "active"}});
  svc.Signal(SIGHUP);
  ASSERT_TRUE(
      svc.WaitForLogMessage("key ring reload failed; keeping the current keys", absl::Seconds(30))
          .ok());
  WriteRing("k2", {{"k2", "active"}});  // k1 removed altogether
  svc.Signal(SIGHUP);
  ASSERT_TRUE(svc.WaitForLogMessage("key ring reload failed; keeping the current keys",
                                    absl::Seconds(30), 1)
                  .ok());
  EXPECT_THAT(svc.ReadLog(), HasSubstr("still seals 2 secret(s)"));
  EXPECT_EQ(svc.CountLogMessages("key ring reloaded"), 0);
  pb::ResolveIntegrationSecretResponse resp;
  ASSERT_TRUE(Resolve(name, &resp).ok());
  EXPECT_EQ(resp.shared_secret(), secret);

  // A fresh start with that ring is refused too.
  EXPECT_EQ(h_->Stop(kCredentials), 0);
  EXPECT_FALSE(h_->Start(kCredentials).ok());
  EXPECT_THAT(h_->process(kCredentials).ReadLog(), HasSubstr("still seals 2 secret(s)"));

  // Rewrap with k1 still active, then retiring it is accepted.
  WriteRing("k2", {{"k1", "active"}, {"k2", "active"}});
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
  CommandResult rewrap = Run("rewrap");
  ASSERT_EQ(rewrap.exit_code, 0) << rewrap.output;
  WriteRing("k2", {{"k1", "retired"}, {"k2", "active"}});
  h_->process(kCredentials).Signal(SIGHUP);
  ASSERT_TRUE(
      h_->process(kCredentials).WaitForLogMessage("key ring reloaded", absl::Seconds(30)).ok());
  ASSERT_TRUE(Resolve(name, &resp).ok());
  EXPECT_EQ(resp.shared_secret(), secret);
}

// Finding 7: an older ciphertext of the row, put back after a rotation,
// does not open (the secret version is bound into the associated data).
TEST_F(CredentialsHardeningTest, Finding7_OlderCiphertextPutBackAfterRotationDoesNotOpen) {
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
  const std::string old_secret = RandomSecret("old-");
  const std::string name = Create("acme-admin", "acme", "a", old_secret);
  ASSERT_FALSE(HasFailure());
  const std::string old_hex = h_->AdminQuery(
                                    "SELECT encode(secret_ciphertext, 'hex') FROM "
                                    "credentials.integrations WHERE integration_id = 'a'")[0][0]
                                  .as<std::string>();

  const std::string new_secret = RandomSecret("new-");
  pb::RotateSharedSecretRequest rot;
  rot.set_name(name);
  rot.set_shared_secret(new_secret);
  rot.set_request_id("rotate-1");
  pb::Integration rotated;
  ASSERT_TRUE(
      h_->Credentials()->RotateSharedSecret(h_->Ctx("acme-admin").get(), rot, &rotated).ok());
  ASSERT_EQ(rotated.secret_version(), 2);

  // Someone who can write the table puts the version-1 ciphertext back.
  h_->AdminQuery("UPDATE credentials.integrations SET secret_ciphertext = decode('" + old_hex +
                 "', 'hex') WHERE integration_id = 'a'");
  pb::ResolveIntegrationSecretResponse resp;
  grpc::Status st = Resolve(name, &resp);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(resp.shared_secret().empty());
  EXPECT_THAT(st.error_message(), Not(HasSubstr(old_secret)));
  pb::VerifySupplierCredentialResponse ver;
  EXPECT_EQ(Verify("verifier", "buyer-1", old_secret, &ver).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Finding 7: rows sealed before the versioned scheme still open (only when
// marked as such), and rewrap moves them to the new scheme.
TEST_F(CredentialsHardeningTest, Finding7_LegacyAadRowsStillOpenAndRewrapMovesThem) {
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
  const std::string secret = RandomSecret("legacy-");
  const std::string name = Create("acme-admin", "acme", "a", secret);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations WHERE secret_aad_scheme = 2"),
            1);

  // The row as an earlier release sealed it: associated data without the version.
  auto ring = crypto::KeyRing::LoadFile(h_->secrets().key_ring_file);
  ASSERT_TRUE(ring.ok()) << ring.status();
  auto legacy = (*ring)->Seal(secret, crypto::AssociatedData("acme", "a", "shared_secret", "k1"));
  ASSERT_TRUE(legacy.ok());
  const std::string legacy_hex = absl::BytesToHexString(legacy->blob);
  // Marked as the new scheme it does not open; marked as legacy it does.
  h_->AdminQuery("UPDATE credentials.integrations SET secret_ciphertext = decode('" + legacy_hex +
                 "', 'hex') WHERE integration_id = 'a'");
  pb::ResolveIntegrationSecretResponse resp;
  EXPECT_FALSE(Resolve(name, &resp).ok());
  h_->AdminQuery(
      "UPDATE credentials.integrations SET secret_aad_scheme = 1 WHERE integration_id = 'a'");
  ASSERT_TRUE(Resolve(name, &resp).ok());
  EXPECT_EQ(resp.shared_secret(), secret);

  // Same primary key, but the old scheme: rewrap re-seals it.
  CommandResult rewrap = Run("rewrap");
  ASSERT_EQ(rewrap.exit_code, 0) << rewrap.output;
  EXPECT_THAT(rewrap.output, HasSubstr("\"rewrapped\":1"));
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations WHERE secret_aad_scheme = 2"),
            1);
  ASSERT_TRUE(Resolve(name, &resp).ok());
  EXPECT_EQ(resp.shared_secret(), secret);
  // The legacy ciphertext put back under the new scheme's marker stays shut.
  h_->AdminQuery("UPDATE credentials.integrations SET secret_ciphertext = decode('" + legacy_hex +
                 "', 'hex') WHERE integration_id = 'a'");
  EXPECT_FALSE(Resolve(name, &resp).ok());
}

// Finding 8: a token removed from the tokens file is refused after SIGHUP,
// without a restart; a tokens file others may read is not taken.
TEST_F(CredentialsHardeningTest, Finding8_RevokedTokenIsRefusedAfterSighup) {
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
  auto& svc = h_->process(kCredentials);
  ASSERT_TRUE(List("acme-reader").ok());

  const std::string tokens_file = h_->secrets().tokens_file;
  nlohmann::json tokens = nlohmann::json::parse(ReadFileOrEmpty(tokens_file));
  const std::string revoked = crypto::Sha256Hex(h_->Token("acme-reader"));
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& entry : tokens["tokens"]) {
    if (entry["sha256"] != revoked) kept.push_back(entry);
  }
  ASSERT_EQ(kept.size() + 1, tokens["tokens"].size());
  tokens["tokens"] = kept;
  WriteFileAtomically(tokens_file, tokens.dump());
  svc.Signal(SIGHUP);
  ASSERT_TRUE(svc.WaitForLogMessage("tokens reloaded", absl::Seconds(30)).ok());

  EXPECT_EQ(List("acme-reader").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(List("acme-admin").ok());
  EXPECT_EQ(svc.pid(), h_->process(kCredentials).pid());

  // A tokens file readable by others is refused on reload; the tokens stay.
  ASSERT_EQ(chmod(tokens_file.c_str(), 0644), 0);
  svc.Signal(SIGHUP);
  ASSERT_TRUE(
      svc.WaitForLogMessage("tokens reload failed; keeping the current tokens", absl::Seconds(30))
          .ok());
  EXPECT_THAT(svc.ReadLog(), HasSubstr("0644"));
  EXPECT_TRUE(List("acme-admin").ok());
  EXPECT_EQ(List("acme-reader").error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// Finding 8: a key ring or tokens file others may read stops the start.
TEST_F(CredentialsHardeningTest, Finding8_WorldReadableKeyRingIsRefusedAtStart) {
  const std::string ring_file = h_->secrets().key_ring_file;
  ASSERT_EQ(chmod(ring_file.c_str(), 0644), 0);
  EXPECT_FALSE(h_->Start(kCredentials).ok());
  std::string log = h_->process(kCredentials).ReadLog();
  EXPECT_THAT(log, HasSubstr(ring_file));
  EXPECT_THAT(log, HasSubstr("has mode 0644"));
  EXPECT_FALSE(h_->process(kCredentials).Running());

  ASSERT_EQ(chmod(ring_file.c_str(), 0600), 0);
  const std::string tokens_file = h_->secrets().tokens_file;
  ASSERT_EQ(chmod(tokens_file.c_str(), 0640), 0);
  EXPECT_FALSE(h_->Start(kCredentials).ok());
  log = h_->process(kCredentials).ReadLog();
  EXPECT_THAT(log, HasSubstr(tokens_file));
  EXPECT_THAT(log, HasSubstr("has mode 0640"));

  ASSERT_EQ(chmod(tokens_file.c_str(), 0600), 0);
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
}

}  // namespace
}  // namespace iob::credentials::testing

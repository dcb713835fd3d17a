// Canary: store unique secrets, exercise every RPC (including failing calls
// that carry a secret), then show neither secret nor its base64 appears in a
// pg_dump of the database, the service's log, /metrics, or any error text.
// A positive control proves the detector finds a secret where it is.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/credentials/credentials_test_util.h"

namespace iob::credentials::testing {
namespace {

using ::iob::testing::HttpGet;
using ::iob::testing::RunCommand;

// The forms a leaked secret could take in text.
std::vector<std::string> Forms(const std::string& secret) {
  return {secret, absl::Base64Escape(secret), absl::WebSafeBase64Escape(secret),
          absl::BytesToHexString(secret)};
}

// Where in `text` any form of any secret occurs ("" when nowhere).
std::string FindCanary(const std::string& text, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets) {
    for (const std::string& form : Forms(s)) {
      if (text.find(form) != std::string::npos) return form;
    }
  }
  return "";
}

std::string PgDump() {
  for (const char* p : {"/usr/lib/postgresql/15/bin/pg_dump", "/usr/bin/pg_dump"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "pg_dump";
}

class CredentialsCanaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_ = NewCredentialsStack();
    if (h_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
    ASSERT_TRUE(h_->Start(kCredentials, {"--debug"}).ok()) << h_->process(kCredentials).ReadLog();
    stub_ = h_->Credentials();
  }

  // Records every error text a call returned.
  void Note(const grpc::Status& st) {
    if (!st.ok()) errors_ += st.error_message() + "\n" + st.error_details() + "\n";
  }

  std::unique_ptr<TestStack> h_;
  std::unique_ptr<pb::CredentialsService::Stub> stub_;
  std::string errors_;
};

TEST_F(CredentialsCanaryTest, SecretsAppearNowhereButTheResolveResponse) {
  const std::string first = RandomSecret("canary-one-");
  const std::string second = RandomSecret("canary-two-");
  const std::vector<std::string> canaries = {first, second};
  const std::string admin = "acme-admin";

  // Create, Get, List.
  pb::CreateIntegrationRequest create = AmazonCreate("acme", "canary", first, "canary-buyer");
  create.set_request_id("canary-create");
  pb::Integration created;
  grpc::Status st = stub_->CreateIntegration(h_->Ctx(admin).get(), create, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  Note(stub_->CreateIntegration(h_->Ctx(admin).get(), create, &created));  // idempotent replay
  pb::CreateIntegrationRequest dup = create;
  dup.set_request_id("canary-dup");
  pb::Integration ignored;
  Note(stub_->CreateIntegration(h_->Ctx(admin).get(), dup, &ignored));  // ALREADY_EXISTS
  pb::GetIntegrationRequest get;
  get.set_name(created.name());
  pb::Integration got;
  ASSERT_TRUE(stub_->GetIntegration(h_->Ctx(admin).get(), get, &got).ok());
  pb::ListIntegrationsRequest list;
  list.set_parent("tenants/acme");
  pb::ListIntegrationsResponse listed;
  ASSERT_TRUE(stub_->ListIntegrations(h_->Ctx(admin).get(), list, &listed).ok());

  // Update (and a masked attempt to smuggle the secret).
  pb::UpdateIntegrationRequest up;
  up.mutable_integration()->set_name(created.name());
  up.mutable_integration()->set_display_name("Canary");
  up.mutable_integration()->set_shared_secret(second);
  up.mutable_update_mask()->add_paths("display_name");
  pb::Integration updated;
  ASSERT_TRUE(stub_->UpdateIntegration(h_->Ctx(admin).get(), up, &updated).ok());
  up.mutable_update_mask()->add_paths("shared_secret");
  Note(stub_->UpdateIntegration(h_->Ctx(admin).get(), up, &ignored));

  // Failing calls that carry a secret.
  pb::CreateIntegrationRequest bad_url = AmazonCreate("acme", "bad", second, "canary-buyer");
  bad_url.mutable_integration()->set_punchout_url("http://www.amazon.com/p");
  Note(stub_->CreateIntegration(h_->Ctx(admin).get(), bad_url, &ignored));
  pb::CreateIntegrationRequest bad_host = AmazonCreate("acme", "bad", second, "canary-buyer");
  bad_host.mutable_integration()->set_order_url("https://amazon.com.evil.io/order");
  Note(stub_->CreateIntegration(h_->Ctx(admin).get(), bad_host, &ignored));
  pb::CreateIntegrationRequest bad_secret = AmazonCreate("acme", "bad", second + "\n", "x");
  Note(stub_->CreateIntegration(h_->Ctx(admin).get(), bad_secret, &ignored));
  pb::RotateSharedSecretRequest stale;
  stale.set_name(created.name());
  stale.set_etag(created.etag());  // stale since the update
  stale.set_shared_secret(second);
  Note(stub_->RotateSharedSecret(h_->Ctx(admin).get(), stale, &ignored));
  Note(stub_->RotateSharedSecret(h_->Ctx("acme-reader").get(), stale, &ignored));
  Note(stub_->RotateSharedSecret(TestStack::CtxWithHeader("Bearer " + first).get(), stale,
                                 &ignored));
  stale.set_name("tenants/acme/integrations/missing");
  stale.clear_etag();
  Note(stub_->RotateSharedSecret(h_->Ctx(admin).get(), stale, &ignored));

  // Rotate to the second secret.
  pb::RotateSharedSecretRequest rot;
  rot.set_name(created.name());
  rot.set_etag(updated.etag());
  rot.set_shared_secret(second);
  rot.set_request_id("canary-rotate");
  pb::Integration rotated;
  ASSERT_TRUE(stub_->RotateSharedSecret(h_->Ctx(admin).get(), rot, &rotated).ok());

  // Resolve: the one place a secret may appear (positive control below).
  pb::ResolveIntegrationSecretRequest res;
  res.set_name(created.name());
  pb::ResolveIntegrationSecretResponse resolved;
  ASSERT_TRUE(stub_->ResolveIntegrationSecret(h_->Ctx("resolver").get(), res, &resolved).ok());
  Note(stub_->ResolveIntegrationSecret(h_->Ctx(admin).get(), res, &resolved));  // no scope

  // Verify with right, old and wrong secrets.
  pb::VerifySupplierCredentialRequest ver;
  ver.mutable_buyer()->set_identity("canary-buyer");
  ver.set_shared_secret(second);
  pb::VerifySupplierCredentialResponse verified;
  ASSERT_TRUE(stub_->VerifySupplierCredential(h_->Ctx("verifier").get(), ver, &verified).ok());
  EXPECT_EQ(verified.integration().name(), created.name());
  ver.set_shared_secret(first);
  Note(stub_->VerifySupplierCredential(h_->Ctx("verifier").get(), ver, &verified));
  ver.set_shared_secret(second + "-wrong");
  Note(stub_->VerifySupplierCredential(h_->Ctx("verifier").get(), ver, &verified));
  ver.mutable_buyer()->set_identity(first);
  Note(stub_->VerifySupplierCredential(h_->Ctx("verifier").get(), ver, &verified));

  // Audit, then delete (and delete again).
  pb::ListAuditEventsRequest audit;
  audit.set_parent("tenants/acme");
  pb::ListAuditEventsResponse events;
  ASSERT_TRUE(stub_->ListAuditEvents(h_->Ctx(admin).get(), audit, &events).ok());
  EXPECT_GE(events.events_size(), 4);
  // Keep the row for pg_dump: delete a twin with the same secret instead.
  pb::Integration twin;
  ASSERT_TRUE(stub_
                  ->CreateIntegration(h_->Ctx(admin).get(),
                                      AmazonCreate("acme", "twin", second, "twin-buyer"), &twin)
                  .ok());
  pb::DeleteIntegrationRequest del;
  del.set_name(twin.name());
  pb::DeleteIntegrationResponse deleted;
  ASSERT_TRUE(stub_->DeleteIntegration(h_->Ctx(admin).get(), del, &deleted).ok());
  Note(stub_->DeleteIntegration(h_->Ctx(admin).get(), del, &deleted));

  // Everything a client received, except the resolve response's secret field.
  std::string responses;
  for (const google::protobuf::Message* m : std::vector<const google::protobuf::Message*>{
           &created, &got, &listed, &updated, &rotated, &verified, &events, &twin}) {
    responses += m->SerializeAsString() + m->DebugString();
  }
  pb::ResolveIntegrationSecretResponse resolved_without_secret = resolved;
  resolved_without_secret.clear_shared_secret();
  responses += resolved_without_secret.DebugString();

  // Positive control: the detector sees a secret where it is.
  ASSERT_EQ(resolved.shared_secret(), second);
  EXPECT_EQ(FindCanary(resolved.DebugString(), canaries), second);
  EXPECT_EQ(FindCanary("x" + absl::Base64Escape(first) + "y", canaries), absl::Base64Escape(first));
  EXPECT_FALSE(errors_.empty());

  // pg_dump of the whole test database, as the superuser.
  auto dump = RunCommand(PgDump(), {"--no-owner", "--dbname=" + h_->db().AdminUrl()});
  ASSERT_TRUE(dump.ok()) << dump.status();
  ASSERT_EQ(dump->exit_code, 0) << dump->output;
  ASSERT_NE(dump->output.find("canary-buyer"), std::string::npos) << "dump misses the row";
  ASSERT_NE(dump->output.find("secret.rotated"), std::string::npos) << "dump misses the audit";
  // Control: a plaintext column would be found in a dump.
  EXPECT_EQ(FindCanary(dump->output + "COPY x (" + first + ")", canaries), first);

  auto metrics = HttpGet(h_->process(kCredentials).metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  ASSERT_NE(metrics->find("grpc_server_handled_total"), std::string::npos);

  // Stop the service so its log is complete (shutdown lines included).
  EXPECT_EQ(h_->Stop(kCredentials), 0);
  const std::string log = h_->process(kCredentials).ReadLog();
  ASSERT_NE(log.find("rpc failed"), std::string::npos) << "the failures were not logged";

  EXPECT_EQ(FindCanary(dump->output, canaries), "") << "secret in pg_dump";
  EXPECT_EQ(FindCanary(log, canaries), "") << "secret in the service log";
  EXPECT_EQ(FindCanary(*metrics, canaries), "") << "secret in /metrics";
  EXPECT_EQ(FindCanary(errors_, canaries), "") << "secret in an error: " << errors_;
  EXPECT_EQ(FindCanary(responses, canaries), "") << "secret in a response";
  // The bearer tokens stay out of the log too.
  for (const auto& [who, token] : h_->secrets().tokens) {
    EXPECT_EQ(log.find(token), std::string::npos) << who;
  }
}

}  // namespace
}  // namespace iob::credentials::testing

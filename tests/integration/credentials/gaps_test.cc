// Issue 8 finding 21, credentials behaviours that had no test: tenant
// isolation and unauthenticated callers on ResolveIntegrationSecret, and the
// service binary refusing a landed migration whose checksum changed. The real
// iob-credentials binary on the shared test stack.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/credentials/credentials_test_util.h"

namespace iob::credentials::testing {
namespace {

using ::testing::HasSubstr;

class CredentialsGapsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::set<std::string> admin = {"integrations.read", "integrations.write"};
    h_ = TestStack::Create({
        .services = {kCredentials},
        .principals = {{"acme-admin", admin, {"acme"}},
                       {"globex-admin", admin, {"globex"}},
                       {"acme-resolver", {"integrations.read", "secrets.resolve"}, {"acme"}}},
        .flags = {},
    });
    if (h_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
  }

  std::unique_ptr<TestStack> h_;
};

TEST_F(CredentialsGapsTest, Finding21_ResolveIntegrationSecretRefusesOtherTenantsAndAnonymous) {
  ASSERT_TRUE(h_->Start(kCredentials).ok()) << h_->process(kCredentials).ReadLog();
  auto stub = h_->Credentials();
  const std::string acme_secret = RandomSecret("iso-acme-");
  const std::string globex_secret = RandomSecret("iso-globex-");
  pb::Integration acme, globex;
  ASSERT_TRUE(stub->CreateIntegration(h_->Ctx("acme-admin").get(),
                                      AmazonCreate("acme", "amazon", acme_secret), &acme)
                  .ok());
  ASSERT_TRUE(stub->CreateIntegration(h_->Ctx("globex-admin").get(),
                                      AmazonCreate("globex", "amazon", globex_secret), &globex)
                  .ok());

  pb::ResolveIntegrationSecretRequest req;
  req.set_name(acme.name());
  pb::ResolveIntegrationSecretResponse own;
  grpc::Status st = stub->ResolveIntegrationSecret(h_->Ctx("acme-resolver").get(), req, &own);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(own.shared_secret(), acme_secret);

  // Another tenant's integration: denied, nothing handed out.
  req.set_name(globex.name());
  pb::ResolveIntegrationSecretResponse other;
  st = stub->ResolveIntegrationSecret(h_->Ctx("acme-resolver").get(), req, &other);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_TRUE(other.shared_secret().empty());
  EXPECT_THAT(st.error_message(), ::testing::Not(HasSubstr(globex_secret)));

  // No token, a token nobody issued, a malformed header.
  for (const std::string header : {"", "Bearer not-a-token", "Basic abc"}) {
    SCOPED_TRACE(header);
    req.set_name(acme.name());
    pb::ResolveIntegrationSecretResponse anon;
    st = stub->ResolveIntegrationSecret(TestStack::CtxWithHeader(header).get(), req, &anon);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
    EXPECT_TRUE(anon.shared_secret().empty());
  }
}

TEST_F(CredentialsGapsTest, Finding21_BinaryRefusesAMigrationWhoseChecksumChanged) {
  std::vector<std::string> args = {"migrate"};
  for (const auto& a : h_->Args(kCredentials)) args.push_back(a);
  auto first = iob::testing::RunCommand(TestStack::Binary(kCredentials), args);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->exit_code, 0) << first->output;

  // A landed migration edited afterwards: its recorded checksum no longer
  // matches the binary's.
  h_->AdminQuery(
      "UPDATE credentials.schema_migrations SET checksum = 'edited-after-landing' "
      "WHERE version = (SELECT min(version) FROM credentials.schema_migrations)");
  auto again = iob::testing::RunCommand(TestStack::Binary(kCredentials), args);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_NE(again->exit_code, 0) << again->output;
  EXPECT_THAT(again->output, HasSubstr("checksum mismatch"));
  // Serving refuses too (it migrates at start-up).
  EXPECT_FALSE(h_->Start(kCredentials).ok());
}

}  // namespace
}  // namespace iob::credentials::testing

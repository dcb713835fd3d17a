// One id rule for the whole suite (libs/runtime/resource_name.h), checked
// through both services' real RPCs: the same tenant and integration ids are
// accepted or refused by credentials and punchout alike.
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "iob/punchout/v1/punchout_service.grpc.pb.h"
#include "tests/support/test_stack.h"

namespace iob::testing {
namespace {

namespace cpb = ::iob::credentials::v1;
namespace ppb = ::iob::punchout::v1;
using ::testing::HasSubstr;

struct IdCase {
  std::string id;
  bool valid;
};

const IdCase kIds[] = {
    {"acme", true},
    {"a", true},
    {"acme-2", true},
    {"a1b2", true},
    {std::string(63, 'x'), true},
    {"1acme", false},
    {"-acme", false},
    {"acme-", false},
    {"Acme", false},
    {"ac_me", false},
    {"ac.me", false},
    {"%61cme", false},
    {std::string(64, 'x'), false},
};

class IdRuleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = TestStack::Create(
                 {.services = {Service::kCredentials, Service::kPunchout},
                  .principals = {{"punchout", {"integrations.read", "secrets.resolve"}, {"*"}},
                                 {"caller",
                                  {"integrations.read", "integrations.write", "punchout.read",
                                   "punchout.start"},
                                  {"*"}}},
                  .flags = {}})
                 .release();
    if (stack_ == nullptr) return;
    ASSERT_TRUE(stack_->Start(Service::kCredentials).ok());
    ASSERT_TRUE(stack_->Start(Service::kPunchout).ok());
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override {
    if (stack_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
  }

  // INVALID_ARGUMENT naming `field` for an invalid id; anything but
  // INVALID_ARGUMENT (OK, NOT_FOUND, ...) for a valid one.
  static void ExpectJudged(const grpc::Status& st, const IdCase& c, const std::string& field,
                           const std::string& rpc) {
    if (c.valid) {
      EXPECT_NE(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << rpc << " refused valid id '" << c.id << "': " << st.error_message();
    } else {
      EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << rpc << " accepted invalid id '" << c.id << "'";
      EXPECT_THAT(st.error_message(), HasSubstr(field + ": ")) << rpc << " '" << c.id << "'";
    }
  }

  static TestStack* stack_;
};

TestStack* IdRuleTest::stack_ = nullptr;

TEST_F(IdRuleTest, TenantIdsAreJudgedAlikeByBothServices) {
  auto credentials = stack_->Credentials();
  auto punchout = stack_->Punchout();
  for (const IdCase& c : kIds) {
    const std::string parent = "tenants/" + c.id;
    {
      cpb::ListIntegrationsRequest req;
      req.set_parent(parent);
      cpb::ListIntegrationsResponse resp;
      ExpectJudged(credentials->ListIntegrations(stack_->Ctx("caller").get(), req, &resp), c,
                   "parent", "credentials ListIntegrations");
    }
    {
      cpb::GetIntegrationRequest req;
      req.set_name(parent + "/integrations/x");
      cpb::Integration resp;
      ExpectJudged(credentials->GetIntegration(stack_->Ctx("caller").get(), req, &resp), c, "name",
                   "credentials GetIntegration");
    }
    {
      ppb::ListSessionsRequest req;
      req.set_parent(parent);
      ppb::ListSessionsResponse resp;
      ExpectJudged(punchout->ListSessions(stack_->Ctx("caller").get(), req, &resp), c, "parent",
                   "punchout ListSessions");
    }
    {
      ppb::GetSessionRequest req;
      req.set_name(parent + "/sessions/s1");
      ppb::Session resp;
      ExpectJudged(punchout->GetSession(stack_->Ctx("caller").get(), req, &resp), c, "name",
                   "punchout GetSession");
    }
  }
}

TEST_F(IdRuleTest, IntegrationIdsAreJudgedAlikeByBothServices) {
  auto credentials = stack_->Credentials();
  auto punchout = stack_->Punchout();
  for (const IdCase& c : kIds) {
    {
      // Creating with the id: refused as malformed, or stored under it.
      cpb::CreateIntegrationRequest req;
      req.set_parent("tenants/acme");
      req.set_integration_id(c.id);
      cpb::Integration* in = req.mutable_integration();
      in->set_supplier("amazon-business");
      in->set_mode(cpb::MODE_PRODUCTION);
      in->mutable_from()->set_identity("buyer-ids");
      in->set_shared_secret("s3cret-for-ids");
      in->set_punchout_url("https://www.amazon.com/eprocurement/punchout");
      in->set_order_url("https://www.amazon.com/eprocurement/order");
      cpb::Integration resp;
      const grpc::Status st =
          credentials->CreateIntegration(stack_->Ctx("caller").get(), req, &resp);
      ExpectJudged(st, c, "integration_id", "credentials CreateIntegration");
      if (c.valid) {
        EXPECT_TRUE(st.ok()) << c.id << ": " << st.error_message();
        EXPECT_EQ(resp.name(), "tenants/acme/integrations/" + c.id);
      }
    }
    {
      // Starting a session names the integration: a malformed name is the
      // caller's error; a well-formed one that does not exist is the
      // credentials service's NOT_FOUND.
      ppb::StartSessionRequest req;
      req.set_parent("tenants/globex");
      req.set_integration("tenants/globex/integrations/" + c.id);
      req.mutable_user()->set_id("ada");
      req.mutable_user()->set_email("ada@globex.example");
      ppb::Session resp;
      const grpc::Status st = punchout->StartSession(stack_->Ctx("caller").get(), req, &resp);
      ExpectJudged(st, c, "integration", "punchout StartSession");
      if (c.valid) {
        EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
      }
    }
  }
}

}  // namespace
}  // namespace iob::testing

// supplier::GrpcCredentialsClient against the real iob-credentials: tiles,
// resolve with the secret, supplier verification, and how the peer's errors
// (its refusals of this service included) come back.
#include "libs/supplier/credentials_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "tests/support/test_stack.h"

namespace iob::supplier {
namespace {

namespace pb = ::iob::credentials::v1;
using ::iob::testing::Service;
using ::iob::testing::TestStack;

constexpr char kSecret[] = "verify-me-0123456789abcdef";

class GrpcCredentialsClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = TestStack::Create(
        {.services = {Service::kCredentials},
         .principals =
             {
                 {"admin", {"integrations.read", "integrations.write"}, {"acme", "globex"}},
                 {"dispatch", {"integrations.read", "secrets.resolve", "suppliers.verify"}, {"*"}},
                 {"acme-verifier", {"suppliers.verify"}, {"acme"}},
                 {"reader", {"integrations.read"}, {"*"}},
             },
         .flags = {}});
    if (stack_ == nullptr) return;
    ASSERT_TRUE(stack_->Start(Service::kCredentials).ok());
    for (const char* tenant : {"acme", "globex"}) {
      pb::CreateIntegrationRequest req;
      req.set_parent(std::string("tenants/") + tenant);
      req.set_integration_id("amazon");
      pb::Integration* in = req.mutable_integration();
      in->set_supplier("amazon-business");
      in->set_display_name("Amazon Business");
      in->mutable_from()->set_domain("NetworkId");
      in->mutable_from()->set_identity(std::string(tenant) + "-BUYER");
      in->set_shared_secret(std::string(kSecret) + tenant);
      in->set_punchout_url("https://www.amazon.com/eprocurement/punchout");
      in->set_order_url("https://www.amazon.com/eprocurement/order");
      in->set_mode(pb::MODE_PRODUCTION);
      pb::Integration out;
      grpc::Status st =
          stack_->Credentials()->CreateIntegration(stack_->Ctx("admin").get(), req, &out);
      ASSERT_TRUE(st.ok()) << st.error_message();
    }
  }
  static void TearDownTestSuite() { stack_.reset(); }

  void SetUp() override {
    if (stack_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
  }

  static GrpcCredentialsClient Client(const std::string& principal) {
    return GrpcCredentialsClient(stack_->Channel(Service::kCredentials), stack_->Token(principal));
  }

  static std::unique_ptr<TestStack> stack_;
};

std::unique_ptr<TestStack> GrpcCredentialsClientTest::stack_;

TEST_F(GrpcCredentialsClientTest, ListsTilesAndResolvesTheEndpointWithItsSecret) {
  GrpcCredentialsClient client = Client("dispatch");
  auto tiles = client.ListActive("acme");
  ASSERT_TRUE(tiles.ok()) << tiles.status();
  ASSERT_EQ(tiles->size(), 1u);
  EXPECT_EQ((*tiles)[0].integration, "tenants/acme/integrations/amazon");
  EXPECT_EQ((*tiles)[0].display_name, "Amazon Business");

  auto e = client.Resolve("tenants/acme/integrations/amazon");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->supplier, "amazon-business");
  EXPECT_EQ(e->punchout_url, "https://www.amazon.com/eprocurement/punchout");
  EXPECT_EQ(e->order_url, "https://www.amazon.com/eprocurement/order");
  EXPECT_EQ(e->from.identity, "acme-BUYER");
  EXPECT_EQ(e->sender.shared_secret, std::string(kSecret) + "acme");
  EXPECT_TRUE(e->production);
  EXPECT_FALSE(e->allowed_hosts.empty());

  EXPECT_EQ(client.Resolve("tenants/acme/integrations/nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(GrpcCredentialsClientTest, VerifiesTheSenderOfAnInboundDocument) {
  GrpcCredentialsClient client = Client("dispatch");
  const cxml::Credential buyer{"NetworkId", "globex-BUYER", ""};
  for (const std::string tenant : {"", "globex"}) {
    auto v = client.Verify(tenant, buyer, std::string(kSecret) + "globex");
    ASSERT_TRUE(v.ok()) << tenant << ": " << v.status();
    EXPECT_EQ(v->integration, "tenants/globex/integrations/amazon");
    EXPECT_EQ(v->tenant, "globex");
    EXPECT_EQ(v->supplier, "amazon-business");
  }
  // Any domain matches when the document names none.
  EXPECT_TRUE(client.Verify("", {"", "globex-BUYER", ""}, std::string(kSecret) + "globex").ok());
}

TEST_F(GrpcCredentialsClientTest, RefusesWhatDoesNotMatchWithPermissionDenied) {
  GrpcCredentialsClient client = Client("dispatch");
  const cxml::Credential buyer{"NetworkId", "acme-BUYER", ""};
  const std::string secret = std::string(kSecret) + "acme";
  struct Case {
    std::string name, tenant;
    cxml::Credential buyer;
    std::string secret;
  };
  for (const Case& c : {
           Case{"wrong secret", "acme", buyer, secret + "x"},
           Case{"other tenant", "globex", buyer, secret},
           Case{"other domain", "", {"DUNS", "acme-BUYER", ""}, secret},
           Case{"unknown identity", "", {"NetworkId", "nobody", ""}, secret},
           Case{"no identity", "", {"NetworkId", "", ""}, secret},
           Case{"no secret", "acme", buyer, ""},
       }) {
    auto v = client.Verify(c.tenant, c.buyer, c.secret);
    EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied) << c.name << v.status();
    EXPECT_EQ(v.status().message(), "supplier credential not recognised") << c.name;
  }
}

TEST_F(GrpcCredentialsClientTest, APrincipalWithoutTheScopeOrTenantIsRefusedTheSame) {
  const cxml::Credential buyer{"NetworkId", "globex-BUYER", ""};
  const std::string secret = std::string(kSecret) + "globex";
  // May verify for acme only: globex's sender is not recognised, for a named
  // tenant or any.
  GrpcCredentialsClient acme = Client("acme-verifier");
  EXPECT_EQ(acme.Verify("globex", buyer, secret).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(acme.Verify("", buyer, secret).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      acme.Verify("acme", {"NetworkId", "acme-BUYER", ""}, std::string(kSecret) + "acme").ok());
  // Lacks suppliers.verify: the sender learns nothing more.
  auto v = Client("reader").Verify("", buyer, secret);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied) << v.status();
  EXPECT_EQ(v.status().message(), "supplier credential not recognised");
}

TEST_F(GrpcCredentialsClientTest, OurOwnRefusalIsInternalAndAnUnreachablePeerUnavailable) {
  auto e = Client("reader").Resolve("tenants/acme/integrations/amazon");
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInternal) << e.status();
  EXPECT_THAT(std::string(e.status().message()),
              ::testing::HasSubstr("credentials service refused this service"));

  GrpcCredentialsClient nowhere(
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()), "token");
  EXPECT_EQ(nowhere.ListActive("acme").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(nowhere.Verify("", {"NetworkId", "acme-BUYER", ""}, "secret").status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace iob::supplier

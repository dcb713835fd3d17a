// Issue 8 finding 1 (TLS between services) with real processes: credentials
// serves mTLS only (the stack's throwaway CA), punchout dials it with its
// client certificate (--credentials-ca-file/-cert-file/-key-file), and the
// whole punchout flow runs over that connection. A punchout without a client
// certificate, or dialling in plaintext, is refused by credentials.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/punchout/punchout_test_util.h"

namespace iob::punchout::testing {
namespace {

using ::iob::testing::RunCommand;
using ::testing::HasSubstr;
using ::testing::Not;

class PunchoutTlsTest : public PunchoutStackTest<PunchoutTlsTest> {
 public:
  static PunchoutStackOptions StackOptions() { return {.mtls = true}; }

 protected:
  // A simulator group and a TEST-mode integration for it (created over
  // mTLS with the "operator" certificate); returns the integration's name.
  std::string NewIntegration(const std::string& id) {
    auto group = stack().CreateSimGroup();
    EXPECT_TRUE(group.ok()) << group.status();
    if (!group.ok()) return "";
    auto in = CreateIntegration(stack(), "acme", id, *group);
    EXPECT_TRUE(in.ok()) << in.status();
    return in.ok() ? in->name() : "";
  }

  // StartSession on another punchout instance started with `extra_flags`.
  grpc::Status StartOn(const std::vector<std::string>& extra_flags, const std::string& integration,
                       std::string* log) {
    auto other = stack().StartExtra(Service::kPunchout, extra_flags);
    EXPECT_TRUE(other.ok()) << other.status();
    if (!other.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "did not start");
    pb::StartSessionRequest req;
    req.set_parent("tenants/acme");
    req.set_integration(integration);
    req.mutable_user()->set_id("u-pat");
    req.mutable_user()->set_email("pat@acme.example");
    req.set_operation(pb::OPERATION_CREATE);
    pb::Session out;
    grpc::Status st = TestStack::PunchoutAt((*other)->grpc_address())
                          ->StartSession(stack().Ctx("platform").get(), req, &out);
    *log = (*other)->ReadLog();
    return st;
  }

  // ListIntegrations on credentials with `creds`: OK or the transport's error.
  grpc::Status ListWith(std::shared_ptr<grpc::ChannelCredentials> creds) {
    cpb::ListIntegrationsRequest req;
    req.set_parent("tenants/acme");
    cpb::ListIntegrationsResponse resp;
    auto ctx = stack().Ctx("admin");
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return stack().Credentials(std::move(creds))->ListIntegrations(ctx.get(), req, &resp);
  }
};

TEST_F(PunchoutTlsTest, Finding1_WholePunchoutFlowOverMutualTls) {
  EXPECT_THAT(stack().process(Service::kCredentials).ReadLog(),
              HasSubstr("\"transport\":\"mtls\""));
  const std::string integration = NewIntegration("tls-flow");
  ASSERT_FALSE(integration.empty());

  // StartSession: punchout resolves the integration's secret over mTLS.
  pb::Session s;
  grpc::Status st = StartCreate(stack(), "acme", integration, "pat@acme.example", &s);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  const std::string punchout_log = stack().process(Service::kPunchout).ReadLog();
  EXPECT_THAT(punchout_log, HasSubstr("\"peer\":\"credentials\""));
  EXPECT_THAT(punchout_log, HasSubstr("\"transport\":\"mtls\""));
  EXPECT_THAT(punchout_log, Not(HasSubstr("gRPC client without TLS")));

  // The user shops; the cart comes back and the platform checks it out.
  auto page = ShopAndCheckout(s.start_page_url(), {{"B0SIMPAPER", 2}});
  ASSERT_TRUE(page.ok()) << page.status();
  auto form = ParseAutoPostForm(*page);
  ASSERT_TRUE(form.ok()) << form.status();
  auto posted = SubmitAutoPost(*form);
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_EQ(posted->status, 200) << posted->body;

  pb::GetCartRequest get;
  get.set_session(s.name());
  pb::Cart cart;
  st = stack().Punchout()->GetCart(stack().Ctx("platform").get(), get, &cart);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  ASSERT_EQ(cart.lines_size(), 1);
  pb::CheckoutCartRequest checkout;
  checkout.set_session(s.name());
  pb::RequisitionDraft draft;
  st = stack().Punchout()->CheckoutCart(stack().Ctx("platform").get(), checkout, &draft);
  EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
}

TEST_F(PunchoutTlsTest, Finding1_PunchoutWithoutClientCertificateIsRefused) {
  const std::string integration = NewIntegration("tls-no-cert");
  ASSERT_FALSE(integration.empty());
  std::string log;
  grpc::Status st =
      StartOn({"--credentials-cert-file=", "--credentials-key-file="}, integration, &log);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_THAT(log, HasSubstr("\"transport\":\"tls\""));
  // Directly: TLS without a client certificate, or from another CA's view.
  EXPECT_FALSE(ListWith(stack().TlsCredentials("")).ok());
  EXPECT_TRUE(ListWith(stack().TlsCredentials("operator")).ok());
}

TEST_F(PunchoutTlsTest, Finding1_PlaintextPunchoutIsRefused) {
  const std::string integration = NewIntegration("tls-plaintext");
  ASSERT_FALSE(integration.empty());
  std::string log;
  grpc::Status st =
      StartOn({"--credentials-ca-file=", "--credentials-cert-file=", "--credentials-key-file="},
              integration, &log);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  // Plaintext is never silent.
  EXPECT_THAT(log, HasSubstr("gRPC client without TLS"));
  EXPECT_FALSE(ListWith(grpc::InsecureChannelCredentials()).ok());
}

TEST_F(PunchoutTlsTest, Finding1_IncompleteClientTlsFlagsStopStartup) {
  std::vector<std::string> args = {"serve"};
  for (const std::string& a : stack().Args(Service::kPunchout)) args.push_back(a);
  for (const char* a : {"--grpc-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                        "--http-listen", "127.0.0.1:0", "--credentials-key-file="}) {
    args.push_back(a);
  }
  auto r = RunCommand(TestStack::Binary(Service::kPunchout), args, {}, absl::Seconds(60));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NE(r->exit_code, 0) << r->output;
  EXPECT_THAT(r->output, HasSubstr("needs both its cert and key file"));
}

}  // namespace
}  // namespace iob::punchout::testing

// The punchout failure paths with real processes: a secret the supplier no
// longer accepts, supplier faults injected through the simulator's admin API
// (HTTP 500/503, cXML 500/400, a timeout past --supplier-timeout, a reset
// connection), the egress policy refusing a supplier URL, an expired
// session's late cart; each checked through gRPC codes, the session's state
// and iob_punchout_sessions_started_total.
#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/integration/punchout/punchout_test_util.h"

namespace iob::punchout::testing {
namespace {

using ::testing::HasSubstr;

class PunchoutFailureTest : public PunchoutStackTest<PunchoutFailureTest> {
 public:
  // The default short supplier timeout (2 s) cuts the injected hang off quickly.
  static PunchoutStackOptions StackOptions() { return {.supplier_timeout = "2s"}; }

 protected:
  void TearDown() override {
    if (stack_ != nullptr) (void)stack_->SimPost("/admin/faults/clear", "");
  }

  std::string NewIntegration(const std::string& id, SimGroup* group_out = nullptr,
                             const std::string& punchout_url = "") {
    auto group = stack().CreateSimGroup();
    EXPECT_TRUE(group.ok()) << group.status();
    if (!group.ok()) return "";
    auto in = CreateIntegration(stack(), "acme", id, *group, punchout_url);
    EXPECT_TRUE(in.ok()) << in.status();
    if (group_out != nullptr) *group_out = *group;
    return in.ok() ? in->name() : "";
  }

  // The acme session of `email` in `state` (none: an empty Session).
  pb::Session FindSession(const std::string& email, pb::SessionState state) {
    pb::ListSessionsRequest req;
    req.set_parent("tenants/acme");
    req.set_state(state);
    req.set_page_size(1000);
    pb::ListSessionsResponse resp;
    grpc::Status st = stack().Punchout()->ListSessions(stack().Ctx("platform").get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    for (const auto& s : resp.sessions()) {
      if (s.user().email() == email) return s;
    }
    return {};
  }
};

TEST_F(PunchoutFailureTest, RotatedSecretIsRejectedAsACredentialsProblem) {
  SimGroup group;
  const std::string integration = NewIntegration("rotated", &group);
  ASSERT_FALSE(integration.empty());
  pb::Session ok;
  ASSERT_TRUE(StartCreate(stack(), "acme", integration, "before.rotate@acme.example", &ok).ok());

  cpb::RotateSharedSecretRequest rotate;
  rotate.set_name(integration);
  rotate.set_shared_secret("a-new-secret-the-supplier-never-saw");
  cpb::Integration rotated;
  grpc::Status st =
      stack().Credentials()->RotateSharedSecret(stack().Ctx("admin").get(), rotate, &rotated);
  ASSERT_TRUE(st.ok()) << st.error_message();

  const double rejected = StartedTotal(stack(), "rejected");
  const int64_t sim_401 = stack().SimOutcomeCount("punchout", "cxml_401");
  pb::Session s;
  st = StartCreate(stack(), "acme", integration, "after.rotate@acme.example", &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_THAT(st.error_message(), HasSubstr("credentials"));
  EXPECT_THAT(st.error_message(), ::testing::Not(HasSubstr("a-new-secret")));
  EXPECT_EQ(StartedTotal(stack(), "rejected"), rejected + 1);
  EXPECT_EQ(stack().SimOutcomeCount("punchout", "cxml_401"), sim_401 + 1);
  const pb::Session failed = FindSession("after.rotate@acme.example", pb::SESSION_STATE_FAILED);
  EXPECT_FALSE(failed.name().empty()) << "the session is kept, FAILED";
  EXPECT_THAT(failed.failure_reason(), HasSubstr("credentials"));
  EXPECT_TRUE(failed.start_page_url().empty());
}

struct Fault {
  std::string name;
  std::string json;  // POST /admin/faults
  grpc::StatusCode code;
  std::string outcome;  // iob_punchout_sessions_started_total label
  std::string message;  // part of the gRPC message
};

class SupplierFaultTest : public PunchoutFailureTest,
                          public ::testing::WithParamInterface<Fault> {};

TEST_P(SupplierFaultTest, SessionFailsWithTheRightCode) {
  const Fault& f = GetParam();
  const std::string integration = NewIntegration("fault-" + f.name);
  ASSERT_FALSE(integration.empty());
  auto set = stack().SimPost("/admin/faults", f.json);
  ASSERT_TRUE(set.ok()) << set.status();

  const double before = StartedTotal(stack(), f.outcome);
  const std::string email = absl::StrCat("fault.", f.name, "@acme.example");
  pb::Session s;
  grpc::Status st = StartCreate(stack(), "acme", integration, email, &s);
  EXPECT_EQ(st.error_code(), f.code) << st.error_message();
  EXPECT_THAT(st.error_message(), HasSubstr(f.message));
  EXPECT_EQ(StartedTotal(stack(), f.outcome), before + 1);

  const pb::Session failed = FindSession(email, pb::SESSION_STATE_FAILED);
  ASSERT_FALSE(failed.name().empty()) << "no FAILED session for " << email;
  EXPECT_EQ(failed.failure_reason(), st.error_message());
  pb::GetSessionRequest get;
  get.set_name(failed.name());
  pb::Session got;
  ASSERT_TRUE(stack().Punchout()->GetSession(stack().Ctx("platform").get(), get, &got).ok());
  EXPECT_EQ(got.state(), pb::SESSION_STATE_FAILED);

  // The fault fired once; the next session works.
  ASSERT_TRUE(stack().SimPost("/admin/faults/clear", "").ok());
  pb::Session next;
  st = StartCreate(stack(), "acme", integration, "recovered." + email, &next);
  EXPECT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(next.state(), pb::SESSION_STATE_STARTED);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, SupplierFaultTest,
    ::testing::Values(
        Fault{"http500", R"({"punchout":{"http_500":1.0,"times":1}})",
              grpc::StatusCode::UNAVAILABLE, "supplier_error", "HTTP 500"},
        Fault{"http503", R"({"punchout":{"http_503":1.0,"times":1}})",
              grpc::StatusCode::UNAVAILABLE, "supplier_error", "HTTP 503"},
        Fault{"cxml500", R"({"punchout":{"cxml_status":500,"cxml_status_p":1.0,"times":1}})",
              grpc::StatusCode::UNAVAILABLE, "supplier_error", "cXML 500"},
        Fault{"cxml400", R"({"punchout":{"cxml_status":400,"cxml_status_p":1.0,"times":1}})",
              grpc::StatusCode::FAILED_PRECONDITION, "rejected", "cXML 400"},
        Fault{"timeout", R"({"punchout":{"timeout":1.0,"timeout_ms":8000,"times":1}})",
              grpc::StatusCode::UNAVAILABLE, "unavailable", "did not answer in time"},
        // Every attempt: libcurl re-sends a request once when a reused
        // keep-alive connection dies before any answer (see the test below).
        Fault{"reset", R"({"punchout":{"reset":1.0}})", grpc::StatusCode::UNAVAILABLE,
              "unavailable", "cannot reach supplier"}),
    [](const ::testing::TestParamInfo<Fault>& info) { return info.param.name; });

TEST_F(PunchoutFailureTest, EgressPolicyRefusesAHostNotAllowListedForPlainHttp) {
  // Credentials stores it (localhost is one of its test-mode hosts), but
  // iob-punchout only allows plain http to 127.0.0.1.
  const std::string url =
      absl::StrCat("http://localhost:", stack().http_port(Service::kSupplierSim), "/punchout");
  const std::string integration = NewIntegration("egress", nullptr, url);
  ASSERT_FALSE(integration.empty());
  auto before = stack().SimReceived("punchout");
  ASSERT_TRUE(before.ok());
  const double denied = StartedTotal(stack(), "egress_denied");
  pb::Session s;
  grpc::Status st = StartCreate(stack(), "acme", integration, "egress@acme.example", &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_THAT(st.error_message(), HasSubstr("egress policy"));
  EXPECT_THAT(st.error_message(), HasSubstr("localhost"));
  EXPECT_EQ(StartedTotal(stack(), "egress_denied"), denied + 1);
  auto after = stack().SimReceived("punchout");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), before->size()) << "nothing may reach the supplier";
  EXPECT_FALSE(FindSession("egress@acme.example", pb::SESSION_STATE_FAILED).name().empty());
}

TEST_F(PunchoutFailureTest, CredentialsRefusesPlainHttpToOtherHostsInTheFirstPlace) {
  // The first layer: a URL that is neither https nor a test-mode host is
  // never stored, so it never reaches punchout's egress policy.
  auto group = stack().CreateSimGroup();
  ASSERT_TRUE(group.ok());
  auto in =
      CreateIntegration(stack(), "acme", "private-http", *group, "http://10.1.2.3:8080/punchout");
  EXPECT_EQ(in.status().code(), absl::StatusCode::kInvalidArgument) << in.status();
  EXPECT_THAT(std::string(in.status().message()), HasSubstr("punchout_url"));
}

TEST_F(PunchoutFailureTest, ACartPostedAfterExpiryIsGone) {
  int http_port = 0;
  auto short_lived = stack().StartExtra(Service::kPunchout, {"--session-ttl", "1s"}, &http_port);
  ASSERT_TRUE(short_lived.ok()) << short_lived.status();
  const std::string integration = NewIntegration("expiry");
  ASSERT_FALSE(integration.empty());
  auto stub = stack().PunchoutAt((*short_lived)->grpc_address());
  pb::StartSessionRequest req;
  req.set_parent("tenants/acme");
  req.set_integration(integration);
  req.mutable_user()->set_id("u-exp");
  req.mutable_user()->set_email("late@acme.example");
  pb::Session s;
  grpc::Status st = stub->StartSession(stack().Ctx("platform").get(), req, &s);
  ASSERT_TRUE(st.ok()) << st.error_message();

  auto page = ShopAndCheckout(s.start_page_url(), {{"B0SIMPEN12", 1}});
  ASSERT_TRUE(page.ok()) << page.status();
  auto form = ParseAutoPostForm(*page);
  ASSERT_TRUE(form.ok()) << form.status();
  EXPECT_THAT(form->action, HasSubstr(absl::StrCat(":", http_port, "/punchout/cart/")));

  // Wait until the session is past its expiry (same clock as the service).
  const absl::Time expiry = absl::FromUnixMicros(
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(s.expire_time()));
  for (int i = 0; i < 200 && absl::Now() <= expiry + absl::Milliseconds(50); ++i) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_GT(absl::Now(), expiry);
  auto r = SubmitAutoPost(*form);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 410) << r->body;
  EXPECT_THAT(r->body, HasSubstr("expired"));

  pb::GetSessionRequest get;
  get.set_name(s.name());
  pb::Session now;
  ASSERT_TRUE(stub->GetSession(stack().Ctx("platform").get(), get, &now).ok());
  EXPECT_EQ(now.state(), pb::SESSION_STATE_EXPIRED);
  pb::GetCartRequest cart_req;
  cart_req.set_session(s.name());
  pb::Cart cart;
  EXPECT_EQ(stub->GetCart(stack().Ctx("platform").get(), cart_req, &cart).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // Posting again is still 410.
  auto again = SubmitAutoPost(*form);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 410);
}

TEST_F(PunchoutFailureTest, MetricsCountEveryOutcome) {
  const std::string m = stack().Metrics(Service::kPunchout);
  ASSERT_FALSE(m.empty());
  EXPECT_THAT(m, HasSubstr("# TYPE iob_punchout_sessions_started_total counter"));
  for (const std::string outcome :
       {"ok", "rejected", "supplier_error", "unavailable", "egress_denied", "invalid_response"}) {
    EXPECT_THAT(m, HasSubstr(absl::StrCat("outcome=\"", outcome, "\""))) << outcome;
  }
  // One more ok start shows up in the counter (a fresh read, not a cache).
  const std::string integration = NewIntegration("metrics");
  ASSERT_FALSE(integration.empty());
  const double ok = StartedTotal(stack(), "ok");
  pb::Session s;
  ASSERT_TRUE(StartCreate(stack(), "acme", integration, "metrics@acme.example", &s).ok());
  EXPECT_EQ(StartedTotal(stack(), "ok"), ok + 1);
  EXPECT_EQ(SampleSum(stack().Metrics(Service::kPunchout), "iob_punchout_sessions_started_total",
                      {{"supplier", "amazon-business"}, {"outcome", "ok"}}),
            ok + 1);
}

// A client retrying with the same request_id after UNAVAILABLE gets a new
// attempt, not the failed session.
TEST_F(PunchoutFailureTest, RetryWithTheSameRequestIdAfterAFailureStartsAfresh) {
  const std::string integration = NewIntegration("retry-request-id");
  ASSERT_FALSE(integration.empty());
  ASSERT_TRUE(stack().SimPost("/admin/faults", R"({"punchout":{"http_503":1.0,"times":1}})").ok());
  pb::StartSessionRequest req;
  req.set_parent("tenants/acme");
  req.set_integration(integration);
  req.mutable_user()->set_id("retry");
  req.mutable_user()->set_email("retry@acme.example");
  req.set_request_id("req-retry-1");
  pb::Session first;
  grpc::Status st = stack().Punchout()->StartSession(stack().Ctx("platform").get(), req, &first);
  ASSERT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();

  pb::Session second;
  st = stack().Punchout()->StartSession(stack().Ctx("platform").get(), req, &second);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(second.state(), pb::SESSION_STATE_STARTED);
  EXPECT_FALSE(second.start_page_url().empty());

  // And once it succeeded, the same id returns that session again.
  pb::Session third;
  ASSERT_TRUE(stack().Punchout()->StartSession(stack().Ctx("platform").get(), req, &third).ok());
  EXPECT_EQ(third.name(), second.name());
}

}  // namespace
}  // namespace iob::punchout::testing

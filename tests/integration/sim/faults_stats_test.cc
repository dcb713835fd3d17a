// Fault injection and traffic counters, observed by a real HTTP client.
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/reader.h"
#include "nlohmann/json.hpp"
#include "tests/integration/sim/sim_harness.h"

namespace iob::sim::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kPostUrl[] = "http://127.0.0.1:9/return";

class SimFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    group_ = h_.CreateGroup();
    setup_xml_ = SetupXml(group_.from_identity, group_.shared_secret, CreateRequest("f", kPostUrl));
  }

  void SetFaults(const std::string& json) {
    auto r = h_.Post("/admin/faults", json, "application/json");
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body;
  }

  absl::StatusOr<http::HttpResponse> SendSetup(http::HttpClient& client) {
    http::HttpRequest r;
    r.url = h_.base() + "/punchout";
    r.body = setup_xml_;
    r.content_type = "text/xml";
    return client.Send(r);
  }
  absl::StatusOr<http::HttpResponse> SendSetup() {
    return h_.Post("/punchout", setup_xml_, "text/xml");
  }

  // The punchout outcome counter, waiting briefly for handlers that finish
  // after the client gave up.
  int64_t Outcome(const std::string& name, int64_t at_least = 1) {
    int64_t n = 0;
    for (int i = 0; i < 100; ++i) {
      auto r = h_.Get("/admin/stats");
      if (!r.ok()) return -1;
      auto j = nlohmann::json::parse(r->body);
      n = j["endpoints"]["punchout"]["outcomes"].value(name, int64_t{0});
      if (n >= at_least) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return n;
  }

  SimHarness h_;
  GroupCredentials group_;
  std::string setup_xml_;
};

TEST_F(SimFaults, Http500And503UntilCleared) {
  SetFaults(R"({"punchout": {"http_500": 1.0}})");
  auto r = SendSetup();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 500);

  SetFaults(R"({"punchout": {"http_503": 1.0}})");
  r = SendSetup();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  bool retry_after = false;
  for (const auto& [k, v] : r->headers) retry_after |= (k == "Retry-After" || k == "retry-after");
  EXPECT_TRUE(retry_after);

  auto clear = h_.Post("/admin/faults/clear", "", "application/json");
  ASSERT_TRUE(clear.ok());
  EXPECT_EQ(clear->status, 200);
  r = SendSetup();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("<StartPage>"));
  EXPECT_EQ(Outcome("fault_http_500"), 1);
  EXPECT_EQ(Outcome("fault_http_503"), 1);
  EXPECT_EQ(Outcome("ok"), 1);
}

TEST_F(SimFaults, CxmlStatusRides200) {
  SetFaults(R"({"punchout": {"cxml_status": 500}})");
  auto r = h_.PunchOut(setup_xml_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status.code, 500);
  EXPECT_FALSE(r->punch_out_setup_response.has_value());

  SetFaults(R"({"punchout": {"cxml_status": 401, "cxml_status_p": 1.0}})");
  r = h_.PunchOut(setup_xml_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status.code, 401);
  EXPECT_EQ(Outcome("fault_cxml_500"), 1);
  EXPECT_EQ(Outcome("fault_cxml_401"), 1);
}

TEST_F(SimFaults, ResetClosesWithoutAnswer) {
  SetFaults(R"({"punchout": {"reset": 1.0}})");
  // A fresh connection: on a reused one curl itself retries once after a
  // reset, which would count two.
  auto fresh = LoopbackClient();
  auto r = SendSetup(*fresh);
  ASSERT_FALSE(r.ok()) << "got HTTP " << r->status;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_EQ(Outcome("fault_reset"), 1);
  // The server is fine afterwards.
  ASSERT_TRUE(h_.Post("/admin/faults/clear", "", "").ok());
  auto ok = SendSetup();
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->status, 200);
}

TEST_F(SimFaults, TimeoutHoldsUntilTheClientGivesUp) {
  SetFaults(R"({"punchout": {"timeout": 1.0, "timeout_ms": 30000}})");
  auto impatient = LoopbackClient(absl::Milliseconds(700));
  auto r = SendSetup(*impatient);
  ASSERT_FALSE(r.ok()) << "got HTTP " << r->status;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  // The held request ends once the client has gone (well before 30 s).
  EXPECT_EQ(Outcome("fault_timeout"), 1);
}

TEST_F(SimFaults, LatencyDelaysButAnswers) {
  SetFaults(R"({"punchout": {"latency_ms": 1500}})");
  auto impatient = LoopbackClient(absl::Milliseconds(300));
  auto late = SendSetup(*impatient);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded) << late.status();

  SetFaults(R"({"punchout": {"latency_ms": 200}})");
  auto r = SendSetup();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("<StartPage>"));
}

TEST_F(SimFaults, SlowBodyArrivesIntact) {
  SetFaults(R"({"punchout": {"slow_body": 1.0, "slow_body_ms": 400}})");
  auto r = SendSetup();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  auto doc = cxml::ReadDocument(r->body);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(cxml::TypeOf(*doc), cxml::DocumentType::kPunchOutSetupResponse);
  EXPECT_EQ(Outcome("fault_slow_body"), 1);

  SetFaults(R"({"punchout": {"slow_body": 1.0, "slow_body_ms": 5000}})");
  auto impatient = LoopbackClient(absl::Milliseconds(500));
  auto cut = SendSetup(*impatient);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), absl::StatusCode::kDeadlineExceeded) << cut.status();
}

TEST_F(SimFaults, TimesLimitsHowOftenAFaultFires) {
  SetFaults(R"({"punchout": {"http_500": 1.0, "times": 2}})");
  for (int want : {500, 500, 200}) {
    auto r = SendSetup();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, want);
  }
}

TEST_F(SimFaults, ShopEndpointsFailToo) {
  std::string token = h_.StartSession(group_, CreateRequest("s", kPostUrl));
  SetFaults(R"({"shop": {"http_503": 1.0}, "checkout": {"http_500": 1.0}})");
  auto page = h_.Get("/shop/" + token);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 503);
  auto checkout = h_.PostForm("/shop/" + token + "/checkout", {});
  ASSERT_TRUE(checkout.ok());
  EXPECT_EQ(checkout->status, 500);
  // Punchout itself is unaffected.
  auto r = SendSetup();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

TEST_F(SimFaults, InvalidFaultSettingsAreRefusedAndChangeNothing) {
  SetFaults(R"({"punchout": {"http_500": 1.0}})");
  for (const std::string bad :
       {R"({"nowhere": {"http_500": 1.0}})", R"({"punchout": {"http_500": 1.5}})",
        R"({"punchout": {"explode": 1.0}})", R"({"punchout": {"latency_ms": 999999}})",
        R"({"punchout": {"cxml_status": 5}})", R"([1])", "{"}) {
    auto r = h_.Post("/admin/faults", bad, "application/json");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400) << bad;
  }
  auto current = h_.Get("/admin/faults");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(nlohmann::json::parse(current->body)["punchout"]["http_500"], 1.0);
}

TEST_F(SimFaults, StatsAndReceivedDocuments) {
  ASSERT_TRUE(SendSetup().ok());
  ASSERT_TRUE(h_.Post("/punchout", "<broken", "text/xml").ok());
  ASSERT_TRUE(
      h_.PunchOut(SetupXml(group_.from_identity, "wrong", CreateRequest("x", kPostUrl))).ok());

  auto stats = h_.Get("/admin/stats");
  ASSERT_TRUE(stats.ok());
  auto j = nlohmann::json::parse(stats->body)["endpoints"]["punchout"];
  EXPECT_EQ(j["received"], 3);
  EXPECT_EQ(j["outcomes"]["ok"], 1);
  EXPECT_EQ(j["outcomes"]["cxml_400"], 1);
  EXPECT_EQ(j["outcomes"]["cxml_401"], 1);

  auto received = h_.Get("/admin/received?endpoint=punchout");
  ASSERT_TRUE(received.ok());
  auto docs = nlohmann::json::parse(received->body)["documents"];
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0]["body"], setup_xml_);
  EXPECT_EQ(docs[1]["body"], "<broken");
  // What a test of iob would check: the UserEmail extrinsic went out.
  auto first = cxml::ReadDocument(docs[0]["body"].get<std::string>());
  ASSERT_TRUE(first.ok());
  const auto& req = std::get<cxml::PunchOutSetupRequest>(first->body);
  ASSERT_FALSE(req.extrinsics.empty());
  EXPECT_EQ(req.extrinsics[0].name, "UserEmail");

  auto raw = h_.Get("/admin/received?endpoint=punchout&format=raw");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->status, 200);
  EXPECT_THAT(raw->body, HasSubstr("<SharedSecret>wrong</SharedSecret>"));

  auto missing = h_.Get("/admin/received");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 400);

  ASSERT_TRUE(h_.Post("/admin/stats/reset", "", "").ok());
  auto after = h_.Get("/admin/stats");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(nlohmann::json::parse(after->body)["endpoints"].empty());
}

}  // namespace
}  // namespace iob::sim::testing

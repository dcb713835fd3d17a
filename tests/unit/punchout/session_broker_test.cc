// SessionBroker::Start and ListSuppliers with an in-memory credentials peer
// (FakeCredentialsClient) and a scripted supplier (FakeHttpClient): every way
// the supplier can answer, the gRPC-facing status, the metric outcome and
// the stored session. Sessions live in a real Postgres (IOB_TEST_PG_URL).
#include "services/punchout/session_broker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"
#include "libs/db/migrate.h"
#include "libs/db/pool.h"
#include "libs/http/fake_client.h"
#include "libs/supplier/fake_credentials_client.h"
#include "tests/support/pg_test_db.h"

namespace iob::sql {
const std::vector<iob::db::Migration>& PunchoutMigrations();
}

namespace iob::punchout {
namespace {

using ::testing::HasSubstr;
using Method = supplier::FakeCredentialsClient::Method;

constexpr char kIntegration[] = "tenants/acme/integrations/amazon";

supplier::SupplierEndpoint Endpoint() {
  supplier::SupplierEndpoint e;
  e.integration = kIntegration;
  e.supplier = "amazon-business";
  e.punchout_url = "https://abintegrations.amazon.example/punchout";
  e.allowed_hosts = {"*.amazon.example"};
  e.from = {"NetworkId", "ACME-BUYER", ""};
  e.to = {"NetworkId", "Amazon", ""};
  e.sender = {"NetworkId", "ACME-BUYER", "s3cret-value"};
  return e;
}

// A supplier's answer: a cXML Response with `code`, and a StartPage URL when
// `start_page` is not empty.
std::string ResponseXml(int code, const std::string& text, const std::string& start_page = "") {
  cxml::Document doc = cxml::ExampleDocument(cxml::DocumentType::kResponse);
  cxml::Response response;
  response.status = {code, text, "", ""};
  if (!start_page.empty()) response.punch_out_setup_response = {start_page};
  doc.body = response;
  auto xml = cxml::WriteDocument(doc);
  EXPECT_TRUE(xml.ok()) << xml.status();
  return xml.ok() ? *xml : "";
}

class SessionBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::PgTestDatabase::Create();
    if (db_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
    const testing::ServiceRole role = db_->CreateServiceRole("iob_punchout", "punchout");
    {
      pqxx::connection conn(role.url);
      ASSERT_TRUE(db::Migrate(conn, "punchout", sql::PunchoutMigrations()).ok());
    }
    auto pool = db::Pool::Create({.url = role.url, .schema = "punchout", .size = 2});
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    store_ = std::make_unique<SessionStore>(pool_.get());
    credentials_.AddEndpoint(Endpoint());
    broker_ = std::make_unique<SessionBroker>(BrokerOptions{}, &credentials_, &http_, store_.get(),
                                              &registry_);
  }

  StartRequest Request(const std::string& email) {
    StartRequest r;
    r.tenant = "acme";
    r.integration = kIntegration;
    r.user = {"u-1", email, "Ann Buyer"};
    return r;
  }

  // iob_punchout_sessions_started_total{supplier="amazon-business",outcome}.
  double Started(const std::string& outcome) {
    for (const auto& family : registry_.Collect()) {
      if (family.name != "iob_punchout_sessions_started_total") continue;
      for (const auto& m : family.metric) {
        bool supplier = false, match = false;
        for (const auto& l : m.label) {
          supplier |= l.name == "supplier" && l.value == "amazon-business";
          match |= l.name == "outcome" && l.value == outcome;
        }
        if (supplier && match) return m.counter.value;
      }
    }
    return -1;
  }

  // The tenant's sessions in `state`.
  std::vector<Session> Sessions(SessionState state) {
    auto list = store_->List("acme", state, "", 100);
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? *list : std::vector<Session>{};
  }

  // Starts a session for `email` against `answer` and checks the failure:
  // `code` and `message` in the status, one more `outcome`, and a FAILED
  // session whose reason is the status message.
  void ExpectFailure(const std::string& email, absl::StatusOr<http::HttpResponse> answer,
                     absl::StatusCode code, const std::string& message,
                     const std::string& outcome) {
    http_.Push(std::move(answer));
    const double before = Started(outcome);
    auto s = broker_->Start(Request(email));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), code) << s.status();
    EXPECT_THAT(std::string(s.status().message()), HasSubstr(message));
    EXPECT_THAT(std::string(s.status().message()), ::testing::Not(HasSubstr("s3cret-value")));
    EXPECT_EQ(Started(outcome), before + 1) << outcome;
    const std::vector<Session> failed = Sessions(SessionState::kFailed);
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0].user.email, email);
    EXPECT_EQ(failed[0].failure_reason, s.status().message());
    EXPECT_TRUE(failed[0].start_page_url.empty());
    EXPECT_TRUE(Sessions(SessionState::kStarted).empty());
  }

  std::unique_ptr<testing::PgTestDatabase> db_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<SessionStore> store_;
  supplier::FakeCredentialsClient credentials_;
  http::FakeHttpClient http_;
  prometheus::Registry registry_;
  std::unique_ptr<SessionBroker> broker_;
};

TEST_F(SessionBrokerTest, StartsASessionAtTheSuppliersStartPage) {
  http_.PushResponse(200, ResponseXml(200, "OK", "https://shop.amazon.example/start?s=1"));
  const double before = Started("ok");
  auto s = broker_->Start(Request("ann@acme.example"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->state, SessionState::kStarted);
  EXPECT_EQ(s->start_page_url, "https://shop.amazon.example/start?s=1");
  EXPECT_EQ(s->integration, kIntegration);
  EXPECT_EQ(s->supplier, "amazon-business");
  EXPECT_EQ(Started("ok"), before + 1);

  // The PunchOutSetupRequest went to the endpoint under its allow-list,
  // authenticated with the shared secret and naming the session's cookie.
  const std::vector<http::HttpRequest> sent = http_.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].url, "https://abintegrations.amazon.example/punchout");
  EXPECT_EQ(sent[0].allowed_hosts, std::vector<std::string>{"*.amazon.example"});
  auto doc = cxml::ReadDocumentOfType(sent[0].body, cxml::DocumentType::kPunchOutSetupRequest);
  ASSERT_TRUE(doc.ok()) << doc.status();
  ASSERT_EQ(doc->header.sender.size(), 1u);
  EXPECT_EQ(doc->header.sender[0].shared_secret, "s3cret-value");
  const auto& setup = std::get<cxml::PunchOutSetupRequest>(doc->body);
  EXPECT_EQ(setup.buyer_cookie, s->buyer_cookie);
  EXPECT_EQ(Sessions(SessionState::kStarted).size(), 1u);
}

TEST_F(SessionBrokerTest, Cxml401IsARejectionOfOurCredentials) {
  ExpectFailure("cxml401@acme.example",
                http::HttpResponse{200, ResponseXml(401, "Unauthorized"), "text/xml", {}},
                absl::StatusCode::kFailedPrecondition,
                "supplier rejected our credentials (cXML 401 Unauthorized)", "rejected");
}

TEST_F(SessionBrokerTest, Http401WithoutCxmlIsARejection) {
  ExpectFailure("http401@acme.example", http::HttpResponse{401, "Unauthorized", "text/plain", {}},
                absl::StatusCode::kFailedPrecondition, "supplier answered HTTP 401", "rejected");
}

TEST_F(SessionBrokerTest, Http5xxIsASupplierError) {
  ExpectFailure("http503@acme.example", http::HttpResponse{503, "busy", "text/html", {}},
                absl::StatusCode::kUnavailable, "supplier answered HTTP 503", "supplier_error");
}

TEST_F(SessionBrokerTest, TimeoutIsUnavailable) {
  ExpectFailure("timeout@acme.example",
                absl::DeadlineExceededError("request to host 'x' timed out"),
                absl::StatusCode::kUnavailable, "supplier did not answer in time", "unavailable");
}

TEST_F(SessionBrokerTest, BadXmlIsAnInvalidResponse) {
  ExpectFailure("badxml@acme.example", http::HttpResponse{200, "<cXML><Response>", "text/xml", {}},
                absl::StatusCode::kUnavailable, "supplier sent an invalid response",
                "invalid_response");
}

TEST_F(SessionBrokerTest, ResponseWithoutStartPageIsAnInvalidResponse) {
  ExpectFailure("nostart@acme.example",
                http::HttpResponse{200, ResponseXml(200, "OK"), "text/xml", {}},
                absl::StatusCode::kUnavailable, "no http(s) StartPage URL", "invalid_response");
}

TEST_F(SessionBrokerTest, EgressPolicyRefusalIsAFailedPrecondition) {
  ExpectFailure("egress@acme.example",
                absl::PermissionDeniedError("egress policy: host 'localhost' is not allowed"),
                absl::StatusCode::kFailedPrecondition,
                "supplier punchout URL refused: egress policy: host 'localhost'", "egress_denied");
}

TEST_F(SessionBrokerTest, CredentialsErrorsPassThroughAndNothingIsSent) {
  credentials_.FailNext(Method::kResolve, absl::FailedPreconditionError("integration disabled"));
  auto s = broker_->Start(Request("disabled@acme.example"));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition) << s.status();
  StartRequest other = Request("unknown@acme.example");
  other.integration = "tenants/acme/integrations/unknown";
  EXPECT_EQ(broker_->Start(other).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(http_.requests().empty());
  EXPECT_TRUE(Sessions(SessionState::kFailed).empty());
  EXPECT_EQ(credentials_.calls(Method::kResolve), 2);
}

TEST_F(SessionBrokerTest, ListSuppliersIsTheTenantsActiveTiles) {
  credentials_.AddTile("acme", {kIntegration, "amazon-business", "Amazon Business", false});
  auto tiles = broker_->ListSuppliers("acme");
  ASSERT_TRUE(tiles.ok()) << tiles.status();
  ASSERT_EQ(tiles->size(), 1u);
  EXPECT_EQ((*tiles)[0].display_name, "Amazon Business");
  EXPECT_FALSE((*tiles)[0].approval_required);
  credentials_.FailNext(Method::kListActive, absl::UnavailableError("credentials down"));
  EXPECT_EQ(broker_->ListSuppliers("acme").status().code(), absl::StatusCode::kUnavailable);
}

// ---- issue 8 --------------------------------------------------------------

// A PunchOutOrderMessage for `cookie`: one line of `quantity` x `price` USD,
// stating `total`.
std::string CartXml(const std::string& cookie, const std::string& quantity,
                    const std::string& price, const std::string& total) {
  cxml::Document doc = cxml::ExampleDocument(cxml::DocumentType::kPunchOutOrderMessage);
  cxml::PunchOutOrderMessage m;
  m.buyer_cookie = cookie;
  m.total = {total, "USD"};
  cxml::ItemIn in;
  in.quantity = quantity;
  in.line_number = "1";
  in.item_id.supplier_part_id = "B00PEN";
  in.item_detail.unit_price = {price, "USD"};
  in.item_detail.descriptions = {{"en", "Pens", ""}};
  in.item_detail.unit_of_measure = "EA";
  in.item_detail.classifications = {{"UNSPSC", "", "44121701"}};
  m.items = {in};
  doc.body = m;
  auto xml = cxml::WriteDocument(doc);
  EXPECT_TRUE(xml.ok()) << xml.status();
  return xml.ok() ? *xml : "";
}

class SessionBrokerIssue8Test : public SessionBrokerTest {
 protected:
  // Starts a session for `email` and returns it with the one-time token of
  // its BrowserFormPost URL.
  std::pair<Session, std::string> StartWithToken(const std::string& email) {
    http_.PushResponse(200, ResponseXml(200, "OK", "https://shop.amazon.example/start"));
    auto s = broker_->Start(Request(email));
    EXPECT_TRUE(s.ok()) << s.status();
    const std::vector<http::HttpRequest> sent = http_.requests();
    auto doc =
        cxml::ReadDocumentOfType(sent.back().body, cxml::DocumentType::kPunchOutSetupRequest);
    EXPECT_TRUE(doc.ok()) << doc.status();
    if (!s.ok() || !doc.ok()) return {};
    const std::string url = std::get<cxml::PunchOutSetupRequest>(doc->body).browser_form_post_url;
    return {*s, url.substr(url.rfind('/') + 1)};
  }

  // Starts a session and posts it a good cart (2 x 5.00 = 10.00 USD).
  Session WithCart(const std::string& email) {
    auto [s, token] = StartWithToken(email);
    const CartPostResult r =
        broker_->ReceiveCart(token, CartXml(s.buyer_cookie, "2", "5.00", "10.00"), "text/xml");
    EXPECT_TRUE(r.status.ok()) << r.status;
    return s;
  }
};

TEST_F(SessionBrokerIssue8Test, Finding2_CartWhoseTotalDiffersFromItsLinesIsRefused) {
  auto [s, token] = StartWithToken("total@acme.example");
  // 1000 x 500.00 = 500000.00 made to look like 0.01.
  const CartPostResult r =
      broker_->ReceiveCart(token, CartXml(s.buyer_cookie, "1000", "500.00", "0.01"), "text/xml");
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument) << r.status;
  EXPECT_THAT(std::string(r.status.message()), HasSubstr("does not match its lines"));
  EXPECT_THAT(std::string(r.status.message()), HasSubstr("500000.00 USD"));
  EXPECT_EQ(store_->GetCart("acme", s.id).status().code(), absl::StatusCode::kFailedPrecondition);
  // A negative line is refused the same way, however the total is stated.
  const CartPostResult negative =
      broker_->ReceiveCart(token, CartXml(s.buyer_cookie, "-1", "500.00", "-500.00"), "text/xml");
  EXPECT_EQ(negative.status.code(), absl::StatusCode::kInvalidArgument) << negative.status;
  EXPECT_THAT(std::string(negative.status.message()), HasSubstr("negative"));
}

TEST_F(SessionBrokerIssue8Test, Finding2_CheckoutTotalIsTheComputedOne) {
  auto [s, token] = StartWithToken("rounded@acme.example");
  // 3 x 0.333 = 0.999: the supplier rounded to 1.00, within tolerance.
  const CartPostResult r =
      broker_->ReceiveCart(token, CartXml(s.buyer_cookie, "3", "0.333", "1.00"), "text/xml");
  ASSERT_TRUE(r.status.ok()) << r.status;
  auto draft = broker_->Checkout("acme", s.id);
  ASSERT_TRUE(draft.ok()) << draft.status();
  EXPECT_EQ(draft->cart.total.amount, "0.999");
  EXPECT_EQ(draft->cart.total.currency, "USD");
}

TEST_F(SessionBrokerIssue8Test, Finding3_CheckoutRefusedOnceTheIntegrationIsDisabled) {
  const Session s = WithCart("disable@acme.example");
  credentials_.Disable(kIntegration);
  auto draft = broker_->Checkout("acme", s.id);
  EXPECT_EQ(draft.status().code(), absl::StatusCode::kFailedPrecondition) << draft.status();
  EXPECT_THAT(std::string(draft.status().message()), HasSubstr("disabled"));
  auto after = store_->Get("acme", s.id);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->state, SessionState::kCartReceived) << "a refused checkout changes nothing";
  // Read without resolving the secret (no audited resolve per checkout).
  EXPECT_EQ(credentials_.calls(Method::kGet), 1);
  EXPECT_EQ(credentials_.calls(Method::kResolve), 1);  // the Start
  // Enabled again, it checks out.
  credentials_.AddEndpoint(Endpoint());
  EXPECT_TRUE(broker_->Checkout("acme", s.id).ok());
}

TEST_F(SessionBrokerIssue8Test, Finding3_CheckoutTakesTheApprovalSwitchAsItIsNow) {
  supplier::SupplierEndpoint no_approval = Endpoint();
  no_approval.approval_required = false;
  credentials_.AddEndpoint(no_approval);
  const Session s = WithCart("approval@acme.example");
  EXPECT_FALSE(s.approval_required);
  credentials_.AddEndpoint(Endpoint());  // approval turned on after the start
  auto draft = broker_->Checkout("acme", s.id);
  ASSERT_TRUE(draft.ok()) << draft.status();
  EXPECT_TRUE(draft->session.approval_required);
  EXPECT_TRUE(store_->Get("acme", s.id)->approval_required);
  // A deleted integration is no precondition for a checkout either.
  credentials_.FailNext(Method::kGet, absl::NotFoundError("integration not found"));
  EXPECT_EQ(broker_->Checkout("acme", s.id).status().code(), absl::StatusCode::kFailedPrecondition);
  credentials_.FailNext(Method::kGet, absl::UnavailableError("credentials down"));
  EXPECT_EQ(broker_->Checkout("acme", s.id).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(SessionBrokerIssue8Test, Finding12_SupplierStatusTextIsBoundedAndSecretScrubbedInTheRow) {
  const std::string echoed =
      "bad credential s3cret-value " + std::string(100000, 'x') + " s3cret-value";
  http_.PushResponse(200, ResponseXml(400, echoed));
  auto s = broker_->Start(Request("huge@acme.example"));
  ASSERT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition) << s.status();
  EXPECT_LE(s.status().message().size(), 503u);
  const std::vector<Session> failed = Sessions(SessionState::kFailed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_LE(failed[0].failure_reason.size(), 503u);
  EXPECT_THAT(failed[0].failure_reason, HasSubstr("bad credential [redacted]"));
  EXPECT_THAT(failed[0].failure_reason, ::testing::Not(HasSubstr("s3cret-value")));
}

TEST_F(SessionBrokerIssue8Test, Finding13_StartPageOnAHostTheIntegrationDoesNotAllowIsRefused) {
  const double before = Started("invalid_response");
  http_.PushResponse(200, ResponseXml(200, "OK", "https://phish.example/login"));
  auto s = broker_->Start(Request("phish@acme.example"));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition) << s.status();
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("'phish.example'"));
  http_.PushResponse(200, ResponseXml(200, "OK", "http://shop.amazon.example/start"));
  auto plain = broker_->Start(Request("plain@acme.example"));
  EXPECT_EQ(plain.status().code(), absl::StatusCode::kFailedPrecondition) << plain.status();
  EXPECT_THAT(std::string(plain.status().message()), HasSubstr("https required"));
  EXPECT_EQ(Started("invalid_response"), before + 2);
  EXPECT_EQ(Sessions(SessionState::kFailed).size(), 2u);
  EXPECT_TRUE(Sessions(SessionState::kStarted).empty());

  // Over http only where the egress policy allows the host over http.
  BrokerOptions options;
  options.plain_http_hosts = {"shop.amazon.example"};
  SessionBroker broker(options, &credentials_, &http_, store_.get(), &registry_);
  http_.PushResponse(200, ResponseXml(200, "OK", "http://shop.amazon.example/start"));
  auto allowed = broker.Start(Request("plain-ok@acme.example"));
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_EQ(allowed->start_page_url, "http://shop.amazon.example/start");
}

TEST_F(SessionBrokerIssue8Test, Finding13_StartSessionLineFieldsAreChecked) {
  StartRequest r = Request("lines@acme.example");
  r.operation = Operation::kEdit;
  CartLine l;
  l.line_number = 1;
  l.quantity = "1";
  l.supplier_part_id = "B00PEN";
  l.supplier_part_auxiliary_id = "</SupplierPartAuxiliaryID><Extrinsic name=\"x\">";
  l.unit_price = {"1.00", "USD"};
  l.unit_of_measure = "EA";
  r.lines = {l};
  auto s = broker_->Start(r);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << s.status();
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("lines[0].supplier_part_auxiliary_id"));
  EXPECT_TRUE(http_.requests().empty()) << "nothing is sent for a refused start";
}

}  // namespace
}  // namespace iob::punchout

// The whole Integrated Online Buying journey, every service a separate
// process (tests/support/test_stack.h): the admin's four set-up steps (the
// e-invoicing address registered at the supplier, a punchout group, its
// credentials in the vault, the dispatch rule), a punchout in Debian
// Chromium (shop.test.mjs), checkout, approval and submit, the order
// delivered, confirmed and shipped by the supplier simulator, and the
// supplier's invoice mailed into intake's Maildir and matched. Then the
// variants: approval off, supplier faults, a rejected order, a late
// confirmation, the invoice before the ship notice, and an invoice that
// does not match. Everything is driven over gRPC and the simulator's admin
// API; every wait is on a condition.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "iob/invoice/v1/invoice_service.grpc.pb.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/timestamp.h"
#include "libs/cxml/writer.h"
#include "libs/http/server.h"
#include "libs/mail/message.h"
#include "tests/integration/dispatch/dispatch_test_util.h"
#include "tests/integration/punchout/punchout_test_util.h"
#include "tests/support/http_client.h"
#include "tests/support/mail_reading.h"
#include "tests/support/wait.h"

namespace iob::journey {
namespace {

namespace cpb = ::iob::credentials::v1;
namespace dpb = ::iob::dispatch::v1;
namespace ipb = ::iob::invoice::v1;
namespace ppb = ::iob::punchout::v1;
using ::iob::dispatch::testing::Approved;
using ::iob::dispatch::testing::CreateSimIntegration;
using ::iob::dispatch::testing::FastDispatchFlags;
using ::iob::dispatch::testing::GetOrder;
using ::iob::dispatch::testing::MakeOrder;
using ::iob::dispatch::testing::Profile;
using ::iob::dispatch::testing::ResetSimulator;
using ::iob::dispatch::testing::SimFulfillment;
using ::iob::dispatch::testing::SimIntegration;
using ::iob::dispatch::testing::SimOrderFaults;
using ::iob::dispatch::testing::WaitForState;
using ::iob::punchout::testing::ShopAndReturnCart;
using ::iob::punchout::testing::StartCreate;
using ::iob::testing::MakeTempDir;
using ::iob::testing::RunCommand;
using ::iob::testing::Service;
using ::iob::testing::TestEnv;
using ::iob::testing::TestStack;
using ::iob::testing::WaitFor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The receiving server whose Authentication-Results intake trusts; the
// simulator writes it on Maildir delivery.
constexpr char kAuthservId[] = "mx.iob.localhost";
constexpr char kChromium[] = "/usr/bin/chromium";
constexpr char kUserEmail[] = "pat@acme.example";
// What shop.mjs (tools/demo) and the libcurl shopper buy: 2 x 8.99 + 1 x 24.00.
const std::vector<std::pair<std::string, int>> kBasket = {{"B0SIMPEN12", 2}, {"B0SIMCOFFE", 1}};
constexpr char kBasketTotal[] = "41.98";
// The supplier's answers after accepting an order (the simulator's
// fulfilment settings), at once as Amazon may send them: a confirmation that
// reaches dispatch before its worker has recorded the delivery is answered
// 560 and sent again. Then the ship notice; or a rejection.
constexpr char kConfirmAndShip[] = R"("confirm":"accept","ship_notice":true)";
constexpr char kReject[] = R"("confirm":"reject")";

std::string JsonString(const std::string& s) { return nlohmann::json(s).dump(); }

std::string FindNode() {
  for (const char* p : {"/usr/bin/node", "/usr/local/bin/node"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

// Why the browser step cannot run here ("" = it can).
std::string BrowserMissing() {
  if (!std::filesystem::exists(kChromium)) {
    return absl::StrCat(kChromium, " missing: apt-get install chromium");
  }
  const std::string modules = TestEnv("IOB_SOURCE_DIR", ".") + "/tests/node/node_modules";
  if (!std::filesystem::exists(modules + "/playwright-core")) {
    return modules + "/playwright-core missing: run ./iob setup (npm ci in tests/node)";
  }
  if (FindNode().empty()) return "node is not installed";
  return "";
}

// The order's states, oldest first, as "delivered", "shipped", ...
std::vector<std::string> States(const dpb::Order& order) {
  std::vector<std::string> out;
  for (const dpb::StateChange& c : order.history()) {
    std::string name = dpb::OrderState_Name(c.state()).substr(sizeof("ORDER_STATE_") - 1);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out.push_back(std::move(name));
  }
  return out;
}

// A stop between the simulator and dispatch's supplier edge that passes
// confirmations on at once but holds ship notices, answering the simulator
// as dispatch would, until Release(): the ship notice is late, so the
// supplier's invoice (mailed once its notice went out) reaches iob first.
// Thread-safe.
class LateShipNotices {
 public:
  explicit LateShipNotices(std::string dispatch_url) : dispatch_url_(std::move(dispatch_url)) {
    server_.Post("/cxml/fulfill", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.body.find("<ShipNoticeRequest") == std::string::npos) return Forward(req, res);
      {
        absl::MutexLock lock(&mu_);
        held_.push_back(req.body);
      }
      cxml::Document ok;
      ok.payload_id = cxml::NewPayloadId(absl::Now(), "journey-test");
      ok.timestamp = cxml::FormatTimestamp(absl::Now());
      ok.body = cxml::Response{};
      res.status = 200;
      res.set_content(cxml::WriteDocument(ok).value_or(""), "text/xml; charset=UTF-8");
    });
  }

  // Where the simulator posts: http://127.0.0.1:<port>/cxml/fulfill.
  absl::StatusOr<std::string> Start() {
    absl::StatusOr<int> port = server_.Start();
    if (!port.ok()) return port.status();
    return absl::StrCat("http://127.0.0.1:", *port, "/cxml/fulfill");
  }

  size_t held() const {
    absl::MutexLock lock(&mu_);
    return held_.size();
  }

  // Posts the held ship notices to dispatch; the HTTP status of each answer.
  std::vector<int> Release() {
    std::vector<std::string> notices;
    {
      absl::MutexLock lock(&mu_);
      notices.swap(held_);
    }
    std::vector<int> statuses;
    for (const std::string& n : notices) {
      auto r = ::iob::testing::Http("POST", dispatch_url_, n, "text/xml");
      statuses.push_back(r.ok() ? r->status : -1);
    }
    return statuses;
  }

 private:
  void Forward(const httplib::Request& req, httplib::Response& res) {
    auto r = ::iob::testing::Http("POST", dispatch_url_, req.body, "text/xml");
    if (!r.ok()) {
      res.status = 502;
      return;
    }
    res.status = r->status;
    res.set_content(r->body, r->content_type);
  }

  const std::string dispatch_url_;
  mutable absl::Mutex mu_;
  std::vector<std::string> held_ ABSL_GUARDED_BY(mu_);
  http::HttpServer server_;  // last: stopped before the members above go
};

// How the simulator mails its invoices.
struct Invoicing {
  std::string maildir;  // "" = the Maildir intake reads
  bool pdf = true;
  bool cxml = false;
};

// What the admin's four set-up steps leave.
struct Tenant {
  std::string id;
  std::string address;         // the e-invoicing address
  SimIntegration integration;  // the group's credentials, the integration's name
};

class JourneyTest : public ::iob::testing::SharedStackTest<JourneyTest> {
 public:
  static std::unique_ptr<TestStack> StartStack(std::string* error) {
    maildir_ = new std::string(MakeTempDir("journey-maildir-"));
    for (const char* sub : {"/new", "/cur", "/tmp"}) {
      std::filesystem::create_directories(*maildir_ + sub);
    }
    auto stack = TestStack::Create({
        .services = {Service::kCredentials, Service::kSupplierSim, Service::kPunchout,
                     Service::kDispatch, Service::kInvoiceIntake},
        .principals =
            {{"punchout", {"integrations.read", "secrets.resolve"}, {"*"}},
             {"dispatch",
              {"integrations.read", "secrets.resolve", "suppliers.verify", "punchout.read"},
              {"*"}},
             {"invoice-intake", {"integrations.read", "suppliers.verify", "orders.read"}, {"*"}},
             {"admin",
              {"integrations.read", "integrations.write", "rules.write", "orders.read",
               "invoices.read"},
              {"*"}},
             {"platform",
              {"punchout.read", "punchout.start", "orders.read", "orders.write", "invoices.read",
               "invoices.write"},
              {"*"}},
             {"gateway", {"messages.ingest"}, {"*"}}},
        .flags = {{Service::kCredentials, {"--supplier-hosts", "amazon-business=127.0.0.1"}},
                  {Service::kDispatch, FastDispatchFlags()},
                  {Service::kInvoiceIntake,
                   {"--mail-domain", "invoices.iob.test", "--maildir", *maildir_,
                    "--trusted-authserv-id", kAuthservId, "--poll-interval", "100ms"}}},
    });
    if (stack == nullptr) return nullptr;
    for (Service s : {Service::kCredentials, Service::kSupplierSim, Service::kPunchout,
                      Service::kDispatch, Service::kInvoiceIntake}) {
      if (absl::Status st = stack->Start(s); !st.ok()) {
        *error = st.ToString();
        return nullptr;
      }
    }
    return stack;
  }

 protected:
  void SetUp() override {
    SharedStackTest::SetUp();
    if (stack_ == nullptr) return;
    ResetSimulator(*stack_);
    EXPECT_TRUE(stack_->SimPost("/admin/invoicing/clear", "").ok());
  }

  // The four set-up steps for tenant `id`: (1) its e-invoicing address,
  // registered at the simulator as where invoices go; (2) a punchout group
  // at the simulator, its four credentials read from the admin API; (3)
  // those in the vault, test mode, approval as given; (4) the dispatch rule
  // as the seed says: electronic PO on, PDF off. Test failures on the way.
  Tenant SetUpTenant(const std::string& id, bool approval_required,
                     const Invoicing& invoicing = {}) {
    Tenant t;
    t.id = id;
    ipb::GetInvoicingAddressRequest address_req;
    address_req.set_parent("tenants/" + id);
    ipb::InvoicingAddress address;
    grpc::Status st =
        stack().Invoices()->GetInvoicingAddress(stack().Ctx("admin").get(), address_req, &address);
    EXPECT_TRUE(st.ok()) << st.error_message();
    t.address = address.address();
    EXPECT_THAT(t.address, ::testing::MatchesRegex(id + "-[a-z0-9]{10}@invoices\\.iob\\.test"));
    EXPECT_TRUE(stack()
                    .SimPost("/admin/invoicing",
                             absl::StrCat(R"({"to":)", JsonString(t.address), R"(,"maildir":)",
                                          JsonString(invoicing.maildir.empty() ? *maildir_
                                                                               : invoicing.maildir),
                                          R"(,"pdf":)", invoicing.pdf ? "true" : "false",
                                          R"(,"cxml":)", invoicing.cxml ? "true" : "false",
                                          R"(,"authserv_id":)", JsonString(kAuthservId), "}"))
                    .ok());

    auto in = CreateSimIntegration(stack(), id, "amazon", Profile::kAmazon, approval_required);
    EXPECT_TRUE(in.ok()) << in.status();
    if (!in.ok()) return t;
    t.integration = *in;
    const ::iob::testing::SimGroup& g = in->group;
    EXPECT_FALSE(g.from_identity.empty());
    EXPECT_FALSE(g.shared_secret.empty());
    EXPECT_EQ(g.punchout_url, stack().http_url(Service::kSupplierSim) + "/punchout");
    EXPECT_EQ(g.order_url, stack().http_url(Service::kSupplierSim) + "/order");
    auto groups = stack().SimGet("/admin/groups");
    EXPECT_TRUE(groups.ok() && groups->dump().find(g.from_identity) != std::string::npos);

    cpb::GetIntegrationRequest get;
    get.set_name(in->name);
    cpb::Integration stored;
    st = stack().Credentials()->GetIntegration(stack().Ctx("admin").get(), get, &stored);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(stored.mode(), cpb::MODE_TEST);
    EXPECT_EQ(stored.require_approval(), approval_required);
    EXPECT_EQ(stored.from().identity(), g.from_identity);
    EXPECT_THAT(stored.DebugString(), ::testing::Not(HasSubstr(g.shared_secret)));

    dpb::UpdateDispatchRuleRequest rule_req;
    rule_req.mutable_rule()->set_name(in->name + "/dispatchRule");
    rule_req.mutable_rule()->set_send_cxml(true);
    rule_req.mutable_rule()->set_send_pdf(false);
    dpb::DispatchRule rule;
    st = stack().Dispatch()->UpdateDispatchRule(stack().Ctx("admin").get(), rule_req, &rule);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_TRUE(rule.send_cxml());
    EXPECT_FALSE(rule.send_pdf());
    EXPECT_TRUE(rule.stored());
    return t;
  }

  // Sets the tenant's confirmation deadline.
  void SetConfirmationDeadline(const Tenant& t, int seconds) {
    dpb::UpdateDispatchRuleRequest req;
    req.mutable_rule()->set_name(t.integration.name + "/dispatchRule");
    req.mutable_rule()->set_send_cxml(true);
    req.mutable_rule()->mutable_confirmation_deadline()->set_seconds(seconds);
    dpb::DispatchRule rule;
    grpc::Status st =
        stack().Dispatch()->UpdateDispatchRule(stack().Ctx("admin").get(), req, &rule);
    EXPECT_TRUE(st.ok()) << st.error_message();
  }

  enum class Shopper { kChromium, kCurl };

  // Step 5 up to checkout, as the platform: the tenant's tile, a session,
  // kBasket bought at the simulator's shop -- in Chromium (shop.test.mjs,
  // the script ./iob demo runs) or with the libcurl shopper of the punchout
  // tests -- and the cart back in iob, checked out. Returns the requisition
  // draft; `*session` gets the session's name.
  ppb::RequisitionDraft PunchOut(const Tenant& t, Shopper shopper, std::string* session) {
    ppb::ListSuppliersRequest tiles_req;
    tiles_req.set_parent("tenants/" + t.id);
    ppb::ListSuppliersResponse tiles;
    grpc::Status st =
        stack().Punchout()->ListSuppliers(stack().Ctx("platform").get(), tiles_req, &tiles);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(tiles.suppliers_size(), 1);
    if (tiles.suppliers_size() == 1) {
      EXPECT_EQ(tiles.suppliers(0).integration(), t.integration.name);
      EXPECT_EQ(tiles.suppliers(0).supplier(), "amazon-business");
    }

    ppb::Session s;
    if (shopper == Shopper::kChromium) {
      st = StartCreate(stack(), t.id, t.integration.name, kUserEmail, &s);
      EXPECT_TRUE(st.ok()) << st.error_message();
      EXPECT_EQ(s.state(), ppb::SESSION_STATE_STARTED);
      const std::string source = TestEnv("IOB_SOURCE_DIR", ".");
      std::string artifacts = TestEnv("IOB_ARTIFACT_DIR", "");
      if (artifacts.empty()) artifacts = TestEnv("IOB_ARTIFACT_DIR_DEFAULT", "/tmp");
      std::filesystem::create_directories(artifacts);
      auto run = RunCommand(
          FindNode(),
          {"--test", "--test-reporter=spec", source + "/tests/e2e/journey/shop.test.mjs"},
          {{"START_PAGE_URL", s.start_page_url()},
           {"SCREENSHOT", absl::StrCat(artifacts, "/journey-cart-", t.id, ".png")},
           {"IOB_NODE_DIR", source + "/tests/node"},
           {"NO_COLOR", "1"}},
          absl::Seconds(90));
      EXPECT_TRUE(run.ok()) << run.status();
      if (run.ok()) {
        EXPECT_EQ(run->exit_code, 0) << run->output << "\npunchout log:\n"
                                     << stack().process(Service::kPunchout).ReadLog();
      }
    } else {
      auto shopped = ShopAndReturnCart(stack(), t.id, t.integration.name, kUserEmail, kBasket);
      EXPECT_TRUE(shopped.ok()) << shopped.status();
      if (shopped.ok()) s = *shopped;
    }
    *session = s.name();

    ppb::GetCartRequest cart_req;
    cart_req.set_session(s.name());
    ppb::Cart cart;
    st = stack().Punchout()->GetCart(stack().Ctx("platform").get(), cart_req, &cart);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(cart.total().amount(), kBasketTotal);
    EXPECT_EQ(cart.lines_size(), static_cast<int>(kBasket.size()));
    for (int i = 0; i < cart.lines_size() && i < static_cast<int>(kBasket.size()); ++i) {
      EXPECT_EQ(cart.lines(i).supplier_part_id(), kBasket[i].first);
      EXPECT_EQ(cart.lines(i).quantity(), absl::StrCat(kBasket[i].second));
    }

    ppb::CheckoutCartRequest checkout;
    checkout.set_session(s.name());
    ppb::RequisitionDraft draft;
    st = stack().Punchout()->CheckoutCart(stack().Ctx("platform").get(), checkout, &draft);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(draft.total().amount(), kBasketTotal);
    return draft;
  }

  // Submits the checked-out session's cart as order `po` with `approval`.
  grpc::Status Submit(const Tenant& t, const std::string& session, const std::string& po,
                      const dpb::Approval& approval, dpb::Order* out) {
    dpb::SubmitOrderRequest req;
    req.set_parent("tenants/" + t.id);
    req.set_integration(t.integration.name);
    req.set_session(session);
    *req.mutable_order() = MakeOrder(po, 0);  // ship-to, bill-to, contact; the cart's lines
    *req.mutable_approval() = approval;
    return stack().Dispatch()->SubmitOrder(stack().Ctx("platform").get(), req, out);
  }

  // Set-up, punchout (with `shopper`), checkout, the approver's approval
  // (or the Purchase button when the draft needs none) and submit: the
  // order as submitted.
  dpb::Order Order(const Tenant& t, const std::string& po, Shopper shopper = Shopper::kCurl) {
    std::string session;
    const ppb::RequisitionDraft draft = PunchOut(t, shopper, &session);
    dpb::Approval approval = Approved();
    if (!draft.approval_required()) approval.set_purchase_button(true);
    dpb::Order order;
    grpc::Status st = Submit(t, session, po, approval, &order);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(order.total().amount(), kBasketTotal);
    return order;
  }

  // The tenant's invoices naming `po`.
  std::vector<ipb::Invoice> Invoices(const Tenant& t, const std::string& po) {
    ipb::ListInvoicesRequest req;
    req.set_parent("tenants/" + t.id);
    req.set_po_number(po);
    ipb::ListInvoicesResponse out;
    grpc::Status st = stack().Invoices()->ListInvoices(stack().Ctx("platform").get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {out.invoices().begin(), out.invoices().end()};
  }

  // Waits until intake has read an invoice naming `po` and returns it.
  ipb::Invoice WaitForInvoice(const Tenant& t, const std::string& po) {
    std::vector<ipb::Invoice> found;
    WaitFor([&] { return !(found = Invoices(t, po)).empty(); }, "an invoice for " + po,
            absl::Seconds(30));
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? ipb::Invoice() : found[0];
  }

  // The simulator's invoice for `order` as intake matched it: read from the
  // PDF, sender proven, both lines matched to the order's.
  void ExpectMatched(const ipb::Invoice& invoice, const dpb::Order& order,
                     const std::string& shipped) {
    EXPECT_EQ(invoice.state(), ipb::INVOICE_STATE_MATCHED) << invoice.DebugString();
    EXPECT_TRUE(invoice.sender_verified());
    EXPECT_EQ(invoice.integration(), order.integration());
    EXPECT_THAT(invoice.invoice_number().value(), ::testing::StartsWith("INV-"));
    EXPECT_EQ(invoice.gross().value(), kBasketTotal);
    ASSERT_EQ(invoice.sources_size(), 1);
    EXPECT_EQ(invoice.sources(0).format(), ipb::INVOICE_FORMAT_PDF);
    ASSERT_EQ(invoice.matches_size(), static_cast<int>(kBasket.size()));
    for (int i = 0; i < invoice.matches_size(); ++i) {
      const ipb::LineMatch& m = invoice.matches(i);
      EXPECT_TRUE(m.ok());
      EXPECT_EQ(m.order(), order.name());
      EXPECT_EQ(m.order_line(), i + 1);
      EXPECT_EQ(m.invoiced_quantity(), absl::StrCat(kBasket[i].second));
      EXPECT_EQ(m.ordered_quantity(), m.invoiced_quantity());
      EXPECT_EQ(m.shipped_quantity(), shipped.empty() ? "" : m.ordered_quantity());
    }
    EXPECT_EQ(invoice.exceptions_size(), 0);
  }

  static inline std::string* maildir_ = nullptr;
};

TEST_F(JourneyTest, SetUpThenAnOrderInChromiumToItsMatchedInvoice) {
  if (std::string why = BrowserMissing(); !why.empty()) GTEST_SKIP() << why;
  const Tenant t = SetUpTenant("journey", /*approval_required=*/true);
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(SimFulfillment(stack(), kConfirmAndShip).ok());

  std::string session;
  const ppb::RequisitionDraft draft = PunchOut(t, Shopper::kChromium, &session);
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(draft.approval_required());
  // The Purchase button cannot skip the workflow this integration requires.
  dpb::Approval button;
  button.set_purchase_button(true);
  dpb::Order refused;
  grpc::Status st = Submit(t, session, "PO-JOURNEY-1", button, &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  // The approver approves; the platform submits with the evidence.
  dpb::Order order;
  st = Submit(t, session, "PO-JOURNEY-1", Approved(), &order);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(order.total().amount(), kBasketTotal);
  EXPECT_TRUE(order.test());

  auto shipped = WaitForState(stack(), order.name(), dpb::ORDER_STATE_SHIPPED);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  EXPECT_THAT(States(*shipped), ElementsAre("queued", "delivered", "confirmed", "shipped"));
  ASSERT_EQ(shipped->shipments_size(), 1);
  EXPECT_EQ(shipped->shipments(0).shipment_id(), "SHIP-PO-JOURNEY-1");
  auto at_sim = ::iob::dispatch::testing::SimOrder(stack(), "PO-JOURNEY-1");
  ASSERT_TRUE(at_sim.ok()) << at_sim.status();
  EXPECT_EQ(at_sim->received, 1);
  EXPECT_EQ(at_sim->deployment_mode, "test");

  ExpectMatched(WaitForInvoice(t, "PO-JOURNEY-1"), *shipped, "shipped");
}

TEST_F(JourneyTest, ApprovalOffThePurchaseButtonSendsTheOrder) {
  if (std::string why = BrowserMissing(); !why.empty()) GTEST_SKIP() << why;
  const Tenant t = SetUpTenant("no-approval", /*approval_required=*/false);
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(SimFulfillment(stack(), kConfirmAndShip).ok());

  std::string session;
  const ppb::RequisitionDraft draft = PunchOut(t, Shopper::kChromium, &session);
  ASSERT_FALSE(HasFailure());
  EXPECT_FALSE(draft.approval_required());
  dpb::Approval button;
  button.set_purchase_button(true);
  dpb::Order order;
  grpc::Status st = Submit(t, session, "PO-BUTTON-1", button, &order);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(order.approval().purchase_button());

  auto shipped = WaitForState(stack(), order.name(), dpb::ORDER_STATE_SHIPPED);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  ExpectMatched(WaitForInvoice(t, "PO-BUTTON-1"), *shipped, "shipped");
}

TEST_F(JourneyTest, SupplierAnswers503TwiceThenTakesTheOrder) {
  const Tenant t = SetUpTenant("outage", true);
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(SimFulfillment(stack(), kConfirmAndShip).ok());
  ASSERT_TRUE(SimOrderFaults(stack(), R"({"http_503":1,"times":2})").ok());

  const dpb::Order order = Order(t, "PO-OUTAGE-1");
  ASSERT_FALSE(HasFailure());
  auto shipped = WaitForState(stack(), order.name(), dpb::ORDER_STATE_SHIPPED);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  ASSERT_EQ(shipped->attempts_size(), 3);
  EXPECT_EQ(shipped->attempts(0).http_status(), 503);
  EXPECT_EQ(shipped->attempts(1).http_status(), 503);
  EXPECT_EQ(shipped->attempts(2).cxml_code(), 200);
  auto at_sim = ::iob::dispatch::testing::SimOrder(stack(), "PO-OUTAGE-1");
  ASSERT_TRUE(at_sim.ok()) << at_sim.status();
  EXPECT_EQ(at_sim->received, 1);  // the 503s kept the two first from the supplier
  ExpectMatched(WaitForInvoice(t, "PO-OUTAGE-1"), *shipped, "shipped");
}

TEST_F(JourneyTest, SupplierRejectsTheOrderAndNeverInvoicesIt) {
  const Tenant t = SetUpTenant("rejected", true);
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(SimFulfillment(stack(), kReject).ok());

  const dpb::Order order = Order(t, "PO-REJECTED-1");
  ASSERT_FALSE(HasFailure());
  auto rejected = WaitForState(stack(), order.name(), dpb::ORDER_STATE_REJECTED);
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_THAT(States(*rejected), ElementsAre("queued", "delivered", "rejected"));
  ASSERT_EQ(rejected->confirmations_size(), 1);
  EXPECT_EQ(rejected->confirmations(0).type(), "reject");
  EXPECT_EQ(rejected->shipments_size(), 0);
  // The rejection was the supplier's last word: no ship notice, so no
  // invoice was mailed, and intake has none.
  auto sent = stack().SimGet("/admin/invoices");
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_THAT(sent->dump(), ::testing::Not(HasSubstr("PO-REJECTED-1")));
  EXPECT_TRUE(Invoices(t, "PO-REJECTED-1").empty());
}

TEST_F(JourneyTest, LateConfirmationIsFlaggedThenCleared) {
  const Tenant t = SetUpTenant("late", true);
  ASSERT_FALSE(HasFailure());
  SetConfirmationDeadline(t, 1);
  ASSERT_TRUE(
      SimFulfillment(stack(), R"("confirm":"accept","confirm_delay_ms":2500,"ship_notice":true)")
          .ok());

  const dpb::Order order = Order(t, "PO-LATE-1");
  ASSERT_FALSE(HasFailure());
  absl::StatusOr<dpb::Order> now;
  WaitFor(
      [&] {
        now = GetOrder(stack(), order.name());
        return now.ok() && now->unconfirmed();
      },
      "PO-LATE-1 flagged unconfirmed", absl::Seconds(20));
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(now->state(), dpb::ORDER_STATE_DELIVERED);
  EXPECT_TRUE(now->unconfirmed());

  auto shipped = WaitForState(stack(), order.name(), dpb::ORDER_STATE_SHIPPED);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  EXPECT_FALSE(shipped->unconfirmed());
  EXPECT_THAT(States(*shipped), ElementsAre("queued", "delivered", "confirmed", "shipped"));
  ExpectMatched(WaitForInvoice(t, "PO-LATE-1"), *shipped, "shipped");
}

// Rule 4 of services/invoice-intake/matching.h: without a ship notice an
// invoice line is held against what was ordered. An invoice that bills
// exactly the order therefore matches before the goods are known to have
// shipped (the three-way check needs the notice; the two-way one holds),
// and the notice arriving afterwards changes nothing.
TEST_F(JourneyTest, InvoiceBeforeTheShipNoticeMatchesTheOrderedQuantities) {
  const Tenant t = SetUpTenant("early-invoice", true);
  ASSERT_FALSE(HasFailure());
  LateShipNotices late(stack().http_url(Service::kDispatch) + "/cxml/fulfill");
  auto relay = late.Start();
  ASSERT_TRUE(relay.ok()) << relay.status();
  ASSERT_TRUE(stack()
                  .SimPost("/admin/fulfillment", absl::StrCat(R"({"url":)", JsonString(*relay), ",",
                                                              kConfirmAndShip, "}"))
                  .ok());

  const dpb::Order order = Order(t, "PO-EARLY-1");
  ASSERT_FALSE(HasFailure());
  const ipb::Invoice early = WaitForInvoice(t, "PO-EARLY-1");
  EXPECT_EQ(late.held(), 1u);
  auto confirmed = GetOrder(stack(), order.name());
  ASSERT_TRUE(confirmed.ok()) << confirmed.status();
  EXPECT_EQ(confirmed->state(), dpb::ORDER_STATE_CONFIRMED);
  EXPECT_EQ(confirmed->shipments_size(), 0);
  ExpectMatched(early, *confirmed, /*shipped=*/"");

  EXPECT_THAT(late.Release(), ElementsAre(200));
  auto shipped = WaitForState(stack(), order.name(), dpb::ORDER_STATE_SHIPPED);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  ipb::GetInvoiceRequest get;
  get.set_name(early.name());
  ipb::Invoice after;
  grpc::Status st = stack().Invoices()->GetInvoice(stack().Ctx("platform").get(), get, &after);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(after.state(), ipb::INVOICE_STATE_MATCHED);
}

// The simulator bills as ordered, so the supplier who bills another price
// is the simulator's own invoice (its cXML copy) with the pens at 9.49
// instead of 8.99, consistently re-totalled, mailed under the same
// receiving server's verdict.
TEST_F(JourneyTest, InvoiceAtAnotherPriceIsAPriceVariance) {
  const std::string scratch = MakeTempDir("journey-scratch-maildir-");
  for (const char* sub : {"/new", "/cur", "/tmp"})
    std::filesystem::create_directories(scratch + sub);
  const Tenant t = SetUpTenant("mispriced", true, {.maildir = scratch, .pdf = false, .cxml = true});
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(SimFulfillment(stack(), kConfirmAndShip).ok());
  const dpb::Order order = Order(t, "PO-PRICE-1");
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(WaitForState(stack(), order.name(), dpb::ORDER_STATE_SHIPPED).ok());

  // The simulator's mail, from the Maildir intake does not read.
  std::string path;
  WaitFor(
      [&] {
        auto sent = stack().SimGet("/admin/invoices");
        if (!sent.ok()) return false;
        for (const auto& i : (*sent)["invoices"]) {
          if (i.value("order_id", "") == "PO-PRICE-1" && i.value("outcome", "") == "sent") {
            path = i.value("path", "");
          }
        }
        return !path.empty();
      },
      "the simulator's invoice for PO-PRICE-1");
  ASSERT_FALSE(path.empty());
  auto mail = ::iob::testing::ParseMail(::iob::testing::ReadFileOrEmpty(path));
  ASSERT_TRUE(mail.ok()) << mail.status();
  const std::vector<::iob::testing::ParsedPart> attachments = mail->Attachments();
  ASSERT_EQ(attachments.size(), 1u);
  auto doc = cxml::ReadDocument(attachments[0].data);
  ASSERT_TRUE(doc.ok()) << doc.status();
  auto& inv = std::get<cxml::InvoiceDetailRequest>(doc->body);
  ASSERT_EQ(inv.orders.size(), 1u);
  cxml::InvoiceDetailItem& pens = inv.orders[0].items.at(0);
  ASSERT_EQ(pens.unit_price.amount, "8.99");
  pens.unit_price.amount = "9.49";
  pens.subtotal_amount->amount = "18.98";
  inv.summary.subtotal_amount.amount = "42.98";
  inv.summary.net_amount.amount = "42.98";
  inv.summary.gross_amount->amount = "42.98";
  inv.summary.due_amount->amount = "42.98";
  auto xml = cxml::WriteDocument(*doc);
  ASSERT_TRUE(xml.ok()) << xml.status();

  mail::OutgoingMessage m;
  m.from = {mail->from.at(0).name, mail->from.at(0).address};
  m.to = {{"", t.address}};
  m.subject = mail->subject;
  m.message_id = "doctored." + mail->message_id;
  m.date = absl::Now();
  m.text = mail->Text();
  m.attachments = {{attachments[0].file_name, "text/xml", *xml}};
  auto raw = mail::Compose(m);
  ASSERT_TRUE(raw.ok()) << raw.status();
  ASSERT_EQ(mail->Header("Authentication-Results").size(), 1u);
  ipb::IngestMessageRequest ingest;
  ingest.set_raw(absl::StrCat("Authentication-Results: ", mail->Header("Authentication-Results")[0],
                              "\r\n", *raw));
  ipb::Message message;
  grpc::Status st =
      stack().Invoices()->IngestMessage(stack().Ctx("gateway").get(), ingest, &message);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(message.state(), ipb::MESSAGE_STATE_PROCESSED) << message.reason();

  const std::vector<ipb::Invoice> found = Invoices(t, "PO-PRICE-1");
  ASSERT_EQ(found.size(), 1u);
  const ipb::Invoice& billed = found[0];
  EXPECT_EQ(billed.state(), ipb::INVOICE_STATE_EXCEPTION);
  EXPECT_TRUE(billed.sender_verified());
  EXPECT_EQ(billed.sources(0).format(), ipb::INVOICE_FORMAT_CXML);
  ASSERT_EQ(billed.exceptions_size(), 1) << billed.DebugString();
  const ipb::MatchException& e = billed.exceptions(0);
  EXPECT_EQ(e.type(), ipb::EXCEPTION_TYPE_PRICE_VARIANCE);
  EXPECT_EQ(e.invoice_line(), 1);
  EXPECT_EQ(e.order(), order.name());
  EXPECT_EQ(e.order_line(), 1);
  EXPECT_EQ(e.expected(), "8.99");
  EXPECT_EQ(e.actual(), "9.49");
  ASSERT_EQ(billed.matches_size(), 2);
  EXPECT_FALSE(billed.matches(0).ok());
  EXPECT_TRUE(billed.matches(1).ok());
  ::iob::testing::RemoveTree(scratch);
}

}  // namespace
}  // namespace iob::journey

// `iobctl rules` and `iobctl orders`: the real iobctl binary, run as a child
// process, against iob-dispatch in the shared test stack (credentials,
// punchout and the supplier simulator behind it). Exit codes, --json output
// as the proto's JSON, the human tables with their TEST marker, paging and
// the refusals a user sees.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/integration/dispatch/dispatch_test_util.h"
#include "tests/integration/punchout/punchout_test_util.h"
#include "tests/support/mail_reading.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/service_process.h"
#include "tests/support/wait.h"

namespace iob::dispatch::testing {
namespace {

using ::iob::testing::CommandResult;
using ::iob::testing::RunCommand;
using ::iob::testing::TestEnv;
using ::iob::testing::WaitFor;
using ::iob::testing::WriteFileAtomically;
using ::testing::HasSubstr;
using ::testing::Not;

// Runs iobctl with `args`; its exit code and output (stdout and stderr).
CommandResult Iobctl(const std::vector<std::string>& args) {
  auto r = RunCommand(TestEnv("IOB_BINARY_DIR", ".") + "/tools/iobctl/iobctl", args, {},
                      absl::Seconds(60));
  if (!r.ok()) return {.exit_code = -1, .output = r.status().ToString()};
  return *r;
}

// `message` as proto JSON in a new file under `dir`.
std::string JsonFile(const std::string& dir, const std::string& name,
                     const google::protobuf::Message& message) {
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &json).ok());
  const std::string path = absl::StrCat(dir, "/", name);
  WriteFileAtomically(path, json);
  return path;
}

// Usage errors exit 2 before anything is sent (the address is never dialled).
TEST(IobctlUsage, HelpExitsZeroAndBadInvocationsExitTwo) {
  const std::string dir = ::iob::testing::MakeTempDir("iobctl-usage-");
  for (const char* area : {"orders", "rules"}) {
    CommandResult help = Iobctl({area, "--help"});
    EXPECT_EQ(help.exit_code, 0) << help.output;
    EXPECT_THAT(help.output, HasSubstr(absl::StrCat("usage: iobctl ", area)));
    EXPECT_EQ(Iobctl({area}).exit_code, 2);
    EXPECT_EQ(Iobctl({area, "frobnicate"}).exit_code, 2);
  }
  const std::vector<std::string> nowhere = {"--addr", "127.0.0.1:1", "--token-file", dir + "/none"};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.end(), nowhere.begin(), nowhere.end());
    return Iobctl(args);
  };
  pb::OrderContent with_lines = MakeOrder("PO-USAGE-1");
  const std::string order_file = JsonFile(dir, "order.json", with_lines);
  const std::string bad_file = dir + "/bad.json";
  WriteFileAtomically(bad_file, R"({"po_number": "X", "colour": "red"})");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"orders", "list", "--tenant", "acme", "--bogus"}, "unknown flag --bogus"},
      {{"orders", "list", "--tenant", "acme", "--test", "--production"}, "not both"},
      {{"orders", "list", "--tenant", "acme", "--state", "lost"}, "unknown --state"},
      {{"orders", "get"}, "name the order"},
      {{"orders", "submit", "--tenant", "acme", "--integration", "x", "--order-file", order_file,
        "--approver-email", "boss@acme.example", "--purchase-button"},
       "one of --approver-email and --purchase-button"},
      {{"orders", "submit", "--tenant", "acme", "--integration", "x", "--session", "s1",
        "--order-file", order_file, "--purchase-button"},
       "lines must be empty"},
      {{"orders", "submit", "--tenant", "acme", "--integration", "x", "--order-file", bad_file,
        "--purchase-button"},
       "not a iob.dispatch.v1.OrderContent"},
      {{"orders", "update", "tenants/acme/orders/o1"}, "needs --order-file"},
      {{"rules", "set", "--tenant", "acme", "--integration", "x", "--electronic", "maybe"},
       "--electronic must be on or off"},
      {{"rules", "set", "--tenant", "acme", "--integration", "x"}, "set needs"},
  };
  for (const auto& [args, message] : cases) {
    CommandResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr(message)) << args[1];
  }
  ::iob::testing::RemoveTree(dir);
}

// iobctl `args` against the stack's dispatch as `principal`.
CommandResult IobctlAs(TestStack& stack, const std::string& principal,
                       std::vector<std::string> args) {
  const std::string token_file = absl::StrCat(stack.dir(), "/iobctl-", principal, ".token");
  WriteFileAtomically(token_file, stack.Token(principal) + "\n");
  args.insert(args.end(), {"--addr", stack.process(Service::kDispatch).grpc_address(),
                           "--token-file", token_file});
  return Iobctl(args);
}

// IobctlAs(...) with --json, parsed; a failure names the command's output.
nlohmann::json IobctlJson(TestStack& stack, const std::string& principal,
                          std::vector<std::string> args) {
  args.push_back("--json");
  CommandResult r = IobctlAs(stack, principal, args);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.output;
  return j.is_discarded() ? nlohmann::json::object() : j;
}

class IobctlDispatchTest : public DispatchStackTest<IobctlDispatchTest> {
 protected:
  CommandResult As(const std::string& principal, const std::vector<std::string>& args) {
    return IobctlAs(stack(), principal, args);
  }
  nlohmann::json Json(const std::string& principal, const std::vector<std::string>& args) {
    return IobctlJson(stack(), principal, args);
  }

  // The names of the orders `orders list ARGS --json` prints.
  std::vector<std::string> Listed(const std::vector<std::string>& args) {
    std::vector<std::string> names;
    nlohmann::json j = Json("platform", args);
    for (const auto& o : j.value("orders", nlohmann::json::array())) names.push_back(o["name"]);
    return names;
  }
};

TEST_F(IobctlDispatchTest, RulesThenAnOrderDeliveredConfirmedAndShipped) {
  auto in = CreateSimIntegration(stack(), "acme", "cli", Profile::kAmazon);
  ASSERT_TRUE(in.ok()) << in.status();
  const std::vector<std::string> rule = {"--tenant", "acme", "--integration", "cli"};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };

  CommandResult get = As("admin", with({"rules", "get"}, rule));
  ASSERT_EQ(get.exit_code, 0) << get.output;
  EXPECT_THAT(get.output, HasSubstr("no (the default rule)"));
  // As the seed's admin sets it for Amazon Business.
  nlohmann::json set =
      Json("admin", with({"rules", "set", "--electronic", "on", "--pdf", "off"}, rule));
  EXPECT_EQ(set.value("name", ""), in->name + "/dispatchRule");
  EXPECT_EQ(set.value("send_cxml", false), true);
  EXPECT_EQ(set.value("stored", false), true);
  // What set is not given keeps its value.
  set = Json("admin", with({"rules", "set", "--confirmation-deadline", "2h"}, rule));
  EXPECT_EQ(set.value("send_cxml", false), true);
  EXPECT_EQ(set.value("confirmation_deadline", ""), "7200s");
  // Refusals exit 1 with the gRPC code.
  CommandResult both = As("admin", with({"rules", "set", "--pdf", "on"}, rule));
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_THAT(both.output, HasSubstr("INVALID_ARGUMENT"));
  CommandResult platform = As("platform", with({"rules", "set", "--electronic", "on"}, rule));
  EXPECT_EQ(platform.exit_code, 1);
  EXPECT_THAT(platform.output, HasSubstr("PERMISSION_DENIED"));

  ASSERT_TRUE(SimFulfillment(stack(), R"("confirm":"accept","ship_notice":true)").ok());
  const std::string order_file = JsonFile(stack().dir(), "po-cli-1.json", MakeOrder("PO-CLI-1"));
  nlohmann::json order = Json("platform", {"orders", "submit", "--tenant", "acme", "--integration",
                                           "cli", "--order-file", order_file, "--approver-email",
                                           "boss@acme.example", "--approver-name", "Bo Ss"});
  const std::string name = order.value("name", "");
  ASSERT_FALSE(name.empty()) << order.dump();
  EXPECT_EQ(order.value("test", false), true);
  EXPECT_EQ(order["content"].value("po_number", ""), "PO-CLI-1");
  EXPECT_EQ(order["approval"]["approver"]["approver"].value("name", ""), "Bo Ss");

  std::string state;
  WaitFor(
      [&] {
        state = Json("platform", {"orders", "get", name}).value("state", "");
        return state == "ORDER_STATE_SHIPPED";
      },
      name + " shipped", absl::Seconds(30));
  ASSERT_EQ(state, "ORDER_STATE_SHIPPED");

  // The human view: the TEST marker, the timeline and the exchange log.
  CommandResult shown = As("platform", {"orders", "get", name});
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_THAT(shown.output, HasSubstr("TEST (deploymentMode=\"test\""));
  EXPECT_THAT(shown.output, HasSubstr("shipped"));
  EXPECT_THAT(shown.output, HasSubstr("approved by boss@acme.example (Bo Ss)"));
  for (const char* part : {"HISTORY", "ATTEMPTS", "CONFIRMATIONS", "SHIPMENTS", "EXCHANGES",
                           "OrderRequest", "ConfirmationRequest", "ShipNoticeRequest", "UPS"}) {
    EXPECT_THAT(shown.output, HasSubstr(part));
  }
  EXPECT_THAT(shown.output, Not(HasSubstr("<?xml")));
  CommandResult documents = As("platform", {"orders", "get", name, "--documents"});
  ASSERT_EQ(documents.exit_code, 0) << documents.output;
  EXPECT_THAT(documents.output, HasSubstr("<OrderRequest"));
  EXPECT_THAT(documents.output, HasSubstr("[redacted]"));
  EXPECT_THAT(documents.output, Not(HasSubstr(in->group.shared_secret)));

  // The purchase order PDF, as the PDF action would mail it, for a look.
  CommandResult pdf = As("platform", {"orders", "pdf", name});
  ASSERT_EQ(pdf.exit_code, 0) << pdf.output.substr(0, 200);
  EXPECT_TRUE(absl::StartsWith(pdf.output, "%PDF-"));
  auto pages = ::iob::testing::PdfPages(pdf.output);
  ASSERT_TRUE(pages.ok()) << pages.status();
  EXPECT_THAT(absl::StrJoin(*pages, "\n"), HasSubstr("PO-CLI-1"));
  CommandResult no_version = As("platform", {"orders", "pdf", name, "--version", "9"});
  EXPECT_EQ(no_version.exit_code, 1);
  EXPECT_THAT(no_version.output, HasSubstr("NOT_FOUND"));

  // Lists and their filters; the table marks test orders.
  EXPECT_THAT(Listed({"orders", "list", "--tenant", "acme", "--integration", "cli"}),
              ::testing::ElementsAre(name));
  EXPECT_THAT(Listed({"orders", "list", "--tenant", "acme", "--test", "--state", "shipped"}),
              ::testing::Contains(name));
  EXPECT_THAT(Listed({"orders", "list", "--tenant", "acme", "--production"}),
              Not(::testing::Contains(name)));
  EXPECT_THAT(Listed({"orders", "list", "--tenant", "acme", "--po", "PO-CLI-1"}),
              ::testing::ElementsAre(name));
  CommandResult table = As("platform", {"orders", "list", "--tenant", "acme", "--po", "PO-CLI-1"});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("MODE"));
  EXPECT_THAT(table.output,
              ::testing::ContainsRegex(name + " +TEST +shipped +PO-CLI-1 +42.00 USD"));

  // A shipped order cannot be retried; the same PO again is refused.
  CommandResult retry = As("platform", {"orders", "retry", name});
  EXPECT_EQ(retry.exit_code, 1);
  EXPECT_THAT(retry.output, HasSubstr("FAILED_PRECONDITION"));
  CommandResult again =
      As("platform", {"orders", "submit", "--tenant", "acme", "--integration", "cli",
                      "--order-file", order_file, "--approver-email", "boss@acme.example"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.output, HasSubstr("ALREADY_EXISTS"));
}

TEST_F(IobctlDispatchTest, UnconfirmedOrdersAreListedAndPaged) {
  ASSERT_TRUE(stack().SimPost("/admin/fulfillment", "{}").ok());  // nothing comes back
  auto in = CreateSimIntegration(stack(), "acme", "cli-late", Profile::kAmazon,
                                 /*approval_required=*/false);
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_EQ(As("admin", {"rules", "set", "--tenant", "acme", "--integration", "cli-late",
                         "--confirmation-deadline", "1s"})
                .exit_code,
            0);
  std::vector<std::string> names;
  for (int i = 1; i <= 3; ++i) {
    const std::string po = absl::StrCat("PO-LATE-", i);
    pb::OrderContent content = MakeOrder("");
    content.clear_po_number();
    nlohmann::json order =
        Json("platform", {"orders", "submit", "--tenant", "acme", "--integration", "cli-late",
                          "--order-file", JsonFile(stack().dir(), po + ".json", content), "--po",
                          po, "--purchase-button", "--request-id", po});
    EXPECT_EQ(order["content"].value("po_number", ""), po);
    EXPECT_EQ(order["approval"].value("purchase_button", false), true);
    names.push_back(order.value("name", ""));
  }
  const std::vector<std::string> late = {"orders",        "list",     "--tenant",     "acme",
                                         "--integration", "cli-late", "--unconfirmed"};
  WaitFor([&] { return Listed(late).size() == 3; }, "three unconfirmed orders", absl::Seconds(30));
  EXPECT_THAT(Listed(late), ::testing::UnorderedElementsAreArray(names));
  CommandResult table = As("platform", late);
  EXPECT_THAT(table.output, ::testing::ContainsRegex(names[0] + " +TEST +delivered UNCONF"));

  // One page at a time, then every page.
  std::vector<std::string> paged;
  std::string token;
  do {
    std::vector<std::string> args = late;
    args.insert(args.end(), {"--page-size", "1"});
    if (!token.empty()) args.insert(args.end(), {"--page-token", token});
    args.push_back("--json");
    CommandResult r = As("platform", args);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto j = nlohmann::json::parse(r.output);
    ASSERT_EQ(j["orders"].size(), 1u);
    paged.push_back(j["orders"][0]["name"]);
    token = j.value("next_page_token", "");
  } while (!token.empty() && paged.size() < 5);
  // Newest first.
  EXPECT_THAT(paged, ::testing::ElementsAre(names[2], names[1], names[0]));
}

TEST_F(IobctlDispatchTest, ACheckedOutCartIsSubmittedWithTheRestFromFlagsAndFiles) {
  auto in = CreateSimIntegration(stack(), "acme", "cli-cart", Profile::kAmazon);
  ASSERT_TRUE(in.ok()) << in.status();
  auto shopped = ::iob::punchout::testing::ShopAndReturnCart(
      stack(), "acme", in->name, "pat@acme.example", {{"B0SIMPEN12", 3}});
  ASSERT_TRUE(shopped.ok()) << shopped.status();
  const ::iob::punchout::v1::Session& session = *shopped;
  ::iob::punchout::v1::CheckoutCartRequest co;
  co.set_session(session.name());
  ::iob::punchout::v1::RequisitionDraft draft;
  ASSERT_TRUE(stack().Punchout()->CheckoutCart(stack().Ctx("platform").get(), co, &draft).ok());

  // Bill-to and contact from the order file (no lines), ship-to from its own
  // file, PO and currency from flags, the lines from the cart.
  pb::OrderContent rest = MakeOrder("PO-IGNORED");
  rest.clear_lines();
  rest.clear_currency();
  const std::string rest_file = JsonFile(stack().dir(), "cart-rest.json", rest);
  iob::type::v1::PostalAddress ship_to = rest.ship_to();
  ship_to.set_name("Loading bay 9");
  const std::string ship_file = JsonFile(stack().dir(), "ship-to.json", ship_to);
  const std::string session_id = session.name().substr(session.name().rfind('/') + 1);
  nlohmann::json order = Json(
      "platform", {"orders", "submit", "--tenant", "acme", "--integration", "cli-cart", "--session",
                   session_id, "--order-file", rest_file, "--ship-to-file", ship_file, "--po",
                   "PO-CLI-CART", "--currency", "USD", "--approver-email", "boss@acme.example"});
  EXPECT_EQ(order.value("session", ""), session.name());
  EXPECT_EQ(order["content"].value("po_number", ""), "PO-CLI-CART");
  EXPECT_EQ(order["content"]["ship_to"].value("name", ""), "Loading bay 9");
  EXPECT_EQ(order["content"]["bill_to"].value("name", ""), "Accounts Payable");
  ASSERT_EQ(order["content"]["lines"].size(), static_cast<size_t>(draft.lines_size()));
  EXPECT_EQ(order["content"]["lines"][0].value("supplier_part_auxiliary_id", ""),
            draft.lines(0).supplier_part_auxiliary_id());
  EXPECT_EQ(order["total"].value("amount", ""), draft.total().amount());
}

// StackOptions::mtls: credentials serves mTLS only and dispatch dials it with
// its own client certificate; without punchout in the stack an order from a
// file still goes through.
TEST(IobctlDispatchMtls, DispatchReachesCredentialsWithItsClientCertificate) {
  auto stack = TestStack::Create({
      .services = {Service::kCredentials, Service::kSupplierSim, Service::kDispatch},
      .principals = {{"dispatch",
                      {"integrations.read", "secrets.resolve", "suppliers.verify"},
                      {"*"}},
                     {"admin", {"integrations.read", "integrations.write"}, {"acme"}},
                     {"platform", {"orders.read", "orders.write"}, {"acme"}}},
      .flags = {{Service::kCredentials, {"--supplier-hosts", "amazon-business=127.0.0.1"}},
                {Service::kDispatch, FastDispatchFlags()}},
      .mtls = true,
  });
  if (stack == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
  for (Service s : {Service::kCredentials, Service::kSupplierSim, Service::kDispatch}) {
    ASSERT_TRUE(stack->Start(s).ok()) << static_cast<int>(s);
  }
  auto in = CreateSimIntegration(*stack, "acme", "tls", Profile::kAmazon);
  ASSERT_TRUE(in.ok()) << in.status();
  nlohmann::json order =
      IobctlJson(*stack, "platform",
                 {"orders", "submit", "--tenant", "acme", "--integration", "tls", "--order-file",
                  JsonFile(stack->dir(), "po-tls-1.json", MakeOrder("PO-TLS-1")),
                  "--approver-email", "boss@acme.example"});
  const std::string name = order.value("name", "");
  ASSERT_FALSE(name.empty()) << order.dump();
  std::string state;
  WaitFor(
      [&] {
        state = IobctlJson(*stack, "platform", {"orders", "get", name}).value("state", "");
        return state == "ORDER_STATE_DELIVERED";
      },
      name + " delivered", absl::Seconds(30));
  EXPECT_EQ(state, "ORDER_STATE_DELIVERED");
}

}  // namespace
}  // namespace iob::dispatch::testing

// `iobctl invoices`: the real iobctl binary, run as a child process, against
// iob-invoice-intake in the intake test stack (intake_stack.h: credentials,
// the supplier simulator and dispatch behind it). Exit codes, the human views, --json as
// the proto's JSON, and the refusals a user sees.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "tests/integration/dispatch/dispatch_test_util.h"
#include "tests/integration/invoice-intake/intake_stack.h"
#include "tests/support/service_process.h"
#include "tests/support/shared_stack_test.h"

namespace iob::invoice {
namespace {

namespace dpb = ::iob::dispatch::v1;
using ::iob::testing::CommandResult;
using ::iob::testing::Service;
using ::iob::testing::TestEnv;
using ::iob::testing::TestStack;
using ::iob::testing::WriteFileAtomically;
using ::testing::HasSubstr;

CommandResult Iobctl(const std::vector<std::string>& args) {
  auto r = ::iob::testing::RunCommand(TestEnv("IOB_BINARY_DIR", ".") + "/tools/iobctl/iobctl", args,
                                      {}, absl::Seconds(60));
  if (!r.ok()) return {.exit_code = -1, .output = r.status().ToString()};
  return *r;
}

TEST(IobctlInvoicesUsage, HelpExitsZeroAndBadInvocationsExitTwo) {
  CommandResult help = Iobctl({"invoices", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_THAT(help.output, HasSubstr("usage: iobctl invoices"));
  EXPECT_EQ(Iobctl({"invoices"}).exit_code, 2);
  const std::vector<std::string> nowhere = {"--addr", "127.0.0.1:1", "--token-file",
                                            "/nonexistent"};
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"invoices", "list"}, "list needs --tenant"},
      {{"invoices", "list", "--tenant", "acme", "--state", "lost"}, "unknown --state"},
      {{"invoices", "get"}, "name the invoice"},
      {{"invoices", "resolve", "tenants/acme/invoices/i1", "--note", "x"}, "--accept or --reject"},
      {{"invoices", "resolve", "tenants/acme/invoices/i1", "--accept", "--reject", "--note", "x"},
       "--accept or --reject"},
      {{"invoices", "resolve", "tenants/acme/invoices/i1", "--accept"}, "needs --note"},
      {{"invoices", "ingest"}, "ingest needs --file"},
  };
  for (auto [args, says] : cases) {
    args.insert(args.end(), nowhere.begin(), nowhere.end());
    CommandResult r = Iobctl(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr(says)) << args[1];
  }
}

class IobctlInvoicesTest : public ::iob::testing::SharedStackTest<IobctlInvoicesTest> {
 public:
  static std::unique_ptr<TestStack> StartStack(std::string* error) {
    return testing::StartIntakeStack(::iob::testing::MakeTempDir("iobctl-maildir-"), error,
                                     {"--supplier-match-policy", "amazon-business: total=1%|0.10"});
  }

 protected:
  // iobctl `args` against the stack's invoice intake as `principal`.
  CommandResult As(const std::string& principal, std::vector<std::string> args) {
    const std::string token_file = absl::StrCat(stack().dir(), "/iobctl-", principal, ".token");
    WriteFileAtomically(token_file, stack().Token(principal) + "\n");
    args.insert(args.begin(), "invoices");
    args.insert(args.end(), {"--addr", stack().process(Service::kInvoiceIntake).grpc_address(),
                             "--token-file", token_file});
    return Iobctl(args);
  }

  nlohmann::json Json(const std::string& principal, std::vector<std::string> args) {
    args.push_back("--json");
    CommandResult r = As(principal, args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    auto j = nlohmann::json::parse(r.output, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.output;
    return j.is_discarded() ? nlohmann::json::object() : j;
  }
};

TEST_F(IobctlInvoicesTest, AnInvoiceFromAddressToResolution) {
  using dispatch::testing::Profile;
  auto in = dispatch::testing::CreateSimIntegration(stack(), "acme", "ctl-inv", Profile::kAmazon);
  ASSERT_TRUE(in.ok()) << in.status();
  dpb::Order order;
  ASSERT_TRUE(dispatch::testing::Submit(stack(), "acme", in->name,
                                        dispatch::testing::MakeOrder("PO-CTL-1", 1),
                                        dispatch::testing::Approved(), &order)
                  .ok());

  // The address, with where to paste it.
  CommandResult address = As("admin", {"address", "--tenant", "acme"});
  ASSERT_EQ(address.exit_code, 0) << address.output;
  EXPECT_THAT(address.output, HasSubstr("@invoices.iob.test"));
  EXPECT_THAT(address.output, HasSubstr("Pay by Invoice"));
  const std::string to = Json("admin", {"address", "--tenant", "acme"})["address"];

  // A supplier's mail billing 2 x 11.00 for 2 x 10.50 ordered, by a gateway.
  const std::string raw = testing::InvoiceMail(
      to, "invoices@amazon.com",
      testing::CxmlInvoice("INV-CTL-1", "PO-CTL-1", {{"SKU-1", "2", "11.00"}}, "22.00"),
      testing::kVerifiedAmazon, "ctl-1");
  const std::string eml = absl::StrCat(stack().dir(), "/invoice.eml");
  WriteFileAtomically(eml, raw);
  nlohmann::json message = Json("gateway", {"ingest", "--file", eml});
  EXPECT_EQ(message["state"], "MESSAGE_STATE_PROCESSED") << message.dump();
  ASSERT_EQ(message["invoices"].size(), 1u) << message.dump();
  const std::string invoice = message["invoices"][0];

  // Listed by state, shown with the policy it was matched with.
  nlohmann::json listed = Json("admin", {"list", "--tenant", "acme", "--state", "exception"});
  ASSERT_EQ(listed["invoices"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["invoices"][0]["name"], invoice);
  CommandResult table = As("admin", {"list", "--tenant", "acme"});
  EXPECT_THAT(table.output, HasSubstr("INV-CTL-1"));
  EXPECT_THAT(table.output, HasSubstr("22.00 USD"));
  CommandResult shown = As("admin", {"get", invoice});
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_THAT(shown.output, HasSubstr("price_variance"));
  EXPECT_THAT(shown.output, HasSubstr("matched with:    amazon-business: price 1% or 0.05"));
  EXPECT_EQ(Json("admin", {"get", invoice})["match_policy"],
            "amazon-business: price 1% or 0.05, quantity exact, tax 1% or 0.05, total 1% or 0.10");

  // The raw message, byte for byte.
  CommandResult bytes = As("admin", {"message", message["name"], "--raw"});
  EXPECT_EQ(bytes.exit_code, 0);
  EXPECT_EQ(bytes.output, raw);

  // Accepted once; a second decision is refused with the service's code.
  nlohmann::json accepted =
      Json("admin", {"resolve", invoice, "--accept", "--note", "price rise agreed"});
  EXPECT_EQ(accepted["state"], "INVOICE_STATE_ACCEPTED") << accepted.dump();
  CommandResult again = As("admin", {"resolve", invoice, "--reject", "--note", "no"});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_THAT(again.output, HasSubstr("FAILED_PRECONDITION"));

  // Without invoices.read: refused, exit 1.
  CommandResult denied = As("dispatch", {"get", invoice});
  EXPECT_EQ(denied.exit_code, 1) << denied.output;
  EXPECT_THAT(denied.output, HasSubstr("PERMISSION_DENIED"));
}

}  // namespace
}  // namespace iob::invoice

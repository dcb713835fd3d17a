// The supplier simulator's invoices through the whole stack: credentials,
// the simulator, dispatch and invoice intake as child processes on one
// Postgres (intake_stack.h). An order is submitted to the simulator and ships; the
// simulator mails its invoice to the tenant's e-invoicing address in the
// intake's Maildir (standing in for the receiving server with the
// Authentication-Results it would write); intake reads the PDF by its rules
// (and the cXML copy when attached) and matches it to the order.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "iob/invoice/v1/invoice_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/integration/dispatch/dispatch_test_util.h"
#include "tests/integration/invoice-intake/intake_stack.h"
#include "tests/support/service_process.h"
#include "tests/support/shared_stack_test.h"
#include "tests/support/wait.h"

namespace iob::invoice {
namespace {

namespace ipb = ::iob::invoice::v1;
namespace dpb = ::iob::dispatch::v1;
using ::iob::dispatch::testing::Approved;
using ::iob::dispatch::testing::CreateSimIntegration;
using ::iob::dispatch::testing::MakeOrder;
using ::iob::dispatch::testing::Profile;
using ::iob::dispatch::testing::SimFulfillment;
using ::iob::dispatch::testing::Submit;
using ::iob::dispatch::testing::WaitForState;
using ::iob::testing::Service;
using ::iob::testing::TestStack;
using ::iob::testing::WaitFor;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using Json = nlohmann::json;

// The receiving server intake trusts (intake_stack.h), which the simulator
// stands in for.
constexpr char kAuthservId[] = "mx.iob.example";

class SimInvoiceTest : public ::iob::testing::SharedStackTest<SimInvoiceTest> {
 public:
  static std::unique_ptr<TestStack> StartStack(std::string* error) {
    maildir_ = new std::string(::iob::testing::MakeTempDir("sim-invoice-maildir-"));
    return testing::StartIntakeStack(*maildir_, error);
  }

 protected:
  // Turns the simulator's invoicing on into the intake's Maildir, for the
  // tenant's address, with `extra` settings (JSON members) merged in.
  void SimInvoicing(const std::string& extra) {
    Json settings = Json::parse(absl::StrCat("{", extra, "}"));
    settings["to"] = testing::Address(stack());
    settings["maildir"] = *maildir_;
    settings["authserv_id"] = kAuthservId;
    auto set = stack().SimPost("/admin/invoicing", settings.dump());
    ASSERT_TRUE(set.ok()) << set.status();
    ASSERT_EQ((*set)["enabled"], true) << set->dump();
  }

  // An Amazon integration at the simulator and a shipped order `po` in
  // `currency`: two lines of 2 x 10.50 with ASIN-shaped part ids
  // (B0SIMINV01, B0SIMINV02), as Amazon's are and its invoices print them.
  void ShippedOrder(const std::string& integration_id, const std::string& po,
                    const std::string& currency) {
    auto in = CreateSimIntegration(stack(), "acme", integration_id, Profile::kAmazon);
    ASSERT_TRUE(in.ok()) << in.status();
    ASSERT_TRUE(SimFulfillment(stack(), R"("confirm":"accept","ship_notice":true)").ok());
    dpb::OrderContent content = MakeOrder(po, 2);
    content.set_currency(currency);
    for (int i = 0; i < content.lines_size(); ++i) {
      content.mutable_lines(i)->set_supplier_part_id(absl::StrCat("B0SIMINV0", i + 1));
      content.mutable_lines(i)->mutable_unit_price()->set_currency(currency);
    }
    dpb::Order order;
    grpc::Status st = Submit(stack(), "acme", in->name, content, Approved(), &order);
    ASSERT_TRUE(st.ok()) << st.error_message();
    auto shipped = WaitForState(stack(), order.name(), dpb::ORDER_STATE_SHIPPED);
    ASSERT_TRUE(shipped.ok()) << shipped.status();
    integration_ = in->name;
  }

  // The simulator's record of the invoice it sent for `po`.
  Json SimInvoiceFor(const std::string& po) {
    Json found;
    WaitFor(
        [&] {
          auto list = stack().SimGet("/admin/invoices");
          if (!list.ok()) return false;
          for (const Json& i : (*list)["invoices"]) {
            if (i["order_id"] == po) found = i;
          }
          return !found.is_null();
        },
        absl::StrCat("the simulator's invoice for ", po));
    return found;
  }

  // Waits until intake lists an invoice for `po` with `sources` sources and
  // returns it.
  ipb::Invoice IntakeInvoiceFor(const std::string& po, int sources) {
    std::vector<ipb::Invoice> found;
    WaitFor(
        [&] {
          found = testing::InvoicesForPo(stack(), po);
          return found.size() == 1 && found[0].sources_size() == sources;
        },
        absl::StrCat("intake's invoice for ", po, " with ", sources, " source(s)"));
    return found.size() == 1 ? found[0] : ipb::Invoice{};
  }

  std::string integration_;
  static inline std::string* maildir_ = nullptr;
};

TEST_F(SimInvoiceTest, PdfInvoiceMailedAfterShippingIsMatched) {
  ASSERT_NO_FATAL_FAILURE(SimInvoicing(R"("pdf": true, "cxml": false)"));
  ASSERT_NO_FATAL_FAILURE(ShippedOrder("sim-inv-pdf", "PO-SIMINV-1", "USD"));
  const Json sent = SimInvoiceFor("PO-SIMINV-1");
  ASSERT_EQ(sent["outcome"], "sent") << sent.dump();

  const ipb::Invoice i = IntakeInvoiceFor("PO-SIMINV-1", 1);
  EXPECT_EQ(i.state(), ipb::INVOICE_STATE_MATCHED) << i.reason() << "\n" << i.DebugString();
  EXPECT_EQ(i.integration(), integration_);
  EXPECT_TRUE(i.sender_verified());
  ASSERT_EQ(i.sources_size(), 1);
  EXPECT_EQ(i.sources(0).format(), ipb::INVOICE_FORMAT_PDF);
  EXPECT_EQ(i.sources(0).part(),
            absl::StrCat("Invoice-", sent["invoice_number"].get<std::string>(), ".pdf"));
  EXPECT_EQ(i.invoice_number().value(), sent["invoice_number"]);
  EXPECT_THAT(i.invoice_number().rule(), StartsWith("pdf:amazon-business:"));
  EXPECT_EQ(i.invoice_date().value(), sent["at"].get<std::string>().substr(0, 10));
  ASSERT_EQ(i.po_numbers_size(), 1);
  EXPECT_EQ(i.po_numbers(0).value(), "PO-SIMINV-1");
  EXPECT_EQ(i.currency(), "USD");
  EXPECT_EQ(i.net().value(), "42.00");
  EXPECT_EQ(i.tax().value(), "0.00");
  EXPECT_EQ(i.gross().value(), "42.00");
  EXPECT_EQ(sent["total"], "42.00");
  ASSERT_EQ(i.matches_size(), 2);
  for (const auto& m : i.matches()) {
    EXPECT_TRUE(m.ok()) << m.DebugString();
    EXPECT_EQ(m.shipped_quantity(), "2");
  }
  EXPECT_THAT(i.exceptions(), IsEmpty());
}

TEST_F(SimInvoiceTest, PdfAndCxmlInOneMailAreOneInvoiceWithBothSources) {
  ASSERT_NO_FATAL_FAILURE(
      SimInvoicing(R"("cxml": true, "marketplace": "amazon.co.uk", "tax_rate": "20")"));
  ASSERT_NO_FATAL_FAILURE(ShippedOrder("sim-inv-both", "PO-SIMINV-2", "GBP"));
  const Json sent = SimInvoiceFor("PO-SIMINV-2");
  ASSERT_EQ(sent["outcome"], "sent") << sent.dump();
  EXPECT_EQ(sent["attachments"].size(), 2u);

  const ipb::Invoice i = IntakeInvoiceFor("PO-SIMINV-2", 2);
  EXPECT_EQ(i.state(), ipb::INVOICE_STATE_MATCHED) << i.reason() << "\n" << i.DebugString();
  EXPECT_TRUE(i.sender_verified());
  std::set<int> formats;
  for (const auto& s : i.sources()) formats.insert(s.format());
  EXPECT_EQ(formats, (std::set<int>{ipb::INVOICE_FORMAT_PDF, ipb::INVOICE_FORMAT_CXML}));
  EXPECT_EQ(i.sources(0).message(), i.sources(1).message());  // one mail
  EXPECT_EQ(i.invoice_number().value(), sent["invoice_number"]);
  EXPECT_EQ(i.currency(), "GBP");
  // 2 x 2 x 10.50 = 42.00, VAT 20% per line: 4.20 + 4.20.
  EXPECT_EQ(i.net().value(), "42.00");
  EXPECT_EQ(i.tax().value(), "8.40");
  EXPECT_EQ(i.gross().value(), "50.40");
  // Two sources whose amounts agree: no duplicate exception.
  EXPECT_THAT(i.exceptions(), IsEmpty()) << i.DebugString();
  ASSERT_EQ(i.matches_size(), 2);
  for (const auto& m : i.matches()) EXPECT_TRUE(m.ok()) << m.DebugString();
}

}  // namespace
}  // namespace iob::invoice

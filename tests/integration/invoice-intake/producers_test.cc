// Invoices made by third-party producers, the way suppliers' systems make
// them, read and matched by the running intake: UBL 2.1, CII and Factur-X
// from @e-invoice-eu/core, a PDF invoice drawn with pdf-lib, and a cXML
// InvoiceDetailRequest written by libs/cxml, each in a mail composed by
// nodemailer with a non-ASCII file name (RFC 2231 / RFC 2047), all made by
// tests/node/producers/make_invoices.mjs. Each becomes the right invoice --
// format, number, PO, totals, lines -- matched to its shipped order.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/cxml/model.h"
#include "tests/integration/invoice-intake/intake_stack.h"
#include "tests/integration/invoice-intake/intake_test_util.h"
#include "tests/support/shared_stack_test.h"

namespace iob::invoice::testing {
namespace {

using ::iob::testing::MakeTempDir;
using ::iob::testing::ReadFileOrEmpty;
using ::iob::testing::RunCommand;
using ::iob::testing::TestEnv;
using ::testing::StartsWith;
using Json = nlohmann::json;

constexpr char kNode[] = "/usr/bin/node";  // Debian's nodejs, as ./iob setup installs it
// Amazon's product ids: the PDF rules read a part as an ASIN.
const std::vector<std::string> kParts = {"B000000001", "B000000002"};

class ProducersTest : public ::iob::testing::SharedStackTest<ProducersTest> {
 public:
  static std::unique_ptr<TestStack> StartStack(std::string* error) {
    maildir_ = new std::string(MakeTempDir("producers-maildir-"));
    return StartIntakeStack(*maildir_, error);
  }
  static void TearDownTestSuite() {
    SharedStackTest::TearDownTestSuite();
    ::iob::testing::RemoveTree(*maildir_);
  }

 private:
  static inline std::string* maildir_ = nullptr;
};

// The producers' folder; fails the test (with what to do) when node or the
// npm packages are missing.
std::string ProducersDir() {
  const std::string node_dir = TestEnv("IOB_SOURCE_DIR", ".") + "/tests/node";
  if (!std::filesystem::exists(kNode)) {
    ADD_FAILURE() << kNode << " is missing: apt-get install nodejs (./iob setup does)";
    return "";
  }
  for (const char* package : {"nodemailer", "@e-invoice-eu/core", "@cantoo/pdf-lib"}) {
    if (!std::filesystem::exists(absl::StrCat(node_dir, "/node_modules/", package))) {
      ADD_FAILURE() << node_dir << "/node_modules/" << package
                    << " is missing: run ./iob setup (npm ci in tests/node)";
      return "";
    }
  }
  return node_dir + "/producers";
}

// What each document should read as.
struct Expected {
  ipb::InvoiceFormat format;
  std::string rule_prefix;  // of every value's rule
  std::string net, tax, gross;
  bool order_lines;  // whether the format names the order line of each line
};

TEST_F(ProducersTest, EachProducersInvoiceIsReadAndMatched) {
  const std::string producers = ProducersDir();
  ASSERT_FALSE(producers.empty());
  const std::vector<std::string> pos = {"PO-UBL-1", "PO-CII-1", "PO-FX-1", "PO-PDF-1", "PO-CXML-1"};
  ASSERT_FALSE(ShipOrders(stack(), "producers", pos, kParts).empty());

  // The cXML invoice we pass in: both lines of its order, no tax.
  cxml::Document cxml_invoice = CxmlInvoiceDocument(
      "CXML-1", "PO-CXML-1", {{kParts[0], "2", "10.50"}, {kParts[1], "2", "10.50"}}, "42.00");
  int order_line = 0;
  for (auto& item : std::get<cxml::InvoiceDetailRequest>(cxml_invoice.body).orders[0].items) {
    item.line_number = absl::StrCat(++order_line);
  }
  Json lines = Json::array();
  for (int i = 0; i < 2; ++i) {
    lines.push_back({{"part", kParts[i]},
                     {"order_line", i + 1},
                     {"description", absl::StrCat("Copy paper A4, box ", i + 1)},
                     {"quantity", "2"},
                     {"price", "10.50"}});
  }
  Json description = {
      {"from", "Amazon Business <invoices@amazon.com>"},
      {"to", Address(stack())},
      {"date", "2024-05-02"},
      {"currency", "USD"},
      {"seller", {{"name", "Amazon EU S.\u00e0 r.l."}, {"vat", "LU20260743"}, {"country", "LU"}}},
      {"buyer", {{"name", "Acme Corp."}, {"country", "US"}}},
      {"documents", Json::array()},
  };
  for (const auto& [format, number, po] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"ubl", "UBL-1", "PO-UBL-1"},
           {"cii", "CII-1", "PO-CII-1"},
           {"facturx", "FX-1", "PO-FX-1"},
           {"pdf", "PDF-1", "PO-PDF-1"}}) {
    description["documents"].push_back({{"format", format},
                                        {"number", number},
                                        {"po", po},
                                        {"tax_percent", "7"},
                                        {"lines", lines}});
  }
  description["documents"].push_back({{"format", "cxml"},
                                      {"number", "CXML-1"},
                                      {"po", "PO-CXML-1"},
                                      {"xml", WriteCxml(cxml_invoice)},
                                      {"file_name", "cXML-Rechnung CXML-1 \u2013 M\u00e4rz.xml"}});

  const std::string out = MakeTempDir("producers-");
  ::iob::testing::WriteFileAtomically(out + "/description.json", description.dump());
  auto made = RunCommand("/bin/sh",
                         {"-c", "exec \"$0\" \"$1\" \"$2\" < \"$3\"", kNode,
                          producers + "/make_invoices.mjs", out, out + "/description.json"},
                         {{"NO_COLOR", "1"}}, absl::Seconds(120));
  ASSERT_TRUE(made.ok()) << made.status();
  ASSERT_EQ(made->exit_code, 0) << made->output;
  const Json manifest = Json::parse(made->output, nullptr, false);
  ASSERT_TRUE(manifest.is_array()) << made->output;
  ASSERT_EQ(manifest.size(), 5u) << made->output;

  const std::map<std::string, Expected> expected = {
      {"ubl", {ipb::INVOICE_FORMAT_UBL, "ubl:", "42.00", "2.94", "44.94", true}},
      {"cii", {ipb::INVOICE_FORMAT_CII, "cii:", "42.00", "2.94", "44.94", true}},
      {"facturx", {ipb::INVOICE_FORMAT_FACTURX, "cii:", "42.00", "2.94", "44.94", true}},
      {"pdf", {ipb::INVOICE_FORMAT_PDF, "pdf:amazon-business:", "42.00", "2.94", "44.94", false}},
      {"cxml", {ipb::INVOICE_FORMAT_CXML, "cxml:", "42.00", "0.00", "42.00", true}},
  };
  for (const Json& made_one : manifest) {
    const std::string format = made_one.value("format", "");
    const std::string number = made_one.value("number", "");
    const std::string po = made_one.value("po", "");
    SCOPED_TRACE(absl::StrCat(format, " ", number));
    const Expected& want = expected.at(format);
    if (format != "cxml") {  // what the producer computed is what we expect
      EXPECT_EQ(made_one.value("net", ""), want.net);
      EXPECT_EQ(made_one.value("gross", ""), want.gross);
    }
    const std::string raw = ReadFileOrEmpty(made_one.value("mail", ""));
    ASSERT_FALSE(raw.empty());

    const ipb::Message m = Ingest(stack(), Received(raw));
    EXPECT_EQ(m.state(), ipb::MESSAGE_STATE_PROCESSED) << m.reason();
    EXPECT_EQ(m.reason(), "");
    EXPECT_EQ(m.from(), "invoices@amazon.com");
    EXPECT_THAT(m.subject(), StartsWith(absl::StrCat("Ihre Rechnung ", number, " \u2013 ")));
    ASSERT_EQ(m.invoices_size(), 1) << m.reason();

    const ipb::Invoice inv = GetInvoice(stack(), m.invoices(0));
    EXPECT_EQ(inv.state(), ipb::INVOICE_STATE_MATCHED) << inv.reason() << inv.DebugString();
    EXPECT_TRUE(inv.sender_verified());
    ASSERT_EQ(inv.sources_size(), 1);
    EXPECT_EQ(inv.sources(0).format(), want.format);
    // The non-ASCII name nodemailer encoded, decoded again.
    EXPECT_EQ(inv.sources(0).part(), made_one.value("file_name", ""));
    EXPECT_EQ(inv.invoice_number().value(), number);
    EXPECT_THAT(inv.invoice_number().rule(), StartsWith(want.rule_prefix));
    if (format != "cxml") {  // libs/cxml's example invoice has a date of its own
      EXPECT_EQ(inv.invoice_date().value(), "2024-05-02");
    }
    ASSERT_EQ(inv.po_numbers_size(), 1);
    EXPECT_EQ(inv.po_numbers(0).value(), po);
    EXPECT_FALSE(inv.credit_memo());
    EXPECT_EQ(inv.currency(), "USD");
    EXPECT_EQ(inv.net().value(), want.net);
    EXPECT_EQ(inv.tax().value(), want.tax);
    EXPECT_EQ(inv.gross().value(), want.gross);
    EXPECT_THAT(inv.gross().rule(), StartsWith(want.rule_prefix));
    ASSERT_EQ(inv.lines_size(), 2);
    for (int i = 0; i < 2; ++i) {
      const ipb::InvoiceLine& l = inv.lines(i);
      EXPECT_EQ(l.line_number(), i + 1);
      EXPECT_EQ(l.supplier_part_id(), kParts[i]);
      EXPECT_EQ(l.quantity(), "2");
      EXPECT_EQ(l.unit_price().amount(), "10.50");
      EXPECT_EQ(l.order_line_number(), want.order_lines ? i + 1 : 0);
      if (format != "cxml") {  // the cXML passed in states no line subtotal
        EXPECT_EQ(l.subtotal().amount(), "21.00");
      }
    }
    // Matched line by line to its own order, both lines shipped in full.
    ASSERT_EQ(inv.matches_size(), 2);
    for (int i = 0; i < 2; ++i) {
      EXPECT_TRUE(inv.matches(i).ok());
      EXPECT_THAT(inv.matches(i).order(), StartsWith("tenants/acme/orders/"));
      EXPECT_EQ(inv.matches(i).order_line(), i + 1);
      EXPECT_EQ(inv.matches(i).shipped_quantity(), "2");
      EXPECT_EQ(inv.matches(i).invoiced_quantity(), "2");
    }
    EXPECT_EQ(inv.exceptions_size(), 0);
  }
  ::iob::testing::RemoveTree(out);
}

}  // namespace
}  // namespace iob::invoice::testing

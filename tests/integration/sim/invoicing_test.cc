// The simulator's invoices: after the ship notice of an accepted order is
// delivered, an Amazon-style invoice mail (PDF, optionally cXML) goes to the
// buyer's e-invoicing address, into a Maildir or through a real SMTP server
// (tests/support/smtp_sink.h); read back as a mail client would
// (tests/support/mail_reading.h), with libs/cxml, and against the DTD.
// Plus the figures (exact decimals, rounding), the admin API's checks, and
// failures that are counted without stopping the simulator.
#include "tools/supplier-sim/invoicing.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"
#include "nlohmann/json.hpp"
#include "tests/integration/sim/sim_harness.h"
#include "tests/support/mail_reading.h"
#include "tests/support/service_process.h"
#include "tests/support/smtp_sink.h"
#include "tests/support/wait.h"

namespace iob::sim::testing {
namespace {

using ::iob::testing::MakeTempDir;
using ::iob::testing::ParsedMail;
using ::iob::testing::ParseMail;
using ::iob::testing::PdfPages;
using ::iob::testing::SmtpSink;
using ::iob::testing::WaitFor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::SizeIs;
using Json = nlohmann::json;

constexpr char kTo[] = "acme-x7k2m9q4ab@invoices.iob.test";

// A fresh Maildir (tmp/, new/, cur/) under a temporary directory.
std::string NewMaildir() {
  const std::string dir = MakeTempDir("sim-invoices-");
  for (const char* sub : {"/tmp", "/new", "/cur"}) std::filesystem::create_directories(dir + sub);
  return dir;
}

// The files in `dir`, sorted.
std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class SimInvoicing : public ::testing::Test {
 protected:
  void SetUp() override {
    group_ = h_.CreateGroup();
    Post("/admin/fulfillment", Json{{"url", buyer_.url()}, {"confirm", "accept"}}.dump(), 200);
  }

  Json GetJson(const std::string& path) {
    auto r = h_.Get(path);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    return Json::parse(r->body, nullptr, false);
  }

  // POSTs `json` to `path` and expects `status`; returns the JSON answer.
  Json Post(const std::string& path, const std::string& json, int status) {
    auto r = h_.Post(path, json, "application/json");
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, status) << path << " " << json << ": " << r->body;
    return Json::parse(r->body, nullptr, false);
  }

  // Sends an accepted OrderRequest with `lines` example lines; returns it.
  cxml::Document Order(const std::string& order_id, int lines = 2) {
    cxml::Document doc =
        BuyerDocument(group_.from_identity, group_.shared_secret, SampleOrder(order_id, lines));
    auto r = h_.Order(WriteOrDie(doc));
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) {
      EXPECT_EQ(r->status.code, 200) << r->status.message;
    }
    return doc;
  }

  // Waits until the simulator counted `n` fulfilment documents delivered
  // (its ship-notice hook runs before the count).
  void WaitForDelivered(int n) {
    WaitFor(
        [&] {
          Json ok = GetJson("/admin/stats")["endpoints"]["fulfill"]["outcomes"]["ok"];
          return ok.is_number() && ok.get<int>() >= n;
        },
        absl::StrCat(n, " fulfilment documents delivered"), absl::Seconds(20));
  }

  // Waits until /admin/invoices lists `n` invoices; returns them.
  Json WaitForInvoices(size_t n) {
    Json list;
    WaitFor(
        [&] {
          list = GetJson("/admin/invoices")["invoices"];
          return list.size() >= n;
        },
        absl::StrCat(n, " invoices"), absl::Seconds(20));
    return list;
  }

  SimHarness h_;
  FulfillmentBuyer buyer_;
  GroupCredentials group_;
};

TEST_F(SimInvoicing, ShippedOrderIsInvoicedIntoTheMaildirWithPdfAndCxml) {
  const std::string maildir = NewMaildir();
  Json settings =
      Post("/admin/invoicing",
           Json{{"to", kTo}, {"maildir", maildir}, {"cxml", true}, {"authserv_id", "mx.iob.test"}}
               .dump(),
           200);
  EXPECT_EQ(settings["enabled"], true);
  EXPECT_EQ(GetJson("/admin/invoicing")["pdf"], true);

  const cxml::Document order = Order("PO-INV-M1");
  Json invoices = WaitForInvoices(1);
  ASSERT_THAT(invoices, SizeIs(1));
  const Json& inv = invoices[0];
  EXPECT_EQ(inv["outcome"], "sent") << inv.dump();
  EXPECT_EQ(inv["order_id"], "PO-INV-M1");
  EXPECT_EQ(inv["delivery"], "maildir");
  const std::string number = inv["invoice_number"];
  EXPECT_THAT(number, MatchesRegex("INV-1[0-9]{2}-[0-9]{7}-[0-9]{7}"));
  // 2 lines of 2 x 0.50 USD, no tax.
  EXPECT_EQ(inv["subtotal"], "2.00");
  EXPECT_EQ(inv["tax"], "0.00");
  EXPECT_EQ(inv["total"], "2.00");
  // The ship notice went first.
  EXPECT_THAT(buyer_.bodies(), SizeIs(2));
  EXPECT_THAT(buyer_.bodies()[1], HasSubstr("ShipNoticeRequest"));

  // Delivered atomically: in new/, nothing left in tmp/.
  const std::vector<std::string> files = FilesIn(maildir + "/new");
  ASSERT_THAT(files, SizeIs(1));
  EXPECT_EQ(inv["path"], files[0]);
  EXPECT_THAT(FilesIn(maildir + "/tmp"), IsEmpty());

  absl::StatusOr<ParsedMail> mail = ParseMail(ReadFile(files[0]));
  ASSERT_TRUE(mail.ok()) << mail.status();
  ASSERT_THAT(mail->from, SizeIs(1));
  EXPECT_EQ(mail->from[0].name, "Amazon Business");
  EXPECT_EQ(mail->from[0].address, "no-reply@amazon.com");
  ASSERT_THAT(mail->to, SizeIs(1));
  EXPECT_EQ(mail->to[0].address, kTo);
  EXPECT_THAT(mail->subject, HasSubstr("Amazon.com order 1"));
  EXPECT_EQ(mail->message_id, inv["message_id"]);
  EXPECT_THAT(mail->Header("Delivered-To"), ElementsAre(kTo));
  ASSERT_THAT(mail->Header("Authentication-Results"), SizeIs(1));
  EXPECT_EQ(mail->Header("Authentication-Results")[0],
            "mx.iob.test; dkim=pass header.d=amazon.com; spf=pass "
            "smtp.mailfrom=no-reply@amazon.com; dmarc=pass header.from=amazon.com");
  EXPECT_THAT(mail->Text(), HasSubstr("PO-INV-M1"));
  const auto attachments = mail->Attachments();
  ASSERT_THAT(attachments, SizeIs(2));
  EXPECT_EQ(attachments[0].file_name, absl::StrCat("Invoice-", number, ".pdf"));
  EXPECT_EQ(attachments[0].content_type, "application/pdf");
  EXPECT_EQ(attachments[1].file_name, absl::StrCat("Invoice-", number, ".xml"));

  // The PDF says what a person needs.
  absl::StatusOr<std::vector<std::string>> pages = PdfPages(attachments[0].data);
  ASSERT_TRUE(pages.ok()) << pages.status();
  const std::string text = absl::StrJoin(*pages, "\n");
  for (const std::string& s : {std::string("Invoice"), number, std::string("PO-INV-M1"),
                               std::string("Amazon.com Services LLC"), std::string("B07PART1"),
                               std::string("Total payable")}) {
    EXPECT_THAT(text, HasSubstr(s));
  }

  // The cXML invoice is the same invoice.
  auto doc =
      cxml::ReadDocumentOfType(attachments[1].data, cxml::DocumentType::kInvoiceDetailRequest);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const auto& req = std::get<cxml::InvoiceDetailRequest>(doc->body);
  EXPECT_EQ(req.invoice_id, number);
  ASSERT_THAT(req.orders, SizeIs(1));
  EXPECT_EQ(req.orders[0].order_reference.order_id, "PO-INV-M1");
  EXPECT_EQ(req.orders[0].order_reference.payload_id, order.payload_id);
  ASSERT_THAT(req.orders[0].items, SizeIs(2));
  EXPECT_EQ(req.orders[0].items[1].line_number, "2");
  EXPECT_EQ(req.orders[0].items[1].item_id->supplier_part_id, "B07PART2");
  EXPECT_EQ(req.summary.subtotal_amount.amount, "2.00");
  EXPECT_EQ(req.summary.due_amount->amount, "2.00");
  EXPECT_EQ(doc->header.to[0].identity, group_.from_identity);
  EXPECT_TRUE(doc->header.sender[0].shared_secret.empty()) << "no secret travels by mail";

  Json stats = GetJson("/admin/stats")["endpoints"]["invoice"]["outcomes"];
  EXPECT_EQ(stats["sent"], 1);
  EXPECT_THAT(GetJson("/admin/sent?endpoint=invoice")["documents"], SizeIs(1));
}

TEST_F(SimInvoicing, OnlyOrdersShippedWhileInvoicingIsOnAreInvoiced) {
  const std::string maildir = NewMaildir();
  Order("PO-INV-OFF");
  WaitForDelivered(2);  // its ship notice was delivered with invoicing off
  Post("/admin/invoicing", Json{{"to", kTo}, {"maildir", maildir}}.dump(), 200);
  Order("PO-INV-ON");
  Json invoices = WaitForInvoices(1);
  ASSERT_THAT(invoices, SizeIs(1));
  EXPECT_EQ(invoices[0]["order_id"], "PO-INV-ON");
  EXPECT_THAT(invoices[0]["attachments"], SizeIs(1));  // the PDF only (cxml off)

  EXPECT_EQ(Post("/admin/invoicing/clear", "", 200)["enabled"], false);
  EXPECT_EQ(GetJson("/admin/invoicing")["enabled"], false);
  Order("PO-INV-OFF2");
  WaitForDelivered(6);
  Post("/admin/invoicing", Json{{"to", kTo}, {"maildir", maildir}}.dump(), 200);
  Order("PO-INV-ON2");
  invoices = WaitForInvoices(2);
  ASSERT_THAT(invoices, SizeIs(2));
  EXPECT_EQ(invoices[1]["order_id"], "PO-INV-ON2");
  EXPECT_NE(invoices[1]["invoice_number"], invoices[0]["invoice_number"]);
  EXPECT_THAT(FilesIn(maildir + "/new"), SizeIs(2));
}

TEST_F(SimInvoicing, SmtpDeliveryAndItsFailuresAreCountedNeverFatal) {
  auto sink = SmtpSink::Start();
  ASSERT_TRUE(sink.ok()) << sink.status();
  Post("/admin/invoicing",
       Json{{"to", kTo},
            {"smtp_url", (*sink)->url()},
            {"smtp_plain", true},
            {"marketplace", "amazon.co.uk"},
            {"tax_rate", "20"}}
           .dump(),
       200);
  (*sink)->ScriptReplies({"550 5.1.1 no such user"});
  Order("PO-INV-S1");
  Json invoices = WaitForInvoices(1);
  EXPECT_EQ(invoices[0]["outcome"], "smtp_permanent") << invoices[0].dump();
  EXPECT_THAT(invoices[0]["error"].get<std::string>(), HasSubstr("550"));

  Order("PO-INV-S2");
  invoices = WaitForInvoices(2);
  ASSERT_THAT(invoices, SizeIs(2));
  EXPECT_EQ(invoices[1]["outcome"], "sent") << invoices[1].dump();
  EXPECT_EQ(invoices[1]["delivery"], "smtp");
  EXPECT_EQ(invoices[1]["tax"], "0.40");  // 20% of 2 x 1.00
  EXPECT_EQ(invoices[1]["total"], "2.40");
  ASSERT_THAT((*sink)->Accepted(), SizeIs(1));
  absl::StatusOr<ParsedMail> mail = ParseMail((*sink)->Accepted()[0]);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_EQ(mail->from[0].address, "no-reply@amazon.co.uk");
  // A receiving SMTP server writes its own Authentication-Results.
  EXPECT_THAT(mail->Header("Authentication-Results"), IsEmpty());

  Json counts = GetJson("/admin/invoices");
  EXPECT_EQ(counts["sent"], 1);
  EXPECT_EQ(counts["failed"], 1);
  Json stats = GetJson("/admin/stats")["endpoints"]["invoice"]["outcomes"];
  EXPECT_EQ(stats["sent"], 1);
  EXPECT_EQ(stats["smtp_permanent"], 1);
}

TEST_F(SimInvoicing, AMaildirThatWentAwayIsAFailureNotACrash) {
  const std::string maildir = NewMaildir();
  Post("/admin/invoicing", Json{{"to", kTo}, {"maildir", maildir}}.dump(), 200);
  std::filesystem::remove_all(maildir);
  Order("PO-INV-GONE");
  Json invoices = WaitForInvoices(1);
  EXPECT_EQ(invoices[0]["outcome"], "maildir_error");
  EXPECT_THAT(invoices[0]["error"].get<std::string>(), HasSubstr("cannot create"));
  EXPECT_EQ(GetJson("/admin/stats")["endpoints"]["invoice"]["outcomes"]["maildir_error"], 1);
  // Still serving.
  EXPECT_EQ(GetJson("/admin/invoicing")["enabled"], true);
  Order("PO-INV-AFTER");
  EXPECT_THAT(WaitForInvoices(2), SizeIs(2));
}

TEST_F(SimInvoicing, BadSettingsAre400NamingTheFieldAndChangeNothing) {
  const std::string maildir = NewMaildir();
  const std::vector<std::pair<Json, std::string>> cases = {
      {Json{{"maildir", maildir}}, "to:"},
      {Json{{"to", "not an address"}, {"maildir", maildir}}, "to:"},
      {Json{{"to", kTo}}, "maildir:"},
      {Json{{"to", kTo}, {"maildir", maildir}, {"smtp_url", "smtp://127.0.0.1:25"}}, "maildir:"},
      {Json{{"to", kTo}, {"maildir", "relative/dir"}}, "maildir:"},
      {Json{{"to", kTo}, {"maildir", "/nonexistent/maildir"}}, "maildir:"},
      {Json{{"to", kTo}, {"smtp_url", "http://127.0.0.1:25"}}, "smtp_url:"},
      {Json{{"to", kTo}, {"smtp_url", "smtp://mail.example:25"}, {"smtp_plain", true}},
       "smtp_plain:"},
      {Json{{"to", kTo}, {"smtp_url", "smtp://127.0.0.1:25"}, {"authserv_id", "mx.example"}},
       "authserv_id:"},
      {Json{{"to", kTo}, {"maildir", maildir}, {"authserv_id", "mx; dkim=pass"}}, "authserv_id:"},
      {Json{{"to", kTo}, {"maildir", maildir}, {"pdf", false}}, "pdf:"},
      {Json{{"to", kTo}, {"maildir", maildir}, {"cxml", "yes"}}, "cxml:"},
      {Json{{"to", kTo}, {"maildir", maildir}, {"delay_ms", -1}}, "delay_ms:"},
      {Json{{"to", kTo}, {"maildir", maildir}, {"marketplace", "amazon.moon"}}, "marketplace:"},
      {Json{{"to", kTo}, {"maildir", maildir}, {"tax_rate", "100"}}, "tax_rate:"},
      {Json{{"to", kTo}, {"maildir", maildir}, {"tax_rate", "0.12345"}}, "tax_rate:"},
      {Json{{"to", kTo}, {"maildir", maildir}, {"speed", 1}}, "speed:"},
      {Json::array({1}), "invoicing:"},
  };
  for (const auto& [body, field] : cases) {
    Json answer = Post("/admin/invoicing", body.dump(), 400);
    EXPECT_TRUE(absl::StartsWith(answer["error"].get<std::string>(), field))
        << body.dump() << " -> " << answer.dump();
  }
  EXPECT_EQ(GetJson("/admin/invoicing")["enabled"], false);
}

// A sample shipped order: `lines` example lines with these quantities and
// unit prices, in `currency`.
AcceptedOrder OrderWith(const std::vector<std::pair<std::string, std::string>>& lines,
                        const std::string& currency = "USD") {
  AcceptedOrder a;
  a.payload_id = "20261206T101500Z.1.00000000000000aa@buyer.example";
  a.order = SampleOrder("PO-FIG", static_cast<int>(lines.size()));
  for (size_t i = 0; i < lines.size(); ++i) {
    a.order.items[i].quantity = lines[i].first;
    a.order.items[i].item_detail->unit_price = {lines[i].second, currency};
  }
  a.buyer = {{"NetworkID", "BUYER-1", ""}};
  return a;
}

TEST(SimInvoiceFigures, ExactDecimalsAndHalfUpCents) {
  const Marketplace& uk = *FindMarketplace("amazon.co.uk");
  const absl::Time now = absl::FromUnixSeconds(1796551200);  // 2026-12-06
  absl::StatusOr<SimInvoice> inv = ComputeInvoice(
      OrderWith({{"3", "3.33"}, {"1", "0.125"}, {"2", "10.5"}}, "GBP"), uk, "20", now);
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->currency, "GBP");
  ASSERT_THAT(inv->lines, SizeIs(3));
  EXPECT_EQ(inv->lines[0].amount, "9.99");
  EXPECT_EQ(inv->lines[0].tax, "2.00");  // 1.998
  EXPECT_EQ(inv->lines[1].amount, "0.125");
  EXPECT_EQ(inv->lines[1].tax, "0.03");  // 0.025, half up
  EXPECT_EQ(inv->lines[2].unit_price, "10.50");
  EXPECT_EQ(inv->lines[2].amount, "21.00");
  EXPECT_EQ(inv->lines[2].tax, "4.20");
  EXPECT_EQ(inv->subtotal, "31.115");
  EXPECT_EQ(inv->tax, "6.23");
  EXPECT_EQ(inv->total, "37.345");
  EXPECT_THAT(inv->order_number, MatchesRegex("2[0-9]{2}-[0-9]{7}-[0-9]{7}"));

  // Stable per order, different for another.
  AcceptedOrder same = OrderWith({{"1", "1.00"}});
  AcceptedOrder other = same;
  other.payload_id = "20261206T101500Z.1.00000000000000ab@buyer.example";
  EXPECT_EQ(ComputeInvoice(same, uk, "0", now)->number, ComputeInvoice(same, uk, "0", now)->number);
  EXPECT_NE(ComputeInvoice(same, uk, "0", now)->number,
            ComputeInvoice(other, uk, "0", now)->number);

  // One currency per invoice; a line needs a price.
  AcceptedOrder mixed = OrderWith({{"1", "1.00"}, {"1", "2.00"}});
  mixed.order.items[1].item_detail->unit_price.currency = "EUR";
  EXPECT_EQ(ComputeInvoice(mixed, uk, "0", now).status().code(),
            absl::StatusCode::kInvalidArgument);
  AcceptedOrder bare = OrderWith({{"1", "1.00"}});
  bare.order.items[0].item_detail.reset();
  EXPECT_EQ(ComputeInvoice(bare, uk, "0", now).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SimInvoiceDtd, CxmlInvoiceIsValidAgainstInvoiceDetailDtd) {
  const std::string dtd_dir = DtdDir();
  if (dtd_dir.empty()) GTEST_SKIP() << DtdSkipReason();
  ASSERT_TRUE(HaveXmllint()) << "xmllint is required (Debian package libxml2-utils)";
  for (const char* domain : {"amazon.com", "amazon.de"}) {
    const Marketplace& m = *FindMarketplace(domain);
    const absl::Time now = absl::Now();
    AcceptedOrder order = OrderWith({{"2", "0.50"}, {"3", "1999.99"}}, "EUR");
    order.deployment_mode = cxml::DeploymentMode::kTest;
    absl::StatusOr<SimInvoice> inv = ComputeInvoice(order, m, "19", now);
    ASSERT_TRUE(inv.ok()) << inv.status();
    const std::string xml = WriteOrDie(InvoiceDocumentFor(*inv, order, m, now));
    auto [code, out] = XmllintValidate(xml, dtd_dir + "/InvoiceDetail.dtd");
    EXPECT_EQ(code, 0) << out << "\n" << xml;
  }
}

}  // namespace
}  // namespace iob::sim::testing

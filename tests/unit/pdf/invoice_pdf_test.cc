// RenderInvoice, read back the way invoice intake reads a mailed PDF
// (iob::invoice::ReadInvoicePart: poppler's text and the PDF rules for
// Amazon Business's layout): every header value the rules find equals what
// the sheet says, the item rows come back whole, and nothing is left for a
// person to confirm. Plus the text a person sees, pages, and errors.
#include "libs/pdf/invoice_pdf.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/pdf/examples.h"
#include "poppler/cpp/poppler-document.h"
#include "poppler/cpp/poppler-page.h"
#include "services/invoice-intake/invoice_reader.h"

namespace iob::pdf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::string RenderOrDie(const InvoiceSheet& sheet) {
  absl::StatusOr<std::string> pdf = RenderInvoice(sheet);
  EXPECT_TRUE(pdf.ok()) << pdf.status();
  return pdf.ok() ? *pdf : "";
}

// What intake reads from `pdf` mailed as Invoice.pdf.
invoice::InvoiceDocument ReadBack(const std::string& pdf) {
  invoice::MailPart part;
  part.path = "2";
  part.content_type = "application/pdf";
  part.file_name = "Invoice.pdf";
  part.attachment = true;
  part.data = pdf;
  std::optional<invoice::PartResult> r = invoice::ReadInvoicePart(part);
  EXPECT_TRUE(r.has_value());
  if (!r.has_value()) return {};
  EXPECT_EQ(r->error, "");
  EXPECT_TRUE(r->invoice.has_value());
  return r->invoice.value_or(invoice::InvoiceDocument{});
}

// Each page's text, blanks folded (one space between words).
std::vector<std::string> Pages(const std::string& pdf) {
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  std::vector<std::string> pages;
  if (doc == nullptr) return pages;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    const poppler::byte_array bytes = page->text().to_utf8();
    std::vector<std::string> words = absl::StrSplit(std::string(bytes.begin(), bytes.end()),
                                                    absl::ByAnyChar(" \n\f"), absl::SkipEmpty());
    pages.push_back(absl::StrJoin(words, " "));
  }
  return pages;
}

// Checks every value intake reads against the sheet: header, totals and
// each row (quantity, unit price, amount, part id from the part label).
void ExpectReadsAsSheet(const InvoiceSheet& sheet, const std::string& iso_date) {
  const invoice::InvoiceDocument inv = ReadBack(RenderOrDie(sheet));
  EXPECT_EQ(inv.format, invoice::InvoiceFormat::kPdf);
  EXPECT_THAT(inv.doubts, IsEmpty());
  EXPECT_EQ(inv.invoice_number.value, sheet.invoice_number);
  EXPECT_EQ(inv.invoice_number.rule, "pdf:amazon-business:invoice-number");
  EXPECT_EQ(inv.invoice_date.value, iso_date);
  ASSERT_THAT(inv.po_numbers, SizeIs(1));
  EXPECT_EQ(inv.po_numbers[0].value, sheet.po_number);
  EXPECT_EQ(inv.currency, sheet.currency);
  EXPECT_EQ(inv.net.value, sheet.subtotal);
  EXPECT_EQ(inv.tax.value, sheet.tax);
  EXPECT_EQ(inv.tax.rule, "pdf:amazon-business:vat-total");
  EXPECT_EQ(inv.gross.value, sheet.total);
  EXPECT_EQ(inv.issuer_name, sheet.seller.name);
  if (sheet.seller_vat_number.empty()) {
    EXPECT_THAT(inv.issuer_ids, IsEmpty());
  } else {
    EXPECT_THAT(inv.issuer_ids, ElementsAre(absl::StrCat("VAT:", sheet.seller_vat_number)));
  }
  ASSERT_THAT(inv.lines, SizeIs(sheet.lines.size()));
  for (size_t i = 0; i < sheet.lines.size(); ++i) {
    const InvoiceSheetLine& want = sheet.lines[i];
    const invoice::InvoiceLine& got = inv.lines[i];
    EXPECT_EQ(got.quantity, want.quantity) << "line " << i;
    EXPECT_EQ(got.unit_price, want.unit_price) << "line " << i;
    EXPECT_EQ(got.subtotal, want.amount) << "line " << i;
    EXPECT_EQ(absl::StrCat("ASIN: ", got.supplier_part_id), want.part_label) << "line " << i;
    EXPECT_TRUE(absl::StartsWith(want.description, got.description.substr(0, 20)))
        << "line " << i << ": " << got.description;
  }
}

// A US invoice as the simulator writes one: dollars, "Tax", no VAT number,
// a month-first date.
InvoiceSheet UsSheet() {
  InvoiceSheet s;
  s.brand = "amazon business";
  s.seller = {"Amazon.com Services LLC", {"410 Terry Ave N", "Seattle, WA 98109", "United States"}};
  s.invoice_number = "INV-112-4417236-5520341";
  s.invoice_date = "December 6, 2026";
  s.po_number = "PO-INV-1";
  s.order_number = "112-4417236-5520341";
  s.order_date = "December 4, 2026";
  s.currency = "USD";
  s.tax_name = "Tax";
  s.bill_to = {"Acme Corp", {"1 Main St", "Springfield, IL 62701", "United States"}};
  s.ship_to = {"Acme Receiving", {"2 Main St", "Springfield, IL 62701", "United States"}};
  s.lines = {{"Ballpoint pens, blue, 12-pack", "ASIN: B0SIMPEN12", "2", "10.50", "0", "21.00"},
             {"Kugelschreiber, schwarz (Großpackung)", "ASIN: B0SIMPEN99", "1000", "1.25", "0",
              "1250.00"}};
  s.subtotal = "1271.00";
  s.tax = "0.00";
  s.total = "1271.00";
  return s;
}

TEST(InvoicePdfTest, ExampleReadsBackAsTheSheet) {
  ExpectReadsAsSheet(ExampleInvoiceSheet(6), "2026-12-06");
}

TEST(InvoicePdfTest, UsInvoiceWithThousandsReadsBackAsTheSheet) {
  ExpectReadsAsSheet(UsSheet(), "2026-12-06");
}

TEST(InvoicePdfTest, EveryCurrencyPrintsSoItReadsBack) {
  for (const char* currency : {"EUR", "CAD", "SEK"}) {
    InvoiceSheet s = UsSheet();
    s.currency = currency;
    s.tax_name = "VAT";
    s.seller_vat_number = "LU20260743";
    s.invoice_date = "6 December 2026";
    SCOPED_TRACE(currency);
    ExpectReadsAsSheet(s, "2026-12-06");
  }
}

TEST(InvoicePdfTest, FortyLinesBreakAcrossPagesAndStillReadBack) {
  const InvoiceSheet sheet = ExampleInvoiceSheet(40);
  const std::vector<std::string> pages = Pages(RenderOrDie(sheet));
  ASSERT_GE(pages.size(), 2u);
  for (size_t i = 0; i < pages.size(); ++i) {
    EXPECT_THAT(pages[i], HasSubstr(absl::StrCat("Page ", i + 1, " of ", pages.size())));
    EXPECT_THAT(pages[i], HasSubstr("Description Qty Unit price VAT rate Amount"));
    if (i > 0) {
      EXPECT_THAT(pages[i], HasSubstr("Invoice GB6AB12CDE4 (continued)"));
    }
  }
  ExpectReadsAsSheet(sheet, "2026-12-06");
}

TEST(InvoicePdfTest, APersonSeesAnAmazonStyleInvoice) {
  const std::vector<std::string> pages = Pages(RenderOrDie(ExampleInvoiceSheet(3)));
  ASSERT_THAT(pages, SizeIs(1));
  const std::string& text = pages[0];
  for (const char* s :
       {"amazon business", "Invoice", "Sold by: Amazon EU S.à r.l., UK Branch",
        "VAT number: GB727255821", "Invoice number GB6AB12CDE4", "Invoice date 6 December 2026",
        "Purchase order number PO-2026-004711", "Order number 203-4417236-5520341",
        "Payment terms Pay by Invoice, 30 days", "BILL TO", "SHIP TO", "Acme Receiving, Dock 3",
        "ASIN: B0EXAMPL01", "Subtotal", "Total VAT", "Total payable", "NOTES"}) {
    EXPECT_THAT(text, HasSubstr(s));
  }
  EXPECT_THAT(text, HasSubstr("£"));
}

TEST(InvoicePdfTest, BadInputIsInvalidArgumentNamingTheField) {
  struct Case {
    void (*spoil)(InvoiceSheet&);
    const char* field;
  };
  const Case cases[] = {
      {[](InvoiceSheet& s) { s.invoice_number.clear(); }, "invoice_number"},
      {[](InvoiceSheet& s) { s.currency = "usd"; }, "currency"},
      {[](InvoiceSheet& s) { s.lines.clear(); }, "lines"},
      {[](InvoiceSheet& s) { s.lines[1].unit_price = "1,25"; }, "lines[1].unit_price"},
      {[](InvoiceSheet& s) { s.total = "12.5e3"; }, "total"},
      {[](InvoiceSheet& s) { s.seller.lines.push_back("\xff"); }, "seller"},
      {[](InvoiceSheet& s) { s.notes = "\xc3("; }, "notes"},
  };
  for (const Case& c : cases) {
    InvoiceSheet s = UsSheet();
    c.spoil(s);
    absl::StatusOr<std::string> pdf = RenderInvoice(s);
    EXPECT_EQ(pdf.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_TRUE(absl::StartsWith(pdf.status().message(), c.field)) << pdf.status();
  }
}

}  // namespace
}  // namespace iob::pdf

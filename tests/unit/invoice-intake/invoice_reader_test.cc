// ReadInvoices on mail composed by libs/mail carrying invoices made by real
// producers: cXML written by libs/cxml, PDFs rendered by cairo + pango,
// Factur-X PDFs with the CII embedded, CII and UBL documents; and on what
// must be refused (broken, encrypted, forged, oversized).
#include "services/invoice-intake/invoice_reader.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/writer.h"
#include "libs/mail/message.h"
#include "services/invoice-intake/cii_reader.h"
#include "services/invoice-intake/mail_message.h"
#include "tests/unit/invoice-intake/invoice_reader_fixtures.h"

namespace iob::invoice {
namespace {

using testing::AmazonInvoicePage;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::Sheet;
using ::testing::UnorderedElementsAre;

auto FoundIs(const std::string& value, const std::string& rule) {
  return ::testing::AllOf(Field(&Found::value, value), Field(&Found::rule, rule));
}

// The mail an Amazon Business invoice arrives in, composed by libs/mail.
MailMessage Mail(std::vector<mail::Attachment> attachments) {
  mail::OutgoingMessage m;
  m.from = {"Amazon Business", "no-reply@business.amazon.co.uk"};
  m.to = {{"", "acme-7f3k@invoices.iob.example"}};
  m.subject = "Your invoice";
  m.message_id = "invoice.1@amazon.example";
  m.date = absl::FromUnixSeconds(1710230400);
  m.text = "Your invoice is attached.";
  m.attachments = std::move(attachments);
  absl::StatusOr<std::string> raw = mail::Compose(m);
  EXPECT_TRUE(raw.ok()) << raw.status();
  absl::StatusOr<MailMessage> mail = ReadMail(raw.value_or(""));
  EXPECT_TRUE(mail.ok()) << mail.status();
  return mail.value_or(MailMessage());
}

// The one result of a mail with one attachment.
PartResult One(const mail::Attachment& attachment) {
  std::vector<PartResult> results = ReadInvoices(Mail({attachment}));
  EXPECT_EQ(results.size(), 1u);
  return results.empty() ? PartResult() : results.front();
}

// ---- cXML --------------------------------------------------------------------

cxml::InvoiceDetailItem Item(const std::string& invoice_line, const std::string& order_line,
                             const std::string& part, const std::string& quantity,
                             const std::string& price, const std::string& subtotal,
                             const std::string& tax) {
  cxml::InvoiceDetailItem item;
  item.invoice_line_number = invoice_line;
  item.quantity = quantity;
  item.unit_of_measure = "EA";
  item.unit_price = {price, "GBP"};
  item.line_number = order_line;
  item.item_id = cxml::ItemId();
  item.item_id->supplier_part_id = part;
  item.description = cxml::Description{"en", absl::StrCat("Item ", part), ""};
  item.subtotal_amount = cxml::Money{subtotal, "GBP"};
  item.tax = cxml::Tax{{tax, "GBP"}, {"en", "VAT 20%", ""}};
  return item;
}

// A consolidated invoice over two orders, written by libs/cxml.
std::string CxmlInvoice() {
  cxml::Document doc = cxml::ExampleDocument(cxml::DocumentType::kInvoiceDetailRequest,
                                             cxml::ExampleDetail::kMinimal);
  cxml::InvoiceDetailRequest inv;
  inv.invoice_id = "AB-INV-2024-0815";
  inv.invoice_date = "2024-03-12T23:30:00-08:00";
  cxml::Contact issuer;
  issuer.role = "issuerOfInvoice";
  issuer.name = "Amazon EU S.\u00e0 r.l.";
  inv.partners = {issuer};
  inv.orders = {
      {{"PO-1001", "2024-03-01T10:00:00+00:00", "1709287200.1@iob.example"},
       {Item("1", "1", "B01GGKYKQM", "2", "8.33", "16.66", "3.33"),
        Item("2", "2", "B004YAVF8I", "1", "12.49", "12.49", "2.50")}},
      {{"PO-1002", "2024-03-02T10:00:00+00:00", "1709373600.2@iob.example"},
       {Item("3", "1", "B07PGL2ZSL", "1", "8.50", "8.50", "1.70")}},
  };
  inv.summary.subtotal_amount = {"37.65", "GBP"};
  inv.summary.tax = {{"7.53", "GBP"}, {"en", "VAT", ""}};
  inv.summary.gross_amount = cxml::Money{"45.18", "GBP"};
  inv.summary.net_amount = {"45.18", "GBP"};
  inv.summary.due_amount = cxml::Money{"45.18", "GBP"};
  doc.body = inv;
  absl::StatusOr<std::string> xml = cxml::WriteDocument(doc);
  EXPECT_TRUE(xml.ok()) << xml.status();
  return xml.value_or("");
}

TEST(ReadInvoicesCxml, ConsolidatedInvoiceAttachment) {
  const PartResult r = One({"AB-INV-2024-0815.xml", "application/xml", CxmlInvoice()});
  EXPECT_EQ(r.part, "AB-INV-2024-0815.xml");
  EXPECT_EQ(r.error, "");
  ASSERT_TRUE(r.invoice.has_value());
  const InvoiceDocument& inv = *r.invoice;
  EXPECT_EQ(inv.format, InvoiceFormat::kCxml);
  EXPECT_THAT(inv.invoice_number,
              FoundIs("AB-INV-2024-0815", "cxml:InvoiceDetailRequestHeader@invoiceID"));
  // The supplier's own calendar day, whatever the zone.
  EXPECT_THAT(inv.invoice_date,
              FoundIs("2024-03-12", "cxml:InvoiceDetailRequestHeader@invoiceDate"));
  EXPECT_FALSE(inv.credit_memo);
  EXPECT_EQ(inv.currency, "GBP");
  EXPECT_THAT(inv.net, FoundIs("37.65", "cxml:InvoiceDetailSummary/SubtotalAmount"));
  EXPECT_THAT(inv.tax, FoundIs("7.53", "cxml:InvoiceDetailSummary/Tax"));
  EXPECT_THAT(inv.gross, FoundIs("45.18", "cxml:InvoiceDetailSummary/DueAmount"));
  EXPECT_THAT(
      inv.po_numbers,
      ElementsAre(FoundIs("PO-1001", "cxml:InvoiceDetailOrderInfo/OrderReference@orderID"),
                  FoundIs("PO-1002", "cxml:InvoiceDetailOrderInfo/OrderReference@orderID")));
  EXPECT_THAT(inv.issuer_ids, ElementsAre("DUNS:128990368"));
  EXPECT_EQ(inv.issuer_name, "Amazon EU S.\u00e0 r.l.");
  EXPECT_THAT(inv.doubts, IsEmpty());
  ASSERT_EQ(inv.lines.size(), 3u);
  const InvoiceLine& l = inv.lines[2];
  EXPECT_EQ(l.line_number, 3);
  EXPECT_EQ(l.po_number, "PO-1002");
  EXPECT_EQ(l.order_line_number, 1);
  EXPECT_EQ(l.supplier_part_id, "B07PGL2ZSL");
  EXPECT_EQ(l.description, "Item B07PGL2ZSL");
  EXPECT_EQ(l.quantity, "1");
  EXPECT_EQ(l.unit_of_measure, "EA");
  EXPECT_EQ(l.unit_price, "8.50");
  EXPECT_EQ(l.subtotal, "8.50");
  EXPECT_EQ(l.tax, "1.70");
  EXPECT_EQ(inv.lines[0].po_number, "PO-1001");
  EXPECT_EQ(inv.lines[1].order_line_number, 2);
}

TEST(ReadInvoicesCxml, CreditMemo) {
  absl::StatusOr<std::string> xml = cxml::WriteDocument(
      cxml::ExampleDocument(cxml::DocumentType::kInvoiceDetailRequest, cxml::ExampleDetail::kFull));
  ASSERT_TRUE(xml.ok()) << xml.status();
  const PartResult r = One({"credit.xml", "text/xml", *xml});
  ASSERT_TRUE(r.invoice.has_value()) << r.error;
  EXPECT_TRUE(r.invoice->credit_memo);
  EXPECT_EQ(r.invoice->gross.value, "-1.00");
  ASSERT_EQ(r.invoice->lines.size(), 1u);
  EXPECT_EQ(r.invoice->lines[0].quantity, "-2");
}

TEST(ReadInvoicesCxml, XmlBodyWithoutAttachment) {
  const std::string raw = absl::StrCat(
      "From: invoices@supplier.example\r\nTo: acme-7f3k@invoices.iob.example\r\n"
      "Subject: cXML invoice\r\nMIME-Version: 1.0\r\nContent-Type: text/xml; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
      absl::StrReplaceAll(CxmlInvoice(), {{"=", "=3D"}}));
  absl::StatusOr<MailMessage> mail = ReadMail(raw);
  ASSERT_TRUE(mail.ok()) << mail.status();
  std::vector<PartResult> results = ReadInvoices(*mail);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].part, "1");
  ASSERT_TRUE(results[0].invoice.has_value()) << results[0].error;
  EXPECT_EQ(results[0].invoice->invoice_number.value, "AB-INV-2024-0815");
}

TEST(ReadInvoicesCxml, OtherDocumentsAndBrokenOnes) {
  absl::StatusOr<std::string> order = cxml::WriteDocument(
      cxml::ExampleDocument(cxml::DocumentType::kOrderRequest, cxml::ExampleDetail::kMinimal));
  ASSERT_TRUE(order.ok());
  const std::string invoice = CxmlInvoice();
  const std::string entity = absl::StrReplaceAll(
      invoice, {{"<cXML ", "<!DOCTYPE cXML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<cXML "}});
  std::vector<PartResult> results = ReadInvoices(Mail({
      {"order.xml", "application/xml", *order},
      {"truncated.xml", "application/xml", invoice.substr(0, invoice.size() / 2)},
      {"entity.xml", "application/xml", entity},
      {"notes.xml", "application/xml", "<notes><n>hi</n></notes>"},
      {"archive.zip", "application/zip", std::string(1000, '\0')},
      {"photo.jpg", "image/jpeg", "\xff\xd8\xff\xe0"},
  }));
  ASSERT_EQ(results.size(), 5u);  // the photo is no candidate
  EXPECT_EQ(results[0].part, "order.xml");
  EXPECT_FALSE(results[0].invoice.has_value());
  EXPECT_EQ(results[0].error, "");  // an order is no invoice, and no error either
  EXPECT_THAT(results[1].error, HasSubstr("cXML: not well-formed XML"));
  EXPECT_THAT(results[2].error, HasSubstr("cXML: ENTITY declarations are not allowed"));
  EXPECT_FALSE(results[3].invoice.has_value());
  EXPECT_EQ(results[3].error, "");
  EXPECT_EQ(results[4].part, "archive.zip");
  EXPECT_THAT(results[4].error, HasSubstr("never expanded"));  // never opened
}

TEST(ReadInvoicesCxml, OverTheXmlLimit) {
  ReaderLimits limits;
  limits.max_xml_bytes = 1000;
  std::optional<PartResult> r = ReadInvoicePart(MailPart{.path = "2",
                                                         .content_type = "text/xml",
                                                         .file_name = "",
                                                         .attachment = false,
                                                         .data = CxmlInvoice(),
                                                         .encoding_error = ""},
                                                limits);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->part, "2");
  EXPECT_THAT(r->error, HasSubstr("cXML: "));
  EXPECT_FALSE(r->invoice.has_value());
}

// ---- CII, UBL ------------------------------------------------------------------

void ExpectCiiValues(const InvoiceDocument& inv) {
  EXPECT_THAT(inv.invoice_number, FoundIs("FX-2024-0007", "cii:ExchangedDocument/ID"));
  EXPECT_THAT(inv.invoice_date,
              FoundIs("2024-03-12", "cii:ExchangedDocument/IssueDateTime/DateTimeString"));
  EXPECT_EQ(inv.currency, "EUR");
  EXPECT_THAT(inv.po_numbers,
              ElementsAre(FoundIs("PO-1001",
                                  "cii:ApplicableHeaderTradeAgreement/"
                                  "BuyerOrderReferencedDocument/IssuerAssignedID")));
  EXPECT_THAT(inv.net, FoundIs("29.15",
                               "cii:SpecifiedTradeSettlementHeaderMonetarySummation/"
                               "TaxBasisTotalAmount"));
  EXPECT_EQ(inv.tax.value, "5.54");
  EXPECT_THAT(
      inv.gross,
      FoundIs("34.69", "cii:SpecifiedTradeSettlementHeaderMonetarySummation/DuePayableAmount"));
  EXPECT_THAT(inv.issuer_ids, ElementsAre("0088:4000001123452", "VA:DE814584193"));
  EXPECT_EQ(inv.issuer_name, "Amazon EU S.\u00e0 r.l.");
  EXPECT_THAT(inv.doubts, IsEmpty());  // BasisQuantity 1.000 is one
  ASSERT_EQ(inv.lines.size(), 2u);
  EXPECT_EQ(inv.lines[0].line_number, 1);
  EXPECT_EQ(inv.lines[0].supplier_part_id, "B01GGKYKQM");
  EXPECT_EQ(inv.lines[0].description, "AmazonBasics USB-C cable");
  EXPECT_EQ(inv.lines[0].quantity, "2");
  EXPECT_EQ(inv.lines[0].unit_of_measure, "H87");
  EXPECT_EQ(inv.lines[0].unit_price, "8.33");
  EXPECT_EQ(inv.lines[0].subtotal, "16.66");
  EXPECT_EQ(inv.lines[0].order_line_number, 1);
  EXPECT_EQ(inv.lines[1].unit_price, "12.49");
}

TEST(ReadInvoicesCii, BareCiiAttachment) {
  const PartResult r = One({"invoice.xml", "application/xml", testing::CiiInvoice()});
  ASSERT_TRUE(r.invoice.has_value()) << r.error;
  EXPECT_EQ(r.invoice->format, InvoiceFormat::kCii);
  EXPECT_FALSE(r.invoice->credit_memo);
  ExpectCiiValues(*r.invoice);
}

TEST(ReadInvoicesCii, CreditNoteAndRefusals) {
  absl::StatusOr<InvoiceDocument> credit = ReadCii(testing::CiiInvoice("381"), InvoiceFormat::kCii);
  ASSERT_TRUE(credit.ok()) << credit.status();
  EXPECT_TRUE(credit->credit_memo);

  const std::string cii = testing::CiiInvoice();
  const std::string comma =
      absl::StrReplaceAll(cii, {{">29.15</ram:TaxBasis", ">29,15</ram:TaxBasis"}});
  EXPECT_THAT(ReadCii(comma, InvoiceFormat::kCii).status().message(),
              HasSubstr("TaxBasisTotalAmount is not a plain decimal: \"29,15\""));
  const std::string doctype = absl::StrReplaceAll(
      cii, {{"<rsm:CrossIndustryInvoice ",
             "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>\n<rsm:CrossIndustryInvoice "}});
  EXPECT_EQ(ReadCii(doctype, InvoiceFormat::kCii).status().message(), "a DOCTYPE is not allowed");
  const std::string other_ns = absl::StrReplaceAll(cii, {{"CrossIndustryInvoice:100", "Other:1"}});
  EXPECT_EQ(ReadCii(other_ns, InvoiceFormat::kCii).status().message(),
            "not a CII CrossIndustryInvoice");
  const std::string bad_date = absl::StrReplaceAll(cii, {{">20240312<", ">20241312<"}});
  EXPECT_THAT(ReadCii(bad_date, InvoiceFormat::kCii).status().message(),
              HasSubstr("IssueDateTime is not a date"));
  std::string deep =
      "<rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:standard:"
      "CrossIndustryInvoice:100\">";
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  deep += "</rsm:CrossIndustryInvoice>";
  EXPECT_EQ(ReadCii(deep, InvoiceFormat::kCii).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReadCii(cii, InvoiceFormat::kCii, {.max_bytes = 100}).status().code(),
            absl::StatusCode::kResourceExhausted);

  // Through ReadInvoices the reason is the part's error.
  const PartResult r = One({"x.xml", "text/xml", comma});
  EXPECT_FALSE(r.invoice.has_value());
  EXPECT_THAT(r.error, HasSubstr("CII: "));
}

TEST(ReadInvoicesUbl, InvoiceAndCreditNote) {
  std::vector<PartResult> results = ReadInvoices(Mail({
      {"ubl.xml", "application/xml", testing::UblInvoice()},
      {"ubl-credit.xml", "application/xml", testing::UblCreditNote()},
  }));
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[0].invoice.has_value()) << results[0].error;
  const InvoiceDocument& inv = *results[0].invoice;
  EXPECT_EQ(inv.format, InvoiceFormat::kUbl);
  EXPECT_THAT(inv.invoice_number, FoundIs("UBL-2024-42", "ubl:ID"));
  EXPECT_THAT(inv.invoice_date, FoundIs("2024-03-12", "ubl:IssueDate"));
  EXPECT_FALSE(inv.credit_memo);
  EXPECT_EQ(inv.currency, "EUR");
  EXPECT_THAT(inv.po_numbers, ElementsAre(FoundIs("PO-1002", "ubl:OrderReference/ID")));
  EXPECT_THAT(inv.net, FoundIs("12.49", "ubl:LegalMonetaryTotal/TaxExclusiveAmount"));
  EXPECT_THAT(inv.tax, FoundIs("2.37", "ubl:TaxTotal/TaxAmount"));
  EXPECT_THAT(inv.gross, FoundIs("14.86", "ubl:LegalMonetaryTotal/PayableAmount"));
  EXPECT_THAT(inv.issuer_ids, ElementsAre("0088:4000001123452", "VAT:DE814584193"));
  EXPECT_EQ(inv.issuer_name, "Amazon EU S.\u00e0 r.l.");
  ASSERT_EQ(inv.lines.size(), 1u);
  EXPECT_EQ(inv.lines[0].quantity, "1");
  EXPECT_EQ(inv.lines[0].order_line_number, 3);
  EXPECT_EQ(inv.lines[0].supplier_part_id, "B004YAVF8I");
  EXPECT_EQ(inv.lines[0].unit_price, "12.49");
  EXPECT_EQ(inv.lines[0].subtotal, "12.49");

  ASSERT_TRUE(results[1].invoice.has_value()) << results[1].error;
  EXPECT_TRUE(results[1].invoice->credit_memo);
  ASSERT_EQ(results[1].invoice->lines.size(), 1u);
  EXPECT_EQ(results[1].invoice->lines[0].quantity, "1");
}

TEST(ReadInvoicesCiiUbl, WithoutAnOrderReferenceTheBuyerReferenceIsThePo) {
  // As @e-invoice-eu/core writes Factur-X below EXTENDED: no order reference.
  const std::string cii = absl::StrReplaceAll(
      testing::CiiInvoice(),
      {{"<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>PO-1001</ram:IssuerAssignedID>"
        "</ram:BuyerOrderReferencedDocument>",
        ""}});
  absl::StatusOr<InvoiceDocument> c = ReadCii(cii, InvoiceFormat::kCii);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->po_numbers,
              ElementsAre(FoundIs("ACME-AP", "cii:ApplicableHeaderTradeAgreement/BuyerReference")));
  // PEPPOL's "NA" is no PO either.
  const std::string ubl = absl::StrReplaceAll(testing::UblInvoice(), {{">PO-1002<", ">NA<"}});
  absl::StatusOr<InvoiceDocument> u = ReadUbl(ubl);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_THAT(u->po_numbers, ElementsAre(FoundIs("ACME-AP", "ubl:BuyerReference")));
}

// ---- PDF -------------------------------------------------------------------------

std::string AmazonPdf(const Sheet& sheet = Sheet()) {
  return testing::RenderPdf({AmazonInvoicePage(sheet)});
}

std::string Rule(const std::string& name) { return absl::StrCat("pdf:amazon-business:", name); }

TEST(ReadInvoicesPdf, AmazonBusinessInvoice) {
  const PartResult r = One({"Invoice GB4ABCDE12345.pdf", "application/pdf", AmazonPdf()});
  EXPECT_EQ(r.part, "Invoice GB4ABCDE12345.pdf");
  ASSERT_TRUE(r.invoice.has_value()) << r.error;
  const InvoiceDocument& inv = *r.invoice;
  EXPECT_EQ(inv.format, InvoiceFormat::kPdf);
  EXPECT_THAT(inv.invoice_number, FoundIs("GB4ABCDE12345", Rule("invoice-number")));
  EXPECT_THAT(inv.invoice_date, FoundIs("2024-03-12", Rule("invoice-date")));
  // The Amazon order number is not the buyer's purchase order.
  EXPECT_THAT(inv.po_numbers, ElementsAre(FoundIs("PO-2024-0042", Rule("po-number"))));
  EXPECT_THAT(inv.net, FoundIs("29.15", Rule("subtotal")));
  EXPECT_THAT(inv.tax, FoundIs("5.83", Rule("vat-lines")));
  EXPECT_THAT(inv.gross, FoundIs("34.98", Rule("total-payable")));
  EXPECT_EQ(inv.currency, "GBP");
  EXPECT_EQ(inv.issuer_name, "Amazon EU S.\u00e0 r.l., UK Branch");
  EXPECT_THAT(inv.issuer_ids, ElementsAre("VAT:GB727255821"));
  EXPECT_THAT(inv.doubts, IsEmpty());
  ASSERT_EQ(inv.lines.size(), 2u);
  EXPECT_EQ(inv.lines[0].line_number, 1);
  EXPECT_EQ(inv.lines[0].description, "AmazonBasics USB-C cable, 1.8 m");
  EXPECT_EQ(inv.lines[0].supplier_part_id, "B01GGKYKQM");
  EXPECT_EQ(inv.lines[0].quantity, "2");
  EXPECT_EQ(inv.lines[0].unit_price, "8.33");
  EXPECT_EQ(inv.lines[0].subtotal, "16.66");
  EXPECT_EQ(inv.lines[0].po_number, "");  // the header's
  EXPECT_EQ(inv.lines[1].supplier_part_id, "B004YAVF8I");
  EXPECT_EQ(inv.lines[1].unit_price, "12.49");
}

TEST(ReadInvoicesPdf, ConsolidatedOverTwoOrdersInEuro) {
  Sheet s;
  s.number = "DE-2024-000123";
  s.date = "12.03.2024";
  s.orders = {
      {"302-1111111-1111111",
       "PO-1001",
       {{"Kabel", "B01GGKYKQM", "2", "8,33 \u20ac", "19%", "16,66 \u20ac"}}},
      {"302-2222222-2222222",
       "PO-1002",
       {{"Maus", "B004YAVF8I", "1", "1.012,49 \u20ac", "19%", "1.012,49 \u20ac"}}},
  };
  s.subtotal = "1.029,15 \u20ac";
  s.vat_label = "VAT 19%";
  s.vat = "195,54 \u20ac";
  s.total = "1.224,69 \u20ac";
  const PartResult r = One({"rechnung.pdf", "application/octet-stream", AmazonPdf(s)});
  ASSERT_TRUE(r.invoice.has_value()) << r.error;
  const InvoiceDocument& inv = *r.invoice;
  EXPECT_EQ(inv.invoice_date.value, "2024-03-12");
  EXPECT_EQ(inv.currency, "EUR");
  EXPECT_EQ(inv.net.value, "1029.15");
  EXPECT_EQ(inv.tax.value, "195.54");
  EXPECT_EQ(inv.gross.value, "1224.69");
  EXPECT_THAT(inv.po_numbers,
              ElementsAre(Field(&Found::value, "PO-1001"), Field(&Found::value, "PO-1002")));
  ASSERT_EQ(inv.lines.size(), 2u);
  EXPECT_EQ(inv.lines[0].po_number, "PO-1001");
  EXPECT_EQ(inv.lines[1].po_number, "PO-1002");
  EXPECT_EQ(inv.lines[1].unit_price, "1012.49");
  EXPECT_THAT(inv.doubts, IsEmpty());
}

TEST(ReadInvoicesPdf, WhatIsMissingOrOddIsADoubt) {
  Sheet s;
  s.orders[0].po = "";
  s.date = "";
  s.total = "\u00a399.00";  // subtotal + VAT is 34.98
  const PartResult r = One({"inv.pdf", "application/pdf", AmazonPdf(s)});
  ASSERT_TRUE(r.invoice.has_value()) << r.error;
  EXPECT_THAT(r.invoice->doubts,
              UnorderedElementsAre("invoice date not found", "no purchase order number found",
                                   "subtotal 29.15 + VAT 5.83 is not the total payable 99.00"));

  Sheet us;
  us.date = "03/04/2024";
  us.orders[0].rows = {{"Pens", "", "2", "$8.33", "", "$16.66"},
                       {"Ink", "", "1", "$12.49", "", "$12.49"}};
  us.subtotal = "$29.15";
  us.vat_label = "Tax";
  us.vat = "$2.41";
  us.total = "$31.56";
  const PartResult u = One({"us.pdf", "application/pdf", AmazonPdf(us)});
  ASSERT_TRUE(u.invoice.has_value()) << u.error;
  EXPECT_EQ(u.invoice->currency, "USD");
  EXPECT_EQ(u.invoice->invoice_date.value, "2024-03-04");  // month first in dollars
  EXPECT_THAT(u.invoice->doubts,
              ElementsAre("the invoice date 2024-03-04 could be read with day and month swapped"));
  EXPECT_EQ(u.invoice->tax.value, "2.41");
  ASSERT_EQ(u.invoice->lines.size(), 2u);
  EXPECT_EQ(u.invoice->lines[1].unit_price, "12.49");

  Sheet rows;
  rows.orders[0].rows[1].total = "\u00a312.50";  // rows add up to 29.16
  const PartResult w = One({"rows.pdf", "application/pdf", AmazonPdf(rows)});
  ASSERT_TRUE(w.invoice.has_value());
  EXPECT_THAT(w.invoice->doubts,
              ElementsAre("the item rows add up to 29.16, not the subtotal 29.15"));
}

TEST(ReadInvoicesPdf, NotAnInvoice) {
  const std::string terms = testing::RenderPdf(
      {{{40, 40, "Terms and conditions"}, {40, 60, "Payment is due within 30 days."}}});
  const PartResult r = One({"terms.pdf", "application/pdf", terms});
  EXPECT_FALSE(r.invoice.has_value());
  EXPECT_EQ(r.error, "");
}

TEST(ReadInvoicesPdf, EncryptedBrokenAndTooLong) {
  std::vector<testing::Page> pages(51, testing::Page{{40, 40, "Delivery note"}});
  pages[0] = AmazonInvoicePage(Sheet());
  std::vector<PartResult> results = ReadInvoices(Mail({
      {"locked.pdf", "application/pdf", testing::EncryptedPdf()},
      {"broken.pdf", "application/pdf", "%PDF-1.7\n1 0 obj\n<< /Type /Catalog"},
      {"long.pdf", "application/pdf", testing::RenderPdf(pages)},
  }));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].error, "encrypted PDF");
  EXPECT_FALSE(results[0].invoice.has_value());
  EXPECT_EQ(results[1].error, "unreadable PDF");
  ASSERT_TRUE(results[2].invoice.has_value()) << results[2].error;
  EXPECT_EQ(results[2].invoice->invoice_number.value, "GB4ABCDE12345");
  EXPECT_THAT(results[2].invoice->doubts, ElementsAre("only the first 50 of 51 pages were read"));
}

// ---- PDF bombs: the reading is bounded -------------------------------------------------

// A PDF as a mail part (not an attachment, no name).
MailPart PdfPart(std::string data) {
  MailPart part;
  part.path = "2";
  part.content_type = "application/pdf";
  part.data = std::move(data);
  return part;
}

TEST(ReadInvoicesPdf, AStreamBombIsStoppedByTheWorkBound) {
  ReaderLimits limits;
  limits.max_pdf_cpu = absl::Seconds(1);
  limits.max_pdf_wall = absl::Seconds(60);  // so the work bound, not the clock, stops it
  const std::string bomb = testing::PdfStreamBomb(512);  // 512 MiB of operators
  ASSERT_LT(bomb.size(), 2u << 20);
  std::optional<PartResult> r = ReadInvoicePart(PdfPart(bomb), limits);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->invoice.has_value());
  EXPECT_EQ(r->error,
            "PDF reading stopped: it took more than the 1s of processor time a PDF may take (a "
            "PDF bomb?)");

  // And with room for the work, a child that does not answer in time is
  // killed.
  limits.max_pdf_cpu = absl::Seconds(60);
  limits.max_pdf_wall = absl::Seconds(1);
  r = ReadInvoicePart(PdfPart(bomb), limits);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, "PDF reading stopped: no answer within 1s");
}

TEST(ReadInvoicesPdf, AnEmbeddedFileThatInflatesBeyondItsSizeIsStoppedByTheMemoryBound) {
  const std::string bomb = testing::PdfEmbeddedFileBomb(1024);  // declares 2000 bytes
  ASSERT_LT(bomb.size(), 2u << 20);
  ReaderLimits limits;
  limits.max_pdf_memory_bytes = 256 << 20;
  std::optional<PartResult> r = ReadInvoicePart(PdfPart(bomb), limits);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->invoice.has_value());
  EXPECT_THAT(r->error, HasSubstr("more than the 256 MiB of memory a PDF may take"));
}

TEST(ReadInvoicesPdf, ThousandsOfPagesAndTooMuchText) {
  const std::string bomb = testing::PdfPageBomb(10000, 50);
  ASSERT_LT(bomb.size(), 1u << 20);
  std::optional<PartResult> r = ReadInvoicePart(PdfPart(bomb));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->invoice.has_value());
  EXPECT_EQ(r->error, "no invoice found, and only the first 50 of 10000 pages were read");

  ReaderLimits limits;
  limits.max_pdf_text_bytes = 10000;
  r = ReadInvoicePart(PdfPart(bomb), limits);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(r->error, ::testing::MatchesRegex(
                            "no invoice found, and text beyond 10000 bytes \\(page [0-9] of "
                            "10000 on\\) was not read"));

  // An invoice whose text goes beyond the bound is read as far as it goes,
  // with a doubt.
  limits.max_pdf_text_bytes = 2000;  // a page of it is about 1200 bytes
  std::vector<testing::Page> pages(3, AmazonInvoicePage(Sheet()));
  r = ReadInvoicePart(PdfPart(testing::RenderPdf(pages)), limits);
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->invoice.has_value()) << r->error;
  EXPECT_EQ(r->invoice->invoice_number.value, "GB4ABCDE12345");
  EXPECT_THAT(r->invoice->doubts,
              ::testing::Contains(HasSubstr("text beyond 2000 bytes (page 2 of 3 on)")));
}

// ---- hostile parts ------------------------------------------------------------------

TEST(ReadInvoices, ArchivesAreNeverExpanded) {
  const std::string zip = testing::ZipBomb(64);
  ASSERT_LT(zip.size(), 200u << 10);
  std::vector<PartResult> results = ReadInvoices(Mail({
      {"invoices.zip", "application/zip", zip},
      {"invoice.dat", "application/octet-stream", zip},  // known by its bytes
      {"INVOICE.TGZ", "application/octet-stream", "not really"},
  }));
  ASSERT_EQ(results.size(), 3u);
  for (const PartResult& r : results) {
    EXPECT_FALSE(r.invoice.has_value());
    EXPECT_THAT(r.error, HasSubstr("archives are never expanded"));
  }
  EXPECT_THAT(results[0].error, HasSubstr("an archive (zip)"));
  EXPECT_THAT(results[1].error, HasSubstr("an archive (zip)"));
  EXPECT_THAT(results[2].error, HasSubstr("an archive (gzip)"));
}

TEST(ReadInvoices, BrokenBase64IsNotReadAndABadNameIsADoubt) {
  const std::string cxml = absl::Base64Escape(CxmlInvoice());
  const std::string raw = absl::StrCat(
      "From: a@amazon.example\r\nTo: b@invoices.iob.example\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "SGVsbG8!\r\n"
      "--b\r\nContent-Type: text/xml\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename=cut.xml\r\n\r\n",
      cxml.substr(0, cxml.size() - 3),
      "\r\n--b\r\nContent-Type: text/xml\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename*=utf-8''inv%0D%0AX-Evil%3A%201.xml\r\n\r\n",
      cxml, "\r\n--b--\r\n");
  absl::StatusOr<MailMessage> mail = ReadMail(raw);
  ASSERT_TRUE(mail.ok()) << mail.status();
  std::vector<PartResult> results = ReadInvoices(*mail);
  ASSERT_EQ(results.size(), 2u);  // the broken text body is no attachment: ignored
  EXPECT_EQ(results[0].part, "cut.xml");
  EXPECT_FALSE(results[0].invoice.has_value());
  EXPECT_THAT(results[0].error, ::testing::MatchesRegex("broken base64: truncated, .*: not read"));
  EXPECT_EQ(results[1].part, "inv__X-Evil: 1.xml");
  ASSERT_TRUE(results[1].invoice.has_value()) << results[1].error;
  EXPECT_THAT(results[1].invoice->doubts,
              ElementsAre(HasSubstr("file name held control characters")));
}

// ---- Factur-X -----------------------------------------------------------------------

const std::vector<std::string> kVisibleText = {"Invoice number TEXT-999", "Total payable 1.00 EUR"};

TEST(ReadInvoicesFacturX, EmbeddedCiiIsTheInvoice) {
  // pdf-lib (and so @e-invoice-eu/core) names the file in UTF-16BE, which
  // poppler-cpp cannot show.
  std::string utf16 = "\xFE\xFF";
  for (char c : std::string("factur-x.xml")) utf16 += std::string(1, '\0') + c;
  for (const std::string& name : {std::string("factur-x.xml"), std::string("ZUGFeRD-invoice.xml"),
                                  std::string("xrechnung.xml"), utf16}) {
    const std::string pdf = testing::PdfWithEmbeddedFile(kVisibleText, name, testing::CiiInvoice());
    const PartResult r = One({"FX-2024-0007.pdf", "application/pdf", pdf});
    ASSERT_TRUE(r.invoice.has_value()) << name << ": " << r.error;
    EXPECT_EQ(r.invoice->format, InvoiceFormat::kFacturX);
    ExpectCiiValues(*r.invoice);
  }
}

TEST(ReadInvoicesFacturX, UnreadableEmbeddedFileFallsBackToTheText) {
  const std::string broken = testing::CiiInvoice().substr(0, 400);
  const PartResult r = One({"fx.pdf", "application/pdf",
                            testing::PdfWithEmbeddedFile(kVisibleText, "factur-x.xml", broken)});
  ASSERT_TRUE(r.invoice.has_value()) << r.error;
  EXPECT_EQ(r.invoice->format, InvoiceFormat::kPdf);
  EXPECT_EQ(r.invoice->invoice_number.value, "TEXT-999");
  EXPECT_THAT(r.invoice->doubts,
              ::testing::Contains(HasSubstr("the embedded factur-x.xml could not be read: ")));

  // A size it does not declare is not inflated blindly.
  const PartResult u = One(
      {"fx.pdf", "application/pdf",
       testing::PdfWithEmbeddedFile(kVisibleText, "factur-x.xml", testing::CiiInvoice(), false)});
  ASSERT_TRUE(u.invoice.has_value()) << u.error;
  EXPECT_EQ(u.invoice->format, InvoiceFormat::kPdf);
  EXPECT_THAT(u.invoice->doubts, ::testing::Contains(HasSubstr("of unknown size")));

  // Other attachments are not invoices.
  const PartResult o =
      One({"fx.pdf", "application/pdf",
           testing::PdfWithEmbeddedFile(kVisibleText, "terms.xml", testing::CiiInvoice())});
  ASSERT_TRUE(o.invoice.has_value());
  EXPECT_EQ(o.invoice->format, InvoiceFormat::kPdf);
}

// ---- forwards --------------------------------------------------------------------------

TEST(ReadInvoices, InvoiceInsideAForwardedMessage) {
  mail::OutgoingMessage original;
  original.from = {"Amazon Business", "no-reply@business.amazon.co.uk"};
  original.to = {{"", "clerk@acme.example"}};
  original.subject = "Your invoice";
  original.message_id = "original.1@amazon.example";
  original.date = absl::FromUnixSeconds(1710230400);
  original.text = "Invoice attached";
  original.attachments = {{"Invoice GB4ABCDE12345.pdf", "application/pdf", AmazonPdf()}};
  absl::StatusOr<std::string> inner = mail::Compose(original);
  ASSERT_TRUE(inner.ok()) << inner.status();
  const std::string raw = absl::StrCat(
      "From: clerk@acme.example\r\nTo: acme-7f3k@invoices.iob.example\r\n"
      "Subject: Fwd: Your invoice\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n"
      "--fwd\r\nContent-Type: text/plain\r\n\r\nFor processing.\r\n"
      "--fwd\r\nContent-Type: message/rfc822\r\n\r\n",
      *inner, "\r\n--fwd--\r\n");
  absl::StatusOr<MailMessage> mail = ReadMail(raw);
  ASSERT_TRUE(mail.ok()) << mail.status();
  ASSERT_EQ(mail->parts.size(), 3u);
  EXPECT_EQ(mail->parts[2].path, "2.2");
  std::vector<PartResult> results = ReadInvoices(*mail);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].part, "Invoice GB4ABCDE12345.pdf");
  ASSERT_TRUE(results[0].invoice.has_value()) << results[0].error;
  EXPECT_EQ(results[0].invoice->gross.value, "34.98");
}

TEST(XmlRootName, SkipsTheProlog) {
  EXPECT_EQ(XmlRootName("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE cXML SYSTEM "
                        "\"x.dtd\">\n<cXML payloadID=\"1\">"),
            "cXML");
  EXPECT_EQ(XmlRootName("<!DOCTYPE a [<!ENTITY b \"c\">]><rsm:CrossIndustryInvoice>"),
            "CrossIndustryInvoice");
  EXPECT_EQ(XmlRootName("plain text"), "");
  EXPECT_EQ(XmlRootName("<?xml unterminated"), "");
}

}  // namespace
}  // namespace iob::invoice

// Golden documents written from the spec, shaped like what Amazon Business,
// Coupa and Ariba send (tests/data/cxml/golden), each with the values it must
// yield.
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/form.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"
#include "tests/unit/cxml/test_util.h"

namespace iob::cxml {
namespace {

absl::StatusOr<Document> ReadGolden(const std::string& name) {
  return ReadDocument(testing::ReadFileOrDie(testing::DataDir() + "/golden/" + name));
}

TEST(GoldenTest, AmazonPunchOutOrderMessage) {
  auto doc = ReadGolden("amazon_punchout_order_message.xml");  // BOM, old DOCTYPE
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(TypeOf(*doc), DocumentType::kPunchOutOrderMessage);
  EXPECT_EQ(doc->payload_id, "1714580000123.938475@amazon.com");
  EXPECT_EQ(doc->version, "1.2.011");
  EXPECT_EQ(doc->deployment_mode, DeploymentMode::kTest);
  EXPECT_EQ(doc->header.from[0].identity, "Amazon");
  EXPECT_EQ(doc->header.user_agent, "Amazon LLC eProcurement Application");
  const auto& m = std::get<PunchOutOrderMessage>(doc->body);
  EXPECT_EQ(m.buyer_cookie, "c0ffee-session-17");
  EXPECT_EQ(m.operation_allowed, PunchOutOperation::kCreate);
  EXPECT_EQ(m.total, (Money{"26.00", "USD"}));
  ASSERT_TRUE(m.shipping && m.tax);
  EXPECT_EQ(m.shipping->money.amount, "0.00");
  EXPECT_EQ(m.tax->description.text, "Estimated tax");
  ASSERT_EQ(m.items.size(), 2u);
  const ItemIn& pen = m.items[0];
  EXPECT_EQ(pen.quantity, "2");
  EXPECT_EQ(pen.line_number, "1");
  EXPECT_EQ(pen.item_id.supplier_part_id, "B07PENBLUE");
  EXPECT_EQ(pen.item_id.supplier_part_auxiliary_id->xml, "112-1234567-1234567,1,A1B2C3D4E5F6");
  EXPECT_EQ(pen.item_detail.unit_price, (Money{"0.50", "USD"}));
  EXPECT_EQ(pen.item_detail.descriptions[0].lang, "de-DE");
  EXPECT_EQ(pen.item_detail.descriptions[0].text,
            "Kugelschreiber \xE2\x80\x93 blau, 10 St\xC3\xBC"
            "ck \xE2\x80\x9EPremium\xE2\x80\x9C "
            "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
  EXPECT_EQ(pen.item_detail.unit_of_measure, "EA");
  EXPECT_EQ(pen.item_detail.classifications[0], (Classification{"UNSPSC", "", "44121704"}));
  EXPECT_EQ(pen.item_detail.manufacturer_part_id, "PEN-BL-10");
  EXPECT_EQ(pen.item_detail.manufacturer_name, "Pens & Co");
  ASSERT_EQ(pen.item_detail.extrinsics.size(), 2u);
  EXPECT_EQ(pen.item_detail.extrinsics[0].name, "soldBy");
  EXPECT_EQ(pen.item_detail.extrinsics[0].value.Text(), "Pens & Co Store");
  const ItemIn& desk = m.items[1];
  // Escaped as received, byte-for-byte; the text is "ZZ&YY".
  EXPECT_EQ(desk.item_id.supplier_part_auxiliary_id->xml, "112-7654321-7654321,2,ZZ&amp;YY");
  EXPECT_EQ(desk.item_id.supplier_part_auxiliary_id->Text(), "112-7654321-7654321,2,ZZ&YY");
  EXPECT_EQ(desk.item_detail.descriptions[0].text, "Desk organizer");
  EXPECT_EQ(desk.item_detail.descriptions[0].short_name, "Organizer");
  EXPECT_EQ(desk.item_detail.classifications[0].code, "44111500");
}

TEST(GoldenTest, AmazonCartAsFormPostInBothEncodings) {
  std::string xml =
      testing::ReadFileOrDie(testing::DataDir() + "/golden/amazon_punchout_order_message.xml");
  std::string b64;
  absl::Base64Escape(xml, &b64);
  for (const std::string& body :
       {"cXML-urlencoded=" + FormUrlEncode(xml), "CXML-BASE64=" + FormUrlEncode(b64), xml}) {
    auto extracted = ExtractCxml(body);
    ASSERT_TRUE(extracted.ok()) << extracted.status();
    auto doc = ReadDocumentOfType(*extracted, DocumentType::kPunchOutOrderMessage);
    ASSERT_TRUE(doc.ok()) << doc.status();
    EXPECT_EQ(std::get<PunchOutOrderMessage>(doc->body).items.size(), 2u);
  }
}

TEST(GoldenTest, CoupaOrderRequest) {
  auto doc = ReadGolden("coupa_order_request.xml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->timestamp, "2024-05-01T16:30:00Z");
  EXPECT_EQ(doc->header.sender[0].shared_secret, "c0upa-s3cret");
  const auto& o = std::get<OrderRequest>(doc->body);
  EXPECT_EQ(o.order_id, "PO-4711");
  EXPECT_EQ(o.type, OrderType::kUpdate);
  EXPECT_EQ(o.order_version, "2");
  EXPECT_EQ(o.document_reference, "PO-4711-v1@coupahost.com");
  EXPECT_EQ(o.total, (Money{"1234.50", "EUR"}));
  ASSERT_TRUE(o.ship_to && o.ship_to->postal_address);
  EXPECT_EQ(o.ship_to->name, "M\xC3\xBCller GmbH");
  EXPECT_EQ(o.ship_to->postal_address->street[0],
            "K\xC3\xB6nigstra\xC3\x9F"
            "e 1");
  EXPECT_EQ(o.ship_to->postal_address->iso_country_code, "DE");
  EXPECT_EQ(o.bill_to.name, "M\xC3\xBCller GmbH Buchhaltung");
  EXPECT_EQ(o.contacts[0].role, "endUser");
  EXPECT_EQ(o.comments[0].text, "Bitte vor 12 Uhr liefern <Rampe 3>");
  ASSERT_EQ(o.extrinsics.size(), 2u);
  EXPECT_EQ(o.extrinsics[0].name, "coupa:UserEmail");
  EXPECT_EQ(o.extrinsics[1].value.xml,
            "<coupa:User xmlns:coupa=\"urn:coupa:extrinsic\">jweiss</coupa:User>");
  EXPECT_EQ(o.extrinsics[1].value.Text(), "jweiss");
  ASSERT_EQ(o.items.size(), 1u);
  EXPECT_EQ(o.items[0].quantity, "100");
  EXPECT_EQ(o.items[0].requested_delivery_date, "2024-05-10");
  EXPECT_EQ(o.items[0].item_id.supplier_part_auxiliary_id->xml,
            "<![CDATA[112-1234567-1234567,1]]>");
  EXPECT_EQ(o.items[0].item_detail->unit_price.amount, "12.345");
}

TEST(GoldenTest, AribaPunchOutSetupRequest) {
  auto doc = ReadGolden("ariba_punchout_setup_request.xml");  // CRLF prolog, no zone
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->deployment_mode, DeploymentMode::kProduction);
  const auto& r = std::get<PunchOutSetupRequest>(doc->body);
  EXPECT_EQ(r.operation, PunchOutOperation::kEdit);
  EXPECT_EQ(r.buyer_cookie, "34234234ADFSDF234234");
  ASSERT_EQ(r.extrinsics.size(), 3u);
  EXPECT_EQ(r.extrinsics[0].name, "UserEmail");
  EXPECT_EQ(r.extrinsics[0].value.Text(), "jdoe@buyer.example");
  EXPECT_EQ(r.extrinsics[2].value.Text(), "Facilities");
  EXPECT_EQ(r.browser_form_post_url, "https://buyer.example/punchout/return?s=1&t=2");
  EXPECT_EQ(r.supplier_setup_url, "https://supplier.example/punchout");
  EXPECT_EQ(r.contacts[0].emails[0], "jdoe@buyer.example");
  EXPECT_EQ(r.ship_to->address_id, "1000");
  ASSERT_EQ(r.items.size(), 1u);
  EXPECT_EQ(r.items[0].item_id.supplier_part_auxiliary_id->xml,
            "<AuxData xmlns=\"urn:x-supplier\"><Ref id=\"7\">ABC</Ref><![CDATA[<raw>]]></AuxData>");
  // Sent back in an OrderRequest, the markup is unchanged.
  Document order;
  order.payload_id = "p@iob";
  order.timestamp = "2024-05-01T09:30:00+00:00";
  order.header = doc->header;
  OrderRequest o;
  o.order_id = "PO-1";
  o.order_date = order.timestamp;
  o.total = {"1.00", "USD"};
  o.bill_to.name = "Buyer";
  o.items = {r.items[0]};
  order.body = o;
  auto xml = WriteDocument(order);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_NE(
      xml->find("<SupplierPartAuxiliaryID>" + r.items[0].item_id.supplier_part_auxiliary_id->xml +
                "</SupplierPartAuxiliaryID>"),
      std::string::npos);
}

TEST(GoldenTest, AmazonConfirmation) {
  auto doc = ReadGolden("amazon_confirmation.xml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  const auto& c = std::get<ConfirmationRequest>(doc->body);
  EXPECT_EQ(c.type, "detail");
  EXPECT_EQ(c.confirm_id, "112-1234567-1234567");
  EXPECT_EQ(c.order_reference.order_id, "PO-2024-0001");
  EXPECT_EQ(c.order_reference.payload_id, "20240501T073000Z.4711.00000000000000ab@iob.example");
  ASSERT_EQ(c.items.size(), 1u);
  ASSERT_EQ(c.items[0].statuses.size(), 2u);
  EXPECT_EQ(c.items[0].statuses[0].type, "accept");
  EXPECT_EQ(c.items[0].statuses[0].unit_price->amount, "0.50");
  EXPECT_EQ(c.items[0].statuses[1].type, "backordered");
  EXPECT_EQ(c.items[0].statuses[1].comments[0].text, "Back in stock in 2 weeks");
}

TEST(GoldenTest, AmazonShipNotice) {
  auto doc = ReadGolden("amazon_ship_notice.xml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  const auto& s = std::get<ShipNoticeRequest>(doc->body);
  EXPECT_EQ(s.shipment_id, "TBA123456789000");
  EXPECT_EQ(s.operation, "new");
  EXPECT_EQ(s.ship_controls[0].carrier_identifiers[0].value, "AMZN_US");
  EXPECT_EQ(s.ship_controls[0].shipment_identifiers[0].value, "TBA123456789000");
  EXPECT_EQ(s.portions[0].order_reference.order_id, "PO-2024-0001");
  EXPECT_EQ(s.portions[0].items[0].quantity, "1");
}

TEST(GoldenTest, AmazonInvoiceCreditMemo) {
  auto doc = ReadGolden("amazon_invoice_credit_memo.xml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  const auto& inv = std::get<InvoiceDetailRequest>(doc->body);
  EXPECT_EQ(inv.invoice_id, "CM-0001");
  EXPECT_EQ(inv.purpose, "creditMemo");
  EXPECT_TRUE(inv.is_tax_in_line);
  EXPECT_EQ(inv.partners[0].role, "remitTo");
  EXPECT_EQ(inv.document_reference, "1714650000.98@amazon.com");
  EXPECT_EQ(inv.orders[0].items[0].quantity, "-1");
  EXPECT_EQ(inv.orders[0].items[0].description->text, "Ballpoint pen");
  EXPECT_EQ(inv.summary.subtotal_amount.amount, "-0.50");
  EXPECT_EQ(inv.summary.tax.money.amount, "-0.04");
  EXPECT_EQ(inv.summary.net_amount.amount, "-0.54");
  EXPECT_EQ(inv.summary.due_amount->amount, "-0.54");
  EXPECT_FALSE(inv.summary.shipping_amount.has_value());
}

TEST(GoldenTest, SupplierErrorAndStartPage) {
  auto err = ReadGolden("supplier_error_response.xml");
  ASSERT_TRUE(err.ok()) << err.status();
  const auto& r = std::get<Response>(err->body);
  EXPECT_EQ(r.status.code, 401);
  EXPECT_EQ(r.status.message, "Shared secret is invalid");
  auto start = ReadGolden("punchout_setup_response.xml");
  ASSERT_TRUE(start.ok()) << start.status();
  EXPECT_EQ(TypeOf(*start), DocumentType::kPunchOutSetupResponse);
  EXPECT_EQ(std::get<Response>(start->body).punch_out_setup_response->start_page_url,
            "https://www.amazon.com/eprocurement/punchout?s=abc&t=1");
}

}  // namespace
}  // namespace iob::cxml

// Reader strictness: a missing required element or attribute is an error
// naming its path; sloppiness that does not matter is tolerated.
#include "libs/cxml/reader.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/writer.h"

namespace iob::cxml {
namespace {

using ::testing::HasSubstr;

std::string Written(DocumentType t, ExampleDetail d = ExampleDetail::kFull) {
  auto xml = WriteDocument(ExampleDocument(t, d));
  EXPECT_TRUE(xml.ok());
  return *xml;
}

void Replace(std::string& s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
}

struct Removal {
  DocumentType type;
  std::string from;
  std::string to;
  std::string path;
};

TEST(ReaderTest, MissingRequiredPartsNameTheirPath) {
  const Removal cases[] = {
      {DocumentType::kOrderRequest, " orderID=\"PO-2024-0001\"", "",
       "missing required OrderRequest/OrderRequestHeader@orderID"},
      {DocumentType::kOrderRequest,
       " orderDate=", " x=", "OrderRequest/OrderRequestHeader@orderDate"},
      {DocumentType::kOrderRequest, "<BillTo>", "<BillToX>",
       "OrderRequest/OrderRequestHeader/BillTo"},
      {DocumentType::kOrderRequest, "<Money currency=\"USD\">2.00</Money>", "<Money>2.00</Money>",
       "OrderRequest/OrderRequestHeader/Total/Money@currency"},
      {DocumentType::kOrderRequest, "<ItemOut quantity=\"2\"", "<ItemOut q=\"2\"",
       "OrderRequest/ItemOut[1]@quantity"},
      {DocumentType::kOrderRequest, "<SupplierPartID>B07PART1</SupplierPartID>", "",
       "OrderRequest/ItemOut[1]/ItemID/SupplierPartID"},
      {DocumentType::kPunchOutOrderMessage, "<BuyerCookie>", "<BuyerCookieX>",
       "PunchOutOrderMessage/BuyerCookie"},
      {DocumentType::kPunchOutOrderMessage, "operationAllowed=\"edit\"", "",
       "PunchOutOrderMessage/PunchOutOrderMessageHeader@operationAllowed"},
      {DocumentType::kPunchOutOrderMessage, "<UnitOfMeasure>EA</UnitOfMeasure>", "",
       "PunchOutOrderMessage/ItemIn[1]/ItemDetail/UnitOfMeasure"},
      {DocumentType::kConfirmationRequest, "<DocumentReference payloadID=", "<DocumentReference x=",
       "ConfirmationRequest/OrderReference/DocumentReference@payloadID"},
      {DocumentType::kInvoiceDetailRequest, " invoiceID=\"INV-2024-001\"", "",
       "InvoiceDetailRequest/InvoiceDetailRequestHeader@invoiceID"},
      {DocumentType::kShipNoticeRequest, " shipmentID=\"SHIP-77\"", "",
       "ShipNoticeRequest/ShipNoticeHeader@shipmentID"},
      {DocumentType::kOrderRequest, "<Credential domain=\"NetworkID\">", "<Credential>",
       "Header/From/Credential[1]@domain"},
      {DocumentType::kOrderRequest, " payloadID=\"20240501", " x=\"", "cXML@payloadID"},
  };
  for (const Removal& c : cases) {
    std::string xml = Written(c.type);
    Replace(xml, c.from, c.to);
    if (c.to == "<BillToX>") Replace(xml, "</BillTo>", "</BillToX>");
    if (c.to == "<BuyerCookieX>") Replace(xml, "</BuyerCookie>", "</BuyerCookieX>");
    absl::StatusOr<Document> doc = ReadDocument(xml);
    ASSERT_FALSE(doc.ok()) << c.path;
    EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument) << c.path;
    EXPECT_THAT(std::string(doc.status().message()), HasSubstr(c.path));
  }
}

TEST(ReaderTest, RejectsNonDecimalAmounts) {
  for (const char* bad : {"1e2", "NaN", "1,000.00", "", "12.5.0"}) {
    std::string xml = Written(DocumentType::kOrderRequest);
    Replace(xml, ">2.00</Money>", std::string(">") + bad + "</Money>");
    absl::StatusOr<Document> doc = ReadDocument(xml);
    ASSERT_FALSE(doc.ok()) << bad;
    EXPECT_THAT(std::string(doc.status().message()), HasSubstr("Total/Money")) << bad;
  }
}

TEST(ReaderTest, ToleratesSloppyButHarmlessInput) {
  std::string xml = Written(DocumentType::kOrderRequest, ExampleDetail::kMinimal);
  Replace(xml, "timestamp=\"2024-05-01T09:30:00+02:00\"", "timestamp=\"2024-05-01T07:30:00Z\"");
  Replace(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
          "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>");
  Replace(xml, "<Money currency=\"USD\">1.00</Money>",
          "<Money currency=\"USD\">\n  1.00\n</Money>");
  Replace(xml, "<UserAgent>iob 0.1</UserAgent>", "");
  absl::StatusOr<Document> doc = ReadDocument(xml);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(std::get<OrderRequest>(doc->body).total.amount, "1.00");
  EXPECT_EQ(doc->timestamp, "2024-05-01T07:30:00Z");
}

TEST(ReaderTest, RejectsUnparseableTimestamp) {
  std::string xml = Written(DocumentType::kOrderRequest, ExampleDetail::kMinimal);
  Replace(xml, "timestamp=\"2024-05-01T09:30:00+02:00\"", "timestamp=\"yesterday\"");
  EXPECT_THAT(std::string(ReadDocument(xml).status().message()), HasSubstr("cXML@timestamp"));
}

TEST(ReaderTest, UnsupportedTypeIsUnimplemented) {
  std::string xml = Written(DocumentType::kProfileRequest);
  Replace(xml, "<ProfileRequest/>", "<StatusUpdateRequest/>");
  absl::StatusOr<Document> doc = ReadDocument(xml);
  EXPECT_EQ(doc.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(std::string(doc.status().message()), HasSubstr("StatusUpdateRequest"));
}

TEST(ReaderTest, ReadDocumentOfTypeChecksType) {
  std::string xml = Written(DocumentType::kOrderRequest);
  EXPECT_TRUE(ReadDocumentOfType(xml, DocumentType::kOrderRequest).ok());
  absl::StatusOr<Document> wrong = ReadDocumentOfType(xml, DocumentType::kPunchOutOrderMessage);
  EXPECT_THAT(std::string(wrong.status().message()), HasSubstr("expected a PunchOutOrderMessage"));
}

// Parse errors name the same offsets as pugixml's own load_buffer, also at
// the very end of the input (the reader parses its own copy in place).
TEST(ReaderTest, ParseErrorOffsetsMatchPugixml) {
  EXPECT_THAT(std::string(ReadDocument("\r").status().message()),
              HasSubstr("No document element found at byte offset 1"));
  EXPECT_THAT(std::string(ReadDocument("<cXML a=\"1\"><Header>").status().message()),
              HasSubstr("not well-formed XML: Start-end tags mismatch at byte offset 19"));
}

TEST(ReaderTest, SizeLimitIsConfigurable) {
  std::string xml = Written(DocumentType::kOrderRequest);
  Limits small;
  small.max_bytes = xml.size() - 1;
  EXPECT_EQ(ReadDocument(xml, small).status().code(), absl::StatusCode::kResourceExhausted);
  small.max_bytes = xml.size();
  EXPECT_TRUE(ReadDocument(xml, small).ok());
}

}  // namespace
}  // namespace iob::cxml

namespace iob::cxml {
namespace {

// Raw inner markup is cut from the original bytes even after CRLF
// normalisation and entity expansion earlier in the document shifted
// pugixml's in-place buffer.
TEST(ReaderTest, RawMarkupExactAfterCrlfAndEntities) {
  std::string xml = Written(DocumentType::kPunchOutOrderMessage, ExampleDetail::kMinimal);
  size_t pos = 0;
  while ((pos = xml.find('\n', pos)) != std::string::npos) {
    xml.replace(pos, 1, "\r\n");
    pos += 2;
  }
  const std::string aux = "A&amp;B&#x41;\r\n<x a='&lt;\r\n'>&gt;</x><![CDATA[\r\n]]>";
  Replace(xml, "<BuyerCookie>c0ffee-session-17</BuyerCookie>",
          "<BuyerCookie>c&amp;&#233;\r\nokie</BuyerCookie>");
  Replace(xml, "<SupplierPartID>B07PART1</SupplierPartID>",
          "<SupplierPartID>B07&amp;PART1</SupplierPartID><SupplierPartAuxiliaryID>" + aux +
              "</SupplierPartAuxiliaryID>");
  absl::StatusOr<Document> doc = ReadDocument(xml);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const auto& m = std::get<PunchOutOrderMessage>(doc->body);
  EXPECT_EQ(m.buyer_cookie, "c&\xC3\xA9\nokie");
  EXPECT_EQ(m.items[0].item_id.supplier_part_id, "B07&PART1");
  EXPECT_EQ(m.items[0].item_id.supplier_part_auxiliary_id->xml, aux);
  EXPECT_EQ(m.items[0].item_id.supplier_part_auxiliary_id->Text(), "A&BA\n>\n");
}

TEST(ReaderTest, EmptyAuxiliaryIdIsPresentButEmpty) {
  std::string xml = Written(DocumentType::kPunchOutOrderMessage, ExampleDetail::kMinimal);
  Replace(xml, "<SupplierPartID>B07PART1</SupplierPartID>",
          "<SupplierPartID>B07PART1</SupplierPartID><SupplierPartAuxiliaryID/>");
  absl::StatusOr<Document> doc = ReadDocument(xml);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const auto& aux =
      std::get<PunchOutOrderMessage>(doc->body).items[0].item_id.supplier_part_auxiliary_id;
  ASSERT_TRUE(aux.has_value());
  EXPECT_EQ(aux->xml, "");
}

}  // namespace
}  // namespace iob::cxml

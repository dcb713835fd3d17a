// write -> read -> equal, for every type, minimal and full; and the writer's
// own checks (required parts, decimals, currency, timestamps, fragments).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"

namespace iob::cxml {
namespace {

using ::testing::HasSubstr;

class RoundTripTest : public ::testing::TestWithParam<std::tuple<DocumentType, ExampleDetail>> {};

TEST_P(RoundTripTest, WriteReadEqual) {
  auto [type, detail] = GetParam();
  Document doc = ExampleDocument(type, detail);
  absl::StatusOr<std::string> xml = WriteDocument(doc);
  ASSERT_TRUE(xml.ok()) << xml.status();
  absl::StatusOr<Document> back = ReadDocument(*xml);
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << *xml;
  if (type == DocumentType::kResponse || type == DocumentType::kPunchOutSetupResponse ||
      type == DocumentType::kProfileResponse) {
    doc.header = Header{};  // a Response document has no Header
  }
  EXPECT_TRUE(*back == doc) << *xml;
  // And writing what we read gives the same bytes.
  absl::StatusOr<std::string> again = WriteDocument(*back);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *xml);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, RoundTripTest,
                         ::testing::Combine(::testing::ValuesIn(AllDocumentTypes()),
                                            ::testing::Values(ExampleDetail::kMinimal,
                                                              ExampleDetail::kFull)),
                         [](const auto& info) {
                           return std::string(DocumentTypeName(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) == ExampleDetail::kFull ? "Full"
                                                                                   : "Minimal");
                         });

TEST(WriterTest, AuxiliaryIdWithMarkupIsWrittenByteForByte) {
  Document doc = ExampleDocument(DocumentType::kOrderRequest, ExampleDetail::kMinimal);
  auto& order = std::get<OrderRequest>(doc.body);
  const std::string aux = "<![CDATA[a&b]]>x&#38;<v k='1'>&lt;</v>";
  order.items[0].item_id.supplier_part_auxiliary_id = RawXml{aux};
  absl::StatusOr<std::string> xml = WriteDocument(doc);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_THAT(*xml, HasSubstr("<SupplierPartAuxiliaryID>" + aux + "</SupplierPartAuxiliaryID>"));
  auto back = ReadDocument(*xml);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(std::get<OrderRequest>(back->body).items[0].item_id.supplier_part_auxiliary_id->xml,
            aux);
}

TEST(WriterTest, EscapesTextAndAttributes) {
  Document doc = ExampleDocument(DocumentType::kOrderRequest, ExampleDetail::kMinimal);
  auto& order = std::get<OrderRequest>(doc.body);
  order.order_id = "PO\"<&>\n1";
  order.bill_to.name = "A & B <Ltd>";
  absl::StatusOr<std::string> xml = WriteDocument(doc);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_THAT(*xml, HasSubstr("orderID=\"PO&quot;&lt;&amp;&gt;&#10;1\""));
  EXPECT_THAT(*xml, HasSubstr(">A &amp; B &lt;Ltd&gt;</Name>"));
  auto back = ReadDocument(*xml);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<OrderRequest>(back->body).order_id, "PO\"<&>\n1");
}

struct BadCase {
  const char* name;
  void (*mutate)(Document&);
  const char* expected_path;
};

const BadCase kBadCases[] = {
    {"no_order_id", [](Document& d) { std::get<OrderRequest>(d.body).order_id.clear(); },
     "OrderRequest/OrderRequestHeader@orderID"},
    {"double_like_amount", [](Document& d) { std::get<OrderRequest>(d.body).total.amount = "1e2"; },
     "OrderRequest/OrderRequestHeader/Total/Money"},
    {"no_currency",
     [](Document& d) {
       std::get<OrderRequest>(d.body).items[0].item_detail->unit_price.currency.clear();
     },
     "OrderRequest/ItemOut[1]/ItemDetail/UnitPrice/Money@currency"},
    {"bad_quantity", [](Document& d) { std::get<OrderRequest>(d.body).items[1].quantity = "two"; },
     "OrderRequest/ItemOut[2]@quantity"},
    {"no_items", [](Document& d) { std::get<OrderRequest>(d.body).items.clear(); },
     "OrderRequest/ItemOut"},
    {"no_payload_id", [](Document& d) { d.payload_id.clear(); }, "cXML@payloadID"},
    {"timestamp_without_zone", [](Document& d) { d.timestamp = "2024-05-01T09:30:00"; },
     "cXML@timestamp"},
    {"no_sender", [](Document& d) { d.header.sender.clear(); }, "Header/Sender/Credential"},
    {"malformed_aux",
     [](Document& d) {
       std::get<OrderRequest>(d.body).items[0].item_id.supplier_part_auxiliary_id = RawXml{"<a>"};
     },
     "OrderRequest/ItemOut[1]/ItemID/SupplierPartAuxiliaryID"},
    {"undefined_entity",
     [](Document& d) {
       std::get<OrderRequest>(d.body).items[0].item_id.supplier_part_auxiliary_id = RawXml{"&xxe;"};
     },
     "OrderRequest/ItemOut[1]/ItemID/SupplierPartAuxiliaryID"},
};

TEST(WriterTest, RejectsInvalidDocumentsNamingThePath) {
  for (const BadCase& c : kBadCases) {
    Document doc = ExampleDocument(DocumentType::kOrderRequest, ExampleDetail::kFull);
    c.mutate(doc);
    absl::StatusOr<std::string> xml = WriteDocument(doc);
    ASSERT_FALSE(xml.ok()) << c.name;
    EXPECT_EQ(xml.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(std::string(xml.status().message()), HasSubstr(c.expected_path)) << c.name;
  }
}

TEST(WriterTest, RejectsInvalidUtf8AndControlCharacters) {
  Document doc = ExampleDocument(DocumentType::kOrderRequest, ExampleDetail::kMinimal);
  std::get<OrderRequest>(doc.body).bill_to.name = "bad \xC3\x28";
  EXPECT_FALSE(WriteDocument(doc).ok());
  std::get<OrderRequest>(doc.body).bill_to.name = std::string("nul\0x", 5);
  EXPECT_FALSE(WriteDocument(doc).ok());
}

TEST(WriterTest, DeploymentModeAndDoctypePerFamily) {
  Document doc = ExampleDocument(DocumentType::kPunchOutSetupRequest, ExampleDetail::kMinimal);
  doc.deployment_mode = DeploymentMode::kTest;
  auto xml = WriteDocument(doc);
  ASSERT_TRUE(xml.ok());
  EXPECT_THAT(*xml, HasSubstr("<Request deploymentMode=\"test\">"));
  EXPECT_THAT(*xml, HasSubstr("/1.2.071/cXML.dtd\">"));
  auto inv = WriteDocument(ExampleDocument(DocumentType::kInvoiceDetailRequest));
  ASSERT_TRUE(inv.ok());
  EXPECT_THAT(*inv, HasSubstr("/1.2.071/InvoiceDetail.dtd\">"));
  auto conf = WriteDocument(ExampleDocument(DocumentType::kShipNoticeRequest));
  ASSERT_TRUE(conf.ok());
  EXPECT_THAT(*conf, HasSubstr("/1.2.071/Fulfill.dtd\">"));
}

}  // namespace
}  // namespace iob::cxml

// services/punchout/session.{h,cc} CartFromOrderMessage: the cart iob keeps
// from a supplier's PunchOutOrderMessage, read from real cXML bytes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libs/cxml/decimal.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"
#include "services/punchout/session.h"

namespace iob::punchout {
namespace {

using ::testing::HasSubstr;

cxml::ItemIn Item(const std::string& line, const std::string& sku, std::optional<std::string> aux,
                  const std::string& price, const std::string& currency = "USD") {
  cxml::ItemIn in;
  in.quantity = "3";
  in.line_number = line;
  in.item_id.supplier_part_id = sku;
  if (aux) in.item_id.supplier_part_auxiliary_id = cxml::RawXml{*aux};
  in.item_detail.unit_price = {price, currency};
  in.item_detail.descriptions = {{"en", "Item " + sku, ""}};
  in.item_detail.unit_of_measure = "EA";
  in.item_detail.classifications = {{"UNSPSC", "", "44121701"}};
  in.item_detail.manufacturer_part_id = "MPN-" + sku;
  in.item_detail.manufacturer_name = "Maker";
  return in;
}

// The sum of quantity x unit price of `items`, as a supplier states it.
std::string SumOf(const std::vector<cxml::ItemIn>& items) {
  cxml::Decimal sum;
  for (const cxml::ItemIn& in : items) {
    sum = *sum.Plus(*cxml::Decimal::Parse(in.quantity)
                         ->Times(*cxml::Decimal::Parse(in.item_detail.unit_price.amount)));
  }
  return sum.WithMinScale(2)->ToString();
}

// A cart of `items` whose Total is `total`, by default what the items add
// up to.
cxml::PunchOutOrderMessage Message(std::vector<cxml::ItemIn> items,
                                   std::optional<std::string> total = std::nullopt) {
  cxml::PunchOutOrderMessage m;
  m.buyer_cookie = "cookie";
  m.operation_allowed = cxml::PunchOutOperation::kEdit;
  m.total = {total ? *total : SumOf(items), "USD"};
  m.items = std::move(items);
  return m;
}

// Writes `m` as a document and reads it back the way iob reads a post.
cxml::PunchOutOrderMessage ThroughXml(const cxml::PunchOutOrderMessage& m, std::string* xml_out) {
  cxml::Document d;
  d.payload_id = "1700000000.1.1@supplier.test";
  d.timestamp = "2023-11-14T22:13:20+00:00";
  d.header.from = {{"NetworkId", "Amazon", ""}};
  d.header.to = {{"NetworkId", "ACME", ""}};
  d.header.sender = {{"NetworkId", "Amazon", ""}};
  d.header.user_agent = "test";
  d.body = m;
  auto xml = cxml::WriteDocument(d);
  EXPECT_TRUE(xml.ok()) << xml.status();
  if (xml_out != nullptr) *xml_out = xml.value_or("");
  auto back = cxml::ReadDocumentOfType(xml.value_or(""), cxml::DocumentType::kPunchOutOrderMessage);
  EXPECT_TRUE(back.ok()) << back.status();
  if (!back.ok()) return {};
  return std::get<cxml::PunchOutOrderMessage>(back->body);
}

TEST(CartFromOrderMessageTest, KeepsAuxIdsByteForByteThroughTheReader) {
  const std::vector<std::string> aux = {
      "&lt;aux a=\"1\"&gt;x,y&amp;z&lt;/aux&gt;",
      "qid=1700000000,sr=8-1&amp;ref=sim>p,\"500\"",
      "<![CDATA[id<1>,\"pods\"&raw]]>",
      "caf&#233;,&#x2C;2,\xE6\x97\xA5\xE6\x9C\xAC",
      "<Ref>a<b/>c</Ref>",
  };
  std::vector<cxml::ItemIn> items;
  for (size_t i = 0; i < aux.size(); ++i) {
    items.push_back(Item(std::to_string(i + 1), "SKU" + std::to_string(i), aux[i], "1.00"));
    items.back().quantity = "1";  // 5 x 1.00 + 3 x 2.50 = the stated 12.50
  }
  items.push_back(Item("6", "PLAIN", std::nullopt, "2.50"));
  std::string xml;
  const cxml::PunchOutOrderMessage m = ThroughXml(Message(items, "12.50"), &xml);
  auto cart = CartFromOrderMessage(m);
  ASSERT_TRUE(cart.ok()) << cart.status();
  ASSERT_EQ(cart->lines.size(), aux.size() + 1);
  for (size_t i = 0; i < aux.size(); ++i) {
    SCOPED_TRACE(aux[i]);
    EXPECT_EQ(cart->lines[i].supplier_part_auxiliary_id, aux[i]);
    EXPECT_THAT(xml, HasSubstr(aux[i]));
  }
  EXPECT_EQ(cart->lines.back().supplier_part_auxiliary_id, "");
  EXPECT_EQ(cart->total.amount, "12.50");
  EXPECT_EQ(cart->total.currency, "USD");
  EXPECT_EQ(cart->operation_allowed, "edit");
}

TEST(CartFromOrderMessageTest, CopiesLineFields) {
  auto cart = CartFromOrderMessage(Message({Item("7", "B0X", "a", "4.25")}));
  ASSERT_TRUE(cart.ok()) << cart.status();
  ASSERT_EQ(cart->lines.size(), 1u);
  const CartLine& l = cart->lines[0];
  EXPECT_EQ(l.line_number, 7);
  EXPECT_EQ(l.quantity, "3");
  EXPECT_EQ(l.supplier_part_id, "B0X");
  EXPECT_EQ(l.description, "Item B0X");
  EXPECT_EQ(l.unit_price.amount, "4.25");
  EXPECT_EQ(l.unit_price.currency, "USD");
  EXPECT_EQ(l.unit_of_measure, "EA");
  ASSERT_EQ(l.classifications.size(), 1u);
  EXPECT_EQ(l.classifications[0].first, "UNSPSC");
  EXPECT_EQ(l.classifications[0].second, "44121701");
  EXPECT_EQ(l.manufacturer_part_id, "MPN-B0X");
  EXPECT_EQ(l.manufacturer_name, "Maker");
}

TEST(CartFromOrderMessageTest, ShippingAndTaxAreKept) {
  cxml::PunchOutOrderMessage m = Message({Item("1", "A", std::nullopt, "1.00")});
  m.shipping = cxml::Shipping{"", "", {"4.99", "USD"}, {"en", "Ground", ""}};
  m.tax = cxml::Tax{{"0.80", "USD"}, {"en", "Sales tax", ""}};
  auto cart = CartFromOrderMessage(m);
  ASSERT_TRUE(cart.ok()) << cart.status();
  ASSERT_TRUE(cart->shipping.has_value());
  EXPECT_EQ(cart->shipping->amount, "4.99");
  ASSERT_TRUE(cart->tax.has_value());
  EXPECT_EQ(cart->tax->amount, "0.80");
}

TEST(CartFromOrderMessageTest, MixedCurrenciesAreRefused) {
  auto cart = CartFromOrderMessage(
      Message({Item("1", "A", std::nullopt, "1.00"), Item("2", "B", std::nullopt, "1.00", "EUR")}));
  ASSERT_EQ(cart.status().code(), absl::StatusCode::kInvalidArgument) << cart.status();
  EXPECT_THAT(cart.status().message(), HasSubstr("ItemIn[2]"));
  EXPECT_THAT(cart.status().message(), HasSubstr("EUR"));
  EXPECT_THAT(cart.status().message(), HasSubstr("USD"));
}

TEST(CartFromOrderMessageTest, DuplicateLineNumbersAreRenumberedInDocumentOrder) {
  auto cart = CartFromOrderMessage(
      Message({Item("1", "A", std::nullopt, "1.00"), Item("1", "B", std::nullopt, "1.00"),
               Item("2", "C", std::nullopt, "1.00")}));
  ASSERT_TRUE(cart.ok()) << cart.status();
  ASSERT_EQ(cart->lines.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cart->lines[i].line_number, i + 1);
    EXPECT_EQ(cart->lines[i].supplier_part_id, std::string(1, static_cast<char>('A' + i)));
  }
}

TEST(CartFromOrderMessageTest, DistinctLineNumbersAreKept) {
  auto cart = CartFromOrderMessage(
      Message({Item("20", "A", std::nullopt, "1.00"), Item("10", "B", std::nullopt, "1.00")}));
  ASSERT_TRUE(cart.ok()) << cart.status();
  EXPECT_EQ(cart->lines[0].line_number, 20);
  EXPECT_EQ(cart->lines[1].line_number, 10);
}

TEST(CartFromOrderMessageTest, MissingOrNonNumericLineNumbersUsePositions) {
  auto cart = CartFromOrderMessage(
      Message({Item("", "A", std::nullopt, "1.00"), Item("x", "B", std::nullopt, "1.00"),
               Item("", "C", std::nullopt, "1.00")}));
  ASSERT_TRUE(cart.ok()) << cart.status();
  ASSERT_EQ(cart->lines.size(), 3u);
  EXPECT_EQ(cart->lines[0].line_number, 1);
  EXPECT_EQ(cart->lines[1].line_number, 2);
  EXPECT_EQ(cart->lines[2].line_number, 3);
}

TEST(CartFromOrderMessageTest, AnEmptyCartHasNoLines) {
  auto cart = CartFromOrderMessage(Message({}, "0.00"));
  ASSERT_TRUE(cart.ok()) << cart.status();
  EXPECT_TRUE(cart->lines.empty());
  EXPECT_EQ(cart->total.amount, "0.00");
}

// ---- issue 8 --------------------------------------------------------------

TEST(CartFromOrderMessageTest, Finding2_NegativeOrNonDecimalQuantitiesAndPricesAreRefused) {
  struct Bad {
    std::string quantity, price, field;
  };
  for (const Bad& bad : std::vector<Bad>{{"-1", "5.00", "quantity"},
                                         {"1", "-5.00", "unit price"},
                                         {"NaN", "5.00", "quantity"},
                                         {"1", "Infinity", "unit price"},
                                         {"1e3", "5.00", "quantity"},
                                         {"1", "0.0000000001", "unit price"}}) {
    SCOPED_TRACE(bad.quantity + " x " + bad.price);
    cxml::ItemIn in = Item("1", "A", std::nullopt, bad.price);
    in.quantity = bad.quantity;
    auto cart = CartFromOrderMessage(Message({in}, "0.00"));
    ASSERT_EQ(cart.status().code(), absl::StatusCode::kInvalidArgument) << cart.status();
    EXPECT_THAT(cart.status().message(), HasSubstr("ItemIn[1] " + bad.field));
  }
}

TEST(CartFromOrderMessageTest, Finding2_StatedTotalMustMatchTheLines) {
  cxml::ItemIn in = Item("1", "A", std::nullopt, "500.00");
  in.quantity = "1000";
  auto cart = CartFromOrderMessage(Message({in}, "0.01"));
  ASSERT_EQ(cart.status().code(), absl::StatusCode::kInvalidArgument) << cart.status();
  EXPECT_THAT(cart.status().message(), HasSubstr("The cart's total 0.01 USD does not match"));
  EXPECT_THAT(cart.status().message(), HasSubstr("500000.00 USD"));
  // A negative total is no way around it.
  EXPECT_EQ(CartFromOrderMessage(Message({}, "-0.01")).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Two cents off on one line is beyond rounding.
  EXPECT_EQ(CartFromOrderMessage(Message({in}, "499999.98")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CartFromOrderMessageTest, Finding2_TotalWithinRoundingBecomesTheComputedOne) {
  cxml::ItemIn in = Item("1", "A", std::nullopt, "0.333");  // 3 x 0.333 = 0.999
  auto cart = CartFromOrderMessage(Message({in}, "1.00"));
  ASSERT_TRUE(cart.ok()) << cart.status();
  EXPECT_EQ(cart->total.amount, "0.999");
  // Exactly equal: the stated text is kept (1.5 x 15.00 = 22.500 shows as 22.50).
  cxml::ItemIn half = Item("1", "A", std::nullopt, "15.00");
  half.quantity = "1.5";
  cart = CartFromOrderMessage(Message({half}, "22.50"));
  ASSERT_TRUE(cart.ok()) << cart.status();
  EXPECT_EQ(cart->total.amount, "22.50");
}

TEST(CartFromOrderMessageTest, Finding2_TotalMayIncludeShippingAndTax) {
  cxml::PunchOutOrderMessage m = Message({Item("1", "A", std::nullopt, "1.00")}, "8.79");
  m.shipping = cxml::Shipping{"", "", {"4.99", "USD"}, {"en", "Ground", ""}};
  m.tax = cxml::Tax{{"0.80", "USD"}, {"en", "Sales tax", ""}};
  auto cart = CartFromOrderMessage(m);
  ASSERT_TRUE(cart.ok()) << cart.status();
  EXPECT_EQ(cart->total.amount, "8.79");
  m.total.amount = "5.00";  // neither 3.00 nor 8.79
  EXPECT_EQ(CartFromOrderMessage(m).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CartFromOrderMessageTest, Finding2_OneCurrencyPerCartShippingAndTaxIncluded) {
  cxml::PunchOutOrderMessage m = Message({Item("1", "A", std::nullopt, "1.00")});
  m.shipping = cxml::Shipping{"", "", {"4.99", "EUR"}, {"en", "Ground", ""}};
  auto cart = CartFromOrderMessage(m);
  ASSERT_EQ(cart.status().code(), absl::StatusCode::kInvalidArgument) << cart.status();
  EXPECT_THAT(cart.status().message(), HasSubstr("Shipping: currency EUR"));
  m.shipping.reset();
  m.tax = cxml::Tax{{"-0.80", "USD"}, {"en", "Sales tax", ""}};
  cart = CartFromOrderMessage(m);
  ASSERT_EQ(cart.status().code(), absl::StatusCode::kInvalidArgument) << cart.status();
  EXPECT_THAT(cart.status().message(), HasSubstr("Tax: is negative"));
}

TEST(CartFromOrderMessageTest, Finding12_UntrustedCartTextIsBounded) {
  // An overlong identifier is refused (it goes back to the supplier verbatim).
  cxml::ItemIn in = Item("1", "A", std::nullopt, "1.00");
  in.item_id.supplier_part_id = std::string(300, 'P');
  auto cart = CartFromOrderMessage(Message({in}));
  ASSERT_EQ(cart.status().code(), absl::StatusCode::kInvalidArgument) << cart.status();
  EXPECT_THAT(cart.status().message(), HasSubstr("SupplierPartID is longer than 256 bytes"));
  EXPECT_LT(cart.status().message().size(), 200u);
  // A long description is cut.
  in = Item("1", "A", std::nullopt, "1.00");
  in.item_detail.descriptions = {{"en", std::string(100000, 'd'), ""}};
  cart = CartFromOrderMessage(Message({in}));
  ASSERT_TRUE(cart.ok()) << cart.status();
  EXPECT_LE(cart->lines[0].description.size(), 2003u);
  // A huge currency is quoted only in part.
  cart =
      CartFromOrderMessage(Message({Item("1", "A", std::nullopt, "1.00", std::string(5000, 'Z'))}));
  ASSERT_EQ(cart.status().code(), absl::StatusCode::kInvalidArgument) << cart.status();
  EXPECT_LT(cart.status().message().size(), 200u);
}

TEST(PriceCartTest, Finding2_AStoredCartIsPricedAgain) {
  Cart cart;
  cart.total = {"10.00", "USD"};
  CartLine l;
  l.quantity = "2";
  l.unit_price = {"5.00", "USD"};
  cart.lines = {l};
  ASSERT_TRUE(PriceCart(cart).ok());
  EXPECT_EQ(cart.total.amount, "10.00");
  cart.lines[0].quantity = "2000";
  EXPECT_EQ(PriceCart(cart).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace iob::punchout

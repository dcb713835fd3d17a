// libs/types/api_types.{h,cc}: the field checks of the shared API types
// (LineItem, PostalAddress, Contact, aux ids, amounts) and their cXML
// mapping (ItemOut, Address).
#include "libs/types/api_types.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/match.h"
#include "libs/cxml/model.h"
#include "libs/cxml/writer.h"

namespace iob::types {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// ---- helpers ------------------------------------------------------------------

type::v1::LineItem Pen() {
  type::v1::LineItem l;
  l.set_line_number(3);
  l.set_quantity("2");
  l.set_supplier_part_id("B0SIMPEN12");
  l.set_supplier_part_auxiliary_id(R"(<aux a="1">x&amp;y</aux>)");
  l.set_description("Pens & pencils,\tblue\nbox of 12");
  l.mutable_unit_price()->set_amount("8.99");
  l.mutable_unit_price()->set_currency("USD");
  l.set_unit_of_measure("EA");
  auto* c = l.add_classifications();
  c->set_domain("UNSPSC");
  c->set_code("44121701");
  l.set_manufacturer_part_id("PEN-12");
  l.set_manufacturer_name("Pens Inc.");
  return l;
}

type::v1::PostalAddress Dock() {
  type::v1::PostalAddress a;
  a.set_name("Receiving dock 4");
  a.add_street("1 Main St");
  a.add_street("Building <B>");
  a.set_city("Springfield");
  a.set_state("IL");
  a.set_postal_code("62701");
  a.set_country_code("US");
  a.set_country("United States");
  return a;
}

type::v1::Contact Ann() {
  type::v1::Contact c;
  c.set_id("u-1");
  c.set_email("ann@example.com");
  c.set_name("Ann O'Neil");
  return c;
}

// INVALID_ARGUMENT whose message starts with "<field>:".
void ExpectInvalid(const absl::Status& st, const std::string& field) {
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_THAT(std::string(st.message()), StartsWith(field + ": ")) << st;
}

constexpr char kAt[] = "order.lines[2]";

absl::Status CheckLine(const type::v1::LineItem& l, const std::string& currency = "USD") {
  return CheckLineItem(l, kAt, currency);
}

// ---- CheckMultiLineText -------------------------------------------------------

TEST(CheckMultiLineTextTest, AllowsTabsAndLineBreaksButNoOtherControls) {
  EXPECT_TRUE(CheckMultiLineText("", "c", 10).ok());
  EXPECT_TRUE(CheckMultiLineText("a\tb\r\nc", "c", 10).ok());
  ExpectInvalid(CheckMultiLineText(std::string("a\0b", 3), "order.comments", 10), "order.comments");
  ExpectInvalid(CheckMultiLineText("a\x7f", "order.comments", 10), "order.comments");
  ExpectInvalid(CheckMultiLineText("a\x1b[31m", "order.comments", 10), "order.comments");
  EXPECT_TRUE(CheckMultiLineText(std::string(10, 'x'), "c", 10).ok());
  ExpectInvalid(CheckMultiLineText(std::string(11, 'x'), "order.comments", 10), "order.comments");
}

// ---- CheckAuxId ---------------------------------------------------------------

TEST(CheckAuxIdTest, AcceptsTextAndWellFormedFragments) {
  for (const char* aux :
       {"", "ABC-123", "&lt;escaped&gt; &amp; more", R"(<aux a="1">x&amp;y</aux>)", "<a/><b>2</b>",
        "<![CDATA[id<1>&raw]]>", "<a>\n  <b/>\n</a>"}) {
    EXPECT_TRUE(CheckAuxId(aux, "aux").ok()) << aux << ": " << CheckAuxId(aux, "aux");
  }
}

TEST(CheckAuxIdTest, RefusesMalformedMarkup) {
  for (const char* aux : {"<a>", "<a></b>", "</a>", "<a b=1/>", "text <"}) {
    SCOPED_TRACE(aux);
    ExpectInvalid(CheckAuxId(aux, "order.lines[0].supplier_part_auxiliary_id"),
                  "order.lines[0].supplier_part_auxiliary_id");
  }
}

TEST(CheckAuxIdTest, RefusesDeclarationsAndDoctype) {
  for (const char* aux :
       {R"(<?xml version="1.0"?><a/>)", "<!DOCTYPE a><a/>",
        R"(<!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>)", R"(<a/><!DOCTYPE b>)"}) {
    ExpectInvalid(CheckAuxId(aux, "aux"), "aux");
  }
}

TEST(CheckAuxIdTest, RefusesControlCharactersAndMoreThan4KiB) {
  ExpectInvalid(CheckAuxId("a\x01", "aux"), "aux");
  EXPECT_TRUE(CheckAuxId(std::string(4096, 'x'), "aux").ok());
  ExpectInvalid(CheckAuxId(std::string(4097, 'x'), "aux"), "aux");
}

// An aux id is sent back verbatim as element content, so an accepted one must
// be one the cXML writer can write: a bare '&', an entity XML does not define
// and "]]>" in text are not well-formed there.
TEST(CheckAuxIdTest, RefusesWhatTheCxmlWriterCannotWrite) {
  for (const char* aux : {"a & b", "<a>&nbsp;</a>", "x]]>y"}) {
    SCOPED_TRACE(aux);
    ExpectInvalid(CheckAuxId(aux, "aux"), "aux");
  }
}

// ---- NonNegative --------------------------------------------------------------

TEST(NonNegativeTest, ParsesNonNegativeDecimals) {
  for (const char* ok : {"0", "12.50", "0.000000001", "+3"}) {
    absl::StatusOr<cxml::Decimal> d = NonNegative(ok, "x");
    ASSERT_TRUE(d.ok()) << ok << ": " << d.status();
  }
  EXPECT_EQ(NonNegative("12.50", "x")->ToString(), "12.50");
  EXPECT_EQ(NonNegative("0", "x")->Sign(), 0);
}

TEST(NonNegativeTest, RefusesNegativesAndNonDecimals) {
  absl::Status neg = NonNegative("-0.01", "order.lines[0].quantity").status();
  ExpectInvalid(neg, "order.lines[0].quantity");
  EXPECT_THAT(std::string(neg.message()), HasSubstr("negative"));
  for (const char* bad : {"", "abc", "1e2", "1,000", " 1", ".5", "5.", "NaN"}) {
    absl::Status st = NonNegative(bad, "order.lines[0].quantity").status();
    ExpectInvalid(st, "order.lines[0].quantity");
    EXPECT_THAT(std::string(st.message()), HasSubstr("not a decimal")) << bad;
  }
}

TEST(NonNegativeTest, QuotesTheValueShortAndPrintable) {
  absl::Status st = NonNegative("x\n" + std::string(100, 'y'), "q").status();
  const std::string m(st.message());
  EXPECT_THAT(m, HasSubstr("\"x yyy"));
  EXPECT_THAT(m, HasSubstr("...\""));
  EXPECT_FALSE(absl::StrContains(m, "\n"));
  EXPECT_FALSE(absl::StrContains(m, std::string(40, 'y')));
}

// ---- CheckLineItem ------------------------------------------------------------

TEST(CheckLineItemTest, AcceptsAGoodLine) {
  EXPECT_TRUE(CheckLine(Pen()).ok()) << CheckLine(Pen());
  type::v1::LineItem minimal;
  minimal.set_quantity("0.5");
  minimal.set_supplier_part_id("SKU");
  minimal.mutable_unit_price()->set_amount("0");
  minimal.mutable_unit_price()->set_currency("USD");
  minimal.set_unit_of_measure("EA");
  EXPECT_TRUE(CheckLine(minimal).ok()) << CheckLine(minimal);
}

TEST(CheckLineItemTest, EmptyCurrencyTakesAnyIsoCode) {
  type::v1::LineItem l = Pen();
  l.mutable_unit_price()->set_currency("EUR");
  EXPECT_TRUE(CheckLineItem(l, kAt, "").ok());
  l.mutable_unit_price()->set_currency("eur");
  ExpectInvalid(CheckLineItem(l, kAt, ""), "order.lines[2].unit_price.currency");
}

TEST(CheckLineItemTest, LineNumberMustNotBeNegative) {
  type::v1::LineItem l = Pen();
  l.set_line_number(0);
  EXPECT_TRUE(CheckLine(l).ok());
  l.set_line_number(-1);
  ExpectInvalid(CheckLine(l), "order.lines[2].line_number");
}

TEST(CheckLineItemTest, QuantityMustBeAPositiveDecimal) {
  for (const char* q : {"0", "0.000", "-1", "abc", "", "1e3"}) {
    type::v1::LineItem l = Pen();
    l.set_quantity(q);
    ExpectInvalid(CheckLine(l), "order.lines[2].quantity");
  }
}

TEST(CheckLineItemTest, PartIdIsRequiredAndPlainText) {
  type::v1::LineItem l = Pen();
  l.clear_supplier_part_id();
  ExpectInvalid(CheckLine(l), "order.lines[2].supplier_part_id");
  l.set_supplier_part_id("a\nb");
  ExpectInvalid(CheckLine(l), "order.lines[2].supplier_part_id");
  l.set_supplier_part_id(std::string(257, 'p'));
  ExpectInvalid(CheckLine(l), "order.lines[2].supplier_part_id");
}

TEST(CheckLineItemTest, AuxIdMustBeAFragment) {
  type::v1::LineItem l = Pen();
  l.set_supplier_part_auxiliary_id("<a>");
  ExpectInvalid(CheckLine(l), "order.lines[2].supplier_part_auxiliary_id");
}

TEST(CheckLineItemTest, DescriptionIsMultiLineBounded) {
  type::v1::LineItem l = Pen();
  l.set_description("bell\a");
  ExpectInvalid(CheckLine(l), "order.lines[2].description");
  l.set_description(std::string(2001, 'd'));
  ExpectInvalid(CheckLine(l), "order.lines[2].description");
}

TEST(CheckLineItemTest, UnitPriceIsANonNegativeAmountInTheOrdersCurrency) {
  type::v1::LineItem l = Pen();
  l.mutable_unit_price()->set_amount("-1");
  ExpectInvalid(CheckLine(l), "order.lines[2].unit_price.amount");
  l.mutable_unit_price()->set_amount("1.2.3");
  ExpectInvalid(CheckLine(l), "order.lines[2].unit_price.amount");
  l = Pen();
  l.mutable_unit_price()->set_currency("usd");
  ExpectInvalid(CheckLine(l), "order.lines[2].unit_price.currency");
  l.mutable_unit_price()->set_currency("EUR");
  absl::Status st = CheckLine(l, "USD");
  ExpectInvalid(st, "order.lines[2].unit_price.currency");
  EXPECT_THAT(std::string(st.message()), HasSubstr("EUR"));
  EXPECT_THAT(std::string(st.message()), HasSubstr("USD"));
}

TEST(CheckLineItemTest, UnitOfMeasureIsRequiredAndShort) {
  type::v1::LineItem l = Pen();
  l.clear_unit_of_measure();
  ExpectInvalid(CheckLine(l), "order.lines[2].unit_of_measure");
  l.set_unit_of_measure(std::string(17, 'U'));
  ExpectInvalid(CheckLine(l), "order.lines[2].unit_of_measure");
}

TEST(CheckLineItemTest, ClassificationsNeedADomainAndAreBounded) {
  type::v1::LineItem l = Pen();
  l.add_classifications()->set_code("123");
  ExpectInvalid(CheckLine(l), "order.lines[2].classifications[1].domain");
  l = Pen();
  l.mutable_classifications(0)->set_code("a\tb");
  ExpectInvalid(CheckLine(l), "order.lines[2].classifications[0].code");
  l = Pen();
  for (int i = 0; i < 32; ++i) l.add_classifications()->set_domain("custom");
  ExpectInvalid(CheckLine(l), "order.lines[2].classifications");
}

TEST(CheckLineItemTest, ManufacturerFieldsArePlainText) {
  type::v1::LineItem l = Pen();
  l.set_manufacturer_part_id("x\ny");
  ExpectInvalid(CheckLine(l), "order.lines[2].manufacturer_part_id");
  l = Pen();
  l.set_manufacturer_name(std::string(257, 'm'));
  ExpectInvalid(CheckLine(l), "order.lines[2].manufacturer_name");
}

// ---- CheckPostalAddress -------------------------------------------------------

TEST(CheckPostalAddressTest, AcceptsAGoodAddressAndAMinimalOne) {
  EXPECT_TRUE(CheckPostalAddress(Dock(), "order.ship_to").ok());
  type::v1::PostalAddress a;
  a.add_street("1 Main St");
  a.set_city("Springfield");
  a.set_country_code("DE");
  EXPECT_TRUE(CheckPostalAddress(a, "order.ship_to").ok());
}

TEST(CheckPostalAddressTest, StreetIsOneToFourLines) {
  type::v1::PostalAddress a = Dock();
  a.clear_street();
  ExpectInvalid(CheckPostalAddress(a, "order.ship_to"), "order.ship_to.street");
  a = Dock();
  a.add_street("3");
  a.add_street("4");
  EXPECT_TRUE(CheckPostalAddress(a, "order.ship_to").ok());
  a.add_street("5");
  ExpectInvalid(CheckPostalAddress(a, "order.ship_to"), "order.ship_to.street");
  a = Dock();
  a.set_street(1, "");
  ExpectInvalid(CheckPostalAddress(a, "order.ship_to"), "order.ship_to.street");
}

TEST(CheckPostalAddressTest, EachFieldIsCheckedByName) {
  type::v1::PostalAddress a = Dock();
  a.clear_city();
  ExpectInvalid(CheckPostalAddress(a, "order.bill_to"), "order.bill_to.city");
  a = Dock();
  a.set_name("a\nb");
  ExpectInvalid(CheckPostalAddress(a, "order.bill_to"), "order.bill_to.name");
  a = Dock();
  a.set_state(std::string(129, 's'));
  ExpectInvalid(CheckPostalAddress(a, "order.bill_to"), "order.bill_to.state");
  a = Dock();
  a.set_postal_code(std::string(33, '1'));
  ExpectInvalid(CheckPostalAddress(a, "order.bill_to"), "order.bill_to.postal_code");
  a = Dock();
  a.set_country("x\x7f");
  ExpectInvalid(CheckPostalAddress(a, "order.bill_to"), "order.bill_to.country");
}

TEST(CheckPostalAddressTest, CountryCodeIsAlpha2UpperCase) {
  for (const char* cc : {"", "USA", "us", "U", "U1"}) {
    type::v1::PostalAddress a = Dock();
    a.set_country_code(cc);
    ExpectInvalid(CheckPostalAddress(a, "order.ship_to"), "order.ship_to.country_code");
  }
}

TEST(IsEmptyTest, OnlyAnAddressWithNoFieldIsEmpty) {
  EXPECT_TRUE(IsEmpty(type::v1::PostalAddress()));
  type::v1::PostalAddress a;
  a.set_country_code("US");
  EXPECT_FALSE(IsEmpty(a));
  EXPECT_FALSE(IsEmpty(Dock()));
}

// ---- CheckContact -------------------------------------------------------------

TEST(CheckContactTest, EmailIsOptionalUnlessRequired) {
  EXPECT_TRUE(CheckContact(type::v1::Contact(), "order.contact", false).ok());
  ExpectInvalid(CheckContact(type::v1::Contact(), "order.contact", true), "order.contact.email");
  EXPECT_TRUE(CheckContact(Ann(), "order.contact", true).ok());
}

TEST(CheckContactTest, EmailMustLookLikeOne) {
  for (const char* bad : {"ann", "@example.com", "ann@", "a@b@c", "ann @example.com", "a\n@b"}) {
    type::v1::Contact c = Ann();
    c.set_email(bad);
    ExpectInvalid(CheckContact(c, "order.contact", false), "order.contact.email");
  }
  type::v1::Contact c = Ann();
  c.set_email(std::string(250, 'a') + "@b.co");
  ExpectInvalid(CheckContact(c, "order.contact", false), "order.contact.email");
}

TEST(CheckContactTest, IdAndNameArePlainText) {
  type::v1::Contact c = Ann();
  c.set_id("a\tb");
  ExpectInvalid(CheckContact(c, "approval.approver", false), "approval.approver.id");
  c = Ann();
  c.set_name(std::string(257, 'n'));
  ExpectInvalid(CheckContact(c, "approval.approver", false), "approval.approver.name");
}

// ---- ToItemOut ----------------------------------------------------------------

TEST(ToItemOutTest, MapsEveryField) {
  const cxml::ItemOut item = ToItemOut(Pen());
  EXPECT_EQ(item.quantity, "2");
  EXPECT_EQ(item.line_number, "3");
  EXPECT_EQ(item.item_id.supplier_part_id, "B0SIMPEN12");
  ASSERT_TRUE(item.item_id.supplier_part_auxiliary_id.has_value());
  EXPECT_EQ(item.item_id.supplier_part_auxiliary_id->xml, R"(<aux a="1">x&amp;y</aux>)");
  ASSERT_TRUE(item.item_detail.has_value());
  const cxml::ItemDetail& d = *item.item_detail;
  EXPECT_EQ(d.unit_price, (cxml::Money{"8.99", "USD"}));
  ASSERT_EQ(d.descriptions.size(), 1u);
  EXPECT_EQ(d.descriptions[0].lang, "en");
  EXPECT_EQ(d.descriptions[0].text, "Pens & pencils,\tblue\nbox of 12");
  EXPECT_EQ(d.unit_of_measure, "EA");
  ASSERT_EQ(d.classifications.size(), 1u);
  EXPECT_EQ(d.classifications[0].domain, "UNSPSC");
  EXPECT_EQ(d.classifications[0].value, "44121701");
  EXPECT_EQ(d.manufacturer_part_id, "PEN-12");
  EXPECT_EQ(d.manufacturer_name, "Pens Inc.");
}

TEST(ToItemOutTest, AuxIdIsKeptByteForByte) {
  for (const std::string aux :
       {"&lt;a&gt;", "<![CDATA[id<1>&raw]]>", "<a  b='1' >\n\t<c/></a>", "&#x41;&#66;"}) {
    type::v1::LineItem l = Pen();
    l.set_supplier_part_auxiliary_id(aux);
    const cxml::ItemOut item = ToItemOut(l);
    ASSERT_TRUE(item.item_id.supplier_part_auxiliary_id.has_value());
    EXPECT_EQ(item.item_id.supplier_part_auxiliary_id->xml, aux);
  }
  type::v1::LineItem l = Pen();
  l.clear_supplier_part_auxiliary_id();
  EXPECT_FALSE(ToItemOut(l).item_id.supplier_part_auxiliary_id.has_value());
}

TEST(ToItemOutTest, DefaultsUnspscClassificationAndDescriptionFromPartId) {
  type::v1::LineItem l = Pen();
  l.clear_classifications();
  l.clear_description();
  const cxml::ItemOut item = ToItemOut(l);
  ASSERT_EQ(item.item_detail->classifications.size(), 1u);
  EXPECT_EQ(item.item_detail->classifications[0].domain, "UNSPSC");
  ASSERT_EQ(item.item_detail->descriptions.size(), 1u);
  EXPECT_EQ(item.item_detail->descriptions[0].text, "B0SIMPEN12");
}

TEST(ToItemOutTest, KeepsSeveralClassificationsInOrder) {
  type::v1::LineItem l = Pen();
  auto* c = l.add_classifications();
  c->set_domain("eCl@ss");
  c->set_code("24-29-01-01");
  const cxml::ItemOut item = ToItemOut(l);
  ASSERT_EQ(item.item_detail->classifications.size(), 2u);
  EXPECT_EQ(item.item_detail->classifications[1].domain, "eCl@ss");
  EXPECT_EQ(item.item_detail->classifications[1].value, "24-29-01-01");
}

// ---- ToCxmlAddress ------------------------------------------------------------

TEST(ToCxmlAddressTest, MapsANamedAddress) {
  const cxml::Address a = ToCxmlAddress(Dock(), "Receiving", "ann@example.com");
  EXPECT_EQ(a.name, "Receiving dock 4");
  EXPECT_EQ(a.iso_country_code, "US");
  EXPECT_EQ(a.email, "ann@example.com");
  ASSERT_TRUE(a.postal_address.has_value());
  const cxml::PostalAddress& p = *a.postal_address;
  EXPECT_EQ(p.deliver_to, std::vector<std::string>{"Receiving dock 4"});
  EXPECT_EQ(p.street, (std::vector<std::string>{"1 Main St", "Building <B>"}));
  EXPECT_EQ(p.city, "Springfield");
  EXPECT_EQ(p.state, "IL");
  EXPECT_EQ(p.postal_code, "62701");
  EXPECT_EQ(p.iso_country_code, "US");
  EXPECT_EQ(p.country, "United States");
}

TEST(ToCxmlAddressTest, UnnamedAddressTakesTheFallbackNameAndCountryFromItsCode) {
  type::v1::PostalAddress in = Dock();
  in.clear_name();
  in.clear_country();
  const cxml::Address a = ToCxmlAddress(in, "Accounts Payable");
  EXPECT_EQ(a.name, "Accounts Payable");
  EXPECT_EQ(a.email, "");
  ASSERT_TRUE(a.postal_address.has_value());
  EXPECT_TRUE(a.postal_address->deliver_to.empty());
  EXPECT_EQ(a.postal_address->country, "US");
}

}  // namespace
}  // namespace iob::types

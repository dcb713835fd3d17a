// services/dispatch/order.{h,cc}: the dispatch domain. Content, approval and
// update checks; exact totals; dispatch rules and supplier profiles; the
// OrderRequest built for a version, checked as a model, as written XML and
// against the cXML DTD with xmllint; the retry policy; what a confirmation
// does to an order; the masked exchange-log copy.
#include "services/dispatch/order.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <variant>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"
#include "services/dispatch/order_mail.h"
#include "tests/support/cxml_dtd.h"

namespace iob::dispatch {
namespace {

using ::iob::testing::DtdDir;
using ::iob::testing::DtdSkipReason;
using ::iob::testing::HaveXmllint;
using ::iob::testing::XmllintValidate;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// ---- helpers ------------------------------------------------------------------

constexpr char kAux[] = R"(<aux a="1">x&amp;y</aux>)";

type::v1::LineItem Line(int number, const std::string& sku, const std::string& quantity,
                        const std::string& price, const std::string& aux = "") {
  type::v1::LineItem l;
  l.set_line_number(number);
  l.set_quantity(quantity);
  l.set_supplier_part_id(sku);
  l.set_supplier_part_auxiliary_id(aux);
  l.set_description("Item " + sku + " & co");
  l.mutable_unit_price()->set_amount(price);
  l.mutable_unit_price()->set_currency("USD");
  l.set_unit_of_measure("EA");
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

type::v1::PostalAddress Billing() {  // no name: BillTo falls back to "Accounts Payable"
  type::v1::PostalAddress a;
  a.add_street("PO Box 9");
  a.set_city("Chicago");
  a.set_country_code("US");
  return a;
}

// A good order: two unnumbered lines (the first with markup in its aux id),
// both addresses, a contact, comments and a delivery date.
pb::OrderContent Content() {
  pb::OrderContent c;
  c.set_po_number("PO-1001");
  c.set_currency("USD");
  *c.add_lines() = Line(0, "B0SIMPEN12", "3", "0.10", kAux);
  *c.add_lines() = Line(0, "B0SIMCOFFE", "1", "0.20");
  *c.mutable_ship_to() = Dock();
  *c.mutable_bill_to() = Billing();
  c.mutable_contact()->set_email("ann@example.com");
  c.mutable_contact()->set_name("Ann O'Neil");
  c.set_comments("Leave at the dock.\nThanks & regards");
  c.set_requested_delivery_date("2026-07-01");
  return c;
}

supplier::SupplierEndpoint Endpoint() {
  supplier::SupplierEndpoint e;
  e.integration = "tenants/acme/integrations/amazon";
  e.supplier = "amazon-business";
  e.order_url = "https://abintegrations.amazon.com/order";
  e.from = {"NetworkId", "ACME-BUYER", ""};
  e.to = {"NetworkId", "Amazon", ""};
  e.sender = {"NetworkId", "ACME-BUYER", "s3cret-value"};
  e.production = false;
  return e;
}

Order MakeOrder(bool test = true) {
  Order o;
  o.tenant = "acme";
  o.id = "o0123456789abcdef0123";
  o.integration = "tenants/acme/integrations/amazon";
  o.supplier = "amazon-business";
  o.po_number = "PO-1001";
  o.test = test;
  return o;
}

OrderVersion Version(int n, ChangeType type, pb::OrderContent content) {
  OrderVersion v;
  v.version = n;
  v.type = type;
  v.payload_id = "1700000000." + std::to_string(n) + ".1@iob.test";
  if (n > 1) v.document_reference = "1700000000." + std::to_string(n - 1) + ".1@iob.test";
  v.order_date = "2026-06-01T10:00:00+00:00";
  v.content = std::move(content);
  return v;
}

// The content as SubmitOrder stores it: checked (so its lines are numbered).
pb::OrderContent Checked(pb::OrderContent c) {
  absl::Status st = CheckContent(c, OrderProfileFor("generic-cxml"), "generic-cxml");
  EXPECT_TRUE(st.ok()) << st;
  return c;
}

constexpr char kTimestamp[] = "2026-06-01T10:00:05+00:00";

cxml::Document Build(const Order& o, const OrderVersion& v) {
  absl::StatusOr<cxml::Document> d = BuildOrderRequest(o, v, Endpoint(), kTimestamp);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *std::move(d) : cxml::Document();
}

const cxml::OrderRequest& Body(const cxml::Document& d) {
  return std::get<cxml::OrderRequest>(d.body);
}

DispatchRule Rule() {
  DispatchRule r;
  r.tenant = "acme";
  r.integration_id = "amazon";
  return r;
}

void ExpectInvalid(const absl::Status& st, const std::string& field) {
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_THAT(std::string(st.message()), StartsWith(field + ": ")) << st;
}

absl::Status CheckGeneric(pb::OrderContent& c) {
  return CheckContent(c, OrderProfileFor("generic-cxml"), "generic-cxml");
}

// ---- StateText / ChangeTypeText -------------------------------------------------

TEST(StateTextTest, EveryStateRoundTripsAndHasItsOwnText) {
  const OrderState all[] = {OrderState::kQueued,
                            OrderState::kSending,
                            OrderState::kDelivered,
                            OrderState::kConfirmed,
                            OrderState::kPartiallyConfirmed,
                            OrderState::kBackordered,
                            OrderState::kShipped,
                            OrderState::kRejected,
                            OrderState::kFailed,
                            OrderState::kCancelled};
  std::set<std::string> texts;
  for (OrderState s : all) {
    const std::string text(StateText(s));
    texts.insert(text);
    EXPECT_EQ(ParseState(text), s) << text;
  }
  EXPECT_EQ(texts.size(), std::size(all));
  EXPECT_EQ(StateText(OrderState::kPartiallyConfirmed), "partially_confirmed");
  EXPECT_EQ(StateText(OrderState::kQueued), "queued");
  EXPECT_EQ(ParseState("Queued"), std::nullopt);
  EXPECT_EQ(ParseState(""), std::nullopt);
  EXPECT_EQ(ParseState("partially confirmed"), std::nullopt);
}

TEST(ChangeTypeTextTest, RoundTripsTheCxmlOrderTypes) {
  EXPECT_EQ(ChangeTypeText(ChangeType::kNew), "new");
  EXPECT_EQ(ChangeTypeText(ChangeType::kUpdate), "update");
  EXPECT_EQ(ChangeTypeText(ChangeType::kDelete), "delete");
  for (ChangeType t : {ChangeType::kNew, ChangeType::kUpdate, ChangeType::kDelete}) {
    EXPECT_EQ(ParseChangeType(ChangeTypeText(t)), t);
  }
  EXPECT_EQ(ParseChangeType("cancel"), std::nullopt);
  EXPECT_EQ(ParseChangeType("New"), std::nullopt);
}

TEST(NamesTest, OrderAndRuleNamesFollowTheirPatterns) {
  EXPECT_EQ(MakeOrder().Name(), "tenants/acme/orders/o0123456789abcdef0123");
  EXPECT_EQ(Rule().Name(), "tenants/acme/integrations/amazon/dispatchRule");
}

TEST(NewOrderIdTest, IsOAnd20HexDigitsAndFresh) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewOrderId();
    ASSERT_EQ(id.size(), 21u) << id;
    EXPECT_EQ(id[0], 'o');
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 1), std::string::npos) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 100u);
}

// ---- CheckContent -------------------------------------------------------------

TEST(CheckContentTest, GoodOrderPassesAndUnnumberedLinesAreNumbered) {
  pb::OrderContent c = Content();
  ASSERT_TRUE(CheckGeneric(c).ok()) << CheckGeneric(c);
  EXPECT_EQ(c.lines(0).line_number(), 1);
  EXPECT_EQ(c.lines(1).line_number(), 2);
  EXPECT_EQ(c.lines(0).supplier_part_auxiliary_id(), kAux);  // untouched

  pb::OrderContent mixed = Content();
  *mixed.add_lines() = Line(0, "B0SIMCABLE", "1", "5");
  mixed.mutable_lines(1)->set_line_number(7);
  ASSERT_TRUE(CheckGeneric(mixed).ok()) << CheckGeneric(mixed);
  EXPECT_EQ(mixed.lines(0).line_number(), 1);
  EXPECT_EQ(mixed.lines(1).line_number(), 7);
  EXPECT_EQ(mixed.lines(2).line_number(), 3);
}

TEST(CheckContentTest, EachBadFieldIsNamed) {
  struct Case {
    const char* field;
    std::function<void(pb::OrderContent&)> spoil;
  };
  const Case cases[] = {
      {"order.po_number", [](auto& c) { c.clear_po_number(); }},
      {"order.po_number", [](auto& c) { c.set_po_number("PO\n1"); }},
      {"order.currency", [](auto& c) { c.set_currency("usd"); }},
      {"order.currency", [](auto& c) { c.clear_currency(); }},
      {"order.lines", [](auto& c) { c.clear_lines(); }},
      {"order.lines[1].quantity", [](auto& c) { c.mutable_lines(1)->set_quantity("0"); }},
      {"order.lines[1].quantity", [](auto& c) { c.mutable_lines(1)->set_quantity("-1"); }},
      {"order.lines[1].quantity", [](auto& c) { c.mutable_lines(1)->set_quantity("abc"); }},
      {"order.lines[1].unit_price.currency",
       [](auto& c) { c.mutable_lines(1)->mutable_unit_price()->set_currency("EUR"); }},
      {"order.lines[1].line_number",  // line 0 becomes 1, then 1 again
       [](auto& c) { c.mutable_lines(1)->set_line_number(1); }},
      {"order.lines[1].line_number",
       [](auto& c) {
         c.mutable_lines(0)->set_line_number(4);
         c.mutable_lines(1)->set_line_number(4);
       }},
      {"order.lines[0].supplier_part_auxiliary_id",
       [](auto& c) { c.mutable_lines(0)->set_supplier_part_auxiliary_id("<a>"); }},
      {"order.bill_to", [](auto& c) { c.clear_bill_to(); }},
      {"order.bill_to.city", [](auto& c) { c.mutable_bill_to()->clear_city(); }},
      {"order.ship_to.country_code", [](auto& c) { c.mutable_ship_to()->set_country_code("USA"); }},
      {"order.contact.email", [](auto& c) { c.mutable_contact()->set_email("ann"); }},
      {"order.comments", [](auto& c) { c.set_comments("bell\a"); }},
      {"order.requested_delivery_date",
       [](auto& c) { c.set_requested_delivery_date("2026-13-01"); }},
      {"order.requested_delivery_date",
       [](auto& c) { c.set_requested_delivery_date("2026-02-30"); }},
      {"order.requested_delivery_date", [](auto& c) { c.set_requested_delivery_date("2026-7-1"); }},
      {"order.requested_delivery_date",
       [](auto& c) { c.set_requested_delivery_date("2026-07-01T00:00:00Z"); }},
  };
  for (const Case& k : cases) {
    pb::OrderContent c = Content();
    k.spoil(c);
    SCOPED_TRACE(k.field);
    ExpectInvalid(CheckGeneric(c), k.field);
  }
}

TEST(CheckContentTest, AtMost1000Lines) {
  pb::OrderContent c = Content();
  c.clear_lines();
  for (int i = 0; i < 1000; ++i) *c.add_lines() = Line(0, "SKU", "1", "1.00");
  EXPECT_TRUE(CheckGeneric(c).ok()) << CheckGeneric(c);
  *c.add_lines() = Line(0, "SKU", "1", "1.00");
  ExpectInvalid(CheckGeneric(c), "order.lines");
}

TEST(CheckContentTest, AmazonRequiresShipToTheGenericProfileDoesNot) {
  pb::OrderContent c = Content();
  c.clear_ship_to();
  absl::Status st = CheckContent(c, OrderProfileFor("amazon-business"), "amazon-business");
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_THAT(std::string(st.message()), StartsWith("order.ship_to: "));
  EXPECT_THAT(std::string(st.message()), HasSubstr("001-005"));

  pb::OrderContent generic = Content();
  generic.clear_ship_to();
  EXPECT_TRUE(CheckGeneric(generic).ok()) << CheckGeneric(generic);

  pb::OrderContent with_ship_to = Content();
  EXPECT_TRUE(
      CheckContent(with_ship_to, OrderProfileFor("amazon-business"), "amazon-business").ok());
}

// Amounts that cannot be added up exactly are the caller's input to fix:
// INVALID_ARGUMENT naming the lines, like every other bad field.
TEST(CheckContentTest, ATotalTooLargeToShowIsInvalid) {
  pb::OrderContent product = Content();
  product.mutable_lines(1)->set_quantity("100000000000");
  product.mutable_lines(1)->mutable_unit_price()->set_amount("100000000000.00");
  ExpectInvalid(CheckGeneric(product), "order.lines[1]");

  pb::OrderContent shown = Content();  // fits, but not with two decimals
  shown.clear_lines();
  *shown.add_lines() = Line(0, "SKU", "1", "1000000000000000000");
  absl::Status st = CheckGeneric(shown);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_THAT(std::string(st.message()), StartsWith("order.lines")) << st;
}

TEST(CheckContentTest, ABadFieldIsReportedBeforeTheSuppliersRequirement) {
  pb::OrderContent c = Content();
  c.clear_ship_to();
  c.set_currency("usd");
  ExpectInvalid(CheckContent(c, OrderProfileFor("amazon-business"), "amazon-business"),
                "order.currency");
}

// Whatever CheckContent accepts is what the delivery worker will write later:
// an accepted order that cannot be written, or is written as malformed XML,
// fails only after SubmitOrder said yes. Aux ids are sent verbatim, so these
// must be refused at submission.
TEST(CheckContentTest, EveryAcceptedOrderIsWrittenAsWellFormedCxml) {
  for (const char* aux : {"a & b", "<a>&nbsp;</a>", "x]]>y", "x <"}) {
    SCOPED_TRACE(aux);
    pb::OrderContent c = Content();
    c.mutable_lines(0)->set_supplier_part_auxiliary_id(aux);
    if (!CheckGeneric(c).ok()) continue;  // refused up front: fine
    absl::StatusOr<cxml::Document> doc =
        BuildOrderRequest(MakeOrder(), Version(1, ChangeType::kNew, c), Endpoint(), kTimestamp);
    ASSERT_TRUE(doc.ok()) << doc.status();
    absl::StatusOr<std::string> xml = cxml::WriteDocument(*doc);
    if (!xml.ok()) {
      ADD_FAILURE() << "CheckContent accepted an aux id the cXML writer refuses: " << xml.status();
      continue;
    }
    absl::StatusOr<cxml::Document> read = cxml::ReadDocument(*xml);
    EXPECT_TRUE(read.ok()) << "CheckContent accepted an aux id written as malformed XML: "
                           << read.status();
  }
}

// ---- CheckApproval ------------------------------------------------------------

pb::Approval ApprovedBy(const std::string& id, const std::string& email, int64_t seconds) {
  pb::Approval a;
  pb::Approver* who = a.mutable_approver();
  who->mutable_approver()->set_id(id);
  who->mutable_approver()->set_email(email);
  if (seconds >= 0) who->mutable_approve_time()->set_seconds(seconds);
  return a;
}

void ExpectPrecondition(const absl::Status& st, const std::string& prefix) {
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_THAT(std::string(st.message()), StartsWith(prefix)) << st;
}

TEST(CheckApprovalTest, AnApproverWithATimeIsEnough) {
  EXPECT_TRUE(CheckApproval(ApprovedBy("", "boss@example.com", 1700000000), true).ok());
  EXPECT_TRUE(CheckApproval(ApprovedBy("u-9", "", 1700000000), true).ok());
  EXPECT_TRUE(CheckApproval(ApprovedBy("u-9", "boss@example.com", 1700000000), false).ok());
}

TEST(CheckApprovalTest, AnApproverNeedsATimeAndAName) {
  ExpectPrecondition(CheckApproval(ApprovedBy("", "boss@example.com", -1), true),
                     "approval.approver.approve_time");
  ExpectPrecondition(CheckApproval(ApprovedBy("", "boss@example.com", 0), true),
                     "approval.approver.approve_time");
  ExpectPrecondition(CheckApproval(ApprovedBy("", "", 1700000000), true), "approval.approver");
  ExpectInvalid(CheckApproval(ApprovedBy("", "boss", 1700000000), true), "approval.approver.email");
}

TEST(CheckApprovalTest, NoEvidenceIsRefusedEitherWay) {
  ExpectPrecondition(CheckApproval(pb::Approval(), true), "approval: ");
  ExpectPrecondition(CheckApproval(pb::Approval(), false), "approval: ");
  pb::Approval not_pressed;
  not_pressed.set_purchase_button(false);
  ExpectPrecondition(CheckApproval(not_pressed, false), "approval: ");
}

TEST(CheckApprovalTest, PurchaseButtonOnlyWithoutRequiredApproval) {
  pb::Approval button;
  button.set_purchase_button(true);
  EXPECT_TRUE(CheckApproval(button, false).ok());
  absl::Status st = CheckApproval(button, true);
  ExpectPrecondition(st, "approval: ");
  EXPECT_THAT(std::string(st.message()), HasSubstr("Purchase button"));
}

// ---- OrderTotal ---------------------------------------------------------------

pb::OrderContent Lines(std::initializer_list<std::pair<const char*, const char*>> qty_price) {
  pb::OrderContent c;
  c.set_currency("USD");
  for (const auto& [q, p] : qty_price) *c.add_lines() = Line(0, "SKU", q, p);
  return c;
}

TEST(OrderTotalTest, IsExact) {
  EXPECT_EQ(OrderTotal(Lines({{"3", "0.10"}, {"1", "0.20"}})).value_or("error"), "0.50");
  EXPECT_EQ(OrderTotal(Lines({{"3", "1.005"}})).value_or("error"), "3.015");
  EXPECT_EQ(OrderTotal(Lines({{"1.005", "3"}})).value_or("error"), "3.015");
  EXPECT_EQ(OrderTotal(Lines({{"2", "5"}})).value_or("error"), "10.00");
  EXPECT_EQ(OrderTotal(Lines({{"0.1", "0.1"}, {"0.2", "0.1"}})).value_or("error"), "0.03");
  EXPECT_EQ(OrderTotal(Lines({})).value_or("error"), "0.00");
  EXPECT_EQ(OrderTotal(Content()).value_or("error"), "0.50");
}

TEST(OrderTotalTest, HugeAmountsAreAnError) {
  // Fits as a product, overflows only when shown with two decimals.
  absl::StatusOr<std::string> shown = OrderTotal(Lines({{"1", "1000000000000000000"}}));
  EXPECT_FALSE(shown.ok()) << *shown;

  absl::StatusOr<std::string> product = OrderTotal(Lines({{"100000000000", "100000000000.00"}}));
  EXPECT_FALSE(product.ok()) << *product;
  ExpectInvalid(product.status(), "order.lines[0]");

  // Each line total fits with two decimals (9e18 units); their sum does not.
  absl::StatusOr<std::string> sum =
      OrderTotal(Lines({{"1", "90000000000000000"}, {"1", "90000000000000000"}}));
  EXPECT_FALSE(sum.ok()) << *sum;
  ExpectInvalid(sum.status(), "order.lines[1]");
}

TEST(OrderTotalTest, MalformedAmountsNameTheField) {
  ExpectInvalid(OrderTotal(Lines({{"1", "0.10"}, {"x", "1"}})).status(), "order.lines[1].quantity");
  ExpectInvalid(OrderTotal(Lines({{"1", "1,00"}})).status(), "order.lines[0].unit_price.amount");
}

// ---- CheckUpdate --------------------------------------------------------------

TEST(CheckUpdateTest, PoNumberAndCurrencyStay) {
  const pb::OrderContent before = Checked(Content());
  pb::OrderContent next = before;
  next.set_po_number("PO-1002");
  ExpectInvalid(CheckUpdate(before, next), "order.po_number");
  next = before;
  next.set_currency("EUR");
  ExpectInvalid(CheckUpdate(before, next), "order.currency");
}

TEST(CheckUpdateTest, ALineNumberKeepsItsPart) {
  const pb::OrderContent before = Checked(Content());
  pb::OrderContent next = before;
  next.mutable_lines(0)->set_supplier_part_id("B0OTHER999");
  ExpectInvalid(CheckUpdate(before, next), "order.lines[0].line_number");
  next = before;
  next.mutable_lines(0)->set_supplier_part_auxiliary_id("<aux a=\"2\"/>");
  ExpectInvalid(CheckUpdate(before, next), "order.lines[0].line_number");
  next = before;  // the lines swapped: line 2 is now the pen
  next.mutable_lines(1)->set_line_number(1);
  next.mutable_lines(0)->set_line_number(2);
  EXPECT_FALSE(CheckUpdate(before, next).ok());
}

TEST(CheckUpdateTest, QuantityPriceAndTextMayChangeAndLinesMayBeAddedOrDropped) {
  const pb::OrderContent before = Checked(Content());
  pb::OrderContent next = before;
  next.mutable_lines(0)->set_quantity("5");
  next.mutable_lines(0)->mutable_unit_price()->set_amount("0.12");
  next.mutable_lines(0)->set_description("Pens, now five");
  *next.add_lines() = Line(3, "B0SIMCABLE", "1", "9.99");
  EXPECT_TRUE(CheckUpdate(before, next).ok()) << CheckUpdate(before, next);
  next.mutable_lines()->DeleteSubrange(1, 1);  // line 2 dropped
  EXPECT_TRUE(CheckUpdate(before, next).ok()) << CheckUpdate(before, next);
}

// ---- ValidateRule / CheckRuleSends --------------------------------------------

TEST(DispatchRuleTest, DefaultRuleSendsCxml) {
  EXPECT_TRUE(ValidateRule(Rule()).ok());
  EXPECT_TRUE(CheckRuleSends(Rule()).ok());
}

TEST(DispatchRuleTest, BothActionsOnIsInvalid) {
  DispatchRule r = Rule();
  r.send_pdf = true;
  ExpectInvalid(ValidateRule(r), "rule");
  EXPECT_THAT(std::string(ValidateRule(r).message()), HasSubstr("twice"));
}

TEST(DispatchRuleTest, PdfOnlyIsValidAndSendsByEmail) {
  DispatchRule r = Rule();
  r.send_cxml = false;
  r.send_pdf = true;
  EXPECT_TRUE(ValidateRule(r).ok());
  EXPECT_TRUE(CheckRuleSends(r).ok());
  EXPECT_EQ(ChannelFor(r), Channel::kEmail);
  EXPECT_EQ(ChannelFor(Rule()), Channel::kCxml);
}

TEST(DispatchRuleTest, ARuleThatSendsNothingIsValidButCannotSend) {
  DispatchRule r = Rule();
  r.send_cxml = false;
  EXPECT_TRUE(ValidateRule(r).ok());
  absl::Status st = CheckRuleSends(r);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_THAT(std::string(st.message()),
              HasSubstr("tenants/acme/integrations/amazon/dispatchRule"));
}

TEST(DispatchRuleTest, DeadlineIsPositiveAndAtMost90Days) {
  DispatchRule r = Rule();
  for (absl::Duration bad : {absl::ZeroDuration(), absl::Seconds(-1), absl::Hours(24 * 90 + 1)}) {
    r.confirmation_deadline = bad;
    ExpectInvalid(ValidateRule(r), "rule.confirmation_deadline");
  }
  r.confirmation_deadline = absl::Hours(24 * 90);
  EXPECT_TRUE(ValidateRule(r).ok());
  r.confirmation_deadline = absl::Minutes(1);
  EXPECT_TRUE(ValidateRule(r).ok());
}

// ---- OrderProfileFor ----------------------------------------------------------

TEST(OrderProfileForTest, AmazonTakesNewOrdersOnlyAndNeedsShipTo) {
  const SupplierOrderProfile& p = OrderProfileFor("amazon-business");
  EXPECT_FALSE(p.accepts_update);
  EXPECT_FALSE(p.accepts_delete);
  EXPECT_TRUE(p.ship_to_required);
  EXPECT_THAT(p.change_advice, HasSubstr("001-001"));
}

TEST(OrderProfileForTest, ByEmailAPersonReadsEveryChange) {
  const SupplierOrderProfile& p = OrderProfileFor("amazon-business", Channel::kEmail);
  EXPECT_TRUE(p.accepts_update);
  EXPECT_TRUE(p.accepts_delete);
  EXPECT_FALSE(p.ship_to_required);
}

TEST(ChannelTest, TextRoundTrips) {
  for (Channel c : {Channel::kCxml, Channel::kEmail}) EXPECT_EQ(ParseChannel(ChannelText(c)), c);
  EXPECT_EQ(ChannelText(Channel::kEmail), "email");
  EXPECT_FALSE(ParseChannel("fax").has_value());
}

TEST(OrderProfileForTest, GenericCxmlTakesEveryType) {
  for (const char* s : {"generic-cxml", "", "acme-supplies"}) {
    const SupplierOrderProfile& p = OrderProfileFor(s);
    EXPECT_TRUE(p.accepts_update) << s;
    EXPECT_TRUE(p.accepts_delete) << s;
    EXPECT_FALSE(p.ship_to_required) << s;
  }
}

// ---- BuildOrderRequest: the model ---------------------------------------------

TEST(BuildOrderRequestTest, NewOrderInTestMode) {
  const OrderVersion v = Version(1, ChangeType::kNew, Checked(Content()));
  const cxml::Document d = Build(MakeOrder(/*test=*/true), v);
  EXPECT_EQ(d.payload_id, v.payload_id);
  EXPECT_EQ(d.timestamp, kTimestamp);
  EXPECT_EQ(d.deployment_mode, cxml::DeploymentMode::kTest);
  EXPECT_EQ(d.header.from, std::vector<cxml::Credential>{Endpoint().from});
  EXPECT_EQ(d.header.to, std::vector<cxml::Credential>{Endpoint().to});
  EXPECT_EQ(d.header.sender, std::vector<cxml::Credential>{Endpoint().sender});
  EXPECT_FALSE(d.header.user_agent.empty());
  ASSERT_TRUE(std::holds_alternative<cxml::OrderRequest>(d.body));

  const cxml::OrderRequest& r = Body(d);
  EXPECT_EQ(r.type, cxml::OrderType::kNew);
  EXPECT_EQ(r.order_version, "1");
  EXPECT_EQ(r.order_id, "PO-1001");
  EXPECT_EQ(r.order_date, v.order_date);
  EXPECT_EQ(r.document_reference, "");
  EXPECT_EQ(r.total, (cxml::Money{"0.50", "USD"}));
  EXPECT_EQ(r.requested_delivery_date, "2026-07-01T00:00:00+00:00");

  ASSERT_TRUE(r.ship_to.has_value());
  EXPECT_EQ(r.ship_to->name, "Receiving dock 4");
  EXPECT_EQ(r.ship_to->email, "ann@example.com");
  ASSERT_TRUE(r.ship_to->postal_address.has_value());
  EXPECT_EQ(r.ship_to->postal_address->street,
            (std::vector<std::string>{"1 Main St", "Building <B>"}));
  EXPECT_EQ(r.ship_to->postal_address->iso_country_code, "US");
  EXPECT_EQ(r.bill_to.name, "Accounts Payable");
  ASSERT_TRUE(r.bill_to.postal_address.has_value());
  EXPECT_EQ(r.bill_to.postal_address->city, "Chicago");

  ASSERT_EQ(r.contacts.size(), 1u);
  EXPECT_EQ(r.contacts[0].role, "buyer");
  EXPECT_EQ(r.contacts[0].name, "Ann O'Neil");
  EXPECT_EQ(r.contacts[0].emails, std::vector<std::string>{"ann@example.com"});
  ASSERT_EQ(r.comments.size(), 1u);
  EXPECT_EQ(r.comments[0].text, "Leave at the dock.\nThanks & regards");

  ASSERT_EQ(r.items.size(), 2u);
  EXPECT_EQ(r.items[0].line_number, "1");
  EXPECT_EQ(r.items[1].line_number, "2");
  EXPECT_EQ(r.items[0].quantity, "3");
  EXPECT_EQ(r.items[0].item_id.supplier_part_id, "B0SIMPEN12");
  ASSERT_TRUE(r.items[0].item_id.supplier_part_auxiliary_id.has_value());
  EXPECT_EQ(r.items[0].item_id.supplier_part_auxiliary_id->xml, kAux);
  EXPECT_FALSE(r.items[1].item_id.supplier_part_auxiliary_id.has_value());
  EXPECT_EQ(r.items[0].requested_delivery_date, "2026-07-01T00:00:00+00:00");
  ASSERT_TRUE(r.items[0].item_detail.has_value());
  EXPECT_EQ(r.items[0].item_detail->unit_price, (cxml::Money{"0.10", "USD"}));
}

TEST(BuildOrderRequestTest, ProductionModeAndMinimalContent) {
  pb::OrderContent c = Content();
  c.clear_ship_to();
  c.clear_contact();
  c.clear_comments();
  c.clear_requested_delivery_date();
  const cxml::Document d = Build(MakeOrder(/*test=*/false), Version(1, ChangeType::kNew, c));
  EXPECT_EQ(d.deployment_mode, cxml::DeploymentMode::kProduction);
  const cxml::OrderRequest& r = Body(d);
  EXPECT_FALSE(r.ship_to.has_value());
  EXPECT_TRUE(r.contacts.empty());
  EXPECT_TRUE(r.comments.empty());
  EXPECT_EQ(r.requested_delivery_date, "");
  EXPECT_EQ(r.items[0].requested_delivery_date, "");
}

TEST(BuildOrderRequestTest, UnnamedShipToTakesTheContactsName) {
  pb::OrderContent c = Content();
  c.mutable_ship_to()->clear_name();
  EXPECT_EQ(Body(Build(MakeOrder(), Version(1, ChangeType::kNew, c))).ship_to->name, "Ann O'Neil");
  c.mutable_contact()->clear_name();
  EXPECT_EQ(Body(Build(MakeOrder(), Version(1, ChangeType::kNew, c))).ship_to->name,
            "ann@example.com");
  c.clear_contact();
  EXPECT_EQ(Body(Build(MakeOrder(), Version(1, ChangeType::kNew, c))).ship_to->name, "Receiving");
}

TEST(BuildOrderRequestTest, UpdateReferencesThePreviousVersion) {
  pb::OrderContent c = Checked(Content());
  c.mutable_lines(0)->set_quantity("4");
  const OrderVersion v = Version(2, ChangeType::kUpdate, c);
  const cxml::Document d = Build(MakeOrder(), v);
  EXPECT_EQ(d.payload_id, v.payload_id);
  const cxml::OrderRequest& r = Body(d);
  EXPECT_EQ(r.type, cxml::OrderType::kUpdate);
  EXPECT_EQ(r.order_version, "2");
  EXPECT_EQ(r.document_reference, "1700000000.1.1@iob.test");
  EXPECT_EQ(r.order_id, "PO-1001");
  EXPECT_EQ(r.total, (cxml::Money{"0.60", "USD"}));
}

TEST(BuildOrderRequestTest, DeleteCarriesTheReason) {
  OrderVersion v = Version(3, ChangeType::kDelete, Checked(Content()));
  v.reason = "Ordered twice by mistake";
  const cxml::Document d = Build(MakeOrder(), v);
  const cxml::OrderRequest& r = Body(d);
  EXPECT_EQ(r.type, cxml::OrderType::kDelete);
  EXPECT_EQ(r.order_version, "3");
  EXPECT_EQ(r.document_reference, "1700000000.2.1@iob.test");
  ASSERT_EQ(r.comments.size(), 2u);
  EXPECT_EQ(r.comments[1].text, "Ordered twice by mistake");
}

TEST(BuildOrderRequestTest, RetriesOfAVersionBuildTheSameDocument) {
  const OrderVersion v = Version(1, ChangeType::kNew, Checked(Content()));
  EXPECT_EQ(Build(MakeOrder(), v), Build(MakeOrder(), v));
}

TEST(BuildOrderRequestTest, MalformedAmountIsInvalid) {
  pb::OrderContent c = Content();
  c.mutable_lines(0)->set_quantity("three");
  absl::StatusOr<cxml::Document> d =
      BuildOrderRequest(MakeOrder(), Version(1, ChangeType::kNew, c), Endpoint(), kTimestamp);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << d.status();
}

// ---- BuildOrderRequest: written ------------------------------------------------

std::string Written(const cxml::Document& d) {
  absl::StatusOr<std::string> xml = cxml::WriteDocument(d);
  EXPECT_TRUE(xml.ok()) << xml.status();
  return xml.value_or("");
}

TEST(BuildOrderRequestTest, WrittenDocumentCarriesTheHeaderAndAuxIdByteExact) {
  const std::string xml =
      Written(Build(MakeOrder(), Version(1, ChangeType::kNew, Checked(Content()))));
  EXPECT_THAT(xml, HasSubstr(R"(payloadID="1700000000.1.1@iob.test")"));
  EXPECT_THAT(xml, HasSubstr(R"(deploymentMode="test")"));
  EXPECT_THAT(xml, HasSubstr(R"(orderID="PO-1001")"));
  EXPECT_THAT(xml, HasSubstr(R"(type="new")"));
  EXPECT_THAT(xml, HasSubstr(R"(orderVersion="1")"));
  EXPECT_THAT(xml, HasSubstr(std::string("<SupplierPartAuxiliaryID>") + kAux +
                             "</SupplierPartAuxiliaryID>"));
  EXPECT_THAT(xml, HasSubstr("<ShipTo>"));
  EXPECT_THAT(xml, HasSubstr("<BillTo>"));
  EXPECT_THAT(xml, HasSubstr("Building &lt;B&gt;"));
  EXPECT_THAT(xml, Not(HasSubstr("<DocumentReference")));
}

TEST(BuildOrderRequestTest, WrittenUpdateAndProductionDocuments) {
  const std::string update =
      Written(Build(MakeOrder(), Version(2, ChangeType::kUpdate, Checked(Content()))));
  EXPECT_THAT(update, HasSubstr(R"(type="update")"));
  EXPECT_THAT(update, HasSubstr(R"(orderVersion="2")"));
  EXPECT_THAT(update, HasSubstr(R"(<DocumentReference payloadID="1700000000.1.1@iob.test")"));

  const std::string production =
      Written(Build(MakeOrder(/*test=*/false), Version(1, ChangeType::kNew, Checked(Content()))));
  EXPECT_THAT(production, Not(HasSubstr("deploymentMode=\"test\"")));
}

TEST(BuildOrderRequestTest, WrittenDocumentReadsBackToTheSameOrder) {
  const cxml::Document built =
      Build(MakeOrder(), Version(2, ChangeType::kUpdate, Checked(Content())));
  absl::StatusOr<cxml::Document> read = cxml::ReadDocument(Written(built));
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(std::holds_alternative<cxml::OrderRequest>(read->body));
  const cxml::OrderRequest& r = Body(*read);
  EXPECT_EQ(read->payload_id, built.payload_id);
  EXPECT_EQ(read->deployment_mode, cxml::DeploymentMode::kTest);
  EXPECT_EQ(r.type, cxml::OrderType::kUpdate);
  EXPECT_EQ(r.document_reference, "1700000000.1.1@iob.test");
  EXPECT_EQ(r.total, (cxml::Money{"0.50", "USD"}));
  ASSERT_EQ(r.items.size(), 2u);
  ASSERT_TRUE(r.items[0].item_id.supplier_part_auxiliary_id.has_value());
  EXPECT_EQ(r.items[0].item_id.supplier_part_auxiliary_id->xml, kAux);
  EXPECT_EQ(r.ship_to, Body(built).ship_to);
  EXPECT_EQ(r.bill_to, Body(built).bill_to);
}

// ---- BuildOrderRequest: DTD ----------------------------------------------------

// SupplierPartAuxiliaryID is ANY in the DTD, which allows only elements the
// DTD declares: an aux id with its own markup (kAux) is sent byte-exact but
// is not DTD-valid by nature, so the DTD checks use character data (escaped
// markup, entities, CDATA), the form suppliers actually send.
pb::OrderContent DtdContent() {
  pb::OrderContent c = Content();
  c.mutable_lines(0)->set_supplier_part_auxiliary_id(
      "&lt;aux a=&quot;1&quot;&gt;x&amp;amp;y&lt;/aux&gt;");
  c.mutable_lines(1)->set_supplier_part_auxiliary_id("<![CDATA[id<1>&raw]]>");
  return c;
}

class OrderRequestDtdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dtd_dir_ = DtdDir();
    if (dtd_dir_.empty()) GTEST_SKIP() << DtdSkipReason();
    if (!HaveXmllint()) GTEST_SKIP() << "xmllint not installed (apt-get install libxml2-utils)";
  }

  void ExpectValid(const Order& o, const OrderVersion& v) {
    const std::string xml = Written(Build(o, v));
    ASSERT_FALSE(xml.empty());
    const auto lint = XmllintValidate(xml, dtd_dir_ + "/cXML.dtd");
    EXPECT_EQ(lint.exit_code, 0) << lint.output << "\n" << xml;
  }

  std::string dtd_dir_;
};

TEST_F(OrderRequestDtdTest, EveryTypeInTestAndProductionMode) {
  for (bool test : {true, false}) {
    SCOPED_TRACE(test ? "test" : "production");
    ExpectValid(MakeOrder(test), Version(1, ChangeType::kNew, Checked(DtdContent())));
    ExpectValid(MakeOrder(test), Version(2, ChangeType::kUpdate, Checked(DtdContent())));
    OrderVersion del = Version(3, ChangeType::kDelete, Checked(DtdContent()));
    del.reason = "Ordered twice";
    ExpectValid(MakeOrder(test), del);
  }
}

TEST_F(OrderRequestDtdTest, MinimalOrderAndRichLines) {
  pb::OrderContent minimal = DtdContent();
  minimal.clear_ship_to();
  minimal.clear_contact();
  minimal.clear_comments();
  minimal.clear_requested_delivery_date();
  ExpectValid(MakeOrder(), Version(1, ChangeType::kNew, Checked(minimal)));

  pb::OrderContent rich = DtdContent();
  type::v1::LineItem cable = Line(0, "B0SIMCABLE", "2.5", "3.333", "B&amp;W &#x2013; 2m");
  auto* cls = cable.add_classifications();
  cls->set_domain("UNSPSC");
  cls->set_code("26121600");
  cable.set_manufacturer_part_id("USBC-2M");
  cable.set_manufacturer_name("Cablers Inc.");
  *rich.add_lines() = cable;
  rich.mutable_ship_to()->clear_name();
  ExpectValid(MakeOrder(), Version(1, ChangeType::kNew, Checked(rich)));
}

// ---- RetryPolicy --------------------------------------------------------------

TEST(RetryPolicyTest, CeilingDoublesFromBaseUpToMaxDelay) {
  const RetryPolicy p;  // 1s .. 5min
  EXPECT_EQ(p.Ceiling(1), absl::Seconds(1));
  EXPECT_EQ(p.Ceiling(2), absl::Seconds(2));
  EXPECT_EQ(p.Ceiling(3), absl::Seconds(4));
  EXPECT_EQ(p.Ceiling(9), absl::Seconds(256));
  EXPECT_EQ(p.Ceiling(10), absl::Minutes(5));
  EXPECT_EQ(p.Ceiling(1000), absl::Minutes(5));
  RetryPolicy fast;
  fast.base = absl::Milliseconds(100);
  fast.max_delay = absl::Seconds(1);
  EXPECT_EQ(fast.Ceiling(4), absl::Milliseconds(800));
  EXPECT_EQ(fast.Ceiling(5), absl::Seconds(1));
}

TEST(RetryPolicyTest, NextDelayIsFullJitterUnderTheCeiling) {
  const RetryPolicy p;
  std::mt19937_64 rng(20260601);
  for (int attempt : {1, 5, 20}) {
    const absl::Duration ceiling = p.Ceiling(attempt);
    absl::Duration lo = absl::InfiniteDuration(), hi = -absl::InfiniteDuration();
    std::set<int64_t> seen;
    for (int i = 0; i < 1000; ++i) {
      const absl::Duration d = p.NextDelay(attempt, rng);
      ASSERT_GE(d, absl::ZeroDuration()) << attempt;
      ASSERT_LE(d, ceiling) << attempt;
      lo = std::min(lo, d);
      hi = std::max(hi, d);
      seen.insert(absl::ToInt64Microseconds(d));
    }
    // Uniform over [0, ceiling]: 1,000 draws cover most of it.
    EXPECT_LT(lo, ceiling / 10) << attempt;
    EXPECT_GT(hi, ceiling * 9 / 10) << attempt;
    EXPECT_GT(seen.size(), 900u) << attempt;
  }
}

TEST(RetryPolicyTest, ExhaustedByAttemptsOrByAge) {
  const RetryPolicy p;  // 12 attempts, 24h
  const absl::Time first = absl::FromUnixSeconds(1700000000);
  EXPECT_FALSE(p.Exhausted(1, first, first));
  EXPECT_FALSE(p.Exhausted(11, first, first + absl::Hours(1)));
  EXPECT_TRUE(p.Exhausted(12, first, first + absl::Hours(1)));
  EXPECT_FALSE(p.Exhausted(3, first, first + absl::Hours(24) - absl::Seconds(1)));
  EXPECT_TRUE(p.Exhausted(3, first, first + absl::Hours(24)));
  EXPECT_TRUE(p.Exhausted(3, first, first + absl::Hours(48)));
}

// ---- StateAfterConfirmation ---------------------------------------------------

TEST(StateAfterConfirmationTest, FollowsTheSuppliersWord) {
  using S = OrderState;
  EXPECT_EQ(StateAfterConfirmation(S::kDelivered, "accept"), S::kConfirmed);
  EXPECT_EQ(StateAfterConfirmation(S::kDelivered, "allDetail"), S::kConfirmed);
  EXPECT_EQ(StateAfterConfirmation(S::kDelivered, "detail"), S::kPartiallyConfirmed);
  EXPECT_EQ(StateAfterConfirmation(S::kDelivered, "except"), S::kPartiallyConfirmed);
  EXPECT_EQ(StateAfterConfirmation(S::kDelivered, "backordered"), S::kBackordered);
  EXPECT_EQ(StateAfterConfirmation(S::kConfirmed, "backordered"), S::kBackordered);
  EXPECT_EQ(StateAfterConfirmation(S::kBackordered, "accept"), S::kConfirmed);
  EXPECT_EQ(StateAfterConfirmation(S::kDelivered, "unknown"), std::nullopt);
}

TEST(StateAfterConfirmationTest, ALateRejectStillRejects) {
  using S = OrderState;
  for (S s : {S::kDelivered, S::kConfirmed, S::kPartiallyConfirmed, S::kBackordered, S::kShipped}) {
    EXPECT_EQ(StateAfterConfirmation(s, "reject"), S::kRejected) << StateText(s);
  }
}

TEST(StateAfterConfirmationTest, ShippedAndEndStatesKeepTheirState) {
  using S = OrderState;
  EXPECT_EQ(StateAfterConfirmation(S::kShipped, "accept"), std::nullopt);
  EXPECT_EQ(StateAfterConfirmation(S::kShipped, "backordered"), std::nullopt);
  EXPECT_EQ(StateAfterConfirmation(S::kRejected, "accept"), std::nullopt);
  EXPECT_EQ(StateAfterConfirmation(S::kFailed, "accept"), std::nullopt);
  for (const char* type : {"accept", "allDetail", "detail", "except", "backordered", "reject"}) {
    EXPECT_EQ(StateAfterConfirmation(S::kCancelled, type), std::nullopt) << type;
  }
}

// An update is queued or being sent: the workers own the order until the
// supplier has it, so what the supplier says about the previous version is
// recorded without moving the order (it would otherwise never go out).
TEST(StateAfterConfirmationTest, AnOrderWithANewerVersionInFlightKeepsItsState) {
  using S = OrderState;
  for (S s : {S::kQueued, S::kSending}) {
    for (const char* type : {"accept", "detail", "backordered", "reject"}) {
      EXPECT_EQ(StateAfterConfirmation(s, type), std::nullopt) << StateText(s) << " " << type;
    }
  }
}

TEST(StateAfterShipmentTest, ShipsUnlessRejectedOrANewerVersionIsInFlight) {
  using S = OrderState;
  for (S s : {S::kDelivered, S::kConfirmed, S::kPartiallyConfirmed, S::kBackordered}) {
    EXPECT_EQ(StateAfterShipment(s), S::kShipped) << StateText(s);
  }
  for (S s : {S::kRejected, S::kQueued, S::kSending}) {
    EXPECT_EQ(StateAfterShipment(s), std::nullopt) << StateText(s);
  }
}

TEST(AcceptsFulfillmentTest, NeedsADeliveredVersionAndALiveOrder) {
  Order o = MakeOrder();
  o.state = OrderState::kSending;
  EXPECT_FALSE(AcceptsFulfillment(o));
  o.delivered_version = 1;
  EXPECT_TRUE(AcceptsFulfillment(o));
  o.state = OrderState::kShipped;
  EXPECT_TRUE(AcceptsFulfillment(o));
  o.state = OrderState::kCancelled;
  EXPECT_FALSE(AcceptsFulfillment(o));
  o.state = OrderState::kFailed;
  EXPECT_FALSE(AcceptsFulfillment(o));
}

// ---- MaskedDocument -----------------------------------------------------------

TEST(MaskedDocumentTest, HidesTheSharedSecretAndKeepsEverythingElse) {
  const cxml::Document d = Build(MakeOrder(), Version(1, ChangeType::kNew, Checked(Content())));
  const std::string masked = MaskedDocument(d);
  ASSERT_FALSE(masked.empty());
  EXPECT_THAT(masked, Not(HasSubstr("s3cret-value")));
  EXPECT_THAT(masked, HasSubstr("<SharedSecret>[redacted]</SharedSecret>"));

  // Exactly the written document with the secret replaced: nothing else moved.
  std::string expected = Written(d);
  const size_t at = expected.find("s3cret-value");
  ASSERT_NE(at, std::string::npos);
  expected.replace(at, std::string("s3cret-value").size(), "[redacted]");
  EXPECT_EQ(masked, expected);
  EXPECT_EQ(d.header.sender[0].shared_secret, "s3cret-value");  // the original is a copy
}

TEST(MaskedDocumentTest, UnwritableDocumentGivesEmpty) {
  cxml::Document d = Build(MakeOrder(), Version(1, ChangeType::kNew, Checked(Content())));
  std::get<cxml::OrderRequest>(d.body).items.clear();  // an OrderRequest needs an item
  EXPECT_FALSE(cxml::WriteDocument(d).ok());
  EXPECT_EQ(MaskedDocument(d), "");
}

// ---- The PDF action: sheet, file name, Message-ID, mail (order_mail.h) --------

TEST(OrderMailTest, SheetCarriesEveryFigureExactly) {
  Order o = MakeOrder();
  supplier::SupplierEndpoint e = Endpoint();
  e.display_name = "Müller GmbH";
  e.order_email = "orders@supplier.example";
  absl::StatusOr<pdf::PurchaseOrderSheet> s =
      SheetFor(o, Version(1, ChangeType::kNew, Checked(Content())), e);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->po_number, "PO-1001");
  EXPECT_EQ(s->version, 1);
  EXPECT_EQ(s->marker, "");
  EXPECT_EQ(s->order_date, "2026-06-01");
  EXPECT_EQ(s->requested_delivery, "2026-07-01");
  EXPECT_EQ(s->supplier.name, "Müller GmbH");
  EXPECT_THAT(s->supplier.lines, ::testing::Contains("orders@supplier.example"));
  EXPECT_EQ(s->buyer.name, Content().bill_to().name());
  ASSERT_EQ(s->lines.size(), 2u);
  EXPECT_EQ(s->lines[0].number, "1");
  EXPECT_EQ(s->lines[0].part_id, "B0SIMPEN12");
  EXPECT_EQ(s->lines[0].aux_id, kAux);
  EXPECT_EQ(s->lines[0].line_total, "0.30");  // 3 x 0.10, exact
  EXPECT_EQ(s->lines[1].line_total, "0.20");
  EXPECT_EQ(s->total, "0.50");
  EXPECT_EQ(s->currency, "USD");
  EXPECT_EQ(s->comments, Content().comments());
}

TEST(OrderMailTest, ChangesAndCancellationsAreMarked) {
  Order o = MakeOrder();
  auto changed = SheetFor(o, Version(2, ChangeType::kUpdate, Checked(Content())), Endpoint());
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->marker, "CHANGED");
  OrderVersion cancel = Version(3, ChangeType::kDelete, Checked(Content()));
  cancel.reason = "ordered twice";
  auto cancelled = SheetFor(o, cancel, Endpoint());
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->marker, "CANCELLED");
  EXPECT_EQ(cancelled->reason, "ordered twice");
}

TEST(OrderMailTest, FileNameAndMessageIdAreFixedPerVersion) {
  Order o = MakeOrder();
  o.po_number = "PO 7/8\"";
  const OrderVersion v2 = Version(2, ChangeType::kUpdate, Content());
  EXPECT_EQ(PdfFileName(o, v2), "PO-PO_7_8_-v2.pdf");
  EXPECT_EQ(MessageIdFor(o, v2, "purchasing@acme.example"),
            "po.o0123456789abcdef0123.v2.acme@acme.example");
}

TEST(OrderMailTest, MailNamesThePoAndKeepsTheAttachmentOutOfTheRecord) {
  Order o = MakeOrder();
  o.total = "0.50";
  o.currency = "USD";
  supplier::SupplierEndpoint e = Endpoint();
  e.display_name = "Supplier Inc";
  e.order_email = "orders@supplier.example";
  OrderVersion cancel = Version(3, ChangeType::kDelete, Checked(Content()));
  cancel.reason = "ordered twice";
  mail::OutgoingMessage m =
      OrderMail(o, cancel, e, "purchasing@acme.example", "%PDF-1.5 fake", absl::FromUnixSeconds(0));
  EXPECT_EQ(m.subject, "Purchase order PO-1001 (version 3)");
  ASSERT_EQ(m.to.size(), 1u);
  EXPECT_EQ(m.to[0].address, "orders@supplier.example");
  EXPECT_EQ(m.from.address, "purchasing@acme.example");
  EXPECT_THAT(m.text, HasSubstr("CANCELLED"));
  EXPECT_THAT(m.text, HasSubstr("Reason: ordered twice"));
  EXPECT_THAT(m.text, HasSubstr("0.50 USD"));
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].file_name, "PO-PO-1001-v3.pdf");
  const std::string record = MailRecord(m);
  EXPECT_THAT(record, HasSubstr("<po.o0123456789abcdef0123.v3.acme@acme.example>"));
  EXPECT_THAT(record,
              HasSubstr("[attachment PO-PO-1001-v3.pdf: application/pdf, 13 bytes, sha256 "));
  EXPECT_THAT(record, Not(HasSubstr("%PDF")));
}

}  // namespace
}  // namespace iob::dispatch

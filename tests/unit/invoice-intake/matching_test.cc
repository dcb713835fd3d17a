// Invoice-to-order matching (services/invoice-intake/matching.h): the policy
// text, tolerances at their edges, and every exception the matcher raises,
// over consolidated, partial and credit invoices.
#include "services/invoice-intake/matching.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iob::invoice {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string OrderName(const std::string& po) { return "tenants/t1/orders/" + po; }

OrderLine Ordered(int line_number, std::string part, std::string quantity, std::string price,
                  std::string shipped = "") {
  return {.line_number = line_number,
          .supplier_part_id = std::move(part),
          .quantity = std::move(quantity),
          .unit_price = std::move(price),
          .shipped = std::move(shipped)};
}

OrderForMatch Order(const std::string& po, std::vector<OrderLine> lines,
                    std::string currency = "USD") {
  return {.name = OrderName(po),
          .po_number = po,
          .currency = std::move(currency),
          .lines = std::move(lines)};
}

InvoiceLine Line(int line_number, std::string po, std::string part, std::string quantity,
                 std::string price) {
  InvoiceLine line;
  line.line_number = line_number;
  line.po_number = std::move(po);
  line.supplier_part_id = std::move(part);
  line.quantity = std::move(quantity);
  line.unit_price = std::move(price);
  return line;
}

InvoiceDocument Invoice(std::vector<std::string> pos, std::vector<InvoiceLine> lines,
                        std::string currency = "USD") {
  InvoiceDocument invoice;
  invoice.invoice_number = {"INV-1", "test"};
  invoice.currency = std::move(currency);
  for (std::string& po : pos) invoice.po_numbers.push_back({std::move(po), "test"});
  invoice.lines = std::move(lines);
  return invoice;
}

MatchPolicy Policy(const std::string& text) {
  absl::StatusOr<MatchPolicy> policy = MatchPolicy::Parse(text);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.value_or(MatchPolicy());
}

// "type@invoice_line" for each exception, in order.
std::vector<std::string> Kinds(const MatchResult& result) {
  std::vector<std::string> out;
  for (const MatchException& e : result.exceptions) {
    out.push_back(std::string(ExceptionTypeText(e.type)) + "@" + std::to_string(e.invoice_line));
  }
  return out;
}

// One order line (PO-1 line 1, part P1, 10 at 100.00) invoiced by one line.
MatchResult MatchOne(const std::string& quantity, const std::string& price,
                     const MatchPolicy& policy = {}, const std::string& shipped = "",
                     const InvoicedSoFar& before = {}) {
  return Match(Invoice({"PO-1"}, {Line(1, "", "P1", quantity, price)}),
               {Order("PO-1", {Ordered(1, "P1", "10", "100.00", shipped)})}, before, policy);
}

TEST(ExceptionTypeTextTest, EveryType) {
  EXPECT_EQ(ExceptionTypeText(ExceptionType::kPriceVariance), "price_variance");
  EXPECT_EQ(ExceptionTypeText(ExceptionType::kQuantityVariance), "quantity_variance");
  EXPECT_EQ(ExceptionTypeText(ExceptionType::kOverInvoiced), "over_invoiced");
  EXPECT_EQ(ExceptionTypeText(ExceptionType::kItemNotOnOrder), "item_not_on_order");
  EXPECT_EQ(ExceptionTypeText(ExceptionType::kTaxVariance), "tax_variance");
  EXPECT_EQ(ExceptionTypeText(ExceptionType::kCurrencyMismatch), "currency_mismatch");
  EXPECT_EQ(ExceptionTypeText(ExceptionType::kNoOrder), "no_order");
  EXPECT_EQ(ExceptionTypeText(ExceptionType::kDuplicate), "duplicate");
  EXPECT_EQ(ExceptionTypeText(ExceptionType::kTotalMismatch), "total_mismatch");
}

TEST(MatchPolicyTest, ParsesTheCompactText) {
  MatchPolicy policy = Policy("price=2%|1.00,quantity=0%|0,tax=1%&0.05, total = 0.5%|1.00 ");
  EXPECT_EQ(policy.price.percent, "2");
  EXPECT_EQ(policy.price.absolute, "1.00");
  EXPECT_FALSE(policy.price.both);
  EXPECT_EQ(policy.price.Describe(), "2% or 1.00");
  EXPECT_EQ(policy.quantity.Describe(), "exact");
  EXPECT_TRUE(policy.tax.both);
  EXPECT_EQ(policy.tax.Describe(), "1% and 0.05");
  EXPECT_EQ(policy.total.Describe(), "0.5% or 1.00");

  MatchPolicy partial = Policy("price=3%");  // the others stay exact
  EXPECT_EQ(partial.price.Describe(), "3% or 0");
  EXPECT_EQ(partial.total.Describe(), "exact");
  EXPECT_EQ(Policy("total=0.05").total.Describe(), "0% or 0.05");
  EXPECT_EQ(Policy("tax=0.05&1%").tax.Describe(), "1% and 0.05");  // either order
  EXPECT_EQ(Policy("").price.Describe(), "exact");
}

TEST(MatchPolicyTest, NamesTheBadPart) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {"price=2%|1.00,freight=1%", "\"freight=1%\": unknown check"},
           {"price=2%,price=3%", "\"price=3%\": the check is named twice"},
           {"price:2%", "\"price:2%\": want check=tolerance"},
           {"price=2%|1.00,", "\"\": want check=tolerance"},
           {"price=", "is not a non-negative decimal"},
           {"price=-1%", "\"-1\" is not a non-negative decimal"},
           {"price=2%|1,00", "\"00\": want check=tolerance"},
           {"quantity=1e2", "\"1e2\" is not"},
           {"tax=0.0000000001", "at most 9 fraction digits"},
           {"tax=1%|2%", "want one percentage and one amount"},
           {"total=1|2", "want one percentage and one amount"},
           {"total=1%|2&3", "at most one '|' or '&'"},
       }) {
    absl::StatusOr<MatchPolicy> policy = MatchPolicy::Parse(c.text);
    ASSERT_FALSE(policy.ok()) << c.text;
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(policy.status().message(), HasSubstr(c.says)) << c.text;
  }
}

TEST(MatchPoliciesTest, ASupplierOverridesTheChecksItNamesAndKeepsTheDefaultsOthers) {
  absl::StatusOr<MatchPolicies> policies = MatchPolicies::Parse(
      "price=1%|0.05,total=0.5%|0.10", " amazon-business: price=2%|1.00, quantity=1% ; acme:tax=1");
  ASSERT_TRUE(policies.ok()) << policies.status();
  auto [amazon, amazon_says] = policies->For("amazon-business");
  EXPECT_EQ(amazon->price.Describe(), "2% or 1.00");
  EXPECT_EQ(amazon->quantity.Describe(), "1% or 0");
  EXPECT_EQ(amazon->total.Describe(), "0.5% or 0.10");  // the default's
  EXPECT_EQ(amazon_says,
            "amazon-business: price 2% or 1.00, quantity 1% or 0, tax exact, total 0.5% or 0.10");
  auto [acme, acme_says] = policies->For("acme");
  EXPECT_EQ(acme->price.Describe(), "1% or 0.05");
  EXPECT_EQ(acme->tax.Describe(), "0% or 1");
  auto [other, other_says] = policies->For("someone-else");
  EXPECT_EQ(other, &policies->fallback);
  EXPECT_EQ(other_says, "default: price 1% or 0.05, quantity exact, tax exact, total 0.5% or 0.10");
}

TEST(MatchPoliciesTest, ADifferentToleranceDecidesForThatSupplierOnly) {
  absl::StatusOr<MatchPolicies> policies =
      MatchPolicies::Parse("price=1%", "amazon-business: price=3%");
  ASSERT_TRUE(policies.ok()) << policies.status();
  OrderForMatch order = {
      "tenants/acme/orders/o1", "PO-1", "USD", {{1, "SKU-1", "1", "100.00", ""}}};
  InvoiceDocument invoice;
  invoice.currency = "USD";
  invoice.po_numbers = {{"PO-1", "test"}};
  InvoiceLine line;
  line.line_number = 1;
  line.order_line_number = 1;
  line.quantity = "1";
  line.unit_price = "102.00";  // 2% over
  invoice.lines = {line};
  EXPECT_TRUE(Match(invoice, {order}, {}, *policies->For("amazon-business").first).ok());
  const MatchResult strict = Match(invoice, {order}, {}, *policies->For("other").first);
  ASSERT_EQ(strict.exceptions.size(), 1u);
  EXPECT_EQ(strict.exceptions[0].rule, "price: 1% or 0");
}

TEST(MatchPoliciesTest, NamesTheBadPart) {
  struct Case {
    const char* fallback;
    const char* overrides;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {"price=x", "", "\"price=x\""},
           {"", "amazon-business price=2%", "want supplier: check=tolerance"},
           {"", ": price=2%", "want supplier: check=tolerance"},
           {"", "acme: price=1%; acme: tax=1", "acme is named twice"},
           {"", "acme: freight=1%", "for acme: match policy part \"freight=1%\": unknown check"},
       }) {
    absl::StatusOr<MatchPolicies> p = MatchPolicies::Parse(c.fallback, c.overrides);
    ASSERT_FALSE(p.ok()) << c.overrides;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(), HasSubstr(c.says)) << c.overrides;
  }
}

TEST(MatchTest, ConsolidatedInvoiceOverThreeOrders) {
  std::vector<OrderForMatch> orders = {
      Order("PO-1", {Ordered(1, "P1", "2", "10.00"), Ordered(2, "P2", "1", "5.50")}),
      Order("PO-2", {Ordered(1, "P3", "4", "2.25", "4")}),
      Order("PO-3", {Ordered(1, "P4", "1", "99.99")}),
  };
  InvoiceDocument invoice =
      Invoice({"PO-1", "PO-2", "PO-3"}, {
                                            Line(1, "PO-1", "P1", "2", "10.00"),
                                            Line(2, "PO-1", "P2", "1", "5.50"),
                                            Line(3, "PO-2", "P3", "4", "2.25"),
                                            Line(4, "PO-3", "P4", "1", "99.99"),
                                        });
  invoice.lines[0].subtotal = "20.00";
  invoice.lines[0].tax = "2.00";
  invoice.lines[3].tax = "10.00";
  invoice.net = {"134.49", "test"};  // 20.00 + 5.50 + 9.00 + 99.99
  invoice.tax = {"12.00", "test"};
  invoice.gross = {"146.49", "test"};

  MatchResult result = Match(invoice, orders, {}, {});
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(Kinds(result));
  ASSERT_EQ(result.lines.size(), 4u);
  EXPECT_EQ(result.lines[0].order, OrderName("PO-1"));
  EXPECT_EQ(result.lines[1].order_line, 2);
  EXPECT_EQ(result.lines[2].order, OrderName("PO-2"));
  EXPECT_EQ(result.lines[2].shipped, "4");
  EXPECT_EQ(result.lines[2].invoiced_total, "4");
  EXPECT_EQ(result.lines[3].order, OrderName("PO-3"));
  for (const LineMatch& line : result.lines) EXPECT_TRUE(line.ok) << line.invoice_line;

  // A line without a PO on an invoice naming three cannot be placed.
  invoice.lines.push_back(Line(5, "", "P1", "1", "10.00"));
  invoice.net.value = "144.49";
  invoice.gross.value = "156.49";
  result = Match(invoice, orders, {}, {});
  EXPECT_THAT(Kinds(result), ElementsAre("no_order@5"));
  EXPECT_FALSE(result.lines[4].ok);
}

TEST(MatchTest, OrderInvoicedInTwoParts) {
  const std::vector<OrderForMatch> orders = {Order("PO-1", {Ordered(1, "P1", "10", "3.00")})};
  MatchResult first = Match(Invoice({"PO-1"}, {Line(1, "", "P1", "6", "3.00")}), orders, {}, {});
  EXPECT_TRUE(first.ok());
  ASSERT_EQ(first.lines.size(), 1u);
  EXPECT_EQ(first.lines[0].invoiced_total, "6");
  EXPECT_EQ(first.lines[0].ordered, "10");

  const InvoicedSoFar before = {{{OrderName("PO-1"), 1}, first.lines[0].invoiced_total}};
  MatchResult second =
      Match(Invoice({"PO-1"}, {Line(1, "", "P1", "4", "3.00")}), orders, before, {});
  EXPECT_TRUE(second.ok()) << ::testing::PrintToString(Kinds(second));
  EXPECT_EQ(second.lines[0].invoiced_total, "10");
}

TEST(MatchTest, CumulativeOverInvoicing) {
  const std::vector<OrderForMatch> orders = {Order("PO-1", {Ordered(1, "P1", "10", "3.00")})};
  // A third invoice after the order line was billed in full.
  const InvoicedSoFar full = {{{OrderName("PO-1"), 1}, "10"}};
  MatchResult again = Match(Invoice({"PO-1"}, {Line(1, "", "P1", "1", "3.00")}), orders, full, {});
  EXPECT_THAT(Kinds(again), ElementsAre("over_invoiced@1"));
  EXPECT_EQ(again.exceptions[0].expected, "10");
  EXPECT_EQ(again.exceptions[0].actual, "11");
  EXPECT_EQ(again.exceptions[0].order, OrderName("PO-1"));
  EXPECT_EQ(again.exceptions[0].order_line, 1);
  EXPECT_EQ(again.exceptions[0].rule, "quantity (ordered): exact");
  EXPECT_FALSE(again.lines[0].ok);

  // Two lines of one invoice on the same order line (by line number, by
  // part id): the second goes over.
  InvoiceDocument invoice =
      Invoice({"PO-1"}, {Line(1, "", "", "6", "3.00"), Line(2, "", "P1", "6", "3.00")});
  invoice.lines[0].order_line_number = 1;
  MatchResult twice = Match(invoice, orders, {}, {});
  EXPECT_THAT(Kinds(twice), ElementsAre("over_invoiced@2"));
  EXPECT_EQ(twice.exceptions[0].actual, "12");
  EXPECT_TRUE(twice.lines[0].ok);

  // One line that alone exceeds the order line is a quantity variance.
  EXPECT_THAT(Kinds(MatchOne("11", "100.00")), ElementsAre("quantity_variance@1"));
}

TEST(MatchTest, PriceWithinAndJustOutsideTolerance) {
  const MatchPolicy either = Policy("price=2%|1.00");
  EXPECT_TRUE(MatchOne("1", "102.00", either).ok());  // 2% of 100.00
  EXPECT_TRUE(MatchOne("1", "98.00", either).ok());   // both ways
  MatchResult over = MatchOne("1", "102.01", either);
  EXPECT_THAT(Kinds(over), ElementsAre("price_variance@1"));
  EXPECT_EQ(over.exceptions[0].expected, "100.00");
  EXPECT_EQ(over.exceptions[0].actual, "102.01");
  EXPECT_EQ(over.exceptions[0].rule, "price: 2% or 1.00");
  EXPECT_THAT(Kinds(MatchOne("1", "97.99", either)), ElementsAre("price_variance@1"));

  // "and": the absolute 1.00 binds before 2% of 100.00 does.
  const MatchPolicy both = Policy("price=2%&1.00");
  EXPECT_TRUE(MatchOne("1", "101.00", both).ok());
  MatchResult outside = MatchOne("1", "101.01", both);
  EXPECT_THAT(Kinds(outside), ElementsAre("price_variance@1"));
  EXPECT_EQ(outside.exceptions[0].rule, "price: 2% and 1.00");

  // On a small price the percentage binds for "and", the amount for "or".
  auto small = [](const std::string& price, const MatchPolicy& policy) {
    return Match(Invoice({"PO-1"}, {Line(1, "", "P1", "1", price)}),
                 {Order("PO-1", {Ordered(1, "P1", "1", "10.00")})}, {}, policy);
  };
  EXPECT_TRUE(small("10.20", both).ok());
  EXPECT_FALSE(small("10.21", both).ok());
  EXPECT_TRUE(small("11.00", either).ok());
  EXPECT_FALSE(small("11.01", either).ok());

  // Exact by default, to the last digit.
  EXPECT_TRUE(MatchOne("1", "100.0").ok());
  EXPECT_THAT(Kinds(MatchOne("1", "100.001")), ElementsAre("price_variance@1"));
}

TEST(MatchTest, QuantityAgainstShippedElseOrdered) {
  // A ship notice: what shipped is the limit (three-way match).
  EXPECT_TRUE(MatchOne("6", "100.00", {}, "6").ok());
  MatchResult more = MatchOne("7", "100.00", {}, "6");
  EXPECT_THAT(Kinds(more), ElementsAre("quantity_variance@1"));
  EXPECT_EQ(more.exceptions[0].expected, "6");
  EXPECT_EQ(more.exceptions[0].actual, "7");
  EXPECT_EQ(more.exceptions[0].rule, "quantity (shipped): exact");
  EXPECT_EQ(more.lines[0].shipped, "6");
  // Billed in part before, the rest over what shipped.
  const InvoicedSoFar before = {{{OrderName("PO-1"), 1}, "4"}};
  EXPECT_TRUE(MatchOne("2", "100.00", {}, "6", before).ok());
  EXPECT_THAT(Kinds(MatchOne("3", "100.00", {}, "6", before)), ElementsAre("over_invoiced@1"));

  // No ship notice: what was ordered is the limit.
  EXPECT_TRUE(MatchOne("10", "100.00").ok());
  MatchResult ordered = MatchOne("10.5", "100.00");
  EXPECT_THAT(Kinds(ordered), ElementsAre("quantity_variance@1"));
  EXPECT_EQ(ordered.exceptions[0].expected, "10");
  // Less than ordered is a partial invoice.
  EXPECT_TRUE(MatchOne("0.5", "100.00").ok());

  // A quantity tolerance: 10% of 10 ordered.
  const MatchPolicy loose = Policy("quantity=10%");
  EXPECT_TRUE(MatchOne("11", "100.00", loose).ok());
  EXPECT_FALSE(MatchOne("11.01", "100.00", loose).ok());
}

TEST(MatchTest, CreditLinesReduceTheCumulativeQuantity) {
  const std::vector<OrderForMatch> orders = {Order("PO-1", {Ordered(1, "P1", "10", "3.00")})};
  const InvoicedSoFar full = {{{OrderName("PO-1"), 1}, "10"}};

  // A credit memo states positive quantities; it subtracts 2.
  InvoiceDocument memo = Invoice({"PO-1"}, {Line(1, "", "P1", "2", "3.00")});
  memo.credit_memo = true;
  memo.net = {"6.00", "test"};
  MatchResult credited = Match(memo, orders, full, {});
  EXPECT_TRUE(credited.ok()) << ::testing::PrintToString(Kinds(credited));
  EXPECT_EQ(credited.lines[0].invoiced_total, "8");

  // So the 2 may be billed again.
  const InvoicedSoFar after = {{{OrderName("PO-1"), 1}, credited.lines[0].invoiced_total}};
  EXPECT_TRUE(Match(Invoice({"PO-1"}, {Line(1, "", "P1", "2", "3.00")}), orders, after, {}).ok());

  // A refund as a negative line on an ordinary invoice, its price negative.
  MatchResult refund =
      Match(Invoice({"PO-1"}, {Line(1, "", "P1", "3", "3.00"), Line(2, "", "P1", "-1", "-3.00")}),
            orders, full, {});
  EXPECT_THAT(Kinds(refund), ElementsAre("over_invoiced@1"));  // 13 after line 1
  EXPECT_EQ(refund.lines[1].invoiced_total, "12");
  EXPECT_TRUE(refund.lines[1].ok);

  // Crediting more than was billed.
  MatchResult too_much = Match(memo, orders, {{{OrderName("PO-1"), 1}, "1"}}, {});
  EXPECT_THAT(Kinds(too_much), ElementsAre("quantity_variance@1"));
  EXPECT_EQ(too_much.exceptions[0].actual, "-1");

  // By part id, a credit goes to the order line that has something billed.
  const std::vector<OrderForMatch> split = {
      Order("PO-1", {Ordered(1, "P1", "5", "3.00"), Ordered(2, "P1", "5", "3.00")})};
  MatchResult placed = Match(memo, split, {{{OrderName("PO-1"), 2}, "5"}}, {});
  EXPECT_TRUE(placed.ok()) << ::testing::PrintToString(Kinds(placed));
  EXPECT_EQ(placed.lines[0].order_line, 2);
  EXPECT_EQ(placed.lines[0].invoiced_total, "3");
}

TEST(MatchTest, UnknownOrMissingPurchaseOrder) {
  const std::vector<OrderForMatch> orders = {Order("PO-1", {Ordered(1, "P1", "10", "3.00")})};
  MatchResult unknown =
      Match(Invoice({"PO-1", "PO-9"},
                    {Line(1, "PO-1", "P1", "1", "3.00"), Line(2, "PO-9", "P1", "1", "3.00"),
                     Line(3, "PO-9", "P2", "1", "3.00"), Line(4, "PO-8", "P2", "1", "3.00")}),
            orders, {}, {});
  // One per missing PO: at the header when it names it, else its first line.
  EXPECT_THAT(Kinds(unknown), ElementsAre("no_order@0", "no_order@4"));
  EXPECT_EQ(unknown.exceptions[0].actual, "PO-9");
  EXPECT_EQ(unknown.exceptions[1].actual, "PO-8");
  EXPECT_TRUE(unknown.lines[0].ok);
  EXPECT_FALSE(unknown.lines[1].ok);
  EXPECT_EQ(unknown.lines[1].order, "");

  MatchResult none = Match(Invoice({}, {Line(1, "", "P1", "1", "3.00")}), orders, {}, {});
  EXPECT_THAT(Kinds(none), ElementsAre("no_order@0"));
  EXPECT_THAT(none.exceptions[0].message, HasSubstr("names no purchase order"));
  EXPECT_FALSE(none.lines[0].ok);
}

TEST(MatchTest, CurrencyMismatch) {
  // The price is not compared across currencies; the lines are not ok.
  MatchResult result = Match(Invoice({"PO-1"}, {Line(1, "", "P1", "1", "93.00")}, "EUR"),
                             {Order("PO-1", {Ordered(1, "P1", "10", "100.00")}, "USD")}, {}, {});
  EXPECT_THAT(Kinds(result), ElementsAre("currency_mismatch@0"));
  EXPECT_EQ(result.exceptions[0].expected, "USD");
  EXPECT_EQ(result.exceptions[0].actual, "EUR");
  EXPECT_EQ(result.exceptions[0].rule, "currency: exact");
  EXPECT_EQ(result.exceptions[0].order, OrderName("PO-1"));
  EXPECT_FALSE(result.lines[0].ok);
  EXPECT_EQ(result.lines[0].invoiced_total, "1");
}

TEST(MatchTest, ItemNotOnOrder) {
  const std::vector<OrderForMatch> orders = {
      Order("PO-1", {Ordered(1, "P1", "5", "3.00"), Ordered(2, "P2", "5", "4.00")})};
  InvoiceDocument invoice =
      Invoice({"PO-1"}, {Line(1, "", "P7", "1", "3.00"), Line(2, "", "P1", "1", "3.00"),
                         Line(3, "", "P2", "1", "4.00"), Line(4, "", "", "1", "4.00")});
  invoice.lines[1].order_line_number = 2;  // line 2 of the order is P2
  invoice.lines[2].order_line_number = 2;  // agrees
  invoice.lines[3].order_line_number = 3;  // no such line
  MatchResult result = Match(invoice, orders, {}, {});
  EXPECT_THAT(Kinds(result),
              ElementsAre("item_not_on_order@1", "item_not_on_order@2", "item_not_on_order@4"));
  EXPECT_EQ(result.exceptions[1].expected, "P2");
  EXPECT_EQ(result.exceptions[1].actual, "P1");
  EXPECT_THAT(result.exceptions[2].message, HasSubstr("no line 3"));
  EXPECT_FALSE(result.lines[0].ok);
  EXPECT_TRUE(result.lines[2].ok);
  EXPECT_EQ(result.lines[2].order_line, 2);
}

TEST(MatchTest, PartIdPicksTheFirstOrderLineWithRoom) {
  const std::vector<OrderForMatch> orders = {
      Order("PO-1", {Ordered(2, "P1", "5", "3.00"), Ordered(1, "P1", "5", "3.00")})};
  MatchResult result =
      Match(Invoice({"PO-1"}, {Line(1, "", "P1", "3", "3.00"), Line(2, "", "P1", "3", "3.00")}),
            orders, {{{OrderName("PO-1"), 1}, "4"}}, {});
  // Line 1 of the order has room for one more: invoice line 1 goes there
  // (and over), invoice line 2 to order line 2.
  EXPECT_THAT(Kinds(result), ElementsAre("over_invoiced@1"));
  EXPECT_EQ(result.lines[0].order_line, 1);
  EXPECT_EQ(result.lines[1].order_line, 2);
  EXPECT_EQ(result.lines[1].invoiced_total, "3");
}

TEST(MatchTest, WrongHeaderTotals) {
  const std::vector<OrderForMatch> orders = {
      Order("PO-1", {Ordered(1, "P1", "3", "8.99"), Ordered(2, "P2", "2", "12.00")})};
  InvoiceDocument invoice =
      Invoice({"PO-1"}, {Line(1, "", "P1", "3", "8.99"), Line(2, "", "P2", "2", "12.00")});
  invoice.net = {"50.97", "test"};
  invoice.tax = {"5.10", "test"};
  invoice.gross = {"56.07", "test"};
  EXPECT_TRUE(Match(invoice, orders, {}, {}).ok());

  invoice.net.value = "51.00";
  invoice.gross.value = "60.00";
  MatchResult wrong = Match(invoice, orders, {}, {});
  EXPECT_THAT(Kinds(wrong), ElementsAre("total_mismatch@0", "total_mismatch@0"));
  EXPECT_EQ(wrong.exceptions[0].expected, "50.97");
  EXPECT_EQ(wrong.exceptions[0].actual, "51.00");
  EXPECT_EQ(wrong.exceptions[1].expected, "56.10");  // stated net + stated tax
  EXPECT_EQ(wrong.exceptions[1].rule, "total: exact");
  // Within a total tolerance of 0.05, the net passes, the gross does not.
  EXPECT_THAT(Kinds(Match(invoice, orders, {}, Policy("total=0.05"))),
              ElementsAre("total_mismatch@0"));

  // A stated line subtotal that is not quantity x unit price.
  invoice.net.value = "50.97";
  invoice.gross.value = "56.07";
  invoice.lines[0].subtotal = "26.98";
  MatchResult line = Match(invoice, orders, {}, {});
  EXPECT_THAT(Kinds(line), ElementsAre("total_mismatch@1"));
  EXPECT_EQ(line.exceptions[0].expected, "26.97");
  EXPECT_FALSE(line.lines[0].ok);
  invoice.lines[0].subtotal = "26.970";
  EXPECT_TRUE(Match(invoice, orders, {}, {}).ok());
}

TEST(MatchTest, HeaderOnlyInvoiceChecksItsOwnSums) {
  // A PDF read by header rules: no lines, so nothing to add up but net + tax.
  InvoiceDocument invoice = Invoice({"PO-1"}, {});
  invoice.net = {"100.00", "pdf"};
  invoice.tax = {"19.00", "pdf"};
  invoice.gross = {"119.00", "pdf"};
  const std::vector<OrderForMatch> orders = {Order("PO-1", {Ordered(1, "P1", "1", "100.00")})};
  EXPECT_TRUE(Match(invoice, orders, {}, {}).ok());
  invoice.gross.value = "118.00";
  EXPECT_THAT(Kinds(Match(invoice, orders, {}, {})), ElementsAre("total_mismatch@0"));
}

TEST(MatchTest, TaxVariance) {
  const std::vector<OrderForMatch> orders = {
      Order("PO-1", {Ordered(1, "P1", "1", "10.00"), Ordered(2, "P2", "1", "20.00")})};
  InvoiceDocument invoice =
      Invoice({"PO-1"}, {Line(1, "", "P1", "1", "10.00"), Line(2, "", "P2", "1", "20.00")});
  invoice.lines[0].tax = "1.00";
  invoice.lines[1].tax = "2.00";
  invoice.tax = {"3.40", "test"};
  MatchResult result = Match(invoice, orders, {}, {});
  EXPECT_THAT(Kinds(result), ElementsAre("tax_variance@0"));
  EXPECT_EQ(result.exceptions[0].expected, "3.00");
  EXPECT_EQ(result.exceptions[0].actual, "3.40");
  EXPECT_EQ(result.exceptions[0].rule, "tax: exact");
  EXPECT_TRUE(Match(invoice, orders, {}, Policy("tax=0%|0.40")).ok());
  EXPECT_FALSE(Match(invoice, orders, {}, Policy("tax=0%|0.39")).ok());
  EXPECT_FALSE(Match(invoice, orders, {}, Policy("tax=20%&0.39")).ok());

  // Header tax only: nothing to compare it with.
  invoice.lines[0].tax = invoice.lines[1].tax = "";
  EXPECT_TRUE(Match(invoice, orders, {}, {}).ok());
}

TEST(MatchTest, ValuesThatAreNotDecimalsFailTheirCheck) {
  MatchResult price = MatchOne("1", "1,00");
  EXPECT_THAT(Kinds(price), ElementsAre("price_variance@1", "total_mismatch@1"));
  EXPECT_EQ(price.exceptions[0].rule, "price: not computed");
  EXPECT_THAT(price.exceptions[0].message, HasSubstr("unit price"));
  EXPECT_FALSE(price.lines[0].ok);

  InvoiceDocument invoice = Invoice({"PO-1"}, {Line(1, "", "P1", "1", "100.00")});
  invoice.gross = {"1.234,00", "pdf"};
  MatchResult gross = Match(invoice, {Order("PO-1", {Ordered(1, "P1", "1", "100.00")})}, {}, {});
  EXPECT_THAT(Kinds(gross), ElementsAre("total_mismatch@0"));
  EXPECT_THAT(gross.exceptions[0].message, HasSubstr("gross"));
  EXPECT_TRUE(gross.lines[0].ok);

  EXPECT_THAT(Kinds(MatchOne("1", "100.00", {}, "", {{{OrderName("PO-1"), 1}, "x"}})),
              ElementsAre("quantity_variance@1"));
  EXPECT_THAT(MatchOne("1", "100.00").exceptions, IsEmpty());
}

}  // namespace
}  // namespace iob::invoice

// Matching an invoice to the dispatch orders it names, line by line, with
// exact decimals (cxml::Decimal, never double). A pure function: the caller
// reads the orders and what earlier invoices already billed, and stores the
// result. No I/O.
//
// The rules, in the order the exceptions come out (3 to 6 line by line):
//
//  1. Orders. A line's PO is its own `po_number`, else the header's when the
//     header names exactly one. Every PO named (header or line) that `orders`
//     lacks is one `no_order` (invoice_line 0 when the header names it, else
//     the first line that does). An invoice that names no PO at all is one
//     `no_order` at the header; a line left without a PO while others have
//     one (the header names none or several) is a `no_order` of its own.
//  2. Currency, once per order the invoice reaches: the invoice's currency
//     must equal the order's (`currency_mismatch`, always exact). Prices of
//     that order's lines are then not compared (different units).
//  3. Each line, in document order, finds its order line:
//     - by `order_line_number` when the line gives one; the order must have
//       that line, and a stated part id must equal the order line's, else
//       `item_not_on_order`;
//     - else by `supplier_part_id`: the lowest-numbered order line with that
//       part whose cumulative invoiced quantity is below its ordered
//       quantity (a credit line: above zero), else the lowest-numbered one;
//       no such part, or neither a line number nor a part ->
//       `item_not_on_order`.
//  4. Quantity. A line is a credit line when its quantity is negative or the
//     invoice is a credit memo; a credit line's quantity counts as -|q|.
//     The cumulative quantity of the order line is `before` + the lines of
//     this invoice so far + this line. Its limit is what shipped when a ship
//     notice exists (three-way match: the ship notice stands in for the
//     receipt), else what was ordered. Beyond the quantity tolerance of the
//     limit:
//     - `quantity_variance`: the line's own quantity exceeds the limit (the
//       line cannot be right whatever was billed before);
//     - `over_invoiced`: the line fits on its own, but the cumulative
//       quantity exceeds the limit (billed again, or in too many parts);
//     - `quantity_variance` also when credits take the cumulative quantity
//       below zero (more credited than was billed).
//     Invoicing less than the limit is a partial invoice, never an exception.
//  5. Price: the line's unit price (its magnitude for a credit line) against
//     the order line's, both ways, within the price tolerance ->
//     `price_variance`.
//  6. Line subtotal, when stated: quantity x unit price as the document
//     states them, within the total tolerance -> `total_mismatch` on the line.
//  7. Tax, when the invoice states both line taxes and a header tax: the sum
//     of the stated line taxes against the header tax, within the tax
//     tolerance -> `tax_variance` (invoice_line 0).
//  8. Header totals, within the total tolerance -> `total_mismatch`
//     (invoice_line 0): a stated net against the sum of quantity x unit
//     price over the lines (skipped when the invoice has no lines, e.g. a PDF
//     read by header rules); a stated gross against net + tax (the stated
//     values, else the computed net and the sum of stated line taxes).
//     Shipping and other charges are not modelled: the invoice has no field
//     for them yet.
//
// Amounts are compared as the document states them (sign included) except
// where said. A value that is not a decimal, or arithmetic that overflows,
// fails the check it belongs to (rule "<check>: not computed", the reason in
// `message`), so such an invoice is never matched silently. Duplicate
// invoices are the store's business (`kDuplicate` is here so every exception
// type has one home).
#ifndef IOB_SERVICES_INVOICE_INTAKE_MATCHING_H_
#define IOB_SERVICES_INVOICE_INTAKE_MATCHING_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/invoice-intake/invoice.h"

namespace iob::invoice {

// How far an invoiced value may be from the expected one: a percentage of
// the expected value and an absolute amount (non-negative decimal text). With
// `both`, the difference must be within both ("and"), else within either
// ("or"). "0" / "0" is exact. A value type.
struct Tolerance {
  std::string percent = "0";
  std::string absolute = "0";
  bool both = false;

  // "2% or 1.00", "1% and 0.05", or "exact" when both parts are zero. Used in
  // MatchException::rule.
  std::string Describe() const;
};

// The tolerance of each check. Default: every check exact. A value type.
struct MatchPolicy {
  Tolerance price, quantity, tax, total;

  // Parses the compact text operators set by flag and per supplier, e.g.
  // "price=2%|1.00,quantity=0%|0,tax=1%&0.05,total=0.5%|1.00": comma-separated
  // `check=tolerance` parts (checks price, quantity, tax, total; each at most
  // once; those not named stay exact). A tolerance is `P%|A` (within either),
  // `P%&A` (within both), or one of `P%` / `A` alone; P and A are
  // non-negative plain decimals. Spaces around parts are ignored; checks not
  // named keep `base`'s tolerance ("" is `base`, by default all exact).
  // INVALID_ARGUMENT naming the offending part otherwise.
  static absl::StatusOr<MatchPolicy> Parse(absl::string_view text, const MatchPolicy& base = {});

  // "price 2% or 1.00, quantity exact, tax exact, total 0.5% or 1.00".
  std::string Describe() const;
};

// The default policy and the suppliers' overrides of it. A value type.
struct MatchPolicies {
  MatchPolicy fallback;
  std::map<std::string, MatchPolicy> by_supplier;  // supplier profile id ->

  // The policy for `supplier`'s invoices, and whose it is ("default" or the
  // supplier): "amazon-business: price 2% or 1.00, ...".
  std::pair<const MatchPolicy*, std::string> For(const std::string& supplier) const;

  // `fallback_text` as MatchPolicy::Parse reads it, then `overrides`:
  // "amazon-business: price=2%|1.00, total=1%; acme: quantity=1%" — per
  // supplier, the checks it names replace the default's, the others stay.
  // A supplier at most once. INVALID_ARGUMENT naming the offending part.
  static absl::StatusOr<MatchPolicies> Parse(absl::string_view fallback_text,
                                             absl::string_view overrides);
};

enum class ExceptionType {
  kPriceVariance,
  kQuantityVariance,
  kOverInvoiced,
  kItemNotOnOrder,
  kTaxVariance,
  kCurrencyMismatch,
  kNoOrder,
  kDuplicate,
  kTotalMismatch,
};

// "price_variance", "quantity_variance", "over_invoiced",
// "item_not_on_order", "tax_variance", "currency_mismatch", "no_order",
// "duplicate", "total_mismatch": the column value and metric label.
absl::string_view ExceptionTypeText(ExceptionType type);

// One reason an invoice does not match.
struct MatchException {
  ExceptionType type = ExceptionType::kNoOrder;
  int invoice_line = 0;  // the invoice's line number; 0 = the header
  std::string order;     // the order's name, when one was found
  int order_line = 0;    // its line, when one was found
  std::string expected;  // what the order (or the sum) says
  std::string actual;    // what the invoice says
  std::string rule;      // the check and its tolerance, e.g. "price: 2% or 1.00"
  std::string message;   // one sentence for a person
};

// One invoice line and the order line it was matched to (order empty and
// order_line 0 when none was found).
struct LineMatch {
  int invoice_line = 0;
  std::string order;
  int order_line = 0;
  std::string ordered;         // the order line's quantity
  std::string shipped;         // its shipped quantity ("" = no ship notice)
  std::string invoiced_total;  // cumulative invoiced quantity, this line included
  // Matched to an order line, no check failed for the line, and its
  // order's currency is the invoice's.
  bool ok = true;
};

struct MatchResult {
  std::vector<LineMatch> lines;  // one per invoice line, in document order
  std::vector<MatchException> exceptions;
  bool ok() const { return exceptions.empty(); }
};

// Cumulative quantity (decimal text) already invoiced per (order name, order
// line number) by earlier invoices, credit memos subtracted. Absent = "0".
using InvoicedSoFar = std::map<std::pair<std::string, int>, std::string>;

// Matches `invoice` against `orders` (the orders whose PO numbers it names,
// as far as they exist) by the rules at the top of this file. Never fails:
// everything wrong is an exception in the result. Pure and thread-safe.
MatchResult Match(const InvoiceDocument& invoice, const std::vector<OrderForMatch>& orders,
                  const InvoicedSoFar& before, const MatchPolicy& policy);

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_MATCHING_H_

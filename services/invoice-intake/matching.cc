// Invoice-to-order matching: tolerances, the policy text, and the checks
// described in matching.h.
#include "services/invoice-intake/matching.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/cxml/decimal.h"

namespace iob::invoice {
namespace {

using cxml::Decimal;

// Decimal arithmetic Decimal itself lacks, built from its exact Times/Plus.

const Decimal& MinusOne() {
  static const Decimal kMinusOne = *Decimal::Parse("-1");
  return kMinusOne;
}

absl::StatusOr<Decimal> Minus(const Decimal& a, const Decimal& b) {
  IOB_ASSIGN_OR_RETURN(Decimal negated, b.Times(MinusOne()));
  return a.Plus(negated);
}

absl::StatusOr<Decimal> Abs(const Decimal& a) {
  if (a.Sign() >= 0) return a;
  return a.Times(MinusOne());
}

// -1, 0 or 1 as a <, =, > b.
absl::StatusOr<int> Compare(const Decimal& a, const Decimal& b) {
  IOB_ASSIGN_OR_RETURN(Decimal difference, Minus(a, b));
  return difference.Sign();
}

// `percent` % of `base`, exactly (the scale grows by two).
absl::StatusOr<Decimal> PercentOf(const Decimal& percent, const Decimal& base) {
  static const Decimal kHundredth = *Decimal::Parse("0.01");
  IOB_ASSIGN_OR_RETURN(Decimal product, percent.Times(base));
  return product.Times(kHundredth);
}

// Parses `text`; INVALID_ARGUMENT naming `what` when it is not a decimal.
absl::StatusOr<Decimal> Number(const std::string& text, absl::string_view what) {
  absl::StatusOr<Decimal> value = Decimal::Parse(text);
  if (!value.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", value.status().message()));
  }
  return value;
}

// Whether `actual` is within `tolerance` of `expected` (either side).
absl::StatusOr<bool> Within(const Decimal& expected, const Decimal& actual,
                            const Tolerance& tolerance) {
  IOB_ASSIGN_OR_RETURN(Decimal percent, Number(tolerance.percent, "tolerance percent"));
  IOB_ASSIGN_OR_RETURN(Decimal absolute, Number(tolerance.absolute, "tolerance amount"));
  if (percent.Sign() < 0 || absolute.Sign() < 0) {
    return absl::InvalidArgumentError("negative tolerance");
  }
  IOB_ASSIGN_OR_RETURN(Decimal difference, Minus(actual, expected));
  IOB_ASSIGN_OR_RETURN(difference, Abs(difference));
  IOB_ASSIGN_OR_RETURN(Decimal base, Abs(expected));
  IOB_ASSIGN_OR_RETURN(Decimal by_percent, PercentOf(percent, base));
  IOB_ASSIGN_OR_RETURN(const int vs_percent, Compare(difference, by_percent));
  IOB_ASSIGN_OR_RETURN(const int vs_absolute, Compare(difference, absolute));
  return tolerance.both ? (vs_percent <= 0 && vs_absolute <= 0)
                        : (vs_percent <= 0 || vs_absolute <= 0);
}

// Whether `actual` is above `limit` by more than `tolerance` allows.
absl::StatusOr<bool> Exceeds(const Decimal& limit, const Decimal& actual,
                             const Tolerance& tolerance) {
  IOB_ASSIGN_OR_RETURN(const int vs_limit, Compare(actual, limit));
  if (vs_limit <= 0) return false;
  IOB_ASSIGN_OR_RETURN(const bool within, Within(limit, actual, tolerance));
  return !within;
}

// Digits, optionally a point and digits; at most 9 fraction digits.
bool IsNonNegativeDecimal(const std::string& text) {
  return cxml::IsDecimal(text) && absl::ascii_isdigit(static_cast<unsigned char>(text[0])) &&
         Decimal::Parse(text).ok();
}

// quantity x unit price as the line states them.
absl::StatusOr<Decimal> LineAmount(const InvoiceLine& line) {
  IOB_ASSIGN_OR_RETURN(Decimal quantity, Number(line.quantity, "quantity"));
  IOB_ASSIGN_OR_RETURN(Decimal price, Number(line.unit_price, "unit price"));
  return quantity.Times(price);
}

// One tolerance of the policy text: "P%|A", "P%&A", "P%" or "A".
absl::StatusOr<Tolerance> ParseTolerance(absl::string_view text) {
  Tolerance tolerance;
  std::vector<absl::string_view> terms = absl::StrSplit(text, absl::ByAnyChar("|&"));
  if (terms.size() > 2) return absl::InvalidArgumentError("at most one '|' or '&'");
  tolerance.both = terms.size() == 2 && text.find('&') != absl::string_view::npos;
  bool has_percent = false, has_absolute = false;
  for (absl::string_view term : terms) {
    term = absl::StripAsciiWhitespace(term);
    const bool is_percent = !term.empty() && term.back() == '%';
    if (is_percent) term.remove_suffix(1);
    if (!IsNonNegativeDecimal(std::string(term))) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", term, "\" is not a non-negative decimal (at most 9 fraction digits)"));
    }
    bool& seen = is_percent ? has_percent : has_absolute;
    if (seen) return absl::InvalidArgumentError("want one percentage and one amount");
    seen = true;
    (is_percent ? tolerance.percent : tolerance.absolute) = std::string(term);
  }
  return tolerance;
}

constexpr char kOrderRule[] = "order: by PO number";

// An exception, its place (invoice line, order) left to the caller.
MatchException Exception(ExceptionType type, std::string expected, std::string actual,
                         std::string rule, std::string message) {
  MatchException exception;
  exception.type = type;
  exception.expected = std::move(expected);
  exception.actual = std::move(actual);
  exception.rule = std::move(rule);
  exception.message = std::move(message);
  return exception;
}

// The running state of one Match call.
class Matcher {
 public:
  Matcher(const InvoiceDocument& invoice, const std::vector<OrderForMatch>& orders,
          const InvoicedSoFar& before, const MatchPolicy& policy)
      : invoice_(invoice), before_(before), policy_(policy) {
    for (const OrderForMatch& order : orders) by_po_.emplace(order.po_number, &order);
  }

  MatchResult Run() {
    CheckOrders();
    for (size_t i = 0; i < invoice_.lines.size(); ++i) {
      result_.lines.emplace_back().invoice_line = invoice_.lines[i].line_number;
      MatchLine(i);
    }
    ReportFailure(CheckTax(), ExceptionType::kTaxVariance, "tax");
    ReportFailure(CheckTotals(), ExceptionType::kTotalMismatch, "total");
    return std::move(result_);
  }

 private:
  using Key = std::pair<std::string, int>;

  void Add(MatchException exception) { result_.exceptions.push_back(std::move(exception)); }

  // Adds an exception about line `index`, naming the order (and order line,
  // unless the exception names one) the line was matched to so far, and
  // marks the line not ok.
  void AddLine(size_t index, MatchException exception) {
    LineMatch& line = result_.lines[index];
    exception.invoice_line = line.invoice_line;
    exception.order = line.order;
    if (exception.order_line == 0) exception.order_line = line.order_line;
    line.ok = false;
    Add(std::move(exception));
  }

  // A check that could not be computed (a value not a decimal, an overflow)
  // fails as an exception of its type: at the header, or on line `index`.
  static MatchException NotComputed(const absl::Status& status, ExceptionType type,
                                    absl::string_view check) {
    return Exception(type, "", "", absl::StrCat(check, ": not computed"),
                     std::string(status.message()));
  }
  void ReportFailure(const absl::Status& status, ExceptionType type, absl::string_view check) {
    if (!status.ok()) Add(NotComputed(status, type, check));
  }
  void ReportLineFailure(size_t index, const absl::Status& status, ExceptionType type,
                         absl::string_view check) {
    if (!status.ok()) AddLine(index, NotComputed(status, type, check));
  }

  // The PO a line refers to: its own, else the header's only one ("" = none).
  std::string PoOf(const InvoiceLine& line) const {
    return line.po_number.empty() ? single_header_po_ : line.po_number;
  }

  // Steps 1 and 2: orders that do not exist, currencies that differ.
  void CheckOrders() {
    std::vector<std::pair<std::string, int>> named;  // PO, the invoice line naming it first
    auto name = [&](const std::string& po, int invoice_line) {
      if (po.empty()) return;
      if (std::none_of(named.begin(), named.end(), [&](const auto& n) { return n.first == po; })) {
        named.emplace_back(po, invoice_line);
      }
    };
    for (const Found& po : invoice_.po_numbers) name(po.value, 0);
    if (named.size() == 1) single_header_po_ = named[0].first;
    for (const InvoiceLine& line : invoice_.lines) name(PoOf(line), line.line_number);
    any_po_ = !named.empty();
    if (!any_po_) {
      Add(Exception(ExceptionType::kNoOrder, "", "", kOrderRule,
                    "the invoice names no purchase order"));
      return;
    }
    for (const auto& [po, invoice_line] : named) {
      auto order = by_po_.find(po);
      if (order == by_po_.end()) {
        MatchException exception = Exception(ExceptionType::kNoOrder, "", po, kOrderRule,
                                             absl::StrCat("no order has PO number ", po));
        exception.invoice_line = invoice_line;
        Add(std::move(exception));
      } else if (order->second->currency != invoice_.currency) {
        currency_differs_.insert(order->second->name);
        MatchException exception =
            Exception(ExceptionType::kCurrencyMismatch, order->second->currency, invoice_.currency,
                      "currency: exact",
                      absl::StrCat("the invoice is in ", invoice_.currency, ", order ", po, " in ",
                                   order->second->currency));
        exception.order = order->second->name;
        Add(std::move(exception));
      }
    }
  }

  // The cumulative invoiced quantity of an order line so far: `before` plus
  // this invoice's earlier lines.
  absl::StatusOr<Decimal*> Invoiced(const Key& key) {
    auto it = invoiced_.find(key);
    if (it == invoiced_.end()) {
      auto before = before_.find(key);
      Decimal value;
      if (before != before_.end()) {
        IOB_ASSIGN_OR_RETURN(value, Number(before->second, "quantity invoiced before"));
      }
      it = invoiced_.emplace(key, value).first;
    }
    return &it->second;
  }

  // Step 3: the order line of `line`, or nullptr after an exception.
  const OrderLine* FindOrderLine(size_t index, const OrderForMatch& order, bool credit) {
    const InvoiceLine& line = invoice_.lines[index];
    auto not_on_order = [&](std::string expected, std::string message) {
      MatchException exception =
          Exception(ExceptionType::kItemNotOnOrder, std::move(expected), line.supplier_part_id,
                    "item: by order line, else by supplier part id", std::move(message));
      exception.order_line = line.order_line_number;
      AddLine(index, std::move(exception));
      return nullptr;
    };
    if (line.order_line_number > 0) {
      for (const OrderLine& candidate : order.lines) {
        if (candidate.line_number != line.order_line_number) continue;
        if (!line.supplier_part_id.empty() && line.supplier_part_id != candidate.supplier_part_id) {
          return not_on_order(
              candidate.supplier_part_id,
              absl::StrCat("order line ", candidate.line_number, " is part ",
                           candidate.supplier_part_id, ", not ", line.supplier_part_id));
        }
        return &candidate;
      }
      return not_on_order("", absl::StrCat("the order has no line ", line.order_line_number));
    }
    std::vector<const OrderLine*> candidates;
    for (const OrderLine& candidate : order.lines) {
      if (!line.supplier_part_id.empty() && candidate.supplier_part_id == line.supplier_part_id) {
        candidates.push_back(&candidate);
      }
    }
    if (candidates.empty()) {
      return not_on_order("", line.supplier_part_id.empty()
                                  ? "the line names neither an order line nor a part"
                                  : absl::StrCat("the order has no part ", line.supplier_part_id));
    }
    std::sort(candidates.begin(), candidates.end(), [](const OrderLine* a, const OrderLine* b) {
      return a->line_number < b->line_number;
    });
    for (const OrderLine* candidate : candidates) {
      absl::StatusOr<Decimal*> invoiced = Invoiced({order.name, candidate->line_number});
      absl::StatusOr<Decimal> ordered = Decimal::Parse(candidate->quantity);
      if (!invoiced.ok() || !ordered.ok()) continue;  // reported by the quantity check
      absl::StatusOr<int> room =
          credit ? Compare(**invoiced, Decimal()) : Compare(*ordered, **invoiced);
      if (room.ok() && *room > 0) return candidate;
    }
    return candidates.front();
  }

  // Step 4. `quantity` is the line's as stated.
  absl::Status CheckQuantity(size_t index, const OrderForMatch& order, const OrderLine& ordered,
                             const Decimal& quantity, bool credit) {
    const Tolerance& tolerance = policy_.quantity;
    IOB_ASSIGN_OR_RETURN(Decimal counted, Abs(quantity));
    if (credit) {
      IOB_ASSIGN_OR_RETURN(counted, counted.Times(MinusOne()));
    }
    IOB_ASSIGN_OR_RETURN(Decimal * invoiced, Invoiced({order.name, ordered.line_number}));
    IOB_ASSIGN_OR_RETURN(*invoiced, invoiced->Plus(counted));
    LineMatch& match = result_.lines[index];
    match.invoiced_total = invoiced->ToString();

    const bool by_shipped = !ordered.shipped.empty();
    const std::string& limit_text = by_shipped ? ordered.shipped : ordered.quantity;
    const char* limit_name = by_shipped ? "shipped" : "ordered";
    IOB_ASSIGN_OR_RETURN(Decimal limit, Number(limit_text, limit_name));
    const std::string rule = absl::StrCat("quantity (", limit_name, "): ", tolerance.Describe());
    if (!credit) {
      IOB_ASSIGN_OR_RETURN(const bool line_exceeds, Exceeds(limit, counted, tolerance));
      if (line_exceeds) {
        AddLine(index,
                Exception(ExceptionType::kQuantityVariance, limit_text, counted.ToString(), rule,
                          absl::StrCat("the line's quantity ", counted.ToString(), " exceeds the ",
                                       limit_text, " ", limit_name)));
        return absl::OkStatus();
      }
      IOB_ASSIGN_OR_RETURN(const bool total_exceeds, Exceeds(limit, *invoiced, tolerance));
      if (total_exceeds) {
        AddLine(index,
                Exception(ExceptionType::kOverInvoiced, limit_text, match.invoiced_total, rule,
                          absl::StrCat("invoiced ", match.invoiced_total,
                                       " in all with this line, over the ", limit_text, " ",
                                       limit_name)));
      }
      return absl::OkStatus();
    }
    if (invoiced->Sign() < 0) {
      IOB_ASSIGN_OR_RETURN(const bool within, Within(Decimal(), *invoiced, tolerance));
      if (!within) {
        AddLine(index, Exception(ExceptionType::kQuantityVariance, "0", match.invoiced_total, rule,
                                 absl::StrCat("credits take the invoiced quantity to ",
                                              match.invoiced_total)));
      }
    }
    return absl::OkStatus();
  }

  // Step 5.
  absl::Status CheckPrice(size_t index, const OrderLine& ordered, bool credit) {
    const InvoiceLine& line = invoice_.lines[index];
    IOB_ASSIGN_OR_RETURN(Decimal price, Number(line.unit_price, "unit price"));
    if (credit) {
      IOB_ASSIGN_OR_RETURN(price, Abs(price));
    }
    IOB_ASSIGN_OR_RETURN(Decimal expected, Number(ordered.unit_price, "order unit price"));
    IOB_ASSIGN_OR_RETURN(const bool within, Within(expected, price, policy_.price));
    if (!within) {
      AddLine(index, Exception(ExceptionType::kPriceVariance, ordered.unit_price, price.ToString(),
                               absl::StrCat("price: ", policy_.price.Describe()),
                               absl::StrCat("unit price ", price.ToString(), ", ordered at ",
                                            ordered.unit_price)));
    }
    return absl::OkStatus();
  }

  // Step 6.
  absl::Status CheckSubtotal(size_t index) {
    const InvoiceLine& line = invoice_.lines[index];
    IOB_ASSIGN_OR_RETURN(Decimal amount, LineAmount(line));
    if (line.subtotal.empty()) return absl::OkStatus();
    IOB_ASSIGN_OR_RETURN(Decimal stated, Number(line.subtotal, "subtotal"));
    IOB_ASSIGN_OR_RETURN(const bool within, Within(amount, stated, policy_.total));
    if (!within) {
      AddLine(index,
              Exception(ExceptionType::kTotalMismatch, amount.ToString(), line.subtotal,
                        absl::StrCat("total: ", policy_.total.Describe()),
                        absl::StrCat("line subtotal ", line.subtotal, ", but ", line.quantity,
                                     " x ", line.unit_price, " is ", amount.ToString())));
    }
    return absl::OkStatus();
  }

  // Steps 3 to 6 for line `index`.
  void MatchLine(size_t index) {
    MatchOrderLine(index);
    ReportLineFailure(index, CheckSubtotal(index), ExceptionType::kTotalMismatch, "total");
  }

  // Steps 3 to 5 for line `index`.
  void MatchOrderLine(size_t index) {
    const InvoiceLine& line = invoice_.lines[index];
    LineMatch& match = result_.lines[index];

    const std::string po = PoOf(line);
    if (po.empty()) {
      match.ok = false;
      if (any_po_) {
        AddLine(index, Exception(ExceptionType::kNoOrder, "", "", kOrderRule,
                                 "the line names no PO, and the invoice not exactly one"));
      }
      return;
    }
    auto found = by_po_.find(po);
    if (found == by_po_.end()) {  // reported once per PO
      match.ok = false;
      return;
    }
    const OrderForMatch& order = *found->second;
    match.order = order.name;

    absl::StatusOr<Decimal> quantity = Number(line.quantity, "quantity");
    const bool credit = invoice_.credit_memo || (quantity.ok() && quantity->Sign() < 0);
    const OrderLine* ordered = FindOrderLine(index, order, credit);
    if (ordered == nullptr) return;
    match.order_line = ordered->line_number;
    match.ordered = ordered->quantity;
    match.shipped = ordered->shipped;

    ReportLineFailure(index,
                      quantity.ok() ? CheckQuantity(index, order, *ordered, *quantity, credit)
                                    : quantity.status(),
                      ExceptionType::kQuantityVariance, "quantity");
    if (currency_differs_.count(order.name) > 0) {
      match.ok = false;
    } else {
      ReportLineFailure(index, CheckPrice(index, *ordered, credit), ExceptionType::kPriceVariance,
                        "price");
    }
  }

  // Sums the stated line taxes; false when no line states one.
  absl::StatusOr<bool> LineTaxes(Decimal* sum) const {
    bool any = false;
    for (const InvoiceLine& line : invoice_.lines) {
      if (line.tax.empty()) continue;
      IOB_ASSIGN_OR_RETURN(Decimal tax, Number(line.tax, "line tax"));
      IOB_ASSIGN_OR_RETURN(*sum, sum->Plus(tax));
      any = true;
    }
    return any;
  }

  // Step 7.
  absl::Status CheckTax() {
    if (invoice_.tax.empty()) return absl::OkStatus();
    Decimal sum;
    IOB_ASSIGN_OR_RETURN(const bool any, LineTaxes(&sum));
    if (!any) return absl::OkStatus();
    IOB_ASSIGN_OR_RETURN(Decimal header, Number(invoice_.tax.value, "tax"));
    IOB_ASSIGN_OR_RETURN(const bool within, Within(sum, header, policy_.tax));
    if (!within) {
      Add(Exception(ExceptionType::kTaxVariance, sum.ToString(), invoice_.tax.value,
                    absl::StrCat("tax: ", policy_.tax.Describe()),
                    absl::StrCat("header tax ", invoice_.tax.value,
                                 ", but the lines' taxes add up to ", sum.ToString())));
    }
    return absl::OkStatus();
  }

  // Adds a total_mismatch unless `stated` is within the total tolerance of
  // `computed`.
  absl::Status CompareTotal(absl::string_view what, const Decimal& computed,
                            const std::string& stated_text, absl::string_view how) {
    IOB_ASSIGN_OR_RETURN(Decimal stated, Number(stated_text, what));
    IOB_ASSIGN_OR_RETURN(const bool within, Within(computed, stated, policy_.total));
    if (!within) {
      Add(Exception(
          ExceptionType::kTotalMismatch, computed.ToString(), stated_text,
          absl::StrCat("total: ", policy_.total.Describe()),
          absl::StrCat(what, " ", stated_text, ", but ", how, " is ", computed.ToString())));
    }
    return absl::OkStatus();
  }

  // Step 8.
  absl::Status CheckTotals() {
    // The lines' net; none without lines or when a line's amount failed
    // (reported on that line).
    std::optional<Decimal> lines_net;
    if (!invoice_.lines.empty()) lines_net = Decimal();
    for (const InvoiceLine& line : invoice_.lines) {
      absl::StatusOr<Decimal> amount = LineAmount(line);
      if (!amount.ok()) {
        lines_net.reset();
        break;
      }
      IOB_ASSIGN_OR_RETURN(*lines_net, lines_net->Plus(*amount));
    }
    if (!invoice_.net.empty() && lines_net.has_value()) {
      IOB_RETURN_IF_ERROR(CompareTotal("net", *lines_net, invoice_.net.value, "the lines' sum"));
    }
    if (invoice_.gross.empty()) return absl::OkStatus();
    Decimal net;
    if (!invoice_.net.empty()) {
      IOB_ASSIGN_OR_RETURN(net, Number(invoice_.net.value, "net"));
    } else if (lines_net.has_value()) {
      net = *lines_net;
    } else {
      return absl::OkStatus();  // nothing to add up
    }
    Decimal tax;
    if (!invoice_.tax.empty()) {
      IOB_ASSIGN_OR_RETURN(tax, Number(invoice_.tax.value, "tax"));
    } else {
      IOB_RETURN_IF_ERROR(LineTaxes(&tax).status());
    }
    IOB_ASSIGN_OR_RETURN(Decimal gross, net.Plus(tax));
    return CompareTotal("gross", gross, invoice_.gross.value, "net + tax");
  }

  const InvoiceDocument& invoice_;
  const InvoicedSoFar& before_;
  const MatchPolicy& policy_;
  std::map<std::string, const OrderForMatch*> by_po_;
  std::string single_header_po_;            // the header's PO when it names exactly one
  bool any_po_ = false;                     // the invoice names a PO somewhere
  std::set<std::string> currency_differs_;  // orders in another currency
  std::map<Key, Decimal> invoiced_;         // cumulative, this invoice so far included
  MatchResult result_;
};

}  // namespace

std::string Tolerance::Describe() const {
  absl::StatusOr<Decimal> p = Decimal::Parse(percent), a = Decimal::Parse(absolute);
  if (p.ok() && a.ok() && p->Sign() == 0 && a->Sign() == 0) return "exact";
  return absl::StrCat(percent, "% ", both ? "and" : "or", " ", absolute);
}

absl::StatusOr<MatchPolicy> MatchPolicy::Parse(absl::string_view text, const MatchPolicy& base) {
  MatchPolicy policy = base;
  if (absl::StripAsciiWhitespace(text).empty()) return policy;
  std::set<std::string> seen;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    part = absl::StripAsciiWhitespace(part);
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("match policy part \"", part.substr(0, 40), "\": ", why));
    };
    const size_t equals = part.find('=');
    if (equals == absl::string_view::npos) return bad("want check=tolerance, e.g. price=2%|1.00");
    const std::string check(absl::StripAsciiWhitespace(part.substr(0, equals)));
    Tolerance* tolerance = check == "price"      ? &policy.price
                           : check == "quantity" ? &policy.quantity
                           : check == "tax"      ? &policy.tax
                           : check == "total"    ? &policy.total
                                                 : nullptr;
    if (tolerance == nullptr) return bad("unknown check (price, quantity, tax, total)");
    if (!seen.insert(check).second) return bad("the check is named twice");
    absl::StatusOr<Tolerance> parsed =
        ParseTolerance(absl::StripAsciiWhitespace(part.substr(equals + 1)));
    if (!parsed.ok()) return bad(parsed.status().message());
    *tolerance = *std::move(parsed);
  }
  return policy;
}

std::string MatchPolicy::Describe() const {
  return absl::StrCat("price ", price.Describe(), ", quantity ", quantity.Describe(), ", tax ",
                      tax.Describe(), ", total ", total.Describe());
}

std::pair<const MatchPolicy*, std::string> MatchPolicies::For(const std::string& supplier) const {
  auto it = by_supplier.find(supplier);
  const MatchPolicy* policy = it == by_supplier.end() ? &fallback : &it->second;
  return {policy,
          absl::StrCat(it == by_supplier.end() ? "default" : supplier, ": ", policy->Describe())};
}

absl::StatusOr<MatchPolicies> MatchPolicies::Parse(absl::string_view fallback_text,
                                                   absl::string_view overrides) {
  MatchPolicies out;
  IOB_ASSIGN_OR_RETURN(out.fallback, MatchPolicy::Parse(fallback_text));
  for (absl::string_view part : absl::StrSplit(overrides, ';', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    const size_t colon = part.find(':');
    const std::string supplier(
        absl::StripAsciiWhitespace(part.substr(0, std::min(colon, part.size()))));
    if (colon == absl::string_view::npos || supplier.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "supplier match policy \"", part.substr(0, 40),
          "\": want supplier: check=tolerance,..., e.g. amazon-business: price=2%|1.00"));
    }
    if (out.by_supplier.contains(supplier)) {
      return absl::InvalidArgumentError(
          absl::StrCat("supplier match policy: ", supplier, " is named twice"));
    }
    absl::StatusOr<MatchPolicy> policy = MatchPolicy::Parse(part.substr(colon + 1), out.fallback);
    if (!policy.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("supplier match policy for ", supplier, ": ", policy.status().message()));
    }
    out.by_supplier.emplace(supplier, *std::move(policy));
  }
  return out;
}

absl::string_view ExceptionTypeText(ExceptionType type) {
  switch (type) {
    case ExceptionType::kPriceVariance:
      return "price_variance";
    case ExceptionType::kQuantityVariance:
      return "quantity_variance";
    case ExceptionType::kOverInvoiced:
      return "over_invoiced";
    case ExceptionType::kItemNotOnOrder:
      return "item_not_on_order";
    case ExceptionType::kTaxVariance:
      return "tax_variance";
    case ExceptionType::kCurrencyMismatch:
      return "currency_mismatch";
    case ExceptionType::kNoOrder:
      return "no_order";
    case ExceptionType::kDuplicate:
      return "duplicate";
    case ExceptionType::kTotalMismatch:
      return "total_mismatch";
  }
  return "unknown";
}

MatchResult Match(const InvoiceDocument& invoice, const std::vector<OrderForMatch>& orders,
                  const InvoicedSoFar& before, const MatchPolicy& policy) {
  return Matcher(invoice, orders, before, policy).Run();
}

}  // namespace iob::invoice

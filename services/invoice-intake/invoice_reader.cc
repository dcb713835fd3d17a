// Which reader a part goes to, the cXML mapping, the rules that read a PDF
// invoice's text, and poppler run in a child process under limits (see "PDF:
// poppler in a child process" below).
//
// PDF text rules (Amazon Business's invoice layout). Poppler gives the text
// in physical layout: one text line per printed line, columns apart; runs of
// blanks are folded to one space before the rules run, line by line. Labels
// match in any letter case. Each Found's rule is
// "pdf:amazon-business:<rule>".
//
// The rules, each tried on every line:
//  - invoice-number: "Invoice number|no.|#" [:] and a word with a digit
//    after it (the first); or, the label alone on its line, the next
//    line's first word (invoice-number:next-line).
//  - invoice-date: "Invoice date" and a DATE after it (the first); text
//    such as "/ Date of supply" may sit between.
//  - po-number: "Purchase order number|no.|#" or "PO number|no.|#" [:] and
//    a word with a digit after it (every one, each once).
//  - total-payable: "Total payable|due" and an AMOUNT after it (the last).
//  - subtotal: "Subtotal" or "Total excl.|excluding|before|net of VAT|tax"
//    and an AMOUNT after it (the last).
//  - vat-total: a line opening with "Total VAT|tax" or "VAT|Tax total" with
//    an AMOUNT after it (the last); else vat-lines: lines that are
//    "VAT|Tax [amount] [(20%)] [:] AMOUNT", summed.
//  - currency: the total payable's (else the subtotal's); else a
//    "Currency [:] XXX" line.
//  - seller: "Sold by" [:] NAME -> issuer_name (the first).
//  - seller-vat: "VAT number|no.|#|ID|registration number" [:] CC123...
//    -> issuer_ids as "VAT:CC123..." (the first).
//  - item row: a line "DESCRIPTION QTY AMOUNT [RATE%] [AMOUNT] AMOUNT" (every
//    one): quantity, unit price (the first amount), line total (the last);
//    its amounts have two decimals.
//  - asin: "ASIN [:] B0..." on a row or below it: the row's
//    supplier_part_id.
//
// AMOUNT: a number with ',' or '.' separators (the last separator followed
// by one or two digits is the decimal point, the others group thousands),
// an optional minus, and a currency code (EUR, GBP, USD, ...) or symbol
// (EUR for the euro sign, GBP for the pound sign, USD for "$" and "US$",
// CAD for "CDN$"/"CA$"/"C$", AUD for "A$", ...) before or after it; a
// number followed by '%' is a rate, not an amount. DATE: 2024-03-12,
// 12.03.2024 (day first), 12/03/2024 (day first unless the currency is USD;
// a doubt when either reading is a date), 12 March 2024, March 12, 2024
// (English and German month names, full or three letters).
//
// Doubts (a person must confirm): invoice number, invoice date, purchase
// order or total payable not found; no currency; an ambiguous date;
// subtotal + VAT not equal to the total payable; the item rows' totals not
// adding up to the subtotal; pages or text beyond the limits left unread;
// an embedded e-invoice that could not be read. When more than one purchase
// order is named, each row belongs to the last one named above it.
#include "services/invoice-intake/invoice_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <poppler-document.h>
#include <poppler-embedded-file.h>
#include <poppler-global.h>
#include <poppler-page.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/cxml/decimal.h"
#include "libs/cxml/reader.h"
#include "re2/re2.h"
#include "services/invoice-intake/cii_reader.h"

namespace iob::invoice {
namespace {

// ---- which reader ----------------------------------------------------------

std::string_view Std(absl::string_view s) { return {s.data(), s.size()}; }
re2::StringPiece Piece(absl::string_view s) { return {s.data(), s.size()}; }

enum class Kind { kNone, kXml, kPdf };

bool IsInvoiceRoot(absl::string_view root) {
  return root == "cXML" || root == "CrossIndustryInvoice" || root == "Invoice" ||
         root == "CreditNote";
}

Kind KindOf(const MailPart& part) {
  const std::string name = absl::AsciiStrToLower(part.file_name);
  if (part.content_type == "application/pdf" || absl::EndsWith(name, ".pdf") ||
      absl::StartsWith(part.data, "%PDF-")) {
    return Kind::kPdf;
  }
  if (part.content_type == "text/xml" || part.content_type == "application/xml" ||
      absl::EndsWith(part.content_type, "+xml") || absl::EndsWith(name, ".xml") ||
      IsInvoiceRoot(XmlRootName(part.data))) {
    return Kind::kXml;
  }
  return Kind::kNone;
}

std::string PartName(const MailPart& part) {
  return part.file_name.empty() ? part.path : part.file_name;
}

XmlLimits XmlLimitsOf(const ReaderLimits& limits) {
  return {.max_bytes = limits.max_xml_bytes, .max_depth = limits.max_xml_depth};
}

void AddPo(std::vector<Found>& pos, Found po) {
  if (po.empty()) return;
  for (const Found& f : pos) {
    if (f.value == po.value) return;
  }
  pos.push_back(std::move(po));
}

// ---- cXML ------------------------------------------------------------------

int ToInt(absl::string_view text) {
  int n = 0;
  return absl::SimpleAtoi(text, &n) && n > 0 ? n : 0;
}

std::string Credential(const cxml::Credential& c) {
  return absl::StrCat(c.domain, ":", c.identity);
}

InvoiceDocument FromCxml(const cxml::Document& doc, const cxml::InvoiceDetailRequest& req) {
  InvoiceDocument inv;
  inv.format = InvoiceFormat::kCxml;
  inv.invoice_number = {req.invoice_id, "cxml:InvoiceDetailRequestHeader@invoiceID"};
  if (req.invoice_date.size() >= 10) {
    int y = 0, m = 0, d = 0;
    const std::vector<std::string> ymd = absl::StrSplit(req.invoice_date.substr(0, 10), '-');
    if (ymd.size() == 3 && absl::SimpleAtoi(ymd[0], &y) && absl::SimpleAtoi(ymd[1], &m) &&
        absl::SimpleAtoi(ymd[2], &d)) {
      inv.invoice_date = {IsoDate(y, m, d), "cxml:InvoiceDetailRequestHeader@invoiceDate"};
    }
  }
  const cxml::InvoiceDetailSummary& sum = req.summary;
  inv.currency = sum.subtotal_amount.currency;
  inv.net = {sum.subtotal_amount.amount, "cxml:InvoiceDetailSummary/SubtotalAmount"};
  inv.tax = {sum.tax.money.amount, "cxml:InvoiceDetailSummary/Tax"};
  if (sum.due_amount) {
    inv.gross = {sum.due_amount->amount, "cxml:InvoiceDetailSummary/DueAmount"};
  } else {
    inv.gross = {sum.net_amount.amount, "cxml:InvoiceDetailSummary/NetAmount"};
  }
  inv.credit_memo = req.purpose == "creditMemo" || req.purpose == "lineLevelCreditMemo" ||
                    absl::StartsWith(inv.gross.value, "-");
  for (const cxml::Credential& c : doc.header.from) inv.issuer_ids.push_back(Credential(c));
  for (const cxml::Credential& c : doc.header.sender) {
    std::string id = Credential(c);
    if (std::find(inv.issuer_ids.begin(), inv.issuer_ids.end(), id) == inv.issuer_ids.end()) {
      inv.issuer_ids.push_back(std::move(id));
    }
  }
  for (absl::string_view role : {"issuerOfInvoice", "from", "remitTo"}) {
    for (const cxml::Contact& c : req.partners) {
      if (inv.issuer_name.empty() && c.role == role) inv.issuer_name = c.name;
    }
  }
  for (const cxml::InvoiceDetailOrder& order : req.orders) {
    const std::string& po = order.order_reference.order_id;
    AddPo(inv.po_numbers, {po, "cxml:InvoiceDetailOrderInfo/OrderReference@orderID"});
    for (const cxml::InvoiceDetailItem& item : order.items) {
      InvoiceLine line;
      line.line_number = ToInt(item.invoice_line_number);
      if (line.line_number == 0) line.line_number = static_cast<int>(inv.lines.size()) + 1;
      line.po_number = po;
      line.order_line_number = ToInt(item.line_number);
      if (item.item_id) line.supplier_part_id = item.item_id->supplier_part_id;
      if (item.description) line.description = item.description->text;
      line.quantity = item.quantity;
      line.unit_of_measure = item.unit_of_measure;
      line.unit_price = item.unit_price.amount;
      if (item.subtotal_amount) line.subtotal = item.subtotal_amount->amount;
      if (item.tax) line.tax = item.tax->money.amount;
      inv.lines.push_back(std::move(line));
    }
  }
  return inv;
}

PartResult ReadXmlPart(const MailPart& part, const ReaderLimits& limits) {
  PartResult result{.part = PartName(part)};
  const absl::string_view root = XmlRootName(part.data);
  if (root == "cXML") {
    absl::StatusOr<cxml::Document> doc = cxml::ReadDocument(
        part.data,
        cxml::Limits{.max_bytes = limits.max_xml_bytes, .max_depth = limits.max_xml_depth});
    if (!doc.ok()) {
      // A well-formed cXML document of a type we do not speak is not an
      // invoice; anything else is a broken one.
      if (doc.status().code() != absl::StatusCode::kUnimplemented) {
        result.error = absl::StrCat("cXML: ", doc.status().message());
      }
    } else if (const auto* req = std::get_if<cxml::InvoiceDetailRequest>(&doc->body)) {
      result.invoice = FromCxml(*doc, *req);
    }
    return result;
  }
  absl::StatusOr<InvoiceDocument> inv;
  if (root == "CrossIndustryInvoice") {
    inv = ReadCii(part.data, InvoiceFormat::kCii, XmlLimitsOf(limits));
    if (!inv.ok()) result.error = absl::StrCat("CII: ", inv.status().message());
  } else if (root == "Invoice" || root == "CreditNote") {
    inv = ReadUbl(part.data, XmlLimitsOf(limits));
    if (!inv.ok()) result.error = absl::StrCat("UBL: ", inv.status().message());
  } else {
    return result;  // XML of another kind
  }
  if (inv.ok()) result.invoice = *std::move(inv);
  return result;
}

// ---- PDF text: amounts and dates ---------------------------------------------

constexpr absl::string_view kRule = "pdf:amazon-business:";

std::string Rule(absl::string_view name) { return absl::StrCat(kRule, name); }

// Longest first, so "CDN$" wins over "$".
constexpr std::array<std::pair<absl::string_view, absl::string_view>, 14> kSymbols = {{
    {"CDN$", "CAD"},
    {"CA$", "CAD"},
    {"AU$", "AUD"},
    {"US$", "USD"},
    {"MX$", "MXN"},
    {"C$", "CAD"},
    {"A$", "AUD"},
    {"R$", "BRL"},
    {"S$", "SGD"},
    {"\u20ac", "EUR"},
    {"\u00a3", "GBP"},
    {"\u00a5", "JPY"},
    {"\u20b9", "INR"},
    {"$", "USD"},
}};
// The currencies of Amazon Business's marketplaces, and a few neighbours.
constexpr absl::string_view kCodes =
    "USD|CAD|MXN|BRL|GBP|EUR|SEK|PLN|TRY|AED|SAR|INR|JPY|AUD|SGD|EGP|CHF|DKK|NOK|CZK";

std::string SymbolPattern() {
  std::vector<std::string> alts;
  for (const auto& [symbol, code] : kSymbols) alts.push_back(RE2::QuoteMeta(Piece(symbol)));
  return absl::StrJoin(alts, "|");
}

std::string CurrencyOf(absl::string_view token) {
  for (const auto& [symbol, code] : kSymbols) {
    if (token == symbol) return std::string(code);
  }
  return std::string(token);
}

// Groups: 1 minus, 2 currency before, 3 number, 4 symbol after, 5 code after.
const RE2& AmountRe() {
  static const RE2* re = new RE2(absl::StrCat(R"((-)?(?:()", SymbolPattern(), "|", kCodes,
                                              R"()\s?)?(-?\d[\d.,']*\d|-?\d)(?:\s?()",
                                              SymbolPattern(), R"()|\s()", kCodes, R"()\b)?)"));
  return *re;
}

struct Amount {
  std::string value;     // plain decimal
  std::string currency;  // ISO 4217, "" when not written
};

// "1,234.56", "1.234,56", "23,98", "1'234.50" as a plain decimal; nullopt
// when it is none.
std::optional<std::string> NormaliseNumber(absl::string_view s) {
  std::string digits;
  for (char c : s) {
    if (c != '\'') digits.push_back(c);
  }
  const size_t last = digits.find_last_of(".,");
  const bool has_point = last != std::string::npos && digits.size() - last - 1 <= 2;
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (digits[i] == '.' || digits[i] == ',') {
      if (has_point && i == last) out.push_back('.');
    } else {
      out.push_back(digits[i]);
    }
  }
  if (!cxml::IsDecimal(out)) return std::nullopt;
  return out;
}

// Every amount in `text`, in order. A number glued to letters or digits
// ("GB123456789") or followed by '%' is not an amount.
std::vector<Amount> AmountsIn(absl::string_view text) {
  std::vector<Amount> out;
  std::array<re2::StringPiece, 6> g;
  size_t pos = 0;
  const re2::StringPiece all(text.data(), text.size());
  while (pos < text.size() &&
         AmountRe().Match(all, pos, text.size(), RE2::UNANCHORED, g.data(), g.size())) {
    const size_t start = g[0].data() - text.data();
    const size_t end = start + g[0].size();
    pos = std::max(end, start + 1);
    size_t after = end;
    while (after < text.size() && text[after] == ' ') ++after;
    const auto alnum = [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); };
    if ((start > 0 &&
         (alnum(text[start - 1]) || text[start - 1] == '.' || text[start - 1] == ',')) ||
        (end < text.size() && alnum(text[end])) || (after < text.size() && text[after] == '%')) {
      continue;
    }
    std::optional<std::string> number =
        NormaliseNumber(absl::string_view(g[3].data(), g[3].size()));
    if (!number) continue;
    Amount a;
    a.value =
        (!g[1].empty() && !absl::StartsWith(*number, "-")) ? absl::StrCat("-", *number) : *number;
    for (int i : {2, 4, 5}) {
      if (!g[i].empty()) a.currency = CurrencyOf(absl::string_view(g[i].data(), g[i].size()));
    }
    out.push_back(std::move(a));
  }
  return out;
}

bool IsFullAmount(absl::string_view text) { return RE2::FullMatch(Piece(text), AmountRe()); }

int MonthNumber(absl::string_view name) {
  static constexpr std::array<std::array<absl::string_view, 2>, 12> kMonths = {{
      {"january", "januar"},
      {"february", "februar"},
      {"march", "m\u00e4rz"},
      {"april", "april"},
      {"may", "mai"},
      {"june", "juni"},
      {"july", "juli"},
      {"august", "august"},
      {"september", "september"},
      {"october", "oktober"},
      {"november", "november"},
      {"december", "dezember"},
  }};
  std::string n = absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"\u00c4", "\u00e4"}});
  if (n == "sept") n = "sep";
  for (int m = 0; m < 12; ++m) {
    for (absl::string_view full : kMonths[m]) {
      if (n == full || (n.size() == 3 && absl::StartsWith(full, n)) || (n == "mrz" && m == 2) ||
          (n == "okt" && m == 9) || (n == "dez" && m == 11)) {
        return m + 1;
      }
    }
  }
  return 0;
}

// The first date in `text`: "YYYY-MM-DD", and whether the day and month
// could be read either way.
struct DateFound {
  std::string iso;
  bool ambiguous = false;
};

std::optional<DateFound> DateIn(absl::string_view text, bool month_first) {
  // Group 1 is the whole date, for its position.
  static const RE2& kIso = *new RE2(R"(((\d{4})-(\d{2})-(\d{2})))");
  static const RE2& kNumeric = *new RE2(R"(((\d{1,2})([./])(\d{1,2})[./](\d{4})))");
  static const RE2& kDayName = *new RE2(R"(((\d{1,2})\.?\s+(\pL+)\.?,?\s+(\d{4})))");
  static const RE2& kNameDay = *new RE2(R"(((\pL+)\.?\s+(\d{1,2}),?\s+(\d{4})))");
  struct Candidate {
    size_t at;
    DateFound date;
  };
  std::vector<Candidate> found;
  re2::StringPiece whole;
  const auto add = [&](std::string iso, bool ambiguous) {
    if (!iso.empty())
      found.push_back({static_cast<size_t>(whole.data() - text.data()), {iso, ambiguous}});
  };
  int y = 0, m = 0, d = 0, first = 0, second = 0;
  std::string sep, name;
  if (RE2::PartialMatch(Piece(text), kIso, &whole, &y, &m, &d)) add(IsoDate(y, m, d), false);
  if (RE2::PartialMatch(Piece(text), kNumeric, &whole, &first, &sep, &second, &y)) {
    const std::string day_first = IsoDate(y, second, first);
    const std::string month_first_date = IsoDate(y, first, second);
    if (sep == ".") {
      add(day_first, false);
    } else {
      const std::string& preferred = month_first ? month_first_date : day_first;
      const std::string& other = month_first ? day_first : month_first_date;
      add(preferred.empty() ? other : preferred,
          !day_first.empty() && !month_first_date.empty() && first != second);
    }
  }
  if (RE2::PartialMatch(Piece(text), kDayName, &whole, &d, &name, &y)) {
    add(IsoDate(y, MonthNumber(name), d), false);
  }
  if (RE2::PartialMatch(Piece(text), kNameDay, &whole, &name, &d, &y)) {
    add(IsoDate(y, MonthNumber(name), d), false);
  }
  if (found.empty()) return std::nullopt;
  return std::min_element(found.begin(), found.end(),
                          [](const Candidate& l, const Candidate& r) { return l.at < r.at; })
      ->date;
}

bool SameAmount(absl::string_view a, absl::string_view b) {
  absl::StatusOr<cxml::Decimal> x = cxml::Decimal::Parse(Std(a));
  absl::StatusOr<cxml::Decimal> y = cxml::Decimal::Parse(Std(b));
  if (!x.ok() || !y.ok()) return false;
  const int scale = std::max(x->scale(), y->scale());
  absl::StatusOr<cxml::Decimal> xs = x->WithMinScale(scale);
  absl::StatusOr<cxml::Decimal> ys = y->WithMinScale(scale);
  return xs.ok() && ys.ok() && xs->ToString() == ys->ToString();
}

// The sum of `values`; nullopt when one is not a decimal or it overflows.
std::optional<std::string> Sum(const std::vector<std::string>& values) {
  cxml::Decimal total;
  for (const std::string& v : values) {
    absl::StatusOr<cxml::Decimal> d = cxml::Decimal::Parse(v);
    if (!d.ok()) return std::nullopt;
    absl::StatusOr<cxml::Decimal> next = total.Plus(*d);
    if (!next.ok()) return std::nullopt;
    total = *next;
  }
  return total.ToString();
}

// ---- PDF text: the rules -----------------------------------------------------

// The text of each printed line, blanks folded; empty lines dropped.
std::vector<std::string> FoldedLines(absl::string_view text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, absl::ByAnyChar("\n\f"))) {
    const std::string spaced = absl::StrReplaceAll(line, {{"\u00a0", " "}});  // no-break space
    std::vector<absl::string_view> words =
        absl::StrSplit(spaced, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (!words.empty()) lines.push_back(absl::StrJoin(words, " "));
  }
  return lines;
}

bool HasDigit(absl::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// The first word of `s` without trailing punctuation.
std::string FirstWord(absl::string_view s) {
  std::string w(s.substr(0, s.find(' ')));
  while (!w.empty() && (w.back() == ',' || w.back() == ';' || w.back() == '.')) w.pop_back();
  return w;
}

// The text after the first match of `label` in `line`, or nullopt.
std::optional<absl::string_view> After(const RE2& label, absl::string_view line) {
  re2::StringPiece m;
  if (!RE2::PartialMatch(Piece(line), label, &m)) {
    return std::nullopt;
  }
  absl::string_view rest = line.substr(m.data() + m.size() - line.data());
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (absl::StartsWith(rest, ":")) rest = absl::StripLeadingAsciiWhitespace(rest.substr(1));
  return rest;
}

// The patterns of the table, compiled once. The *_label ones have one
// group, the label itself (After reads what follows it); the others capture
// their value.
struct TextRules {
  const RE2 invoice_number_label{R"((?i)(\binvoice\s*(?:number|no\b\.?|#)))"};
  const RE2 invoice_date_label{R"((?i)(\binvoice\s+date\b))"};
  const RE2 po_label{R"((?i)(\b(?:purchase\s+order|po)\s*(?:number|no\b\.?|#)))"};
  const RE2 total_label{R"((?i)(\b(?:invoice\s+)?total\s+(?:payable|due|amount\s+due)\b))"};
  const RE2 subtotal_label{
      R"((?i)(\bsub-?\s?total\b|\btotal\s+(?:excl\.?|excluding|before|net\s+of)\s+(?:vat|tax)\b))"};
  const RE2 vat_total_label{R"((?i)(^(?:total\s+(?:vat|tax)|(?:vat|tax)\s+total)\b))"};
  const RE2 vat_line{
      R"((?i)^(?:vat|tax)(?:\s+amount)?(?:\s*\(?\s*\d+(?:[.,]\d+)?\s*%\s*\)?)?\s*:?\s*(.+)$)"};
  const RE2 seller_label{R"((?i)(\bsold\s+by\b))"};
  const RE2 seller_vat{
      R"((?i)\bvat\s*(?:registration\s+(?:number|no\b\.?|#)|reg\.?\s*(?:no\b\.?|#)|number|no\b\.?|#|id)\s*:?\s*((?-i:[A-Z]{2})\s?[0-9A-Z]{2,13})\b)"};
  const RE2 currency{R"((?i)\bcurrency\b\s*:?\s*((?-i:[A-Z]{3}))\b)"};
  const RE2 asin{R"((?i)\basin\b\s*:?\s*((?-i:[A-Z0-9]{10}))\b)"};
};

const TextRules& Rules() {
  static const TextRules* const rules = new TextRules();  // never destroyed
  return *rules;
}

bool IsCurrencyToken(absl::string_view t) {
  for (absl::string_view code : absl::StrSplit(kCodes, '|')) {
    if (t == code) return true;
  }
  return std::any_of(kSymbols.begin(), kSymbols.end(),
                     [&](const auto& symbol) { return symbol.first == t; });
}

// The amount `text` is, when it is one with exactly two decimals (as every
// amount in an item row is; a plain number there is the quantity).
std::optional<std::string> RowAmount(absl::string_view text) {
  if (!IsFullAmount(text)) return std::nullopt;
  std::vector<Amount> parsed = AmountsIn(text);
  if (parsed.size() != 1) return std::nullopt;
  const size_t point = parsed[0].value.find('.');
  if (point == std::string::npos || parsed[0].value.size() - point - 1 != 2) return std::nullopt;
  return parsed[0].value;
}

// An item row: see the table. Read from the end of the line.
std::optional<InvoiceLine> ItemRow(absl::string_view line) {
  const std::vector<absl::string_view> tokens = absl::StrSplit(line, ' ');
  std::vector<std::string> amounts;  // right to left
  bool rate = false;
  size_t i = tokens.size();
  while (i > 0) {
    const absl::string_view t = tokens[i - 1];
    if (!amounts.empty() && !rate && absl::EndsWith(t, "%") && HasDigit(t)) {
      rate = true;
      --i;
      continue;
    }
    // One token ("\u00a38.33", "8.33") or two ("8.33 EUR", "EUR 8.33").
    std::optional<std::string> amount;
    size_t used = 0;
    if (i >= 2 && (IsCurrencyToken(t) || IsCurrencyToken(tokens[i - 2]))) {
      amount = RowAmount(absl::StrCat(tokens[i - 2], " ", t));
      used = 2;
    }
    if (!amount) {
      amount = RowAmount(t);
      used = 1;
    }
    if (!amount) break;
    amounts.push_back(*std::move(amount));
    i -= used;
  }
  if (amounts.size() < 2 || amounts.size() > 3 || i < 2) return std::nullopt;
  std::optional<std::string> quantity = NormaliseNumber(tokens[i - 1]);
  if (!quantity || absl::StartsWith(*quantity, "-")) return std::nullopt;
  std::string description = absl::StrJoin(tokens.begin(), tokens.begin() + (i - 1), " ");
  const std::string lower = absl::AsciiStrToLower(description);
  if (!std::any_of(description.begin(), description.end(),
                   [](char c) { return absl::ascii_isalpha(c); }) ||
      absl::StartsWith(lower, "total") || absl::StartsWith(lower, "subtotal") ||
      absl::StartsWith(lower, "vat") || absl::StartsWith(lower, "tax")) {
    return std::nullopt;
  }
  InvoiceLine row;
  row.description = std::move(description);
  row.quantity = *quantity;
  row.unit_price = amounts.back();
  row.subtotal = amounts.front();
  return row;
}

// What the rules found, before it becomes an InvoiceDocument.
struct TextFindings {
  InvoiceDocument inv;
  std::optional<Amount> gross, net;
  std::vector<std::string> vat_lines;
  std::optional<std::string> vat_total;
  std::string date_text;  // the text after "Invoice date"
  std::string currency_line;
  std::vector<std::string> row_pos;  // the PO named above each row
};

InvoiceDocument ReadPdfText(absl::string_view text) {
  const TextRules& rules = Rules();
  const std::vector<std::string> lines = FoldedLines(text);
  TextFindings f;
  InvoiceDocument& inv = f.inv;
  inv.format = InvoiceFormat::kPdf;
  std::string current_po;
  for (size_t n = 0; n < lines.size(); ++n) {
    const absl::string_view line = lines[n];
    bool labelled = false;
    if (auto rest = After(rules.invoice_number_label, line)) {
      labelled = true;
      const std::string word = FirstWord(*rest);
      if (inv.invoice_number.empty() && HasDigit(word)) {
        inv.invoice_number = {word, Rule("invoice-number")};
      } else if (inv.invoice_number.empty() && rest->empty() && n + 1 < lines.size() &&
                 HasDigit(FirstWord(lines[n + 1]))) {
        inv.invoice_number = {FirstWord(lines[n + 1]), Rule("invoice-number:next-line")};
      }
    }
    if (auto rest = After(rules.invoice_date_label, line)) {
      labelled = true;
      if (f.date_text.empty()) f.date_text = std::string(*rest);
    }
    // Every PO label on the line ("PO # 1, PO # 2" as well).
    for (absl::string_view rest = line; auto after = After(rules.po_label, rest);) {
      labelled = true;
      const std::string word = FirstWord(*after);
      if (HasDigit(word)) {
        AddPo(inv.po_numbers, {word, Rule("po-number")});
        current_po = word;
      }
      rest = *after;
    }
    if (auto rest = After(rules.total_label, line)) {
      labelled = true;
      std::vector<Amount> amounts = AmountsIn(*rest);
      if (!amounts.empty()) f.gross = amounts.back();
    } else if (auto rest = After(rules.subtotal_label, line)) {
      labelled = true;
      std::vector<Amount> amounts = AmountsIn(*rest);
      if (!amounts.empty()) f.net = amounts.back();
    }
    if (auto rest = After(rules.vat_total_label, line)) {
      labelled = true;
      std::vector<Amount> amounts = AmountsIn(*rest);
      if (!amounts.empty()) f.vat_total = amounts.back().value;
    } else {
      std::string amount;
      if (RE2::FullMatch(Piece(line), rules.vat_line, &amount) && IsFullAmount(amount)) {
        labelled = true;
        f.vat_lines.push_back(AmountsIn(amount).front().value);
      }
    }
    if (auto rest = After(rules.seller_label, line)) {
      labelled = true;
      if (inv.issuer_name.empty()) inv.issuer_name = std::string(*rest);
    }
    std::string vat_id;
    if (RE2::PartialMatch(Piece(line), rules.seller_vat, &vat_id)) {
      labelled = true;
      vat_id.erase(std::remove(vat_id.begin(), vat_id.end(), ' '), vat_id.end());
      if (inv.issuer_ids.empty()) inv.issuer_ids.push_back(absl::StrCat("VAT:", vat_id));
    }
    std::string code;
    if (f.currency_line.empty() && RE2::PartialMatch(Piece(line), rules.currency, &code)) {
      f.currency_line = code;
    }
    std::string asin;
    const bool has_asin = RE2::PartialMatch(Piece(line), rules.asin, &asin);
    if (!labelled) {
      if (std::optional<InvoiceLine> row = ItemRow(line)) {
        row->line_number = static_cast<int>(inv.lines.size()) + 1;
        inv.lines.push_back(*std::move(row));
        f.row_pos.push_back(current_po);
      }
    }
    if (has_asin && !inv.lines.empty() && inv.lines.back().supplier_part_id.empty()) {
      inv.lines.back().supplier_part_id = asin;
    }
  }

  // Totals and currency.
  if (f.gross) {
    inv.gross = {f.gross->value, Rule("total-payable")};
    inv.currency = f.gross->currency;
  }
  if (f.net) {
    inv.net = {f.net->value, Rule("subtotal")};
    if (inv.currency.empty()) inv.currency = f.net->currency;
  }
  if (inv.currency.empty()) inv.currency = f.currency_line;
  if (f.vat_total) {
    inv.tax = {*f.vat_total, Rule("vat-total")};
  } else if (!f.vat_lines.empty()) {
    if (std::optional<std::string> sum = Sum(f.vat_lines)) inv.tax = {*sum, Rule("vat-lines")};
  }
  if (!f.date_text.empty()) {
    if (std::optional<DateFound> date = DateIn(f.date_text, inv.currency == "USD")) {
      inv.invoice_date = {date->iso, Rule("invoice-date")};
      if (date->ambiguous) {
        inv.doubts.push_back(absl::StrCat("the invoice date ", date->iso,
                                          " could be read with day and month swapped"));
      }
    }
  }
  if (inv.po_numbers.size() > 1) {
    for (size_t i = 0; i < inv.lines.size(); ++i) inv.lines[i].po_number = f.row_pos[i];
  }

  // Doubts.
  if (inv.invoice_number.empty()) inv.doubts.push_back("invoice number not found");
  if (inv.invoice_date.empty()) inv.doubts.push_back("invoice date not found");
  if (inv.po_numbers.empty()) inv.doubts.push_back("no purchase order number found");
  if (inv.gross.empty()) inv.doubts.push_back("total payable not found");
  if (inv.currency.empty()) inv.doubts.push_back("currency not found");
  if (!inv.gross.empty() && !inv.net.empty() && !inv.tax.empty()) {
    std::optional<std::string> sum = Sum({inv.net.value, inv.tax.value});
    if (!sum || !SameAmount(*sum, inv.gross.value)) {
      inv.doubts.push_back(absl::StrCat("subtotal ", inv.net.value, " + VAT ", inv.tax.value,
                                        " is not the total payable ", inv.gross.value));
    }
  }
  if (!inv.lines.empty() && !inv.net.empty()) {
    std::vector<std::string> totals;
    for (const InvoiceLine& l : inv.lines) totals.push_back(l.subtotal);
    std::optional<std::string> sum = Sum(totals);
    if (!sum || !SameAmount(*sum, inv.net.value)) {
      inv.doubts.push_back(absl::StrCat("the item rows add up to ", sum.value_or("?"),
                                        ", not the subtotal ", inv.net.value));
    }
  }
  return inv;
}

// ---- PDF: poppler in a child process -------------------------------------------
//
// A PDF can make poppler work without end: a content stream that inflates
// to gigabytes of drawing operators, thousands of pages, an embedded
// Factur-X file that declares one size and inflates to another. Page and
// text limits checked between pages bound none of this (one page can be the
// whole bomb), so every poppler call runs in a child process: fork, then in
// the child RLIMIT_CPU (max_pdf_cpu), RLIMIT_AS (what the process maps at
// the fork plus max_pdf_memory_bytes) and no core file; the parent reads the
// child's answer from a pipe with a wall-clock deadline (max_pdf_wall, for a
// child that blocks instead of working) and a bound on its size, then kills
// and reaps it. A crash inside poppler ends the child, not the service.
//
// Fork without exec is safe here because the child does nothing but run
// poppler-cpp, write(2) to the pipe and _exit:
//  - this process never calls poppler itself (every PDF is read in a child),
//    so no thread can hold one of poppler's locks at the fork;
//  - glibc's fork leaves malloc, stdio and the dynamic loader usable in the
//    child; iconv's lock (poppler-cpp converts text with iconv) it does not,
//    so the fork happens under IconvForkMutex, which ReadMail (GMime, the
//    one other user of iconv here) holds shared;
//  - gRPC's fork handlers are off unless GRPC_ENABLE_FORK_SUPPORT is set,
//    and the child touches none of gRPC, the database or the log.
//
// The child's answer is a sequence of records: a tag byte, a 4-byte length
// (little-endian) and that many bytes.

bool IsEInvoiceAttachment(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  return lower == "factur-x.xml" || lower == "zugferd-invoice.xml" || lower == "xrechnung.xml";
}

// At most this many embedded e-invoice files are handed back.
constexpr int kMaxEmbedded = 3;

enum Tag : char {
  kError = 'E',     // the PDF is refused: "encrypted PDF", "unreadable PDF"
  kPages = 'N',     // the page count, decimal
  kFileName = 'F',  // an embedded e-invoice file's name; kFileData or kFileDoubt follows
  kFileData = 'f',
  kFileDoubt = 'd',  // why the file just named was not read
  kText = 'T',       // one page's text (UTF-8, each page ending in '\n')
  kTextCut = 'C',    // the text bound stopped reading at the page given, decimal
};

// What the child found.
struct PdfContent {
  std::string error;
  int pages = 0;
  int pages_read = 0;
  int cut_at_page = 0;  // 1-based; 0 = the text bound was not reached
  std::string text;
  struct Embedded {
    std::string name;
    std::string data;
    std::string doubt;  // set when data was not taken
  };
  std::vector<Embedded> embedded;
};

// ---- in the child ----

// Writes all of `data` or gives up (the parent has gone or stopped reading).
bool WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool Send(int fd, Tag tag, absl::string_view payload) {
  const uint32_t size = static_cast<uint32_t>(payload.size());
  const char head[5] = {tag, static_cast<char>(size & 0xff), static_cast<char>((size >> 8) & 0xff),
                        static_cast<char>((size >> 16) & 0xff),
                        static_cast<char>((size >> 24) & 0xff)};
  return WriteAll(fd, absl::string_view(head, sizeof(head))) && WriteAll(fd, payload);
}

// UTF-16 to UTF-8 here rather than through poppler's to_utf8 (iconv); a lone
// surrogate becomes U+FFFD.
std::string Utf8(const poppler::ustring& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    uint32_t c = s[i];
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.size() && s[i + 1] >= 0xdc00 &&
        s[i + 1] <= 0xdfff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s[i + 1] - 0xdc00);
      ++i;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      c = 0xfffd;
    }
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    }
  }
  return out;
}

void NoPopplerMessages(const std::string&, void*) {}

// Reads `pdf` with poppler and sends what it found to `fd`.
void ReadPdfInChild(const std::string& pdf, const ReaderLimits& limits, int fd) {
  poppler::set_debug_error_function(&NoPopplerMessages, nullptr);
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  if (doc == nullptr) {
    Send(fd, kError, "unreadable PDF");
    return;
  }
  if (doc->is_locked() || doc->is_encrypted()) {
    Send(fd, kError, "encrypted PDF");
    return;
  }
  if (doc->has_embedded_files()) {
    int sent = 0;
    for (poppler::embedded_file* file : doc->embedded_files()) {  // owned by `doc`
      if (sent == kMaxEmbedded) break;
      if (file == nullptr || !file->is_valid()) continue;
      std::string name = file->name();
      // poppler-cpp cuts a UTF-16 name at its first NUL, leaving the byte
      // order mark: pdf-lib, and so @e-invoice-eu/core, names factur-x.xml
      // that way (/UF <FEFF0066...>). Such a file is a candidate when it is
      // XML; whether it is a CII invoice its root element tells.
      const bool utf16_name = name == "\xFE\xFF";
      if (utf16_name) name = "XML file with a UTF-16 name";
      if (!IsEInvoiceAttachment(name) &&
          !(utf16_name && absl::StrContains(file->mime_type(), "xml"))) {
        continue;
      }
      ++sent;
      std::string doubt;
      poppler::byte_array bytes;
      if (file->size() < 0 || static_cast<size_t>(file->size()) > limits.max_embedded_bytes) {
        doubt = absl::StrCat("the embedded ", name, " is larger than ", limits.max_embedded_bytes,
                             " bytes or of unknown size");
      } else if (bytes = file->data(); bytes.size() > limits.max_embedded_bytes) {
        doubt = absl::StrCat("the embedded ", name, " holds more than the ", file->size(),
                             " bytes it declares");
      }
      if (utf16_name &&
          (!doubt.empty() ||
           XmlRootName(absl::string_view(bytes.data(), bytes.size())) != "CrossIndustryInvoice")) {
        continue;  // not known to be an invoice: no doubt about it either
      }
      if (!Send(fd, kFileName, name)) return;
      if (!doubt.empty()) {
        Send(fd, kFileDoubt, doubt);
        continue;
      }
      if (!Send(fd, kFileData, absl::string_view(bytes.data(), bytes.size()))) return;
    }
  }
  const int pages = doc->pages();
  Send(fd, kPages, absl::StrCat(pages));
  size_t text_bytes = 0;
  for (int i = 0; i < std::min(pages, limits.max_pdf_pages); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    std::string text =
        page == nullptr ? "\n"
                        : Utf8(page->text(poppler::rectf(), poppler::page::physical_layout)) + "\n";
    if (text_bytes + text.size() > limits.max_pdf_text_bytes) {
      Send(fd, kTextCut, absl::StrCat(i + 1));
      return;
    }
    text_bytes += text.size();
    if (!Send(fd, kText, text)) return;
  }
}

// Runs in the child right after fork: limits, then the reading; never returns.
[[noreturn]] void ChildMain(const std::string& pdf, const ReaderLimits& limits, int fd,
                            pid_t parent) {
  // Killed when the thread that forked it (which waits for it) goes, with
  // the service; and at once if that happened before this line.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(2);
  // Only stdin, stdout, stderr and the pipe (as 3) stay open: none of the
  // service's sockets or files, nor other readers' pipes.
  if (fd != 3 && dup2(fd, 3) != 3) _exit(2);
  fd = 3;
  if (close_range(4, ~0U, 0) != 0) {
    for (int i = 4; i < 65536; ++i) close(i);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // the service blocks its shutdown signals
  signal(SIGXCPU, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  const rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  const auto cpu = static_cast<rlim_t>(
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(limits.max_pdf_cpu, absl::Seconds(1)))));
  const rlimit cpu_limit = {cpu, cpu + 1};  // SIGXCPU, then SIGKILL a second later
  setrlimit(RLIMIT_CPU, &cpu_limit);
  // The address space the fork copied (threads' stacks, arenas, the
  // message being read) plus the budget.
  char statm[64] = {0};
  const int stat_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (stat_fd >= 0) {
    const ssize_t n = read(stat_fd, statm, sizeof(statm) - 1);
    if (n > 0) statm[n] = '\0';
    close(stat_fd);
  }
  uint64_t mapped_pages = 0;
  absl::SimpleAtoi(absl::string_view(statm).substr(0, absl::string_view(statm).find(' ')),
                   &mapped_pages);
  if (mapped_pages > 0) {
    const rlim_t bytes =
        static_cast<rlim_t>(mapped_pages * sysconf(_SC_PAGESIZE) + limits.max_pdf_memory_bytes);
    const rlimit as_limit = {bytes, bytes};
    setrlimit(RLIMIT_AS, &as_limit);
  }
  try {
    ReadPdfInChild(pdf, limits, fd);
  } catch (const std::bad_alloc&) {
    _exit(3);  // over RLIMIT_AS
  } catch (...) {
    _exit(4);
  }
  _exit(0);
}

// ---- in the parent ----

// Why the child ended without a whole answer, for a person.
std::string ChildFailure(int status, bool timed_out, const ReaderLimits& limits) {
  const std::string work = absl::StrCat("PDF reading stopped: it took more than the ",
                                        absl::FormatDuration(limits.max_pdf_cpu),
                                        " of processor time a PDF may take (a PDF bomb?)");
  if (timed_out) {
    return absl::StrCat("PDF reading stopped: no answer within ",
                        absl::FormatDuration(limits.max_pdf_wall));
  }
  if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL)) {
    return work;
  }
  const std::string memory =
      absl::StrCat("it needed more than the ", limits.max_pdf_memory_bytes >> 20,
                   " MiB of memory a PDF may take (a PDF bomb?)");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
    return absl::StrCat("PDF reading stopped: ", memory);
  }
  return absl::StrCat("PDF reading stopped: ", memory, ", or the PDF reader failed on it (",
                      WIFSIGNALED(status) ? absl::StrCat("signal ", WTERMSIG(status))
                                          : absl::StrCat("exit ", WEXITSTATUS(status)),
                      ")");
}

// Parses the child's records into `out`; false when they are malformed.
bool ParseRecords(absl::string_view in, PdfContent* out) {
  while (!in.empty()) {
    if (in.size() < 5) return false;
    const uint32_t size = static_cast<uint8_t>(in[1]) | (static_cast<uint8_t>(in[2]) << 8) |
                          (static_cast<uint8_t>(in[3]) << 16) |
                          (static_cast<uint32_t>(static_cast<uint8_t>(in[4])) << 24);
    if (in.size() - 5 < size) return false;
    const char tag = in[0];
    const absl::string_view payload = in.substr(5, size);
    in.remove_prefix(5 + size);
    switch (tag) {
      case kError:
        out->error = std::string(payload);
        break;
      case kPages:
        if (!absl::SimpleAtoi(payload, &out->pages)) return false;
        break;
      case kFileName:
        out->embedded.push_back({std::string(payload), "", ""});
        break;
      case kFileData:
      case kFileDoubt:
        if (out->embedded.empty()) return false;
        (tag == kFileData ? out->embedded.back().data : out->embedded.back().doubt) =
            std::string(payload);
        break;
      case kText:
        ++out->pages_read;
        absl::StrAppend(&out->text, payload);
        break;
      case kTextCut:
        if (!absl::SimpleAtoi(payload, &out->cut_at_page)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

// Reads `pdf` in a child process (see above). An error is the part's error:
// the PDF reading stopped (work, memory, time) or the system could not start
// a child.
absl::StatusOr<PdfContent> ReadPdfContent(const std::string& pdf, const ReaderLimits& limits) {
  // The pipe is made and its write end closed here under the lock too, so
  // no other thread's child inherits the write end (and keeps it open).
  const pid_t parent = getpid();
  int fds[2] = {-1, -1};
  pid_t pid = -1;
  int error = 0;
  IconvForkMutex().Lock();  // the child never unlocks its copy
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error = errno;
  } else if ((pid = fork()) == 0) {
    ChildMain(pdf, limits, fds[1], parent);
  } else {
    if (pid < 0) error = errno;
    close(fds[1]);
    if (pid < 0) close(fds[0]);
  }
  IconvForkMutex().Unlock();
  if (pid < 0) {
    return absl::InternalError(
        absl::StrCat("PDF reading: cannot start a reader: ", std::strerror(error)));
  }
  // What a whole answer can hold, with room for the records' heads.
  const size_t max_answer =
      limits.max_pdf_text_bytes + kMaxEmbedded * (limits.max_embedded_bytes + 4096) + 65536;
  const absl::Time deadline = absl::Now() + limits.max_pdf_wall;
  std::string answer;
  bool timed_out = false, too_long = false;
  char block[64 << 10];
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      timed_out = true;
      break;
    }
    pollfd p = {fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the deadline check above ends it
    const ssize_t n = read(fds[0], block, sizeof(block));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the child is done (or died)
    if (answer.size() + static_cast<size_t>(n) > max_answer) {
      too_long = true;
      break;
    }
    answer.append(block, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out || too_long) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  PdfContent content;
  if (too_long) return absl::ResourceExhaustedError("PDF reading stopped: too long an answer");
  if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::ResourceExhaustedError(ChildFailure(status, timed_out, limits));
  }
  if (!ParseRecords(answer, &content)) {
    return absl::InternalError("PDF reading: the reader's answer is malformed");
  }
  return content;
}

PartResult ReadPdfPart(const MailPart& part, const ReaderLimits& limits) {
  PartResult result{.part = PartName(part)};
  if (part.data.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    result.error = "PDF too large";
    return result;
  }
  absl::StatusOr<PdfContent> content = ReadPdfContent(part.data, limits);
  if (!content.ok()) {
    result.error = std::string(content.status().message());
    return result;
  }
  if (!content->error.empty()) {
    result.error = content->error;
    return result;
  }

  // A Factur-X / ZUGFeRD PDF carries the invoice as XML: that is the invoice.
  std::string embedded_doubt;
  for (const PdfContent::Embedded& file : content->embedded) {
    if (!file.doubt.empty()) {
      embedded_doubt = file.doubt;
      continue;
    }
    absl::StatusOr<InvoiceDocument> inv =
        ReadCii(file.data, InvoiceFormat::kFacturX, XmlLimitsOf(limits));
    if (inv.ok()) {
      result.invoice = *std::move(inv);
      return result;
    }
    embedded_doubt =
        absl::StrCat("the embedded ", file.name, " could not be read: ", inv.status().message());
  }

  InvoiceDocument inv = ReadPdfText(content->text);
  // What was left unread, if anything.
  std::string unread;
  if (content->cut_at_page > 0) {
    unread = absl::StrCat("text beyond ", limits.max_pdf_text_bytes, " bytes (page ",
                          content->cut_at_page, " of ", content->pages, " on) was not read");
  } else if (content->pages > limits.max_pdf_pages) {
    unread = absl::StrCat("only the first ", limits.max_pdf_pages, " of ", content->pages,
                          " pages were read");
  }
  const bool invoice_like =
      !inv.invoice_number.empty() ||
      (!inv.gross.empty() && absl::StrContains(absl::AsciiStrToLower(content->text), "invoice"));
  if (!invoice_like) {
    // "" when it simply is no invoice.
    result.error = !embedded_doubt.empty() ? embedded_doubt
                   : unread.empty()        ? ""
                                           : absl::StrCat("no invoice found, and ", unread);
    return result;
  }
  if (!unread.empty()) inv.doubts.push_back(unread);
  if (!embedded_doubt.empty()) inv.doubts.push_back(embedded_doubt);
  result.invoice = std::move(inv);
  return result;
}

// ---- archives --------------------------------------------------------------

// The kind of archive `part` is ("zip", "gzip", ...), or "" when it is none.
std::string ArchiveKind(const MailPart& part) {
  static constexpr std::array<std::array<absl::string_view, 3>, 9> kArchives = {{
      // kind, a media type, a name ending
      {"zip", "application/zip", ".zip"},
      {"zip", "application/x-zip-compressed", ".jar"},
      {"gzip", "application/gzip", ".gz"},
      {"gzip", "application/x-gzip", ".tgz"},
      {"7z", "application/x-7z-compressed", ".7z"},
      {"rar", "application/vnd.rar", ".rar"},
      {"rar", "application/x-rar-compressed", ".rar"},
      {"tar", "application/x-tar", ".tar"},
      {"bzip2/xz", "application/x-bzip2", ".bz2"},
  }};
  const std::string name = absl::AsciiStrToLower(part.file_name);
  for (const auto& [kind, type, ending] : kArchives) {
    if (part.content_type == type || absl::EndsWith(name, ending)) return std::string(kind);
  }
  if (part.content_type == "application/x-xz" || absl::EndsWith(name, ".xz")) return "bzip2/xz";
  // By magic bytes, whatever the part claims to be.
  const absl::string_view data = part.data;
  if (absl::StartsWith(data, "PK\x03\x04") || absl::StartsWith(data, "PK\x05\x06")) return "zip";
  if (absl::StartsWith(data, "\x1f\x8b")) return "gzip";
  if (absl::StartsWith(data, "7z\xbc\xaf\x27\x1c")) return "7z";
  if (absl::StartsWith(data, "Rar!\x1a\x07")) return "rar";
  if (absl::StartsWith(data, "BZh") || absl::StartsWith(data,
                                                        "\xfd"
                                                        "7zXZ"))
    return "bzip2/xz";
  return "";
}

}  // namespace

std::optional<PartResult> ReadInvoicePart(const MailPart& part, const ReaderLimits& limits) {
  const Kind kind = KindOf(part);
  const std::string archive = kind == Kind::kNone ? ArchiveKind(part) : "";
  if (!part.encoding_error.empty() &&
      (kind != Kind::kNone || !archive.empty() || part.attachment)) {
    return PartResult{.part = PartName(part),
                      .invoice = std::nullopt,
                      .error = absl::StrCat(part.encoding_error, ": not read")};
  }
  if (!archive.empty()) {
    return PartResult{
        .part = PartName(part),
        .invoice = std::nullopt,
        .error = absl::StrCat("an archive (", archive,
                              "), not opened: archives are never expanded; send the invoice "
                              "itself")};
  }
  std::optional<PartResult> result;
  switch (kind) {
    case Kind::kPdf:
      result = ReadPdfPart(part, limits);
      break;
    case Kind::kXml:
      result = ReadXmlPart(part, limits);
      break;
    case Kind::kNone:
      return std::nullopt;
  }
  if (result->invoice && part.file_name_repaired) {
    result->invoice->doubts.push_back(
        "the attachment's file name held control characters (CR, LF, ...) or invalid UTF-8, "
        "replaced: the mail may be forged");
  }
  return result;
}

std::vector<PartResult> ReadInvoices(const MailMessage& message, const ReaderLimits& limits) {
  std::vector<PartResult> out;
  for (const MailPart& part : message.parts) {
    if (std::optional<PartResult> r = ReadInvoicePart(part, limits)) out.push_back(*std::move(r));
  }
  return out;
}

}  // namespace iob::invoice

// Which reader a part goes to, the cXML mapping, and the rules that read a
// PDF invoice's text.
//
// PDF text rules (Amazon Business's invoice layout). Poppler gives the text
// in physical layout: one text line per printed line, columns apart; runs of
// blanks are folded to one space before the rules run, line by line. Labels
// match in any letter case. Each Found's rule is
// "pdf:amazon-business:<rule>".
//
// | rule                 | a line that ...                                      | value taken |
// |----------------------|------------------------------------------------------|------------------|
// | invoice-number       | has "Invoice number|no.|#" [:] and a word with a     | first | | | digit
// after it (or, the label alone on its line, the |                  | |                      | next
// line's first word: invoice-number:next-line)    |                  | | invoice-date         | has
// "Invoice date" and a DATE after it (text such as | first            | |                      | "/
// Date of supply" may sit between)                  |                  | | po-number            |
// has "Purchase order number|no.|#" or "PO number|no.| | every one, each  | | | #" [:] and a word
// with a digit after it              | once             | | total-payable        | has "Total
// payable|due" and an AMOUNT after it       | last             | | subtotal             | has
// "Subtotal" or "Total excl.|excluding|before|net  | last             | |                      | of
// VAT|tax" and an AMOUNT after it                   |                  | | vat-total            |
// opens with "Total VAT|tax" or "VAT|Tax total" and    | last             | | | has an AMOUNT after
// it                               |                  | | vat-lines            | is "VAT|Tax
// [amount] [(20%)] [:] AMOUNT"             | summed, when no  | |                      | |
// vat-total        | | currency             | the total payable's currency (else the subtotal's);
// |                  | |                      | else a "Currency [:] XXX" line |                  |
// | seller               | has "Sold by" [:] NAME -> issuer_name                | first | |
// seller-vat           | has "VAT number|no.|#|ID|registration number" [:]    | first, as        |
// |                      | CC123... -> issuer_ids                               | "VAT:CC123..." |
// | item row             | is "DESCRIPTION QTY AMOUNT [RATE%] [AMOUNT] AMOUNT": | every row | | |
// quantity, unit price (first amount), line total      |                  | | | (last); amounts
// with two decimals                    |                  | | asin                 | has "ASIN [:]
// B0..." on a row or below it: the row's | per row          | |                      |
// supplier_part_id                                     |                  |
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
// adding up to the subtotal; pages beyond the limit left unread; an
// embedded e-invoice that could not be read. When more than one purchase
// order is named, each row belongs to the last one named above it.
#include "services/invoice-intake/invoice_reader.h"

#include <poppler-document.h>
#include <poppler-embedded-file.h>
#include <poppler-page.h>

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
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

// ---- PDF -------------------------------------------------------------------

bool IsEInvoiceAttachment(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  return lower == "factur-x.xml" || lower == "zugferd-invoice.xml" || lower == "xrechnung.xml";
}

std::string Utf8(const poppler::ustring& s) {
  const poppler::byte_array bytes = s.to_utf8();
  return std::string(bytes.begin(), bytes.end());
}

PartResult ReadPdfPart(const MailPart& part, const ReaderLimits& limits) {
  PartResult result{.part = PartName(part)};
  if (part.data.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    result.error = "PDF too large";
    return result;
  }
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(part.data.data(), static_cast<int>(part.data.size())));
  if (doc == nullptr) {
    result.error = "unreadable PDF";
    return result;
  }
  if (doc->is_locked() || doc->is_encrypted()) {
    result.error = "encrypted PDF";
    return result;
  }

  // A Factur-X / ZUGFeRD PDF carries the invoice as XML: that is the invoice.
  std::string embedded_doubt;
  if (doc->has_embedded_files()) {
    for (poppler::embedded_file* file : doc->embedded_files()) {  // owned by `doc`
      if (file == nullptr || !file->is_valid() || !IsEInvoiceAttachment(file->name())) continue;
      if (file->size() < 0 || static_cast<size_t>(file->size()) > limits.max_embedded_bytes) {
        embedded_doubt = absl::StrCat("the embedded ", file->name(), " is larger than ",
                                      limits.max_embedded_bytes, " bytes or of unknown size");
        continue;
      }
      const poppler::byte_array bytes = file->data();
      absl::StatusOr<InvoiceDocument> inv = ReadCii(absl::string_view(bytes.data(), bytes.size()),
                                                    InvoiceFormat::kFacturX, XmlLimitsOf(limits));
      if (inv.ok()) {
        result.invoice = *std::move(inv);
        return result;
      }
      embedded_doubt = absl::StrCat("the embedded ", file->name(),
                                    " could not be read: ", inv.status().message());
    }
  }

  std::string text;
  const int pages = doc->pages();
  for (int i = 0; i < std::min(pages, limits.max_pdf_pages); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (page == nullptr) continue;
    absl::StrAppend(&text, Utf8(page->text(poppler::rectf(), poppler::page::physical_layout)),
                    "\n");
  }
  InvoiceDocument inv = ReadPdfText(text);
  const bool invoice_like =
      !inv.invoice_number.empty() ||
      (!inv.gross.empty() && absl::StrContains(absl::AsciiStrToLower(text), "invoice"));
  if (!invoice_like) {
    result.error = embedded_doubt;  // "" when it simply is no invoice
    return result;
  }
  if (pages > limits.max_pdf_pages) {
    inv.doubts.push_back(
        absl::StrCat("only the first ", limits.max_pdf_pages, " of ", pages, " pages were read"));
  }
  if (!embedded_doubt.empty()) inv.doubts.push_back(embedded_doubt);
  result.invoice = std::move(inv);
  return result;
}

}  // namespace

std::optional<PartResult> ReadInvoicePart(const MailPart& part, const ReaderLimits& limits) {
  switch (KindOf(part)) {
    case Kind::kPdf:
      return ReadPdfPart(part, limits);
    case Kind::kXml:
      return ReadXmlPart(part, limits);
    case Kind::kNone:
      break;
  }
  return std::nullopt;
}

std::vector<PartResult> ReadInvoices(const MailMessage& message, const ReaderLimits& limits) {
  std::vector<PartResult> out;
  for (const MailPart& part : message.parts) {
    if (std::optional<PartResult> r = ReadInvoicePart(part, limits)) out.push_back(*std::move(r));
  }
  return out;
}

}  // namespace iob::invoice

// RenderInvoice: the sheet as a flow of blocks (letterhead, seller, facts
// and the amount payable, parties, table rows, totals, notes) drawn with the
// page kit in layout.h. Every label that invoice intake's PDF rules look for
// is printed on a line where nothing else precedes it or follows its value
// but other values (see invoice_pdf.h), because poppler reads a printed line
// across columns as one text line.
#include "libs/pdf/invoice_pdf.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/cxml/decimal.h"
#include "libs/pdf/layout.h"

namespace iob::pdf {
namespace {

// The line table's columns; the description takes what the others leave.
constexpr std::array<Column, 5> kColumns = {{
    {kWidth - 40 - 84 - 48 - 96, PANGO_ALIGN_LEFT},  // description, part label under it
    {40, PANGO_ALIGN_RIGHT},                         // quantity
    {84, PANGO_ALIGN_RIGHT},                         // unit price
    {48, PANGO_ALIGN_RIGHT},                         // VAT / tax rate
    {96, PANGO_ALIGN_RIGHT},                         // amount
}};

std::string Title(const InvoiceSheet& sheet) {
  return absl::StrCat("Invoice ", sheet.invoice_number);
}

// "1234567.50" -> "1,234,567.50"; other fractions stay ungrouped ("0.125",
// "12"), so a reader that takes "," as a thousands separator only before a
// two-digit fraction reads the same number back.
std::string Grouped(absl::string_view digits) {
  const size_t point = digits.find('.');
  const absl::string_view whole = digits.substr(0, point);
  if (point == absl::string_view::npos || digits.size() - point - 1 != 2 || whole.size() <= 3) {
    return std::string(digits);
  }
  std::string out;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(whole[i]);
  }
  return absl::StrCat(out, digits.substr(point));
}

// A plain decimal in `currency`: "$1,234.50", "-€3.00", "SEK 12.00".
std::string Money(absl::string_view amount, absl::string_view currency) {
  const bool negative = absl::ConsumePrefix(&amount, "-");
  absl::ConsumePrefix(&amount, "+");
  std::string symbol = absl::StrCat(currency, " ");
  if (currency == "USD") symbol = "$";
  if (currency == "EUR") symbol = "\u20ac";
  if (currency == "GBP") symbol = "\u00a3";
  if (currency == "CAD") symbol = "CDN$";
  return absl::StrCat(negative ? "-" : "", symbol, Grouped(amount));
}

std::string Rate(absl::string_view rate) {
  absl::ConsumePrefix(&rate, "+");
  return absl::StrCat(rate, "%");
}

// The brand on the left, "Invoice" on the right, a heavy rule under both.
Block Letterhead(const Typesetter& ts, const InvoiceSheet& sheet) {
  constexpr double kTitleWidth = 160;
  Block b;
  std::vector<std::pair<double, std::vector<Text>>> row(2);
  row[0].first = kLeft;
  row[0].second.push_back(ts.Set(sheet.brand, kHeadline, kWidth - kTitleWidth - 16));
  row[1].first = kRight - kTitleWidth;
  row[1].second.push_back(ts.Set("Invoice", kTitle, kTitleWidth, PANGO_ALIGN_RIGHT));
  const double rule = b.AddColumns(std::move(row), 0) + 8;
  b.AddRule(kLeft, rule, kWidth, kInk, 1.5);
  b.height = rule + 12;
  return b;
}

// "Sold by: <name>", the address on one line and the VAT number, each alone
// on its printed line.
Block SellerBlock(const Typesetter& ts, const InvoiceSheet& sheet) {
  Block b;
  double y = b.Add(ts.Set(absl::StrCat("Sold by: ", sheet.seller.name), kStrong, kWidth), kLeft, 0);
  if (!sheet.seller.lines.empty()) {
    y = b.Add(ts.Set(absl::StrJoin(sheet.seller.lines, ", "), kBodyMuted, kWidth), kLeft, y + 2);
  }
  if (!sheet.seller_vat_number.empty()) {
    y = b.Add(ts.Set(absl::StrCat("VAT number: ", sheet.seller_vat_number), kBodyMuted, kWidth),
              kLeft, y + 2);
  }
  b.height = y + 14;
  return b;
}

// The invoice's facts on the left; the amount payable in a shaded box on the
// right, level with the first fact.
Block FactsBlock(const Typesetter& ts, const InvoiceSheet& sheet) {
  constexpr double kFacts = 275, kLabel = 110, kBox = 205, kPad = 9, kBoxLabel = 80;
  std::vector<std::pair<std::string, std::string>> facts = {
      {"Invoice number", sheet.invoice_number}, {"Invoice date", sheet.invoice_date}};
  if (!sheet.po_number.empty()) facts.push_back({"Purchase order number", sheet.po_number});
  if (!sheet.order_number.empty()) facts.push_back({"Order number", sheet.order_number});
  if (!sheet.order_date.empty()) facts.push_back({"Order date", sheet.order_date});
  if (!sheet.payment_terms.empty()) facts.push_back({"Payment terms", sheet.payment_terms});
  if (!sheet.payment_due.empty()) facts.push_back({"Payment due by", sheet.payment_due});
  Block b;
  const double left = AddFacts(b, ts, kLeft, kFacts, kLabel, facts, 0);

  std::vector<std::pair<double, std::vector<Text>>> row(2);
  row[0].first = kRight - kBox + kPad;
  row[0].second.push_back(ts.Set("Total payable", kTotalLabel, kBoxLabel));
  row[1].first = kRight - kBox + kPad + kBoxLabel;
  row[1].second.push_back(ts.SetLine(Money(sheet.total, sheet.currency), kTotalAmount,
                                     kBox - 2 * kPad - kBoxLabel, PANGO_ALIGN_RIGHT));
  const double inner = b.AddColumns(std::move(row), kPad) - kPad;
  b.shapes.push_back({kRight - kBox, 0, kBox, inner + 2 * kPad, kShade, std::nullopt});
  b.height = std::max(left, inner + 2 * kPad) + 14;
  return b;
}

Text Cell(const Typesetter& ts, absl::string_view text, const Style& style, size_t column) {
  return CellText(ts, text, style, kColumns[column]);
}

Block TableHeader(const Typesetter& ts, const InvoiceSheet& sheet) {
  const std::array<std::string, kColumns.size()> titles = {
      "Description", "Qty", "Unit price", absl::StrCat(sheet.tax_name, " rate"), "Amount"};
  std::vector<std::vector<Text>> cells(kColumns.size());
  for (size_t i = 0; i < titles.size(); ++i) {
    cells[i].push_back(Cell(ts, titles[i], kColumnHead, i));
  }
  return TableRow(kColumns, std::move(cells), /*header=*/true);
}

Block LineRow(const Typesetter& ts, const InvoiceSheet& sheet, const InvoiceSheetLine& line) {
  std::vector<std::vector<Text>> cells(kColumns.size());
  cells[0].push_back(Cell(ts, line.description, kBody, 0));
  if (!line.part_label.empty()) cells[0].push_back(Cell(ts, line.part_label, kNote, 0));
  cells[1].push_back(CellLine(ts, line.quantity, kBody, kColumns[1]));
  cells[2].push_back(CellLine(ts, Money(line.unit_price, sheet.currency), kBody, kColumns[2]));
  cells[3].push_back(CellLine(ts, Rate(line.tax_rate), kBody, kColumns[3]));
  cells[4].push_back(CellLine(ts, Money(line.amount, sheet.currency), kStrong, kColumns[4]));
  return TableRow(kColumns, std::move(cells), /*header=*/false);
}

// A dark rule closing the table; Subtotal, the tax and Total payable at the
// right, each alone on its line.
Block TotalsBlock(const Typesetter& ts, const InvoiceSheet& sheet) {
  constexpr double kBox = 250, kPad = 8, kLabel = 110;
  Block b;
  b.AddRule(kLeft, 0, kWidth, kInk, 1);
  const std::array<std::pair<std::string, std::string>, 3> rows = {{
      {"Subtotal", sheet.subtotal},
      {absl::StrCat("Total ", sheet.tax_name), sheet.tax},
      {"Total payable", sheet.total},
  }};
  double y = 8;
  for (size_t i = 0; i < rows.size(); ++i) {
    const bool last = i + 1 == rows.size();
    if (last) {
      b.AddRule(kRight - kBox, y + 1, kBox, kInk, 0.8);
      y += 6;
    }
    std::vector<std::pair<double, std::vector<Text>>> row(2);
    row[0].first = kRight - kBox + kPad;
    row[0].second.push_back(ts.Set(rows[i].first, last ? kTotalLabel : kBodyMuted, kLabel));
    row[1].first = kRight - kBox + kPad + kLabel;
    row[1].second.push_back(ts.SetLine(Money(rows[i].second, sheet.currency),
                                       last ? kTotalAmount : kStrong, kBox - 2 * kPad - kLabel,
                                       PANGO_ALIGN_RIGHT));
    y = b.AddColumns(std::move(row), y) + 3;
  }
  b.height = y + 16;
  return b;
}

// On pages 2..N, above the body: which invoice this is.
Block RunningHeader(const Typesetter& ts, const InvoiceSheet& sheet) {
  Block b;
  const double y = b.Add(
      ts.Set(absl::StrCat(Title(sheet), " (continued)"), kStrong, kWidth, PANGO_ALIGN_LEFT, 40),
      kLeft, 0);
  b.AddRule(kLeft, y + 5, kWidth, kInk, 0.8);
  b.height = y + 5 + 12;
  return b;
}

void DrawSheet(cairo_t* cr, const InvoiceSheet& sheet) {
  const Typesetter ts(cr);
  std::vector<Block> flow;
  flow.push_back(Letterhead(ts, sheet));
  flow.push_back(SellerBlock(ts, sheet));
  flow.push_back(FactsBlock(ts, sheet));
  flow.push_back(PartyRow(ts, "BILL TO", sheet.bill_to, "SHIP TO", sheet.ship_to));
  flow.back().height += 6;  // air above the table
  for (const InvoiceSheetLine& line : sheet.lines) flow.push_back(LineRow(ts, sheet, line));
  flow.push_back(TotalsBlock(ts, sheet));
  for (Block& b : ParagraphBlocks(ts, "NOTES", sheet.notes)) flow.push_back(std::move(b));

  std::string footer = Title(sheet);
  if (!sheet.seller.name.empty()) footer = absl::StrCat(sheet.seller.name, " · ", footer);
  DrawPages(cr, flow, TableHeader(ts, sheet), RunningHeader(ts, sheet),
            [&](size_t page, size_t pages) { return Footer(ts, footer, page, pages); });
}

absl::Status CheckDecimal(const std::string& value, absl::string_view field) {
  return cxml::IsDecimal(value) ? absl::OkStatus()
                                : common::InvalidField(field, "is not a plain decimal");
}

// The invoice number, currency and a line are required; figures must be
// plain decimals; every field UTF-8 (pango's input).
absl::Status CheckSheet(const InvoiceSheet& sheet) {
  if (sheet.invoice_number.empty()) return common::InvalidField("invoice_number", "is required");
  if (!cxml::IsCurrencyCode(sheet.currency)) {
    return common::InvalidField("currency", "must be an ISO 4217 code such as USD");
  }
  if (sheet.lines.empty()) return common::InvalidField("lines", "at least one line is required");
  const std::pair<absl::string_view, const std::string*> fields[] = {
      {"brand", &sheet.brand},
      {"seller_vat_number", &sheet.seller_vat_number},
      {"invoice_number", &sheet.invoice_number},
      {"invoice_date", &sheet.invoice_date},
      {"po_number", &sheet.po_number},
      {"order_number", &sheet.order_number},
      {"order_date", &sheet.order_date},
      {"payment_terms", &sheet.payment_terms},
      {"payment_due", &sheet.payment_due},
      {"tax_name", &sheet.tax_name},
      {"notes", &sheet.notes},
  };
  for (const auto& [field, value] : fields) {
    if (!IsUtf8(*value)) return common::InvalidField(field, "is not valid UTF-8");
  }
  IOB_RETURN_IF_ERROR(CheckParty(sheet.seller, "seller"));
  IOB_RETURN_IF_ERROR(CheckParty(sheet.bill_to, "bill_to"));
  IOB_RETURN_IF_ERROR(CheckParty(sheet.ship_to, "ship_to"));
  IOB_RETURN_IF_ERROR(CheckDecimal(sheet.subtotal, "subtotal"));
  IOB_RETURN_IF_ERROR(CheckDecimal(sheet.tax, "tax"));
  IOB_RETURN_IF_ERROR(CheckDecimal(sheet.total, "total"));
  for (size_t i = 0; i < sheet.lines.size(); ++i) {
    const InvoiceSheetLine& l = sheet.lines[i];
    const std::string at = absl::StrCat("lines[", i, "]");
    if (!IsUtf8(l.description) || !IsUtf8(l.part_label)) {
      return common::InvalidField(at, "is not valid UTF-8");
    }
    IOB_RETURN_IF_ERROR(CheckDecimal(l.quantity, absl::StrCat(at, ".quantity")));
    IOB_RETURN_IF_ERROR(CheckDecimal(l.unit_price, absl::StrCat(at, ".unit_price")));
    IOB_RETURN_IF_ERROR(CheckDecimal(l.tax_rate, absl::StrCat(at, ".tax_rate")));
    IOB_RETURN_IF_ERROR(CheckDecimal(l.amount, absl::StrCat(at, ".amount")));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> RenderInvoice(const InvoiceSheet& sheet) {
  IOB_RETURN_IF_ERROR(CheckSheet(sheet));
  return RenderPdf(Title(sheet), [&](cairo_t* cr) { DrawSheet(cr, sheet); });
}

}  // namespace iob::pdf

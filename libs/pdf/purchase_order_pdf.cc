// RenderPurchaseOrder: the sheet as a flow of blocks (banner, title block,
// parties, table rows, total, comment lines) drawn with the page kit in
// layout.h, which cuts the flow into pages and numbers them.
#include "libs/pdf/purchase_order_pdf.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/pdf/layout.h"

namespace iob::pdf {
namespace {

constexpr Style kMarker{"DejaVu Sans Bold 20", kAlert};
constexpr Style kMarkerSmall{"DejaVu Sans Bold 11", kAlert};

std::string VersionText(const PurchaseOrderSheet& sheet) {
  return absl::StrCat("Purchase order ", sheet.po_number, " (version ", sheet.version, ")");
}

std::string WithCurrency(absl::string_view label, absl::string_view currency) {
  return currency.empty() ? std::string(label) : absl::StrCat(label, " (", currency, ")");
}

// The marker ("CHANGED", "CANCELLED") and the reason, in a red box above
// everything; nothing when neither is set.
std::optional<Block> Banner(const Typesetter& ts, const PurchaseOrderSheet& sheet) {
  if (sheet.marker.empty() && sheet.reason.empty()) return std::nullopt;
  constexpr double kPad = 8;
  Block b;
  double y = kPad;
  if (!sheet.marker.empty()) {
    y = b.Add(ts.Set(sheet.marker, kMarker, kWidth - 2 * kPad), kLeft + kPad, y);
  }
  if (!sheet.reason.empty()) {
    if (!sheet.marker.empty()) y += 2;
    y = b.Add(ts.Set(absl::StrCat("Reason: ", sheet.reason), kStrong, kWidth - 2 * kPad),
              kLeft + kPad, y);
  }
  y += kPad;
  b.shapes.push_back({kLeft, 0, kWidth, y, kAlertShade, kAlert, 1.2});
  b.height = y + 14;
  return b;
}

// Our company on the left; the title and the order's facts on the right; a
// heavy rule under both.
Block Letterhead(const Typesetter& ts, const PurchaseOrderSheet& sheet) {
  constexpr double kFacts = 210, kLabel = 78, kGap = 16;
  Block b;
  double left = b.Add(ts.Set(sheet.buyer.name, kHeadline, kWidth - kFacts - kGap), kLeft, 0);
  if (!sheet.buyer.lines.empty()) {
    left = b.Add(ts.Set(absl::StrJoin(sheet.buyer.lines, "\n"), kBodyMuted, kWidth - kFacts - kGap,
                        PANGO_ALIGN_LEFT, 200),
                 kLeft, left + 3);
  }
  const double x = kRight - kFacts;
  double right = b.Add(ts.Set("PURCHASE ORDER", kTitle, kFacts, PANGO_ALIGN_RIGHT), x, 0) + 6;
  std::vector<std::pair<std::string, std::string>> facts = {
      {"PO number", sheet.po_number},
      {"Version", absl::StrCat(sheet.version)},
      {"Order date", sheet.order_date},
  };
  if (!sheet.requested_delivery.empty()) facts.push_back({"Deliver by", sheet.requested_delivery});
  if (!sheet.currency.empty()) facts.push_back({"Currency", sheet.currency});
  right = AddFacts(b, ts, x, kFacts, kLabel, facts, right);
  const double rule = std::max(left, right) + 8;
  b.AddRule(kLeft, rule, kWidth, kInk, 1.5);
  b.height = rule + 14;
  return b;
}

// The line table's columns; the description takes what the others leave.
constexpr std::array<Column, 7> kColumns = {{
    {24, PANGO_ALIGN_RIGHT},                                   // No.
    {92, PANGO_ALIGN_LEFT},                                    // part id, aux id under it
    {kWidth - 24 - 92 - 46 - 34 - 66 - 76, PANGO_ALIGN_LEFT},  // description
    {46, PANGO_ALIGN_RIGHT},                                   // quantity
    {34, PANGO_ALIGN_LEFT},                                    // unit
    {66, PANGO_ALIGN_RIGHT},                                   // unit price
    {76, PANGO_ALIGN_RIGHT},                                   // line total
}};

// A cell's text in column `column`.
Text Cell(const Typesetter& ts, absl::string_view text, const Style& style, size_t column) {
  return CellText(ts, text, style, kColumns[column]);
}

Block TableHeader(const Typesetter& ts, const PurchaseOrderSheet& sheet) {
  const std::array<std::string, kColumns.size()> titles = {
      "No.",
      "Part ID",
      "Description",
      "Qty",
      "Unit",
      WithCurrency("Unit price", sheet.currency),
      WithCurrency("Amount", sheet.currency)};
  std::vector<std::vector<Text>> cells(kColumns.size());
  for (size_t i = 0; i < titles.size(); ++i) {
    cells[i].push_back(Cell(ts, titles[i], kColumnHead, i));
  }
  return TableRow(kColumns, std::move(cells), /*header=*/true);
}

Block LineRow(const Typesetter& ts, const PurchaseOrderLine& line) {
  std::vector<std::vector<Text>> cells(kColumns.size());
  cells[0].push_back(Cell(ts, line.number, kBody, 0));
  cells[1].push_back(Cell(ts, line.part_id, kBody, 1));
  if (!line.aux_id.empty()) cells[1].push_back(Cell(ts, line.aux_id, kNote, 1));
  cells[2].push_back(Cell(ts, line.description, kBody, 2));
  cells[3].push_back(Cell(ts, line.quantity, kBody, 3));
  cells[4].push_back(Cell(ts, line.unit, kBody, 4));
  cells[5].push_back(Cell(ts, line.unit_price, kBody, 5));
  cells[6].push_back(Cell(ts, line.line_total, kStrong, 6));
  return TableRow(kColumns, std::move(cells), /*header=*/false);
}

// A dark rule closing the table, the line count, and the total in a shaded
// box at the right.
Block TotalBlock(const Typesetter& ts, const PurchaseOrderSheet& sheet) {
  constexpr double kBox = 240, kPad = 8, kLabel = 110;
  Block b;
  b.AddRule(kLeft, 0, kWidth, kInk, 1);
  b.Add(ts.Set(absl::StrCat(sheet.lines.size(), sheet.lines.size() == 1 ? " line" : " lines"),
               kNote, kWidth - kBox - 12),
        kLeft + kCellPadX, 10);
  Text label = ts.Set(WithCurrency("Total", sheet.currency), kTotalLabel, kLabel);
  Text amount = ts.Set(sheet.total, kTotalAmount, kBox - 2 * kPad - kLabel, PANGO_ALIGN_RIGHT);
  const double inner = std::max(label.height, amount.height);
  const double box_top = 6;
  b.shapes.push_back({kRight - kBox, box_top, kBox, inner + 2 * kPad, kShade, std::nullopt});
  b.Add(std::move(label), kRight - kBox + kPad, box_top + kPad + (inner - label.height) / 2);
  b.Add(std::move(amount), kRight - kBox + kPad + kLabel, box_top + kPad);
  b.height = box_top + inner + 2 * kPad + 16;
  return b;
}

// On pages 2..N, above the body: which order this is, and the marker.
Block RunningHeader(const Typesetter& ts, const PurchaseOrderSheet& sheet) {
  constexpr double kMarkerWidth = 160;
  Block b;
  double y =
      b.Add(ts.Set(VersionText(sheet), kStrong, kWidth - kMarkerWidth - 8, PANGO_ALIGN_LEFT, 40),
            kLeft, 0);
  if (!sheet.marker.empty()) {
    y = std::max(y, b.Add(ts.Set(sheet.marker, kMarkerSmall, kMarkerWidth, PANGO_ALIGN_RIGHT, 40),
                          kRight - kMarkerWidth, 0));
  }
  b.AddRule(kLeft, y + 5, kWidth, kInk, 0.8);
  b.height = y + 5 + 12;
  return b;
}

// Lays out and draws every page of `sheet` on `cr`.
void DrawSheet(cairo_t* cr, const PurchaseOrderSheet& sheet) {
  const Typesetter ts(cr);
  std::vector<Block> flow;
  if (std::optional<Block> banner = Banner(ts, sheet)) flow.push_back(std::move(*banner));
  flow.push_back(Letterhead(ts, sheet));
  flow.push_back(PartyRow(ts, "SUPPLIER", sheet.supplier, "SHIP TO", sheet.ship_to));
  flow.push_back(PartyRow(ts, "BILL TO", sheet.bill_to, "CONTACT", sheet.contact));
  flow.back().height += 6;  // air above the table
  for (const PurchaseOrderLine& line : sheet.lines) flow.push_back(LineRow(ts, line));
  flow.push_back(TotalBlock(ts, sheet));
  for (Block& b : ParagraphBlocks(ts, "COMMENTS", sheet.comments)) flow.push_back(std::move(b));

  // Under the body of every page: who orders, which order, "Page N of M".
  std::string footer = VersionText(sheet);
  if (!sheet.buyer.name.empty()) footer = absl::StrCat(sheet.buyer.name, " · ", footer);
  DrawPages(cr, flow, TableHeader(ts, sheet), RunningHeader(ts, sheet),
            [&](size_t page, size_t pages) { return Footer(ts, footer, page, pages); });
}

// Every field must be UTF-8 (pango's input); the PO number and a line are
// required.
absl::Status CheckSheet(const PurchaseOrderSheet& sheet) {
  if (sheet.po_number.empty()) return common::InvalidField("po_number", "is required");
  if (sheet.lines.empty()) return common::InvalidField("lines", "at least one line is required");
  const std::pair<absl::string_view, const std::string*> fields[] = {
      {"marker", &sheet.marker},         {"po_number", &sheet.po_number},
      {"order_date", &sheet.order_date}, {"requested_delivery", &sheet.requested_delivery},
      {"currency", &sheet.currency},     {"total", &sheet.total},
      {"comments", &sheet.comments},     {"reason", &sheet.reason},
  };
  for (const auto& [field, value] : fields) {
    if (!IsUtf8(*value)) return common::InvalidField(field, "is not valid UTF-8");
  }
  IOB_RETURN_IF_ERROR(CheckParty(sheet.buyer, "buyer"));
  IOB_RETURN_IF_ERROR(CheckParty(sheet.supplier, "supplier"));
  IOB_RETURN_IF_ERROR(CheckParty(sheet.ship_to, "ship_to"));
  IOB_RETURN_IF_ERROR(CheckParty(sheet.bill_to, "bill_to"));
  IOB_RETURN_IF_ERROR(CheckParty(sheet.contact, "contact"));
  for (size_t i = 0; i < sheet.lines.size(); ++i) {
    const PurchaseOrderLine& l = sheet.lines[i];
    for (const std::string* v : {&l.number, &l.part_id, &l.aux_id, &l.description, &l.quantity,
                                 &l.unit, &l.unit_price, &l.line_total}) {
      if (!IsUtf8(*v)) {
        return common::InvalidField(absl::StrCat("lines[", i, "]"), "is not valid UTF-8");
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> RenderPurchaseOrder(const PurchaseOrderSheet& sheet) {
  IOB_RETURN_IF_ERROR(CheckSheet(sheet));
  return RenderPdf(VersionText(sheet), [&](cairo_t* cr) { DrawSheet(cr, sheet); });
}

}  // namespace iob::pdf

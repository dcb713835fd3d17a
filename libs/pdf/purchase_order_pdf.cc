// RenderPurchaseOrder in two passes. The layout pass turns the sheet into a
// flow of blocks (title block, parties, table rows, total, comment lines),
// each measured with pango and holding its texts and shapes relative to its
// top, and cuts the flow into pages. The draw pass then paints every page
// knowing how many there are ("Page N of M").
#include "libs/pdf/purchase_order_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib-object.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <memory>
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

namespace iob::pdf {
namespace {

// Geometry in points (1/72 in), the user unit of cairo's PDF surface. A4.
constexpr double kPageWidth = 595.28;
constexpr double kPageHeight = 841.89;
constexpr double kLeft = 48;  // side margins, about 17 mm
constexpr double kWidth = kPageWidth - 2 * kLeft;
constexpr double kRight = kLeft + kWidth;
constexpr double kTop = 40;
constexpr double kBodyBottom = kPageHeight - 62;  // blocks end here; the footer is below
constexpr double kFooterTop = kPageHeight - 50;
// No wrapped text is taller than this (the rest ends in an ellipsis), so any
// block fits on an empty page and a row never has to split.
constexpr double kMaxTextHeight = 520;

struct Rgb {
  double r, g, b;
};
constexpr Rgb kInk{0.11, 0.11, 0.13};
constexpr Rgb kMuted{0.40, 0.40, 0.44};
constexpr Rgb kRule{0.80, 0.80, 0.82};
constexpr Rgb kShade{0.94, 0.945, 0.95};
constexpr Rgb kAlert{0.74, 0.07, 0.07};
constexpr Rgb kAlertShade{1.0, 0.94, 0.94};

// A font (pango description: one family, fontconfig falls back per character,
// e.g. to Droid Sans Fallback for CJK) and its colour.
struct Style {
  const char* font;
  Rgb color;
};
constexpr Style kBody{"DejaVu Sans 8.5", kInk};
constexpr Style kBodyMuted{"DejaVu Sans 8.5", kMuted};
constexpr Style kStrong{"DejaVu Sans Bold 9", kInk};
constexpr Style kNote{"DejaVu Sans 7.5", kMuted};
constexpr Style kCaption{"DejaVu Sans Bold 7", kMuted};
constexpr Style kColumnHead{"DejaVu Sans Bold 7.5", kInk};
constexpr Style kBuyerName{"DejaVu Sans Bold 15", kInk};
constexpr Style kTitle{"DejaVu Sans Bold 18", kInk};
constexpr Style kMarker{"DejaVu Sans Bold 20", kAlert};
constexpr Style kMarkerSmall{"DejaVu Sans Bold 11", kAlert};
constexpr Style kTotalLabel{"DejaVu Sans Bold 10", kInk};
constexpr Style kTotalAmount{"DejaVu Sans Bold 13", kInk};

// A measured piece of plain text (never markup).
struct Text {
  std::shared_ptr<PangoLayout> layout;
  double height = 0;
  double baseline = 0;  // of the first line, from the top
  Rgb color;
};

// Lays out text with one pango context bound to the document's cairo context
// (so measuring and drawing agree: same font options, no hinting).
class Typesetter {
 public:
  explicit Typesetter(cairo_t* cr) : context_(pango_cairo_create_context(cr), g_object_unref) {
    // Font sizes in points, which are our user units.
    pango_cairo_context_set_resolution(context_.get(), 72);
  }

  // `text` wrapped at `width` points and aligned; at most `max_height` points
  // tall, the rest ending in an ellipsis (0 = no limit).
  Text Set(absl::string_view text, const Style& style, double width,
           PangoAlignment align = PANGO_ALIGN_LEFT, double max_height = kMaxTextHeight) const {
    PangoLayout* layout = pango_layout_new(context_.get());
    Text out{std::shared_ptr<PangoLayout>(layout, g_object_unref), 0, 0, style.color};
    PangoFontDescription* font = pango_font_description_from_string(style.font);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    pango_layout_set_width(layout, pango_units_from_double(width));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout, align);
    if (max_height > 0) {
      pango_layout_set_height(layout, pango_units_from_double(max_height));
      pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
    }
    pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
    int ignored_width = 0, height = 0;
    pango_layout_get_size(layout, &ignored_width, &height);
    out.height = pango_units_to_double(height);
    out.baseline = pango_units_to_double(pango_layout_get_baseline(layout));
    return out;
  }

 private:
  std::unique_ptr<PangoContext, decltype(&g_object_unref)> context_;
};

// A rectangle, filled and/or stroked; a rule is one of height 0.
struct Shape {
  double x, y, w, h;
  std::optional<Rgb> fill;
  std::optional<Rgb> stroke;
  double line_width = 0.5;
};

struct Placed {
  Text text;
  double x, y;
};

// A piece of the page body that never splits across pages; `y` of its
// shapes and texts is relative to its top, `x` is absolute.
struct Block {
  double height = 0;
  bool in_table = false;        // needs the table's header row above it on its page
  bool keep_with_next = false;  // a heading: goes to the page of the block after it
  std::vector<Shape> shapes;    // drawn under the texts
  std::vector<Placed> texts;

  // Places `text` at (x, y) and returns the y below it.
  double Add(Text text, double x, double y) {
    const double below = y + text.height;
    texts.push_back({std::move(text), x, y});
    return below;
  }
  // Places stacks of texts side by side from `y` (each pair: x and its texts
  // top to bottom), the first lines of all stacks on one baseline; returns
  // the y below the lowest stack.
  double AddColumns(std::vector<std::pair<double, std::vector<Text>>> columns, double y) {
    double baseline = 0;
    for (const auto& [x, stack] : columns) {
      if (!stack.empty()) baseline = std::max(baseline, stack.front().baseline);
    }
    double below = y;
    for (auto& [x, stack] : columns) {
      double at = stack.empty() ? y : y + baseline - stack.front().baseline;
      for (Text& text : stack) at = Add(std::move(text), x, at);
      below = std::max(below, at);
    }
    return below;
  }
  void AddRule(double x, double y, double w, Rgb color, double line_width) {
    shapes.push_back({x, y, w, 0, std::nullopt, color, line_width});
  }
};

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
  double left = b.Add(ts.Set(sheet.buyer.name, kBuyerName, kWidth - kFacts - kGap), kLeft, 0);
  if (!sheet.buyer.lines.empty()) {
    left = b.Add(ts.Set(absl::StrJoin(sheet.buyer.lines, "\n"), kBodyMuted, kWidth - kFacts - kGap,
                        PANGO_ALIGN_LEFT, 200),
                 kLeft, left + 3);
  }
  const double x = kRight - kFacts;
  double right = b.Add(ts.Set("PURCHASE ORDER", kTitle, kFacts, PANGO_ALIGN_RIGHT), x, 0) + 6;
  std::vector<std::pair<absl::string_view, std::string>> facts = {
      {"PO number", sheet.po_number},
      {"Version", absl::StrCat(sheet.version)},
      {"Order date", sheet.order_date},
  };
  if (!sheet.requested_delivery.empty()) facts.push_back({"Deliver by", sheet.requested_delivery});
  if (!sheet.currency.empty()) facts.push_back({"Currency", sheet.currency});
  for (const auto& [label, value] : facts) {
    std::vector<std::pair<double, std::vector<Text>>> row(2);
    row[0] = {x, {}};
    row[0].second.push_back(ts.Set(label, kBodyMuted, kLabel));
    row[1] = {x + kLabel, {}};
    row[1].second.push_back(ts.Set(value, kStrong, kFacts - kLabel, PANGO_ALIGN_RIGHT, 100));
    right = b.AddColumns(std::move(row), right) + 2;
  }
  const double rule = std::max(left, right) + 8;
  b.AddRule(kLeft, rule, kWidth, kInk, 1.5);
  b.height = rule + 14;
  return b;
}

// Two parties side by side, each in a light box: caption, name, lines.
Block PartyRow(const Typesetter& ts, absl::string_view caption_a, const Party& a,
               absl::string_view caption_b, const Party& b) {
  constexpr double kGap = 12, kPad = 7;
  constexpr double kBox = (kWidth - kGap) / 2;
  Block row;
  double height = 0;
  const std::array<std::pair<absl::string_view, const Party*>, 2> boxes = {
      {{caption_a, &a}, {caption_b, &b}}};
  for (size_t i = 0; i < boxes.size(); ++i) {
    const double x = kLeft + static_cast<double>(i) * (kBox + kGap) + kPad;
    const double w = kBox - 2 * kPad;
    const Party& party = *boxes[i].second;
    double y = row.Add(ts.Set(boxes[i].first, kCaption, w), x, kPad) + 3;
    if (party.name.empty() && party.lines.empty()) {
      y = row.Add(ts.Set("—", kBodyMuted, w), x, y);
    }
    if (!party.name.empty())
      y = row.Add(ts.Set(party.name, kStrong, w, PANGO_ALIGN_LEFT, 100), x, y);
    if (!party.lines.empty()) {
      y = row.Add(ts.Set(absl::StrJoin(party.lines, "\n"), kBody, w, PANGO_ALIGN_LEFT, 200), x,
                  y + 1);
    }
    height = std::max(height, y + kPad);
  }
  for (size_t i = 0; i < boxes.size(); ++i) {
    row.shapes.push_back({kLeft + static_cast<double>(i) * (kBox + kGap), 0, kBox, height,
                          std::nullopt, kRule, 0.6});
  }
  row.height = height + 10;
  return row;
}

// The line table's columns; the description takes what the others leave.
struct Column {
  double width;
  PangoAlignment align;
};
constexpr std::array<Column, 7> kColumns = {{
    {24, PANGO_ALIGN_RIGHT},                                   // No.
    {92, PANGO_ALIGN_LEFT},                                    // part id, aux id under it
    {kWidth - 24 - 92 - 46 - 34 - 66 - 76, PANGO_ALIGN_LEFT},  // description
    {46, PANGO_ALIGN_RIGHT},                                   // quantity
    {34, PANGO_ALIGN_LEFT},                                    // unit
    {66, PANGO_ALIGN_RIGHT},                                   // unit price
    {76, PANGO_ALIGN_RIGHT},                                   // line total
}};
constexpr double kCellPadX = 4, kCellPadY = 4.5;
using Cells = std::array<std::vector<Text>, kColumns.size()>;

// A cell's text in column `column`.
Text CellText(const Typesetter& ts, absl::string_view text, const Style& style, size_t column) {
  return ts.Set(text, style, kColumns[column].width - 2 * kCellPadX, kColumns[column].align);
}

// One row of the line table; each cell's texts are stacked, the first lines
// of all cells on one baseline; the header row is shaded between two dark
// rules, a line row has a light rule under it.
Block TableRow(Cells cells, bool header) {
  Block row;
  row.in_table = !header;
  std::vector<std::pair<double, std::vector<Text>>> columns;
  double x = kLeft;
  for (size_t i = 0; i < cells.size(); ++i) {
    columns.push_back({x + kCellPadX, std::move(cells[i])});
    x += kColumns[i].width;
  }
  const double height = row.AddColumns(std::move(columns), kCellPadY) + kCellPadY;
  row.height = height;
  if (header) {
    row.shapes.push_back({kLeft, 0, kWidth, height, kShade, std::nullopt});
    row.AddRule(kLeft, 0, kWidth, kInk, 0.8);
    row.AddRule(kLeft, height, kWidth, kInk, 0.8);
  } else {
    row.AddRule(kLeft, height, kWidth, kRule, 0.5);
  }
  return row;
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
  Cells cells;
  for (size_t i = 0; i < titles.size(); ++i) {
    cells[i].push_back(CellText(ts, titles[i], kColumnHead, i));
  }
  return TableRow(std::move(cells), /*header=*/true);
}

Block LineRow(const Typesetter& ts, const PurchaseOrderLine& line) {
  Cells cells;
  cells[0].push_back(CellText(ts, line.number, kBody, 0));
  cells[1].push_back(CellText(ts, line.part_id, kBody, 1));
  if (!line.aux_id.empty()) cells[1].push_back(CellText(ts, line.aux_id, kNote, 1));
  cells[2].push_back(CellText(ts, line.description, kBody, 2));
  cells[3].push_back(CellText(ts, line.quantity, kBody, 3));
  cells[4].push_back(CellText(ts, line.unit, kBody, 4));
  cells[5].push_back(CellText(ts, line.unit_price, kBody, 5));
  cells[6].push_back(CellText(ts, line.line_total, kStrong, 6));
  return TableRow(std::move(cells), /*header=*/false);
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

// A "COMMENTS" heading and then one block per wrapped line, so long comments
// continue on the next page rather than being cut.
std::vector<Block> CommentBlocks(const Typesetter& ts, const std::string& comments) {
  std::vector<Block> blocks;
  if (comments.empty()) return blocks;
  Block heading;
  heading.keep_with_next = true;
  heading.height = heading.Add(ts.Set("COMMENTS", kCaption, kWidth), kLeft, 0) + 3;
  blocks.push_back(std::move(heading));
  const Text all = ts.Set(comments, kBody, kWidth, PANGO_ALIGN_LEFT, /*max_height=*/0);
  for (GSList* l = pango_layout_get_lines_readonly(all.layout.get()); l != nullptr; l = l->next) {
    const auto* line = static_cast<const PangoLayoutLine*>(l->data);
    Block b;
    b.height = b.Add(ts.Set(absl::string_view(comments).substr(line->start_index, line->length),
                            kBody, kWidth, PANGO_ALIGN_LEFT, 0),
                     kLeft, 0);
    blocks.push_back(std::move(b));
  }
  return blocks;
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

// Under the body of every page: who orders, which order, "Page N of M".
Block Footer(const Typesetter& ts, const PurchaseOrderSheet& sheet, size_t page, size_t pages) {
  constexpr double kPageNumber = 100;
  Block b;
  b.AddRule(kLeft, 0, kWidth, kRule, 0.5);
  std::string left = VersionText(sheet);
  if (!sheet.buyer.name.empty()) left = absl::StrCat(sheet.buyer.name, " · ", left);
  b.Add(ts.Set(left, kNote, kWidth - kPageNumber, PANGO_ALIGN_LEFT, 20), kLeft, 5);
  b.Add(ts.Set(absl::StrCat("Page ", page, " of ", pages), kNote, kPageNumber, PANGO_ALIGN_RIGHT),
        kRight - kPageNumber, 5);
  return b;
}

// The blocks of one page with the y of their tops.
using Page = std::vector<std::pair<double, const Block*>>;

// Cuts `flow` into pages, top to bottom: a block that does not fit under what
// its page already holds starts the next page (at `continuation_top`, under
// the running header); the first table row of a page gets `table_header`
// above it; a heading moves with the block after it.
std::vector<Page> Paginate(const std::vector<Block>& flow, const Block& table_header,
                           double continuation_top) {
  std::vector<Page> pages(1);
  double top = kTop, y = kTop;
  bool header_here = false;
  for (size_t i = 0; i < flow.size(); ++i) {
    const Block& block = flow[i];
    double need = block.height;
    if (block.in_table && !header_here) need += table_header.height;
    if (block.keep_with_next && i + 1 < flow.size()) need += flow[i + 1].height;
    if (y > top && y + need > kBodyBottom) {
      pages.emplace_back();
      top = y = continuation_top;
      header_here = false;
    }
    if (block.in_table && !header_here) {
      pages.back().push_back({y, &table_header});
      y += table_header.height;
      header_here = true;
    }
    pages.back().push_back({y, &block});
    y += block.height;
  }
  return pages;
}

void SetColor(cairo_t* cr, Rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

void Draw(cairo_t* cr, const Block& block, double top) {
  for (const Shape& s : block.shapes) {
    if (s.h == 0) {
      cairo_move_to(cr, s.x, top + s.y);
      cairo_line_to(cr, s.x + s.w, top + s.y);
    } else {
      cairo_rectangle(cr, s.x, top + s.y, s.w, s.h);
    }
    if (s.fill) {
      SetColor(cr, *s.fill);
      cairo_fill_preserve(cr);
    }
    if (s.stroke) {
      SetColor(cr, *s.stroke);
      cairo_set_line_width(cr, s.line_width);
      cairo_stroke(cr);
    }
    cairo_new_path(cr);
  }
  for (const Placed& p : block.texts) {
    SetColor(cr, p.text.color);
    cairo_move_to(cr, p.x, top + p.y);
    pango_cairo_show_layout(cr, p.text.layout.get());
  }
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
  for (Block& b : CommentBlocks(ts, sheet.comments)) flow.push_back(std::move(b));

  const Block table_header = TableHeader(ts, sheet);
  const Block running_header = RunningHeader(ts, sheet);
  const std::vector<Page> pages = Paginate(flow, table_header, kTop + running_header.height);
  for (size_t i = 0; i < pages.size(); ++i) {
    if (i > 0) Draw(cr, running_header, kTop);
    for (const auto& [y, block] : pages[i]) Draw(cr, *block, y);
    Draw(cr, Footer(ts, sheet, i + 1, pages.size()), kFooterTop);
    cairo_show_page(cr);
  }
}

bool IsUtf8(absl::string_view s) {
  return s.empty() || g_utf8_validate(s.data(), static_cast<gssize>(s.size()), nullptr);
}

absl::Status CheckParty(const Party& party, absl::string_view field) {
  bool ok = IsUtf8(party.name);
  for (const std::string& line : party.lines) ok = ok && IsUtf8(line);
  return ok ? absl::OkStatus() : common::InvalidField(field, "is not valid UTF-8");
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

cairo_status_t AppendTo(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

absl::Status CairoError(cairo_status_t status) {
  return absl::InternalError(absl::StrCat("cairo: ", cairo_status_to_string(status)));
}

}  // namespace

absl::StatusOr<std::string> RenderPurchaseOrder(const PurchaseOrderSheet& sheet) {
  IOB_RETURN_IF_ERROR(CheckSheet(sheet));
  std::string pdf;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_pdf_surface_create_for_stream(&AppendTo, &pdf, kPageWidth, kPageHeight),
      cairo_surface_destroy);
  if (cairo_status_t s = cairo_surface_status(surface.get()); s != CAIRO_STATUS_SUCCESS) {
    return CairoError(s);
  }
  const std::string title = VersionText(sheet);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "iob");
  {
    std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()),
                                                          cairo_destroy);
    DrawSheet(cr.get(), sheet);
    if (cairo_status_t s = cairo_status(cr.get()); s != CAIRO_STATUS_SUCCESS) return CairoError(s);
  }
  cairo_surface_finish(surface.get());
  if (cairo_status_t s = cairo_surface_status(surface.get()); s != CAIRO_STATUS_SUCCESS) {
    return CairoError(s);
  }
  return pdf;
}

}  // namespace iob::pdf

// The page kit the documents of libs/pdf are drawn with (internal to
// libs/pdf: the renderers' .cc files include it, callers never do).
//
// A document is drawn in two passes. The layout pass turns the sheet into a
// flow of Blocks -- each measured with pango, holding its texts and shapes
// relative to its top -- and Paginate cuts the flow into pages. The draw
// pass (DrawPages) then paints every page knowing how many there are, so a
// footer can say "Page N of M". RenderPdf wraps a draw function in cairo's
// PDF surface and returns the bytes.
//
// Geometry is in points (1/72 in), the user unit of cairo's PDF surface, on
// A4 pages. Text is always plain text (never pango markup), in DejaVu Sans
// with fontconfig's per-character fallback.
#ifndef IOB_LIBS_PDF_LAYOUT_H_
#define IOB_LIBS_PDF_LAYOUT_H_

#include <cairo.h>
#include <glib-object.h>
#include <pango/pangocairo.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "libs/pdf/party.h"

namespace iob::pdf {

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
constexpr Style kHeadline{"DejaVu Sans Bold 15", kInk};
constexpr Style kTitle{"DejaVu Sans Bold 18", kInk};
constexpr Style kTotalLabel{"DejaVu Sans Bold 10", kInk};
constexpr Style kTotalAmount{"DejaVu Sans Bold 13", kInk};

// A measured piece of plain text.
struct Text {
  std::shared_ptr<PangoLayout> layout;
  double height = 0;
  double baseline = 0;  // of the first line, from the top
  Rgb color;
  // Drawn this far right of where it is placed: negative for a line wider
  // than its width that runs out leftwards (Typesetter::SetLine).
  double shift = 0;
};

// Lays out text with one pango context bound to the document's cairo context
// (so measuring and drawing agree: same font options, no hinting). Not
// thread-safe; one per document.
class Typesetter {
 public:
  explicit Typesetter(cairo_t* cr);

  // `text` wrapped at `width` points and aligned; at most `max_height` points
  // tall, the rest ending in an ellipsis (0 = no limit).
  Text Set(absl::string_view text, const Style& style, double width,
           PangoAlignment align = PANGO_ALIGN_LEFT, double max_height = kMaxTextHeight) const;
  // `text` on one line that never wraps (an amount must not break into
  // pieces that read as two numbers): aligned in `width` points when it
  // fits, else as wide as it needs, running out past the edge it is not
  // aligned to (a right-aligned line grows leftwards).
  Text SetLine(absl::string_view text, const Style& style, double width,
               PangoAlignment align = PANGO_ALIGN_LEFT) const;

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
  double Add(Text text, double x, double y);
  // Places stacks of texts side by side from `y` (each pair: x and its texts
  // top to bottom), the first lines of all stacks on one baseline; returns
  // the y below the lowest stack.
  double AddColumns(std::vector<std::pair<double, std::vector<Text>>> columns, double y);
  void AddRule(double x, double y, double w, Rgb color, double line_width);
};

// Label / value rows from `y` in a column at `x`, `width` points wide:
// each label muted in the first `label_width` points, its value bold,
// right-aligned in the rest and never wrapped (a number cut in two reads
// as two), on the label's baseline. Returns the y below the last row.
double AddFacts(Block& block, const Typesetter& ts, double x, double width, double label_width,
                const std::vector<std::pair<std::string, std::string>>& facts, double y);

// Two parties side by side, each in a light box: caption, name (bold), lines;
// an em dash for a party with neither name nor lines.
Block PartyRow(const Typesetter& ts, absl::string_view caption_a, const Party& a,
               absl::string_view caption_b, const Party& b);

// A column of a line table; the widths of a table's columns add up to kWidth.
struct Column {
  double width;
  PangoAlignment align;
};
constexpr double kCellPadX = 4, kCellPadY = 4.5;

// A cell's text, wrapped inside `column`.
Text CellText(const Typesetter& ts, absl::string_view text, const Style& style,
              const Column& column);

// The same on one line that never wraps (Typesetter::SetLine).
Text CellLine(const Typesetter& ts, absl::string_view text, const Style& style,
              const Column& column);

// One row of a line table: `cells[i]` is the stack of texts of column i, the
// first lines of all cells on one baseline. A header row is shaded between
// two dark rules; a line row (in_table) has a light rule under it.
Block TableRow(absl::Span<const Column> columns, std::vector<std::vector<Text>> cells, bool header);

// A caption heading (kept with what follows) and then one block per wrapped
// line of `text`, so long text continues on the next page rather than being
// cut. Nothing when `text` is empty.
std::vector<Block> ParagraphBlocks(const Typesetter& ts, absl::string_view heading,
                                   const std::string& text);

// Under the body of every page: a rule, `left` (one line) and "Page N of M".
Block Footer(const Typesetter& ts, absl::string_view left, size_t page, size_t pages);

// The blocks of one page with the y of their tops.
using Page = std::vector<std::pair<double, const Block*>>;

// Cuts `flow` into pages, top to bottom: a block that does not fit under what
// its page already holds starts the next page (at `continuation_top`, under
// the running header); the first table row of a page gets `table_header`
// above it; a heading moves with the block after it.
std::vector<Page> Paginate(const std::vector<Block>& flow, const Block& table_header,
                           double continuation_top);

// Paints `block` with its top at `top`.
void Draw(cairo_t* cr, const Block& block, double top);

// Paginates `flow` and paints every page: `running_header` at the top of
// pages 2..N, the blocks, and `footer(page, pages)` (1-based) at the bottom.
void DrawPages(cairo_t* cr, const std::vector<Block>& flow, const Block& table_header,
               const Block& running_header,
               const std::function<Block(size_t page, size_t pages)>& footer);

// The PDF bytes of what `draw` paints on an A4 PDF surface, with document
// metadata title `title` and creator "iob". INTERNAL when cairo fails.
absl::StatusOr<std::string> RenderPdf(const std::string& title,
                                      const std::function<void(cairo_t*)>& draw);

// True for valid UTF-8 (pango's input).
bool IsUtf8(absl::string_view s);
// INVALID_ARGUMENT "<field>: is not valid UTF-8" unless every line of
// `party` is UTF-8.
absl::Status CheckParty(const Party& party, absl::string_view field);

}  // namespace iob::pdf

#endif  // IOB_LIBS_PDF_LAYOUT_H_

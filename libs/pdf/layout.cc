// The page kit; see layout.h.
#include "libs/pdf/layout.h"

#include <cairo-pdf.h>
#include <glib.h>

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/invalid_field.h"

namespace iob::pdf {
namespace {

void SetColor(cairo_t* cr, Rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

cairo_status_t AppendTo(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

absl::Status CairoError(cairo_status_t status) {
  return absl::InternalError(absl::StrCat("cairo: ", cairo_status_to_string(status)));
}

}  // namespace

Typesetter::Typesetter(cairo_t* cr) : context_(pango_cairo_create_context(cr), g_object_unref) {
  // Font sizes in points, which are our user units.
  pango_cairo_context_set_resolution(context_.get(), 72);
}

Text Typesetter::Set(absl::string_view text, const Style& style, double width, PangoAlignment align,
                     double max_height) const {
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

Text Typesetter::SetLine(absl::string_view text, const Style& style, double width,
                         PangoAlignment align) const {
  Text out = Set(text, style, width, align, /*max_height=*/0);
  pango_layout_set_width(out.layout.get(), -1);  // no wrapping: the natural width
  int natural_units = 0, height = 0;
  pango_layout_get_size(out.layout.get(), &natural_units, &height);
  const double natural = pango_units_to_double(natural_units);
  if (natural > width) {
    if (align == PANGO_ALIGN_RIGHT) out.shift = width - natural;
    if (align == PANGO_ALIGN_CENTER) out.shift = (width - natural) / 2;
    width = natural;
  }
  pango_layout_set_width(out.layout.get(), pango_units_from_double(width));
  pango_layout_get_size(out.layout.get(), &natural_units, &height);
  out.height = pango_units_to_double(height);
  out.baseline = pango_units_to_double(pango_layout_get_baseline(out.layout.get()));
  return out;
}

double Block::Add(Text text, double x, double y) {
  const double below = y + text.height;
  texts.push_back({std::move(text), x, y});
  return below;
}

double Block::AddColumns(std::vector<std::pair<double, std::vector<Text>>> columns, double y) {
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

void Block::AddRule(double x, double y, double w, Rgb color, double line_width) {
  shapes.push_back({x, y, w, 0, std::nullopt, color, line_width});
}

double AddFacts(Block& block, const Typesetter& ts, double x, double width, double label_width,
                const std::vector<std::pair<std::string, std::string>>& facts, double y) {
  for (const auto& [label, value] : facts) {
    std::vector<std::pair<double, std::vector<Text>>> row(2);
    row[0].first = x;
    row[0].second.push_back(ts.Set(label, kBodyMuted, label_width));
    row[1].first = x + label_width;
    row[1].second.push_back(ts.SetLine(value, kStrong, width - label_width, PANGO_ALIGN_RIGHT));
    y = block.AddColumns(std::move(row), y) + 2;
  }
  return y;
}

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

Text CellText(const Typesetter& ts, absl::string_view text, const Style& style,
              const Column& column) {
  return ts.Set(text, style, column.width - 2 * kCellPadX, column.align);
}

Text CellLine(const Typesetter& ts, absl::string_view text, const Style& style,
              const Column& column) {
  return ts.SetLine(text, style, column.width - 2 * kCellPadX, column.align);
}

Block TableRow(absl::Span<const Column> columns, std::vector<std::vector<Text>> cells,
               bool header) {
  Block row;
  row.in_table = !header;
  std::vector<std::pair<double, std::vector<Text>>> stacks;
  double x = kLeft;
  for (size_t i = 0; i < columns.size(); ++i) {
    stacks.push_back({x + kCellPadX, i < cells.size() ? std::move(cells[i]) : std::vector<Text>{}});
    x += columns[i].width;
  }
  const double height = row.AddColumns(std::move(stacks), kCellPadY) + kCellPadY;
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

std::vector<Block> ParagraphBlocks(const Typesetter& ts, absl::string_view heading,
                                   const std::string& text) {
  std::vector<Block> blocks;
  if (text.empty()) return blocks;
  Block head;
  head.keep_with_next = true;
  head.height = head.Add(ts.Set(heading, kCaption, kWidth), kLeft, 0) + 3;
  blocks.push_back(std::move(head));
  const Text all = ts.Set(text, kBody, kWidth, PANGO_ALIGN_LEFT, /*max_height=*/0);
  for (GSList* l = pango_layout_get_lines_readonly(all.layout.get()); l != nullptr; l = l->next) {
    const auto* line = static_cast<const PangoLayoutLine*>(l->data);
    Block b;
    b.height = b.Add(ts.Set(absl::string_view(text).substr(line->start_index, line->length), kBody,
                            kWidth, PANGO_ALIGN_LEFT, 0),
                     kLeft, 0);
    blocks.push_back(std::move(b));
  }
  return blocks;
}

Block Footer(const Typesetter& ts, absl::string_view left, size_t page, size_t pages) {
  constexpr double kPageNumber = 100;
  Block b;
  b.AddRule(kLeft, 0, kWidth, kRule, 0.5);
  b.Add(ts.Set(left, kNote, kWidth - kPageNumber, PANGO_ALIGN_LEFT, 20), kLeft, 5);
  b.Add(ts.Set(absl::StrCat("Page ", page, " of ", pages), kNote, kPageNumber, PANGO_ALIGN_RIGHT),
        kRight - kPageNumber, 5);
  return b;
}

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
    cairo_move_to(cr, p.x + p.text.shift, top + p.y);
    pango_cairo_show_layout(cr, p.text.layout.get());
  }
}

void DrawPages(cairo_t* cr, const std::vector<Block>& flow, const Block& table_header,
               const Block& running_header,
               const std::function<Block(size_t page, size_t pages)>& footer) {
  const std::vector<Page> pages = Paginate(flow, table_header, kTop + running_header.height);
  for (size_t i = 0; i < pages.size(); ++i) {
    if (i > 0) Draw(cr, running_header, kTop);
    for (const auto& [y, block] : pages[i]) Draw(cr, *block, y);
    Draw(cr, footer(i + 1, pages.size()), kFooterTop);
    cairo_show_page(cr);
  }
}

absl::StatusOr<std::string> RenderPdf(const std::string& title,
                                      const std::function<void(cairo_t*)>& draw) {
  std::string pdf;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_pdf_surface_create_for_stream(&AppendTo, &pdf, kPageWidth, kPageHeight),
      cairo_surface_destroy);
  if (cairo_status_t s = cairo_surface_status(surface.get()); s != CAIRO_STATUS_SUCCESS) {
    return CairoError(s);
  }
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "iob");
  {
    std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()),
                                                          cairo_destroy);
    draw(cr.get());
    if (cairo_status_t s = cairo_status(cr.get()); s != CAIRO_STATUS_SUCCESS) return CairoError(s);
  }
  cairo_surface_finish(surface.get());
  if (cairo_status_t s = cairo_surface_status(surface.get()); s != CAIRO_STATUS_SUCCESS) {
    return CairoError(s);
  }
  return pdf;
}

bool IsUtf8(absl::string_view s) {
  return s.empty() || g_utf8_validate(s.data(), static_cast<gssize>(s.size()), nullptr);
}

absl::Status CheckParty(const Party& party, absl::string_view field) {
  bool ok = IsUtf8(party.name);
  for (const std::string& line : party.lines) ok = ok && IsUtf8(line);
  return ok ? absl::OkStatus() : common::InvalidField(field, "is not valid UTF-8");
}

}  // namespace iob::pdf

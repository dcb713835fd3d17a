// Purchase order PDF rendering (libs/pdf). RenderPurchaseOrder for a 10-line
// and a 100-line order is measured beside the floor: a bare cairo PDF
// surface with one pango layout holding the same text on one page (cairo +
// pango alone: shaping, font subsetting, PDF writing; no measuring of cells,
// no pagination, no boxes). Each benchmark reports documents/s
// (items_per_second) and PDF bytes/s; RenderPurchaseOrder / BareCairoPango
// is the cost of the layout.
#include <cairo-pdf.h>
#include <cairo.h>
#include <glib-object.h>
#include <pango/pangocairo.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "benchmark/benchmark.h"
#include "libs/pdf/examples.h"
#include "libs/pdf/purchase_order_pdf.h"

namespace {

using iob::pdf::ExamplePurchaseOrderSheet;
using iob::pdf::Party;
using iob::pdf::PurchaseOrderLine;
using iob::pdf::PurchaseOrderSheet;

// Every field of `sheet` as one text, a line per party line and order line.
std::string AllText(const PurchaseOrderSheet& s) {
  std::string text = absl::StrCat("PURCHASE ORDER ", s.po_number, " version ", s.version, "\n",
                                  s.order_date, " ", s.requested_delivery, " ", s.currency, "\n");
  for (const Party* p : {&s.buyer, &s.supplier, &s.ship_to, &s.bill_to, &s.contact}) {
    absl::StrAppend(&text, p->name, "\n", absl::StrJoin(p->lines, "\n"), "\n");
  }
  for (const PurchaseOrderLine& l : s.lines) {
    absl::StrAppend(&text, l.number, " ", l.part_id, " ", l.aux_id, " ", l.description, " ",
                    l.quantity, " ", l.unit, " ", l.unit_price, " ", l.line_total, "\n");
  }
  absl::StrAppend(&text, "Total ", s.total, "\n", s.comments, "\nPage 1 of 1");
  return text;
}

cairo_status_t AppendTo(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void BM_BareCairoPango(benchmark::State& state) {
  const std::string text = AllText(ExamplePurchaseOrderSheet(static_cast<int>(state.range(0))));
  int64_t bytes = 0;
  for (auto _ : state) {
    std::string pdf;
    cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(&AppendTo, &pdf, 595.28, 841.89);
    cairo_t* cr = cairo_create(surface);
    PangoLayout* layout = pango_cairo_create_layout(cr);
    PangoFontDescription* font = pango_font_description_from_string("DejaVu Sans 8.5");
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    pango_layout_set_width(layout, 500 * PANGO_SCALE);
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
    cairo_move_to(cr, 48, 40);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) state.SkipWithError("cairo failed");
    cairo_surface_destroy(surface);
    bytes += static_cast<int64_t>(pdf.size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.SetLabel(absl::StrCat(state.range(0), " lines, one layout, one page"));
}

void BM_RenderPurchaseOrder(benchmark::State& state) {
  const PurchaseOrderSheet sheet = ExamplePurchaseOrderSheet(static_cast<int>(state.range(0)));
  int64_t bytes = 0;
  for (auto _ : state) {
    absl::StatusOr<std::string> pdf = iob::pdf::RenderPurchaseOrder(sheet);
    if (!pdf.ok()) {
      state.SkipWithError("render failed");
      break;
    }
    bytes += static_cast<int64_t>(pdf->size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.SetLabel(absl::StrCat(state.range(0), " lines"));
}

BENCHMARK(BM_BareCairoPango)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderPurchaseOrder)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

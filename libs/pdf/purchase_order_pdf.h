// A purchase order as a PDF a supplier can read and act on, as on a PO
// printed by a purchasing department: cairo's PDF surface with pango for
// text layout (any script; fonts found through fontconfig and embedded as
// subsets). Text is real text, selectable and extractable. The caller gives
// every figure already computed (exact decimals are the domain's job); this
// library only lays them out.
#ifndef IOB_LIBS_PDF_PURCHASE_ORDER_PDF_H_
#define IOB_LIBS_PDF_PURCHASE_ORDER_PDF_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/pdf/party.h"

namespace iob::pdf {

struct PurchaseOrderLine {
  std::string number;       // "1"
  std::string part_id;      // supplier part id
  std::string aux_id;       // supplier part auxiliary id ("" = none), printed under the part id
  std::string description;  // may be long: wraps inside its column
  std::string quantity;     // "3"
  std::string unit;         // "EA"
  std::string unit_price;   // "12.50"
  std::string line_total;   // "37.50"
};

struct PurchaseOrderSheet {
  // Printed large above everything, e.g. "CHANGED" for an update or
  // "CANCELLED" for a cancellation; "" for a new order.
  std::string marker;
  std::string po_number;
  int version = 1;
  std::string order_date;          // as printed, e.g. "2026-12-06"
  std::string requested_delivery;  // "" = not given
  Party buyer;                     // our company (who orders)
  Party supplier;
  Party ship_to;
  Party bill_to;
  Party contact;         // the order's contact person
  std::string currency;  // "USD"
  std::vector<PurchaseOrderLine> lines;
  std::string total;     // "123.45"
  std::string comments;  // "" = none; may hold several paragraphs
  std::string reason;    // why it was cancelled ("" = none)
};

// The PDF bytes of `sheet`: A4 pages; the marker and the reason in a red
// box above everything on the first page; a title block (our company on the
// left; "PURCHASE ORDER", PO number, version, dates, currency on the right);
// the supplier, ship-to, bill-to and contact in boxes; a line table (No.,
// part id with the aux id under it, description, quantity, unit, unit
// price, line total in the currency) that breaks across pages between rows
// and repeats its header row on every page it continues on; after the last
// line the total, then the comments (continuing on the next page when
// long). Pages after the first carry the PO number and the marker at the
// top; every page says "Page N of M" at the bottom. Document metadata: title
// "Purchase order <PO> (version N)", creator "iob".
//
// Every field prints as plain text, never as markup ("<b>" and "&" print as
// they are), in DejaVu Sans with fontconfig's per-character fallback (CJK
// from Droid Sans Fallback); fonts are embedded as subsets and the text is
// extractable. A row never splits across pages: a cell's text is cut with
// an ellipsis at about two thirds of a page (the cut words remain in the
// extractable text); comments are never cut.
//
// INVALID_ARGUMENT when the PO number is empty, there are no lines, or a
// field is not valid UTF-8 (the message names the field, e.g. "lines[3]");
// INTERNAL when cairo fails. Thread-safe (each call has its own surface;
// pango's font map is per thread).
absl::StatusOr<std::string> RenderPurchaseOrder(const PurchaseOrderSheet& sheet);

}  // namespace iob::pdf

#endif  // IOB_LIBS_PDF_PURCHASE_ORDER_PDF_H_

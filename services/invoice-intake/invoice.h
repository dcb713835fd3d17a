// The invoice-intake domain: what a supplier's invoice says, whichever
// format it came in (cXML InvoiceDetailRequest, UBL, CII, Factur-X, a PDF
// read by rules), and what the orders it names say, for matching. Plain
// values; no I/O.
#ifndef IOB_SERVICES_INVOICE_INTAKE_INVOICE_H_
#define IOB_SERVICES_INVOICE_INTAKE_INVOICE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace iob::invoice {

enum class InvoiceFormat { kCxml, kUbl, kCii, kFacturX, kPdf };
absl::string_view FormatText(InvoiceFormat format);  // "cxml", "ubl", "cii", "facturx", "pdf"

// A value read from a document and the rule that found it, e.g.
// {"INV-1001", "cxml:InvoiceDetailRequestHeader@invoiceID"} or
// {"INV-1001", "pdf:amazon-business:invoice-number"}.
struct Found {
  std::string value;
  std::string rule;
  bool empty() const { return value.empty(); }
};

struct InvoiceLine {
  int line_number = 0;        // the invoice's own line number (1-based)
  std::string po_number;      // the order it refers to ("" = the header's)
  int order_line_number = 0;  // the order line it refers to (0 = not said)
  std::string supplier_part_id;
  std::string description;
  std::string quantity;  // decimal text
  std::string unit_of_measure;
  std::string unit_price;  // decimal text, in the invoice's currency
  std::string subtotal;    // quantity x unit price as the document states it ("" = not stated)
  std::string tax;         // the line's tax amount ("" = not stated)
};

// One invoice as read from one source document.
struct InvoiceDocument {
  InvoiceFormat format = InvoiceFormat::kCxml;
  Found invoice_number;
  Found invoice_date;  // YYYY-MM-DD
  bool credit_memo = false;
  std::string currency;           // ISO 4217
  Found net;                      // total before tax
  Found tax;                      // total tax
  Found gross;                    // total due
  std::vector<Found> po_numbers;  // every PO the invoice names
  std::vector<InvoiceLine> lines;
  // Who the document says issued it: cXML From / Sender identities, UBL/CII
  // seller ids and names, a PDF's seller line. Used with the sending
  // domain to recognise the supplier.
  std::vector<std::string> issuer_ids;
  std::string issuer_name;
  // Values a person must confirm (a PDF read by rules); the reasons.
  std::vector<std::string> doubts;
};

// An order line as dispatch knows it, for matching.
struct OrderLine {
  int line_number = 0;
  std::string supplier_part_id;
  std::string quantity;    // ordered
  std::string unit_price;  // in the order's currency
  std::string shipped;     // sum over the order's ship notices ("" = no ship notice)
};

struct OrderForMatch {
  std::string name;  // tenants/{t}/orders/{o}
  std::string po_number;
  std::string currency;
  std::vector<OrderLine> lines;
};

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_INVOICE_H_

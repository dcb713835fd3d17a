// A supplier's invoice as a PDF, laid out like an Amazon Business invoice
// (the supplier simulator mails these; invoice intake reads them back). The
// caller gives every figure already computed as a plain decimal (exact
// arithmetic is the caller's job); this library formats money in the
// invoice's currency and lays it out.
//
// The printed text keeps to what invoice intake's PDF rules read
// (services/invoice-intake/invoice_reader.cc): each header value sits on a
// line of its own behind its label ("Invoice number", "Invoice date",
// "Purchase order number", "Sold by", "VAT number", "Subtotal", "Total
// VAT"/"Total tax", "Total payable"); an item row prints description,
// quantity, unit price, rate and amount on the row's first line, with the
// part id ("ASIN: ...") on the line under the description.
#ifndef IOB_LIBS_PDF_INVOICE_PDF_H_
#define IOB_LIBS_PDF_INVOICE_PDF_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/pdf/party.h"

namespace iob::pdf {

struct InvoiceSheetLine {
  std::string description;  // may be long: wraps inside its column
  // Printed under the description ("ASIN: B0SIMPEN12"); "" = none.
  std::string part_label;
  std::string quantity;    // plain decimal, "2"
  std::string unit_price;  // plain decimal, "10.50" (net of tax)
  std::string tax_rate;    // percent as a plain decimal, "20" (printed "20%")
  std::string amount;      // net line amount, plain decimal, "21.00"
};

struct InvoiceSheet {
  // The marketplace's name, printed as the letterhead ("amazon business").
  std::string brand;
  // Who sells: printed "Sold by: <name>" with the address lines under it.
  Party seller;
  std::string seller_vat_number;  // "GB727255821", printed "VAT number: ..."; "" = none
  std::string invoice_number;     // required
  std::string invoice_date;       // as printed, e.g. "6 December 2026"
  std::string po_number;          // the buyer's purchase order ("" = none)
  std::string order_number;       // the supplier's order number ("" = none)
  std::string order_date;         // as printed ("" = none)
  std::string payment_terms;      // "Pay by invoice: 30 days" ("" = none)
  std::string payment_due;        // as printed ("" = none)
  Party bill_to;
  Party ship_to;
  std::string currency;                 // ISO 4217, required: "USD", "EUR", "GBP", ...
  std::string tax_name = "VAT";         // "VAT" or "Tax": column and total labels
  std::vector<InvoiceSheetLine> lines;  // at least one
  std::string subtotal;                 // plain decimals
  std::string tax;
  std::string total;
  std::string notes;  // small print after the totals ("" = none)
};

// The PDF bytes of `sheet`: A4 pages. At the top the brand and "Invoice";
// "Sold by" with the seller's address and VAT number; the invoice's facts
// (invoice number and date, purchase order number, order number and date,
// payment terms and due date) beside a shaded "Total payable" box; bill-to
// and ship-to boxes; the line table (description with the part label under
// it, quantity, unit price, VAT/tax rate, amount) that breaks across pages
// between rows with its header repeated; Subtotal, Total VAT (or tax) and
// Total payable, each on a line of its own at the right; the notes. Pages
// after the first carry the invoice number at the top; every page says
// "Page N of M" at the bottom. Money prints with the currency's symbol
// ("$1,234.50" for USD, "€" EUR, "£" GBP, "CDN$" CAD) or else its code
// ("SEK 1,234.50"); thousands are grouped only for amounts with two
// decimals, so every printed amount reads back as the same decimal.
// Document metadata: title "Invoice <number>", creator "iob".
//
// Fields print as plain text, never markup. INVALID_ARGUMENT naming the
// field when the invoice number or the currency (three upper-case letters)
// is missing, there are no lines, an amount, quantity or rate is not a
// plain decimal ("lines[2].unit_price: ..."), or a field is not valid UTF-8;
// INTERNAL when cairo fails. Thread-safe.
absl::StatusOr<std::string> RenderInvoice(const InvoiceSheet& sheet);

}  // namespace iob::pdf

#endif  // IOB_LIBS_PDF_INVOICE_PDF_H_

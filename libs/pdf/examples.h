// Sample sheets (a purchase order, a supplier invoice) for tests and
// benchmarks. Values are fictitious; figures are computed with exact
// decimals (cxml::Decimal).
#ifndef IOB_LIBS_PDF_EXAMPLES_H_
#define IOB_LIBS_PDF_EXAMPLES_H_

#include "libs/pdf/invoice_pdf.h"
#include "libs/pdf/purchase_order_pdf.h"

namespace iob::pdf {

// A new (unmarked) order in USD with every party filled in, comments, and
// `lines` lines (`lines` >= 0): numbers "1".., part ids "PART-0001"..
// (unique, none a substring of another for up to 9999 lines), an aux id on
// every third line, a long wrapping description on every seventh, line
// totals = quantity x unit price and the total their sum. Thread-safe.
PurchaseOrderSheet ExamplePurchaseOrderSheet(int lines);

// An Amazon Business style invoice in GBP with VAT at 20% for purchase order
// "PO-2026-004711": seller with a VAT number, bill-to and ship-to, notes,
// and `lines` lines (`lines` >= 1): descriptions that wrap on every fifth,
// part labels "ASIN: B0EXAMPL01".. (ten characters, unique for up to 99
// lines), amounts = quantity x unit price, subtotal their sum, VAT 20% of
// each line rounded half up to the penny and summed, total = subtotal + VAT.
// Thread-safe.
InvoiceSheet ExampleInvoiceSheet(int lines);

}  // namespace iob::pdf

#endif  // IOB_LIBS_PDF_EXAMPLES_H_

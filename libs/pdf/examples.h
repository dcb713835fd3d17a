// A sample purchase order sheet for tests and benchmarks. Values are
// fictitious; figures are computed with exact decimals (cxml::Decimal).
#ifndef IOB_LIBS_PDF_EXAMPLES_H_
#define IOB_LIBS_PDF_EXAMPLES_H_

#include "libs/pdf/purchase_order_pdf.h"

namespace iob::pdf {

// A new (unmarked) order in USD with every party filled in, comments, and
// `lines` lines (`lines` >= 0): numbers "1".., part ids "PART-0001"..
// (unique, none a substring of another for up to 9999 lines), an aux id on
// every third line, a long wrapping description on every seventh, line
// totals = quantity x unit price and the total their sum. Thread-safe.
PurchaseOrderSheet ExamplePurchaseOrderSheet(int lines);

}  // namespace iob::pdf

#endif  // IOB_LIBS_PDF_EXAMPLES_H_

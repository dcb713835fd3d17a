#include "services/invoice-intake/invoice.h"

namespace iob::invoice {

absl::string_view FormatText(InvoiceFormat format) {
  switch (format) {
    case InvoiceFormat::kCxml:
      return "cxml";
    case InvoiceFormat::kUbl:
      return "ubl";
    case InvoiceFormat::kCii:
      return "cii";
    case InvoiceFormat::kFacturX:
      return "facturx";
    case InvoiceFormat::kPdf:
      return "pdf";
  }
  return "cxml";
}

}  // namespace iob::invoice

// The invoices in a message's parts, whatever format each came in: cXML
// InvoiceDetailRequest, UN/CEFACT CII and UBL 2.1 XML, Factur-X / ZUGFeRD
// (CII embedded in a PDF), and plain PDF invoices read from their text by
// documented rules fitted to Amazon Business's invoice layout. No I/O.
#ifndef IOB_SERVICES_INVOICE_INTAKE_INVOICE_READER_H_
#define IOB_SERVICES_INVOICE_INTAKE_INVOICE_READER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/invoice-intake/invoice.h"
#include "services/invoice-intake/mail_message.h"

namespace iob::invoice {

// What became of one part that could hold an invoice (an XML or a PDF
// part). Exactly one of three: `invoice` set (read; a PDF read by rules may
// carry doubts); `error` set (it looked like an invoice and was refused:
// "encrypted PDF", "cXML: <reason>", "CII: <reason>", ...); neither (read,
// but not an invoice: a cXML OrderRequest, a PDF with no invoice labels,
// XML of another kind).
struct PartResult {
  std::string part;  // the part's file name, or its MailPart::path when it has none
  std::optional<InvoiceDocument> invoice;
  std::string error;
};

// Limits on reading one part, on top of the message's own (MailLimits).
struct ReaderLimits {
  size_t max_xml_bytes = 8 << 20;       // one XML document (cXML, CII, UBL)
  int max_xml_depth = 64;               // XML element nesting
  int max_pdf_pages = 50;               // pages whose text is read
  size_t max_embedded_bytes = 8 << 20;  // a Factur-X attachment's declared size
};

// Reads every XML and PDF part of `message`, in part order; other parts
// (text bodies, images, archives -- never expanded) give no result.
//
// XML parts (text/xml, application/xml, *+xml, *.xml, or a body that opens
// like XML) are told apart by their root element:
//  - cXML: read with libs/cxml's hardened reader; an InvoiceDetailRequest
//    is an invoice (format kCxml; a creditMemo / lineLevelCreditMemo
//    purpose or a negative total is a credit memo);
//  - rsm:CrossIndustryInvoice: CII (kCii), see cii_reader.h;
//  - Invoice / CreditNote in the UBL 2 namespaces: UBL (kUbl).
// PDF parts (application/pdf, *.pdf, or "%PDF-" bytes): an encrypted or
// locked PDF is refused ("encrypted PDF"); a Factur-X / ZUGFeRD / XRechnung
// attachment (factur-x.xml, zugferd-invoice.xml, xrechnung.xml) is read as
// CII (kFacturX); otherwise the text of at most `max_pdf_pages` pages is
// read by the rules in invoice_reader.cc (kPdf), each value's Found naming
// its rule and `doubts` saying what a person must confirm. A PDF invoice
// has no doubts only when its number, date, purchase order, total payable
// and currency were all found and its totals add up.
//
// One bad part never stops the others. Thread-safe.
std::vector<PartResult> ReadInvoices(const MailMessage& message, const ReaderLimits& limits = {});

// The same for one part, or for a document that came outside a message
// (the HTTP endpoint's cXML post, a reprocessed source) dressed as a part:
// its data, content type and file name as a mail part would carry them.
// nullopt when it is neither XML nor PDF. Thread-safe.
std::optional<PartResult> ReadInvoicePart(const MailPart& part, const ReaderLimits& limits = {});

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_INVOICE_READER_H_

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
#include "absl/time/time.h"
#include "services/invoice-intake/invoice.h"
#include "services/invoice-intake/mail_message.h"

namespace iob::invoice {

// What became of one part that could hold an invoice (an XML or a PDF
// part, an archive, or any attachment whose base64 is broken). Exactly one
// of three: `invoice` set (read; a PDF read by rules may carry doubts);
// `error` set (it looked like an invoice and was refused: "encrypted PDF",
// "cXML: <reason>", "CII: <reason>", "PDF reading stopped: ...", an archive
// "never expanded", "broken base64: ...", ...); neither (read, but not an
// invoice: a cXML OrderRequest, a PDF with no invoice labels, XML of
// another kind).
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
  size_t max_pdf_text_bytes = 2 << 20;  // text kept from those pages
  size_t max_embedded_bytes = 8 << 20;  // a Factur-X attachment (declared and actual)
  // Poppler reads each PDF in a child process (see invoice_reader.cc) that
  // may use this much CPU time, this much memory on top of what this process
  // maps already, and this long in all before it is killed.
  absl::Duration max_pdf_cpu = absl::Seconds(5);
  size_t max_pdf_memory_bytes = size_t{512} << 20;
  absl::Duration max_pdf_wall = absl::Seconds(20);
};

// Reads every XML and PDF part of `message`, in part order. An archive
// (zip, gzip, 7z, rar, tar, ... by type, name or magic bytes) is never
// expanded: it gives an error saying so. A part whose base64 is broken
// (MailPart::encoding_error) is not read: XML, PDF, archives and other
// attachments give that error; a broken text body is ignored. Other parts
// (text bodies, images) give no result.
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
// and currency were all found and its totals add up. Text beyond
// `max_pdf_text_bytes` is not read (a doubt, or with no invoice in what was
// read an error, says so; likewise for pages beyond `max_pdf_pages`). A PDF
// whose reading goes over `max_pdf_cpu`, `max_pdf_memory_bytes` or
// `max_pdf_wall`, or crashes poppler, is refused: "PDF reading stopped:
// ...". So a PDF costs this process at most about max_pdf_text_bytes plus
// the embedded e-invoices (each at most max_embedded_bytes), and at most
// max_pdf_wall of a thread's time.
//
// An invoice read from a part whose file name had to be repaired
// (MailPart::file_name_repaired: CR, LF or other control characters in it)
// carries a doubt saying so.
//
// One bad part never stops the others. Thread-safe (each PDF is read in a
// child process of its own; see invoice_reader.cc for why fork is safe).
std::vector<PartResult> ReadInvoices(const MailMessage& message, const ReaderLimits& limits = {});

// The same for one part, or for a document that came outside a message
// (the HTTP endpoint's cXML post, a reprocessed source) dressed as a part:
// its data, content type and file name as a mail part would carry them.
// nullopt when it gives no result in ReadInvoices (neither XML, PDF, archive
// nor an attachment with broken base64). Thread-safe.
std::optional<PartResult> ReadInvoicePart(const MailPart& part, const ReaderLimits& limits = {});

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_INVOICE_READER_H_

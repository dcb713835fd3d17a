// The supplier's invoice for an order it shipped, e-mailed to the buyer's
// e-invoicing address as Amazon Business's "Pay by Invoice" does: a PDF
// invoice (libs/pdf) and optionally the same invoice as a cXML
// InvoiceDetailRequest, in one mail (libs/mail) delivered into a Maildir or
// through an SMTP server. The Invoicer does it on a background thread after
// each delivered ship notice.
//
// Settings (POST /admin/invoicing; off until set, POST /admin/invoicing/clear
// turns it off again):
//   {"to": "acme-x7k2m9q4ab@invoices.iob.localhost",   required
//    "maildir": "/path/to/Maildir",        exactly one of maildir / smtp_url
//    "smtp_url": "smtp://127.0.0.1:2525", "smtp_plain": false,
//    "pdf": true, "cxml": false,           at least one
//    "authserv_id": "mx.iob.localhost",    Maildir only
//    "delay_ms": 0, "marketplace": "amazon.com", "tax_rate": "0"}
#ifndef IOB_TOOLS_SUPPLIER_SIM_INVOICING_H_
#define IOB_TOOLS_SUPPLIER_SIM_INVOICING_H_

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/cxml/model.h"
#include "libs/pdf/invoice_pdf.h"
#include "tools/supplier-sim/fulfillment.h"
#include "tools/supplier-sim/timed_runner.h"
#include "tools/supplier-sim/traffic_log.h"

namespace iob::sim {

// Where and how invoices are mailed.
struct InvoicingSettings {
  std::string to;        // the buyer's e-invoicing address
  std::string maildir;   // deliver into this Maildir ("" = by SMTP)
  std::string smtp_url;  // deliver through this SMTP server ("" = into the Maildir)
  bool smtp_plain = false;
  bool pdf = true;    // attach the PDF invoice
  bool cxml = false;  // attach the cXML InvoiceDetailRequest
  // The receiving server whose Authentication-Results the simulator writes
  // on Maildir delivery ("" = none).
  std::string authserv_id;
  absl::Duration delay;                    // after the ship notice was delivered
  std::string marketplace = "amazon.com";  // a Marketplace domain
  std::string tax_rate = "0";              // percent, a plain decimal in [0, 100)
};

// Parses the settings JSON above. INVALID_ARGUMENT whose message starts with
// the key ("to: ...", "maildir: ...") for malformed JSON, an unknown key, a
// wrong type, a bad address, neither or both of maildir and smtp_url, a
// Maildir path that is not absolute or lacks tmp/ and new/, an SMTP URL that
// libs/mail refuses (plain only on loopback), authserv_id with SMTP or not a
// host-like token, neither pdf nor cxml, a delay outside [0, 3600000] ms, an
// unknown marketplace, or a tax rate outside [0, 100) or with more than 4
// decimals. Reads the file system (the Maildir's folders).
absl::StatusOr<InvoicingSettings> ParseInvoicingSettings(std::string_view json);
// {"enabled": false} when off, else the settings with "enabled": true.
std::string InvoicingSettingsJson(const std::optional<InvoicingSettings>& settings);

// An Amazon marketplace the simulator can invoice from: who sells and how
// its invoices read.
struct Marketplace {
  std::string domain;        // "amazon.com": the mail's From domain
  std::string display_name;  // "Amazon.com", in the subject
  pdf::Party seller;
  std::string seller_vat_number;   // "" = none (US)
  std::string tax_name;            // "Tax" or "VAT"
  bool month_first_dates = false;  // "December 6, 2026" rather than "6 December 2026"
  char order_prefix = '1';         // first digit of its order numbers
};
// The marketplace for `domain` ("amazon.com", "amazon.co.uk", "amazon.de"),
// or nullptr.
const Marketplace* FindMarketplace(std::string_view domain);

// One invoice line, figures as plain decimals.
struct SimInvoiceLine {
  std::string line_number;  // the order line's
  std::string part_id;      // SupplierPartID
  std::string description;
  std::string quantity;
  std::string unit_of_measure;
  std::string unit_price;  // at least 2 decimals
  std::string amount;      // quantity x unit price, at least 2 decimals
  std::string tax;         // amount x rate, rounded half up to 2 decimals
};

// The invoice for one shipped order.
struct SimInvoice {
  std::string number;        // "INV-" + order_number
  std::string order_number;  // Amazon style "112-1234567-1234567", from the payloadID
  absl::Time date;
  std::string currency;
  std::string tax_rate;
  std::vector<SimInvoiceLine> lines;
  std::string subtotal;  // sum of the amounts
  std::string tax;       // sum of the line taxes
  std::string total;     // subtotal + tax
};

// Computes the invoice of `order` from `marketplace` with exact decimals
// (cxml::Decimal): unit prices as ordered (at least 2 decimals), amounts =
// quantity x unit price, each line's tax = amount x `tax_rate` % rounded
// half up to the cent. Unique and stable per order: its number derives from
// the OrderRequest's payloadID. Dated `now`. INVALID_ARGUMENT when a line
// has no unit price (no ItemDetail), the lines' currencies differ, or a
// figure is not a decimal; OUT_OF_RANGE on overflow. Pure.
absl::StatusOr<SimInvoice> ComputeInvoice(const AcceptedOrder& order,
                                          const Marketplace& marketplace, std::string_view tax_rate,
                                          absl::Time now);

// The PDF sheet of `invoice`: the marketplace's brand, seller and labels,
// "ASIN: <part id>" under each description, bill-to and ship-to from the
// order, PO number = the orderID. Pure.
pdf::InvoiceSheet InvoiceSheetFor(const SimInvoice& invoice, const AcceptedOrder& order,
                                  const Marketplace& marketplace);

// The same invoice as a cXML InvoiceDetailRequest: From NetworkID
// "AmazonBusiness", To the buyer's credentials as in the OrderRequest, Sender
// the supplier's own (no shared secret travels by mail); the seller as
// InvoicePartner "issuerOfInvoice"; one InvoiceDetailOrder referencing the
// order (orderID, orderDate, payloadID) with a line per order line (its
// lineNumber, part, quantity, price, subtotal and tax); summary subtotal,
// tax, gross = net = due = total. Pure.
cxml::Document InvoiceDocumentFor(const SimInvoice& invoice, const AcceptedOrder& order,
                                  const Marketplace& marketplace, absl::Time now);

// What the Invoicer did with one invoice (GET /admin/invoices).
struct SentInvoice {
  absl::Time at;
  std::string invoice_number;
  std::string order_id;
  std::string to;
  std::string delivery;  // "maildir" or "smtp"
  std::string outcome;   // "sent" or the failure's outcome name (Invoicer)
  std::string error;     // why it failed ("" when sent)
  std::string message_id;
  std::string path;  // the Maildir file ("" for SMTP or a failure)
  std::vector<std::string> attachments;
  std::string currency, subtotal, tax, total;
};

// Mails an invoice for every order whose ship notice was delivered, while
// invoicing is on, `delay` after the ship notice, on its own thread.
// Failures are logged and counted, never retried. Each attempt's outcome is
// counted under TrafficLog endpoint "invoice": "sent", "invoice_error" (the
// order cannot be invoiced), "render_error", "compose_error",
// "maildir_error", "smtp_transient", "smtp_permanent", "smtp_unreachable";
// each composed mail is kept there too (Sent). Thread-safe.
class Invoicer {
 public:
  static constexpr char kName[] = "invoice";

  // `traffic` must outlive the Invoicer; the newest `keep` invoices are
  // kept for Recent().
  Invoicer(TrafficLog& traffic, size_t keep);
  ~Invoicer();
  Invoicer(const Invoicer&) = delete;
  Invoicer& operator=(const Invoicer&) = delete;

  // Starts the thread. Call once.
  void Start();
  // Drops pending invoices and joins the thread; a delivery in flight ends
  // first (SMTP within its 10 s timeout). Idempotent.
  void Stop();

  // nullopt when invoicing is off.
  std::optional<InvoicingSettings> settings() const;
  // Turns invoicing on with `settings`, or off with nullopt, for ship
  // notices delivered from now on.
  void set_settings(std::optional<InvoicingSettings> settings);

  // Schedules the invoice of `order` (after the settings' delay) when
  // invoicing is on; otherwise nothing. Does not block.
  void OrderShipped(const AcceptedOrder& order);

  // The newest invoices, oldest first.
  std::vector<SentInvoice> Recent() const;
  // Forgets them (POST /admin/stats/reset).
  void Reset();

 private:
  // Computes, renders, composes and delivers one invoice.
  void Send(const AcceptedOrder& order, const InvoicingSettings& settings);
  void Keep(SentInvoice sent);

  TrafficLog& traffic_;
  const size_t keep_;
  mutable absl::Mutex mu_;
  std::optional<InvoicingSettings> settings_ ABSL_GUARDED_BY(mu_);
  std::deque<SentInvoice> recent_ ABSL_GUARDED_BY(mu_);
  TimedRunner runner_;  // last: joined before the members above go
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_INVOICING_H_

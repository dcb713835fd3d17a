// The only SQL of invoice intake: the tenants' e-invoicing addresses, raw
// messages (stored before they are read), invoices with their sources, the
// quantities matched invoice lines put on order lines, and resolutions.
#ifndef IOB_SERVICES_INVOICE_INTAKE_INVOICE_STORE_H_
#define IOB_SERVICES_INVOICE_INTAKE_INVOICE_STORE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "iob/invoice/v1/invoice_service.pb.h"
#include "libs/db/idempotency.h"
#include "libs/db/pool.h"

namespace iob::invoice {

namespace pb = ::iob::invoice::v1;

struct StoredAddress {
  std::string tenant;
  std::string local_part;
  absl::Time create_time;
};

// A message as stored. `state` is "received", "processed" or "quarantined";
// `source` "imap", "maildir", "api" or "cxml_post".
struct StoredMessage {
  std::string id;
  std::string tenant;  // "" until routed
  std::string source;
  std::string source_key;
  std::string sha256;
  std::string message_id;
  int64_t size_bytes = 0;
  std::string state = "received";
  std::string reason;
  std::string from_address;
  std::string subject;
  std::string authentication;
  std::vector<std::string> invoices;  // invoice ids
  absl::Time receive_time;
  std::optional<absl::Time> process_time;
  std::string raw;         // only when asked for
  bool duplicate = false;  // PutMessage found the bytes stored already

  std::string Name() const;  // tenants/{t}/messages/{id} or messages/{id}
};

// What a message's reading came to.
struct MessageOutcome {
  std::string tenant;
  std::string state;  // "processed" | "quarantined"
  std::string reason;
  std::string from_address;
  std::string subject;
  std::string authentication;
  std::vector<std::string> invoices;
};

struct InvoiceSourceRecord {
  std::string message;  // message id
  std::string part;
  std::string format;  // "cxml", "pdf", ...
  std::string sha256;
  absl::Time receive_time;
};

// An invoice as stored; `detail` holds what was read and matched (name,
// state, sources and times are the columns').
struct InvoiceRecord {
  std::string tenant;
  std::string id;
  std::string sender_key;
  std::string invoice_number;
  std::string integration;
  std::string supplier;
  std::string state;  // "parsed", "matched", "exception", "needs_review", ...
  bool sender_verified = false;
  bool credit_memo = false;
  std::string currency;
  std::vector<std::string> po_numbers;
  pb::Invoice detail;
  std::string reason;
  std::vector<InvoiceSourceRecord> sources;
  absl::Time create_time;
  absl::Time update_time;

  std::string Name() const;  // tenants/{t}/invoices/{id}
};

// (order name, order line) -> quantity invoiced so far (decimal text).
using InvoicedQuantities = std::map<std::pair<std::string, int>, std::string>;

// The quantities an invoice puts on order lines: each invoice line matched
// to an order line (`detail.matches`) adds its quantity, negative for a
// credit line (a negative quantity, or any line of a credit memo).
InvoicedQuantities QuantitiesOf(const pb::Invoice& detail);

// The backlog an SRE watches.
struct IntakeStats {
  absl::Duration oldest_unprocessed_age;  // zero when none
  int64_t quarantined = 0;
  int64_t exceptions = 0;
  int64_t needs_review = 0;
};

// What to write for an invoice: the record (new or changed), the source it
// came by now, and the quantities its matched lines put on order lines
// (replacing the invoice's earlier ones; nullopt leaves them).
struct InvoiceWrite {
  InvoiceRecord record;
  InvoiceSourceRecord source;
  std::optional<InvoicedQuantities> quantities;
};

struct InvoiceFilter {
  std::string state;        // "" = any
  std::string integration;  // "" = any
  std::string po_number;    // "" = any
};

// Thread-safe; borrows the pool.
class InvoiceStore {
 public:
  explicit InvoiceStore(db::Pool* pool) : pool_(pool) {}

  // The tenant's address, made with `local_part` when it has none yet (a
  // concurrent first call wins; both return the same address).
  absl::StatusOr<StoredAddress> GetOrCreateAddress(const std::string& tenant,
                                                   const std::string& local_part);
  // The tenant whose address has `local_part` (lower case). NOT_FOUND.
  absl::StatusOr<std::string> TenantOf(const std::string& local_part);

  // Stores `raw` unless the same bytes are stored (then returns that
  // message with duplicate = true). The message is durable when this
  // returns OK.
  absl::StatusOr<StoredMessage> PutMessage(const std::string& source, const std::string& source_key,
                                           const std::string& raw);
  // NOT_FOUND "message ... not found".
  absl::StatusOr<StoredMessage> GetMessage(const std::string& id, bool include_raw);
  // The backlog figures (IntakeStats).
  absl::StatusOr<IntakeStats> Stats();
  // Ids of messages stored at least `min_age` ago but not yet read, oldest
  // first (younger ones are still being read by the call that stored them).
  absl::StatusOr<std::vector<std::string>> Unprocessed(int limit, absl::Duration min_age);
  // Records what reading the message came to; the message as it stands
  // afterwards (without its raw bytes). NOT_FOUND when there is no such message.
  absl::StatusOr<StoredMessage> FinishMessage(const std::string& id, const MessageOutcome& outcome);
  // Sets a message back to received (ReprocessMessage).
  absl::Status ResetMessage(const std::string& id);

  // Under a lock on (tenant, sender key, invoice number) and, for a new
  // invoice, on each of `orders` (so two invoices of one order are checked
  // one after the other): `decide` sees the invoice stored with that key (if
  // any) and the quantities invoiced so far on `orders` by other invoices,
  // and returns what to write.
  absl::StatusOr<InvoiceRecord> Record(
      const std::string& tenant, const std::string& sender_key, const std::string& invoice_number,
      const std::vector<std::string>& orders,
      const std::function<absl::StatusOr<InvoiceWrite>(const std::optional<InvoiceRecord>& existing,
                                                       const InvoicedQuantities& before)>& decide);

  // NOT_FOUND "invoice tenants/t/invoices/i not found".
  absl::StatusOr<InvoiceRecord> GetInvoice(const std::string& tenant, const std::string& id);
  // Newest first after the page key `after`, at most `limit`.
  absl::StatusOr<std::vector<InvoiceRecord>> ListInvoices(const std::string& tenant,
                                                          const InvoiceFilter& filter,
                                                          const std::string& after, int limit);
  static std::string PageKey(const InvoiceRecord& invoice);

  // Accepts or rejects an invoice in exception / needs_review with `note`
  // by `actor`, claiming `key`. An accepted invoice's matched lines put
  // their quantities on the order lines (QuantitiesOf), so later invoices
  // of the same orders are checked against them; a rejected one puts none.
  // FAILED_PRECONDITION from another state.
  absl::StatusOr<InvoiceRecord> Resolve(const std::string& tenant, const std::string& id,
                                        bool accept, const std::string& note,
                                        const std::string& actor, const db::RequestKey& key);

 private:
  db::Pool* const pool_;
};

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_INVOICE_STORE_H_

// What happens to one message, whichever source it came by: stored first
// (so a crash or a re-delivery never loses or doubles it), then read:
// routed to a tenant by recipient, its sender recognised (the tenant's
// integrations and their suppliers' sending domains, the receiving server's
// Authentication-Results), its invoices read, each recorded once per
// supplier and invoice number however many copies arrive, and matched line
// by line against the dispatch orders it names.
#ifndef IOB_SERVICES_INVOICE_INTAKE_INTAKE_H_
#define IOB_SERVICES_INVOICE_INTAKE_INTAKE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/peers/dispatch_client.h"
#include "libs/supplier/credentials_client.h"
#include "services/invoice-intake/intake_metrics.h"
#include "services/invoice-intake/invoice.h"
#include "services/invoice-intake/invoice_reader.h"
#include "services/invoice-intake/invoice_store.h"
#include "services/invoice-intake/mail_message.h"
#include "services/invoice-intake/matching.h"

namespace iob::invoice {

struct IntakeOptions {
  // Tenants' addresses are <tenant>-<random>@mail_domain.
  std::string mail_domain = "invoices.iob.localhost";
  // The domains a supplier sends invoices from, by supplier profile id
  // ("amazon-business" -> amazon.com, ...); subdomains count.
  std::map<std::string, std::vector<std::string>> sender_domains;
  // Tolerances, by default and per supplier.
  MatchPolicies policies;
  MailLimits limits;
  // The authserv-ids of the receiving mail servers whose
  // Authentication-Results are believed (RFC 8601); a sender can write the
  // header into its own message too. Empty: no sender is ever verified, so
  // every invoice needs review.
  std::vector<std::string> trusted_authserv_ids;
};

// The built-in sending domains (Amazon Business's marketplaces).
std::map<std::string, std::vector<std::string>> DefaultSenderDomains();
// Parses "amazon-business=amazon.com+amazon.de;acme=acme.example" over the
// defaults. INVALID_ARGUMENT naming the bad part.
absl::StatusOr<std::map<std::string, std::vector<std::string>>> ParseSenderDomains(
    const std::string& text);

// Where a message's invoices came from, as far as we can tell: the tenant's
// integrations that may have sent it, and whether that is proven.
struct SenderEvidence {
  std::vector<supplier::SupplierTile> candidates;  // integrations, by name
  bool verified = false;
  std::string domain;       // the sending domain that matched (else From's)
  std::string unknown_key;  // the sender key when no candidate fits
  std::string described;    // "sender x@y.example", for reasons
};

// Thread-safe; borrows its collaborators (`metrics` may be null).
class Intake {
 public:
  // The source of documents suppliers post to the HTTP edge.
  static constexpr char kPostedSource[] = "cxml_post";

  Intake(IntakeOptions options, InvoiceStore* store, supplier::CredentialsClient* credentials,
         peers::DispatchClient* dispatch, IntakeMetrics* metrics = nullptr);

  // The tenant's address (made on first call).
  absl::StatusOr<std::string> AddressOf(const std::string& tenant);

  // Stores `raw` from `source` ("imap", "maildir", "api") once, then reads
  // it (unless it was stored and read before). Returns the message as it
  // stands afterwards: still received when reading failed for a reason of
  // ours (a peer away; the next sweep reads it). An error means it was NOT
  // stored: RESOURCE_EXHAUSTED for a message over the size limit, or the
  // database's error.
  absl::StatusOr<StoredMessage> Take(const std::string& source, const std::string& source_key,
                                     const std::string& raw);

  // The same for a cXML document `sender` posted to the HTTP edge (its
  // shared secret verified): stored as a message of source kPostedSource
  // keyed by the integration, read as the integration's own invoice.
  absl::StatusOr<StoredMessage> TakePosted(const supplier::VerifiedSender& sender,
                                           std::string_view xml);

  // Reads a stored message (again): see the file comment. A failure to
  // reach a peer leaves it received (to be read again later) and returns
  // the error; anything the message itself is to blame for quarantines it.
  absl::StatusOr<StoredMessage> Process(const std::string& message_id);

 private:
  // Process's work on `stored`, whose raw bytes it holds.
  absl::StatusOr<StoredMessage> Read(const StoredMessage& stored);
  // Its reading of a mail, and of a posted document.
  absl::Status ReadMessage(const StoredMessage& stored, MessageOutcome& outcome);
  absl::Status ReadPosted(const StoredMessage& stored, MessageOutcome& outcome);
  // Who may have sent `mail` to `tenant`.
  absl::StatusOr<SenderEvidence> MailSender(const std::string& tenant, const MailMessage& mail);
  // The invoices read from `parts` recorded; sets the outcome's invoices,
  // state and reason.
  absl::Status RecordInvoices(const StoredMessage& stored, const SenderEvidence& sender,
                              std::vector<PartResult> parts, MessageOutcome& outcome);

  const IntakeOptions options_;
  InvoiceStore* const store_;
  supplier::CredentialsClient* const credentials_;
  peers::DispatchClient* const dispatch_;
  IntakeMetrics* const metrics_;
};

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_INTAKE_H_

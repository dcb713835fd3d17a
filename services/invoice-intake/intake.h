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
#include <vector>

#include "absl/status/statusor.h"
#include "libs/peers/dispatch_client.h"
#include "libs/supplier/credentials_client.h"
#include "services/invoice-intake/invoice.h"
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
  MatchPolicy policy;
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

// Thread-safe; borrows its collaborators.
class Intake {
 public:
  Intake(IntakeOptions options, InvoiceStore* store, supplier::CredentialsClient* credentials,
         peers::DispatchClient* dispatch);

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

  // Reads a stored message (again): see the file comment. A failure to
  // reach a peer leaves it received (to be read again later) and returns
  // the error; anything the message itself is to blame for quarantines it.
  absl::StatusOr<StoredMessage> Process(const std::string& message_id);

 private:
  // The invoices of one read message recorded; their ids.
  absl::StatusOr<std::vector<std::string>> RecordInvoices(const StoredMessage& stored,
                                                          const std::string& tenant,
                                                          const MailMessage& mail,
                                                          std::string* problems);

  const IntakeOptions options_;
  InvoiceStore* const store_;
  supplier::CredentialsClient* const credentials_;
  peers::DispatchClient* const dispatch_;
};

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_INTAKE_H_

// Where invoice mail comes from: a mailbox the intake polls. One interface,
// two implementations (maildir_source.h: a local Maildir; imap_source.h: an
// IMAP mailbox through libcurl), so the poller does not care which. This
// header includes both: it is the one the intake needs.
//
// The contract that makes "store first" work: Fetch never changes the
// mailbox (an IMAP message is not even flagged \Seen), so a message the
// intake has not stored yet is fetched again on the next poll, after a crash
// or a lost connection alike. The intake stores each fetched message durably
// FIRST and only then calls MarkProcessed (or Quarantine); the store
// deduplicates the re-fetch of a message whose acknowledgement was lost.
#ifndef IOB_SERVICES_INVOICE_INTAKE_MAIL_SOURCE_H_
#define IOB_SERVICES_INVOICE_INTAKE_MAIL_SOURCE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace iob::invoice {

// The default bound on one message a source reads into memory. A message
// over its source's bound is never handed over: the source moves it to its
// quarantine folder itself and logs why (the intake could not store it
// anyway, and reading it would risk the process's memory).
inline constexpr size_t kDefaultMaxMessageBytes = size_t{64} << 20;

// One message a source handed over, not yet acknowledged.
struct FetchedMessage {
  // The source's id for it: the Maildir unique name (the file name without
  // its ":2,<flags>" part, which changes when flags do) or IMAP
  // "UIDVALIDITY:UID".
  std::string key;
  std::string raw;  // the bytes as stored in the mailbox
};

// A mailbox. Not thread-safe: one poller thread uses a source.
class MailSource {
 public:
  virtual ~MailSource() = default;

  // Names the mailbox in logs and metrics, never with a credential:
  // "maildir:/var/mail/invoices", "imaps://host:993/INBOX".
  virtual std::string Name() const = 0;

  // Up to `max` messages not yet processed (or quarantined), oldest first;
  // none for max <= 0. Changes nothing in the mailbox, except that a message
  // the source cannot read whole (over its size bound, or a reply it could
  // not take apart) is moved to the quarantine folder instead of being
  // returned. Errors: UNAVAILABLE when the mailbox cannot be reached (the
  // poller retries); see each implementation for the rest. Messages never
  // hold a password or token.
  virtual absl::StatusOr<std::vector<FetchedMessage>> Fetch(int max) = 0;

  // Moves the message `key` (from Fetch) to the processed folder, flagged
  // seen (IMAP: \Seen, then MOVE, or COPY + \Deleted + EXPUNGE when the
  // server offers no MOVE), creating the folder when missing. Acknowledging
  // a message that is already there is OK, so a retried call is harmless.
  virtual absl::Status MarkProcessed(const std::string& key) = 0;

  // Moves the message `key` to the quarantine folder, left unseen so that a
  // person reading that folder sees it as new. Same rules as MarkProcessed.
  virtual absl::Status Quarantine(const std::string& key) = 0;
};

// For implementations: logs a warning that `source` moved the message `key`
// to its quarantine folder instead of handing it over, and why (`reason`:
// "larger than 67108864 bytes", ...), or, when `moved` is not OK, that the
// move failed too (the message then stays where it is; the next Fetch tries
// again). Thread-safe.
void LogUnreadableMessage(const MailSource& source, const std::string& key,
                          const std::string& reason, const absl::Status& moved);

}  // namespace iob::invoice

// The sources (after the interface they implement, which they include too).
#include "services/invoice-intake/imap_source.h"     // IWYU pragma: export
#include "services/invoice-intake/maildir_source.h"  // IWYU pragma: export

#endif  // IOB_SERVICES_INVOICE_INTAKE_MAIL_SOURCE_H_

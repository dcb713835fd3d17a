// An IMAP mailbox as a mail source, through libcurl: TLS always (imaps://,
// or STARTTLS on imap://, never silently skipped), a password or an XOAUTH2 /
// OAUTHBEARER bearer token, one connection kept between calls.
//
// Commands, each on the selected mailbox after a fresh SELECT (so its
// UIDVALIDITY is current):
//   Fetch          UID SEARCH UNSEEN UNDELETED, then per message
//                  UID FETCH <uid> BODY.PEEK[]   (PEEK: never flags \Seen)
//   MarkProcessed  UID STORE <uid> +FLAGS.SILENT (\Seen), then UID MOVE <uid>
//                  "Processed", or without MOVE: UID COPY, UID STORE \Deleted,
//                  UID EXPUNGE <uid> (plain EXPUNGE without UIDPLUS)
//   Quarantine     the same into "Quarantine", without \Seen
// Each folder is looked up (LIST) and created (CREATE, SUBSCRIBE) the first
// time it is needed.
//
// A key is "UIDVALIDITY:UID": when the mailbox was reset (a new
// UIDVALIDITY), an old key is refused rather than allowed to name another
// message, and the next Fetch hands the messages over again under new keys
// (the intake's store deduplicates).
//
// Replies are read from the server's raw byte stream with literals counted,
// not line by line, so a message whose lines look like IMAP replies cannot
// pass for the end of a reply; when the stream does not add up (libcurl
// itself stopped early on such a line) the message counts as unreadable and
// is quarantined, and the connection is dropped.
#ifndef IOB_SERVICES_INVOICE_INTAKE_IMAP_SOURCE_H_
#define IOB_SERVICES_INVOICE_INTAKE_IMAP_SOURCE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/invoice-intake/mail_source.h"

namespace iob::invoice {

struct ImapOptions {
  // imaps://host:993/INBOX (implicit TLS) or imap://host:143/INBOX
  // (STARTTLS required unless `plain`); the path is the mailbox to read,
  // INBOX when empty. No credentials, query or fragment in the URL.
  std::string url;
  // imap:// without TLS: only for a loopback server (127.0.0.0/8, ::1,
  // localhost), like libs/mail SmtpOptions.
  bool plain = false;
  std::string username;
  std::string password;      // the secret itself (the caller reads it from a file)
  std::string oauth2_token;  // a bearer token instead of a password (XOAUTH2 / OAUTHBEARER)
  std::string ca_file;       // "" = the system's CAs
  // Folder names: printable ASCII (letters, digits, space and -_./+,:()
  // only), not the mailbox read.
  std::string processed_folder = "Processed";
  std::string quarantine_folder = "Quarantine";
  // Bounds each command (connecting, logging in, one message's transfer).
  absl::Duration timeout = absl::Seconds(30);
  // A message larger than this is quarantined instead of being read (see
  // mail_source.h).
  size_t max_message_bytes = kDefaultMaxMessageBytes;

  // INVALID_ARGUMENT naming the field ("imap.url: must be imaps:// or
  // imap://") for: a URL that is not imap:// or imaps:// with a host, or
  // holds credentials, a query or a fragment, or names a mailbox that is not
  // a valid folder name; plain on imaps:// or on a non-loopback host; no
  // username; neither or both of password and oauth2_token, or either with
  // control characters; a bad or repeated folder name; a timeout or bound
  // that is not positive. Messages never hold the password or token.
  // Thread-safe.
  absl::Status Check() const;
};

// Checks `options` (INVALID_ARGUMENT, see ImapOptions::Check) and returns
// the source; it does not connect until the first call, so a service starts
// while its mail server is down. The source's errors, beside those in
// mail_source.h:
//   UNAVAILABLE          no connection, TLS handshake or certificate failure,
//                        timeout, connection lost: try again later;
//   UNAUTHENTICATED      the server refused the login (wrong password or
//                        token), message naming the user, never the secret;
//   FAILED_PRECONDITION  imap:// without STARTTLS on offer; the server
//                        refused a command (its reply text); a key whose
//                        UIDVALIDITY is not the mailbox's any more;
//   INVALID_ARGUMENT     a key that is not "UIDVALIDITY:UID".
// Name() is the URL.
absl::StatusOr<std::unique_ptr<MailSource>> OpenImap(const ImapOptions& options);

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_IMAP_SOURCE_H_

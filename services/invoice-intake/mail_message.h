// Reading one raw RFC 5322 message from a supplier (a Maildir file, an IMAP
// fetch, a gateway's post) with GMime, under limits: the headers intake
// routes and authenticates by, and every leaf part decoded, with forwarded
// messages (message/rfc822) descended into. Also the receiving server's
// Authentication-Results (RFC 8601), read into which methods passed for
// which domain. No I/O.
#ifndef IOB_SERVICES_INVOICE_INTAKE_MAIL_MESSAGE_H_
#define IOB_SERVICES_INVOICE_INTAKE_MAIL_MESSAGE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace iob::invoice {

// What one message may cost. Every limit is enforced before GMime builds the
// tree it guards (a line scan of the raw bytes counts nesting, leaf parts
// and header bytes first), and again while the tree is walked.
struct MailLimits {
  size_t max_message_bytes = 25 << 20;
  size_t max_header_bytes = 256 << 10;  // all header blocks together (message and parts)
  int max_parts = 200;                  // leaf parts
  int max_depth = 16;                   // multipart / message/rfc822 nesting
  size_t max_decoded_bytes = 64 << 20;  // sum of decoded part bytes
};

// One leaf part, decoded.
struct MailPart {
  // Its position in the tree, numbered as IMAP numbers body sections
  // (RFC 3501 6.4.5): "1" for a message that is one part; "1", "2", ... for
  // the children of the top multipart, "2.1", ... below those; the parts of
  // a message/rfc822 forward at "2" are "2.1", "2.2", ... (its only part
  // "2.1" when it is not a multipart).
  std::string path;
  std::string content_type;  // lower-case type/subtype: "application/pdf"
  // Content-Disposition filename or Content-Type name, decoded (RFC 2231 /
  // RFC 2047), invalid UTF-8 repaired and control characters (CR, LF, ...)
  // replaced by '_'; "" when the part has none.
  std::string file_name;
  // True when the name as sent held control characters or invalid UTF-8
  // (file_name is the repaired name): a name such as "a.pdf\r\nX-Evil: 1"
  // is made to break headers or logs, so readers treat it as a warning sign.
  bool file_name_repaired = false;
  bool attachment = false;  // Content-Disposition: attachment, or a named part
  std::string data;         // decoded bytes (base64 / quoted-printable undone)
  // Why the part's base64 is broken ("broken base64: a character outside the
  // alphabet (0x21) at byte 8", "broken base64: truncated, 4097 characters
  // are not a multiple of 4", ...); "" when it is not base64 or is sound.
  // `data` then holds what decoded leniently, which is not what was sent.
  std::string encoding_error;
};

struct MailMessage {
  std::string message_id;    // without angle brackets; "" when none
  std::string subject;       // decoded; control characters replaced by spaces
  std::string from_address;  // lower-case addr-spec of the (first) From mailbox; "" when none
  std::string from_domain;   // its domain, lower-case
  // Lower-case addr-specs from Delivered-To, X-Original-To, To and Cc, in that
  // order, each once (groups flattened).
  std::vector<std::string> recipients;
  // The values of every top-level Authentication-Results header, top-most
  // (the last hop's) first, each unfolded, joined with "; ". Headers of a
  // forwarded message are not included.
  std::string authentication_results;
  std::optional<absl::Time> date;
  // Leaves, depth-first, in document order.
  std::vector<MailPart> parts;
};

// Reads `raw` (RFC 5322 bytes, CRLF or LF line ends). Errors:
//  - INVALID_ARGUMENT "<reason>" when `raw` is not a message (empty, or it
//    does not open with a header field);
//  - RESOURCE_EXHAUSTED naming the limit: "message larger than N bytes",
//    "headers larger than N bytes", "message has more than N parts",
//    "nesting deeper than N", "decoded parts larger than N bytes".
// Broken base64 or quoted-printable is decoded leniently (what decodes is
// the part's data); broken base64 is also recorded in the part's
// `encoding_error`. Memory is bounded by about twice the message size plus
// the decoded bytes. Thread-safe.
absl::StatusOr<MailMessage> ReadMail(std::string_view raw, const MailLimits& limits = {});

// glibc's iconv keeps a process-wide lock that fork() does not reset, so a
// child forked while another thread is inside iconv_open can block forever
// on it. GMime converts charsets with iconv, and so does poppler, which
// invoice_reader runs in forked children. ReadMail holds this mutex shared
// while GMime works; code that forks a child that will use iconv holds it
// exclusively around fork(). The one instance; never destroyed.
absl::Mutex& IconvForkMutex();

// Authentication-Results (RFC 8601) as the receiving server wrote them.
struct SenderAuthentication {
  // (method, domain) for every result "pass", lower-case: ("dkim", header.d
  // or header.i's domain), ("dmarc", header.from), ("spf", smtp.mailfrom's
  // domain), in the order found.
  std::vector<std::pair<std::string, std::string>> passed;

  // True when a dkim, dmarc or spf pass names `domain` or a subdomain of it
  // ("mail.amazon.com" counts for "amazon.com"; "evilamazon.com" does not).
  // Case-insensitive. Thread-safe.
  bool VerifiedFor(absl::string_view domain) const;
};

// Reads `header_values`, MailMessage::authentication_results (one or more
// header values joined with "; ", top-most first). Comments are dropped;
// quoted values unquoted; results other than "pass" and methods other than
// dkim, dmarc and spf are ignored; what cannot be read is skipped.
//
// A sender can write Authentication-Results into its own message. When
// `trusted_authserv_ids` is not empty, only results under one of those
// authserv-ids count, and only from the top-most headers down to the first
// header of any other authserv-id: headers the receiving servers add sit
// above everything the sender wrote (RFC 8601 section 5). With no trusted
// ids every header counts, which is only safe when the receiving server
// removes foreign Authentication-Results headers. Thread-safe.
SenderAuthentication ParseAuthenticationResults(
    absl::string_view header_values, absl::Span<const std::string> trusted_authserv_ids = {});

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_MAIL_MESSAGE_H_

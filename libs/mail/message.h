// Outgoing e-mail: an RFC 5322 message (multipart/mixed with a plain-text
// body and attachments) composed with GMime, safe against header injection:
// no field can add a header or break one, whatever it holds.
#ifndef IOB_LIBS_MAIL_MESSAGE_H_
#define IOB_LIBS_MAIL_MESSAGE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace iob::mail {

// OK when `address` is a plain addr-spec ("orders@supplier.example"): one
// '@', a non-empty local part of atext/dots, a domain of DNS labels with at
// least one dot, at most 254 bytes, no spaces, control characters,
// brackets, quotes or commas. INVALID_ARGUMENT "<field>: ..." otherwise.
// Thread-safe.
absl::Status ValidateAddress(absl::string_view address, absl::string_view field);

struct Mailbox {
  std::string name;     // display name, any UTF-8 ("" = none)
  std::string address;  // addr-spec, checked with ValidateAddress
};

struct Attachment {
  std::string file_name;     // any UTF-8; encoded per RFC 2231 when needed
  std::string content_type;  // "application/pdf"
  std::string data;          // raw bytes; sent base64
};

struct OutgoingMessage {
  Mailbox from;
  std::vector<Mailbox> to;  // at least one
  std::string subject;      // any UTF-8; RFC 2047-encoded when not ASCII
  // Without angle brackets: "po.o123.v2.acme@iob.example". Fixed by the
  // caller so a re-sent message is recognisably the same one.
  std::string message_id;
  absl::Time date;
  std::string text;  // the plain-text body, UTF-8
  std::vector<Attachment> attachments;
};

// The message as bytes ready for SMTP DATA (CRLF line ends): Date, From,
// To, Subject, Message-ID, MIME-Version, and a multipart/mixed body with the
// text (text/plain; charset=utf-8) and each attachment (base64, with
// Content-Disposition: attachment; filename). A CR or LF (or any other
// control character) in a display name, subject or file name is replaced
// by a space, so it can never start a header. INVALID_ARGUMENT naming the
// field for a bad address, a message id that is not dot-atom@dot-atom, or
// no recipient. Thread-safe.
absl::StatusOr<std::string> Compose(const OutgoingMessage& message);

}  // namespace iob::mail

#endif  // IOB_LIBS_MAIL_MESSAGE_H_

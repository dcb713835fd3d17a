// Sending a composed message through an SMTP relay with libcurl: STARTTLS
// (required, never silently skipped) or implicit TLS (smtps://), optional
// AUTH with a password, and the relay's reply read back and classified so
// an outbox knows whether to retry.
#ifndef IOB_LIBS_MAIL_SMTP_CLIENT_H_
#define IOB_LIBS_MAIL_SMTP_CLIENT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace iob::mail {

struct SmtpOptions {
  // "smtp://relay.example:587" (STARTTLS) or "smtps://relay.example:465"
  // (implicit TLS).
  std::string url;
  // smtp:// without TLS: only for a loopback relay (a local sink in tests or
  // a sidecar); Check refuses it for any other host.
  bool plain = false;
  std::string username;  // "" = no AUTH
  std::string password;  // the secret itself (read from a file by the caller)
  std::string ca_file;   // "" = the system's CAs
  // The name we greet with (EHLO); "" = libcurl's default.
  std::string helo_name;
  absl::Duration timeout = absl::Seconds(30);

  // INVALID_ARGUMENT naming the flag-like field ("smtp.url: ...") for a URL
  // that is not smtp:// or smtps:// with a host (or that holds credentials,
  // a path, a query or a fragment), plain on smtps:// or on a non-loopback
  // host (loopback = 127.0.0.0/8, ::1, localhost), a username without a
  // password or the reverse, a helo_name that is not a host name, or a
  // timeout that is not positive. Thread-safe.
  absl::Status Check() const;
};

enum class SendOutcome {
  kDelivered,    // 250 after DATA
  kTransient,    // a 4xx reply (421, 450, 451, 452, ...): try again later
  kPermanent,    // a 5xx reply (550, 552, 554, ...): no retry will help
  kUnreachable,  // no connection, TLS or timeout failure, or the
                 // connection dropped before the final reply: try again
};

// "delivered", "transient", "permanent", "unreachable".
absl::string_view SendOutcomeLabel(SendOutcome outcome);

struct SendResult {
  SendOutcome outcome = SendOutcome::kUnreachable;
  // The reply that decided the outcome (the last one before QUIT); 0 for
  // kUnreachable, whatever was said before the failure.
  int reply_code = 0;
  // That reply's text without the code ("4.3.0 try later", multi-line
  // replies joined with spaces), or for kUnreachable what failed (curl's
  // error). Bounded, without control characters, never the password.
  std::string reply_text;
  absl::Duration latency;
};

// Thread-safe: each Send uses its own connection (messages are rare next to
// the cost of a TLS handshake, and a retry must not ride on a dead one).
class SmtpClient {
 public:
  explicit SmtpClient(SmtpOptions options);

  // Sends `message` (Compose's bytes) from `envelope_from` to each of
  // `recipients`. A recipient refused at RCPT is the outcome of that reply.
  // Options that fail Check, or an envelope address that fails
  // ValidateAddress, give kPermanent with reply_code 0 and the check's
  // message, before any connection. Blocks for up to options.timeout.
  SendResult Send(const std::string& envelope_from, const std::vector<std::string>& recipients,
                  const std::string& message) const;

 private:
  const SmtpOptions options_;
};

}  // namespace iob::mail

#endif  // IOB_LIBS_MAIL_SMTP_CLIENT_H_

// The outbound cXML exchange with a supplier: write a request document, POST
// it through the egress-policed HttpClient, read the supplier's answer and
// classify it (HTTP status and cXML Status) into an Outcome. What the
// Response carries beyond its Status (a StartPage URL, ...) is the caller's
// to check. The result also says what was seen (HTTP status, cXML code,
// bounded supplier text, latency), so a caller can record every attempt
// without parsing messages.
#ifndef IOB_LIBS_SUPPLIER_EXCHANGE_H_
#define IOB_LIBS_SUPPLIER_EXCHANGE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/cxml/model.h"
#include "libs/http/client.h"

namespace iob::supplier {

// How an exchange ended, from the sender's point of view.
enum class Outcome {
  kDelivered,        // a cXML Response with a success Status
  kRejected,         // the supplier refused: HTTP 4xx or a permanent cXML code
  kSupplierError,    // transient: HTTP 5xx, 408, 425, 429 or a transient cXML code
  kUnreachable,      // transient: no answer (unreachable, reset, timeout)
  kRefusedByPolicy,  // the egress policy refused the URL; nothing was sent
  kBadAnswer,        // an answer that is not a cXML Response
  kNotSent,          // the request document could not be written
};

// Returns the Prometheus label value for `outcome`: "ok", "rejected",
// "supplier_error", "unavailable", "egress_denied", "invalid_response",
// "not_sent".
std::string_view OutcomeLabel(Outcome outcome);

// Where to send a document.
struct ExchangeTarget {
  std::string url;
  // The supplier's host allow-list, passed to the egress policy.
  std::vector<std::string> allowed_hosts;
  // Names the exchange in error messages, e.g. "punchout": "supplier
  // punchout URL refused: ...", "supplier rejected the punchout request".
  std::string purpose;
  // Send on a new connection rather than a pooled one
  // (http::HttpRequest::fresh_connection): set on a retry after a transport
  // error.
  bool fresh_connection = false;
};

struct ExchangeResult {
  Outcome outcome = Outcome::kNotSent;
  // The supplier's Response when `outcome` is kDelivered; otherwise the
  // error, by outcome:
  //   kRejected         FAILED_PRECONDITION "supplier answered HTTP 4xx"
  //                     (not 408, 425, 429),
  //                     "supplier rejected our credentials (cXML 401 ...)" for
  //                     cXML 401/403, else "supplier rejected the <purpose>
  //                     request (cXML ...)"
  //   kSupplierError    UNAVAILABLE "supplier answered HTTP 5xx" (or 408,
  //                     425, 429: timeout, too early, too many requests) or
  //                     "supplier error, try again (cXML ...)"
  //   kUnreachable      UNAVAILABLE "supplier did not answer in time" or
  //                     "cannot reach supplier: <client message>"
  //   kRefusedByPolicy  FAILED_PRECONDITION "supplier <purpose> URL refused:
  //                     <client message>"
  //   kBadAnswer        UNAVAILABLE "supplier sent an invalid response: ..."
  //   kNotSent          INTERNAL "cannot write <document type>: ..."
  // Messages quote at most 200 bytes of each piece of supplier text (Status
  // text and message, reader and HTTP client errors), never the request, and
  // never the shared secret of the document's Sender: when the supplier
  // echoes it, it reads "[redacted]" (see BoundSupplierText).
  absl::StatusOr<cxml::Response> response;
  // The HTTP status of the supplier's answer; 0 when there was none
  // (kUnreachable, kRefusedByPolicy, kNotSent).
  int http_status = 0;
  // The code of the cXML Status read from the answer; 0 when none was read.
  int cxml_code = 0;
  // What to record as the attempt's text: when a cXML Status was read, its
  // text and message ("Unauthorized: bad secret"), each bounded and with
  // the secret redacted (BoundSupplierText); otherwise the message of
  // `response`'s error (which is bounded and redacted the same way). Empty
  // only for a success Status without text.
  std::string status_text;
  // How long the HTTP send took (zero when nothing was sent).
  absl::Duration latency;
  // The document as it was sent, every SharedSecret masked
  // (cxml::RedactSharedSecrets); empty when it could not be written.
  std::string sent;
  // The supplier's answer as it came (the Response document, or whatever
  // else it sent), for an exchange log: at most kMaxRecordedAnswer bytes,
  // every occurrence of the document's shared secret replaced by
  // "[redacted]". Empty when no answer came.
  std::string answer;
};

inline constexpr size_t kMaxRecordedAnswer = 64 * 1024;

// Returns untrusted supplier `text` fit for a log line, an error message or
// a stored row: each occurrence of `secret` (when not empty) replaced by
// "[redacted]", control characters by spaces, then cut to at most
// `max_bytes` bytes on a UTF-8 character boundary with "..." appended when
// cut. Thread-safe.
std::string BoundSupplierText(absl::string_view text, absl::string_view secret = {},
                              size_t max_bytes = 200);

// Writes `document`, POSTs it as text/xml to `target.url` through `http`
// (which applies the egress policy to the URL and `target.allowed_hosts`),
// and classifies the answer. A cXML Response is read whatever the HTTP
// status; only when the body is not one does the HTTP status (4xx, 5xx)
// decide. `target.fresh_connection` is passed to the request. Thread-safe if `http` is; blocks for
// the duration of the request.
ExchangeResult ExchangeDocument(http::HttpClient& http, const cxml::Document& document,
                                const ExchangeTarget& target);

}  // namespace iob::supplier

#endif  // IOB_LIBS_SUPPLIER_EXCHANGE_H_

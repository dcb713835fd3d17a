// cXML status codes: which are success, which are a permanent rejection
// (do not retry), which are transient (retry with backoff); and the Response
// documents we send back when an inbound document fails, with the code a
// handler may choose itself (WithCxmlCode).
#ifndef IOB_LIBS_CXML_STATUS_H_
#define IOB_LIBS_CXML_STATUS_H_

#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "libs/cxml/model.h"

namespace iob::cxml {

enum class StatusClass { kSuccess, kPermanent, kTransient };

// One row of the cXML status code table.
struct StatusCodeInfo {
  int code;
  StatusClass cls;
  std::string_view text;  // the standard Status@text
};

// The full table: 200 201 204 280 281 (success); 400 401 402 403 406 409 412
// 417 450 475 476 477 (permanent); 500 550 551 560 (transient). Static
// storage; thread-safe.
const std::vector<StatusCodeInfo>& StatusCodeTable();

// Returns the row for `code`, or nullptr for a code not in the table.
const StatusCodeInfo* FindStatusCode(int code);

// Classifies any code: table codes as listed; otherwise 2xx success, 5xx
// transient, anything else permanent.
StatusClass ClassifyStatusCode(int code);

// Why an inbound document was not accepted.
enum class InboundFailure {
  kMalformed,           // 400: not parseable / not valid cXML
  kNotAcceptable,       // 406: a well-formed envelope whose document was refused
  kUnauthenticated,     // 401: unknown sender or wrong shared secret
  kForbidden,           // 403: sender not allowed to do this
  kUnsupported,         // 450: document type we do not implement
  kDuplicate,           // 409: payloadID already processed differently
  kPreconditionFailed,  // 412: e.g. referenced order unknown
  kTooLarge,            // 417: over the size / depth limits
  kInternal,            // 500: our fault, sender may retry
  kUnavailable,         // 560: temporarily unavailable, sender should retry
};

// Returns the Response for `failure`: its code, the standard text, and
// `detail` as the Status message (the caller keeps secrets out of it).
Response MakeFailureResponse(InboundFailure failure, std::string_view detail);

// Returns Response code 200 "OK" (or 201 "Accepted" when `accepted_for_later`).
Response MakeSuccessResponse(bool accepted_for_later = false);

// Returns `status` with cXML `code` attached as a payload (type URL
// kCxmlCodePayload), so ResponseForStatus answers that code instead of the
// one mapped from the absl code: e.g.
//   WithCxmlCode(absl::FailedPreconditionError("order PO-9 is not ours"), 409)
// answers 409 "Conflict" with the message. `code` must be a failure code of
// StatusCodeTable() (4xx or 5xx); for any other code, or an OK `status`,
// `status` is returned unchanged. A second call replaces the code.
// Thread-safe.
absl::Status WithCxmlCode(absl::Status status, int code);

// The payload type URL WithCxmlCode uses.
inline constexpr char kCxmlCodePayload[] = "type.iob/cxml.status_code";

// Returns the code WithCxmlCode attached to `status`, or nullopt.
std::optional<int> CxmlCodeOf(const absl::Status& status);

// Maps a reader / handler status to a failure kind: an attached cXML code
// (WithCxmlCode) that has a kind gives it (406 -> kNotAcceptable, ...);
// otherwise by the absl code: INVALID_ARGUMENT ->
// kMalformed, RESOURCE_EXHAUSTED -> kTooLarge, UNAUTHENTICATED ->
// kUnauthenticated, PERMISSION_DENIED -> kForbidden, UNIMPLEMENTED ->
// kUnsupported, ALREADY_EXISTS -> kDuplicate, FAILED_PRECONDITION / NOT_FOUND
// -> kPreconditionFailed, UNAVAILABLE / DEADLINE_EXCEEDED -> kUnavailable,
// anything else kInternal. `status` must not be OK.
InboundFailure FailureFromStatus(const absl::Status& status);

// Returns the document to send back for `status`: a Response with the code
// attached by WithCxmlCode, else the code FailureFromStatus maps it to; the
// standard text of that code; and the status message (as-is; statuses from
// reader.h never carry document secrets). `status` must not be OK.
Response ResponseForStatus(const absl::Status& status);

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_STATUS_H_

// The inbound cXML endpoint: how every supplier-initiated document enters
// iob (dispatch's ConfirmationRequest / ShipNoticeRequest, intake's
// InvoiceDetailRequest) and how punchout reads the cart a supplier's page
// posts back.
//
// DecodeInbound turns an HTTP body into a typed cxml::Document (raw XML, or a
// `cxml-urlencoded` / `cxml-base64` form field) under the reader's limits (no
// DTD, no entities, bounded size and depth). InboundEndpoint serves
// `POST <path>`: decodes, authenticates the Sender's shared secret through
// the credentials service, hands the document to the service's handler and
// answers with a cXML Response whose Status code says what happened (always
// HTTP 200, Content-Type text/xml, as suppliers expect).
#ifndef IOB_LIBS_SUPPLIER_INBOUND_H_
#define IOB_LIBS_SUPPLIER_INBOUND_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/cxml/model.h"
#include "libs/cxml/reader.h"
#include "libs/http/server.h"
#include "libs/supplier/credentials_client.h"
#include "libs/supplier/endpoint.h"

namespace iob::supplier {

// The step of DecodeInbound that failed.
enum class DecodeStep {
  kEnvelope,  // no cXML could be taken out of the body (form field, encoding)
  kDocument,  // the cXML itself was refused by the reader
};

// Decodes one inbound HTTP body. `content_type` (parameters and letter case
// ignored) selects the envelope: text/xml and application/xml bodies are the
// document itself; any other type (a browser's
// application/x-www-form-urlencoded, or none) goes through
// cxml::ExtractCxml, which takes a raw XML body as-is and otherwise decodes
// a `cxml-urlencoded` or `cxml-base64` form field. The body and the document
// are each capped at `limits.max_bytes`. With `expected`, a document of
// another type is refused.
//
// Returns the document, or the reader's / ExtractCxml's error:
// INVALID_ARGUMENT (no cXML field, bad encoding, malformed XML, DTD with an
// internal subset, wrong type), RESOURCE_EXHAUSTED (over the limits),
// UNIMPLEMENTED (a cXML type we do not speak). Messages never hold more of
// the body than the reader quotes. When `failed_step` is not null it is set
// to the step that failed (left alone on success); when `xml` is not null
// it receives the cXML text taken out of the envelope (the body itself for
// an XML content type) once that step succeeded. Thread-safe.
absl::StatusOr<cxml::Document> DecodeInbound(
    std::string_view body, std::string_view content_type, const cxml::Limits& limits = {},
    std::optional<cxml::DocumentType> expected = std::nullopt, DecodeStep* failed_step = nullptr,
    std::string* xml = nullptr);

// What a service does with an authenticated document (`xml` is its cXML
// text as it came out of the envelope, for a service that stores what it
// received). OK answers cXML 200;
// an error answers the cXML code attached with cxml::WithCxmlCode (e.g.
// WithCxmlCode(FailedPreconditionError("order PO-9 is not ours"), 409)), else
// the code cxml::FailureFromStatus maps it to (e.g. INVALID_ARGUMENT 400,
// ALREADY_EXISTS 409, FAILED_PRECONDITION 412, UNAVAILABLE 560), with the
// status message as the cXML Status message, so it must be safe to show the
// supplier. An answer of code 500 (INTERNAL and other unmapped codes) carries
// a generic message; the detail only goes to the log. Called on the HTTP
// server's threads, concurrently: must be thread-safe.
using InboundHandler = std::function<absl::Status(
    const VerifiedSender& sender, const cxml::Document& document, std::string_view xml)>;

struct InboundEndpointOptions {
  // Path the endpoint serves (httplib regex syntax), e.g. "/cxml/dispatch".
  std::string path;
  // When set, other document types are answered 406.
  std::optional<cxml::DocumentType> expected_type;
  cxml::Limits limits;
  // Host part of the payloadIDs of our Response documents.
  std::string host_name = "iob.local";
  // When set, called once per request with the document type's name
  // ("ConfirmationRequest"; "unreadable" when it could not be decoded) and
  // the cXML code answered: for metrics. Called on the server's threads.
  std::function<void(const std::string& document_type, int code)> observe;
};

// Serves supplier-initiated cXML requests. For each POST:
//   1. DecodeInbound: a body with no cXML in it (DecodeStep::kEnvelope: no
//      cXML form field, bad encoding) answers 400; a document the reader
//      refuses (DecodeStep::kDocument, INVALID_ARGUMENT: malformed, missing
//      required parts, a DTD internal subset, the wrong type) 406 "Not
//      Acceptable" with the reader's reason; over the limits 417; a type we
//      do not speak 450.
//   2. The document must be a request (not a Response or a
//      PunchOutOrderMessage): 400 otherwise.
//   3. Header/Sender must carry a credential with a SharedSecret, and one of
//      the first four Header/To credentials (the buyer: us) must verify with
//      it through CredentialsClient::Verify: 401 when none does. The
//      credentials service being down answers 560 (the supplier retries).
//   4. The handler gets the verified sender, the document and its text; its status
//      decides the answer (see InboundHandler).
// Nothing of the shared secret reaches a log line or a response. Thread-safe
// once registered; borrows `credentials`, which must outlive the server.
class InboundEndpoint {
 public:
  InboundEndpoint(InboundEndpointOptions options, CredentialsClient* credentials,
                  InboundHandler handler);

  // Registers `POST options.path` on `server`. Call before server.Start();
  // this object must outlive the server's serving (Stop it first).
  void Register(http::HttpServer& server);

  // Handles one request body and returns the Response to send (steps 1-4
  // above). Exposed for tests; Register's handler calls it.
  cxml::Response Handle(std::string_view body, std::string_view content_type);

 private:
  // Steps 1-4; sets `*type_name` once the document is decoded.
  cxml::Response Answer(std::string_view body, std::string_view content_type,
                        std::string* type_name);

  // Step 3: the integration the document's credentials verify against.
  // UNAUTHENTICATED when they do not; UNAVAILABLE / INTERNAL when the
  // credentials service fails.
  absl::StatusOr<VerifiedSender> Authenticate(const cxml::Header& header);

  const InboundEndpointOptions options_;
  CredentialsClient* const credentials_;
  const InboundHandler handler_;
};

}  // namespace iob::supplier

#endif  // IOB_LIBS_SUPPLIER_INBOUND_H_

#include "libs/supplier/exchange.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/status.h"
#include "libs/cxml/writer.h"

namespace iob::supplier {
namespace {

// The shared secret the document authenticates with (its Sender's), to
// scrub from whatever the supplier sends back.
std::string SecretOf(const cxml::Document& document) {
  for (const cxml::Credential& c : document.header.sender) {
    if (!c.shared_secret.empty()) return c.shared_secret;
  }
  return "";
}

// A failed exchange whose text is the error's message.
ExchangeResult Failed(Outcome outcome, absl::Status error) {
  ExchangeResult r;
  r.outcome = outcome;
  r.status_text = std::string(error.message());
  r.response = std::move(error);
  return r;
}

// HTTP statuses that say "not now" rather than "never": request timeout,
// too early, too many requests.
bool IsTransientHttpStatus(int status) {
  return status >= 500 || status == 408 || status == 425 || status == 429;
}

// Classifies an answer that is a cXML Response by its Status.
ExchangeResult FromResponse(cxml::Response response, const std::string& purpose,
                            const std::string& secret) {
  const int code = response.status.code;
  const std::string text = absl::StrCat(BoundSupplierText(response.status.text, secret, 100),
                                        response.status.message.empty() ? "" : ": ",
                                        BoundSupplierText(response.status.message, secret));
  const std::string what = absl::StrCat("cXML ", code, " ", text);
  ExchangeResult r;
  switch (cxml::ClassifyStatusCode(code)) {
    case cxml::StatusClass::kSuccess:
      r.outcome = Outcome::kDelivered;
      r.response = std::move(response);
      break;
    case cxml::StatusClass::kTransient:
      r = Failed(Outcome::kSupplierError,
                 absl::UnavailableError(absl::StrCat("supplier error, try again (", what, ")")));
      break;
    case cxml::StatusClass::kPermanent:
      r = Failed(
          Outcome::kRejected,
          absl::FailedPreconditionError(
              code == 401 || code == 403
                  ? absl::StrCat("supplier rejected our credentials (", what, ")")
                  : absl::StrCat("supplier rejected the ", purpose, " request (", what, ")")));
      break;
  }
  r.cxml_code = code;
  r.status_text = text;
  return r;
}

// Classifies an answer that is not a cXML Response (`error` says why) by
// its HTTP status.
ExchangeResult FromHttpStatus(int status, const absl::Status& error, const std::string& secret) {
  if (IsTransientHttpStatus(status)) {
    return Failed(Outcome::kSupplierError,
                  absl::UnavailableError(absl::StrCat("supplier answered HTTP ", status)));
  }
  if (status >= 400) {
    return Failed(Outcome::kRejected,
                  absl::FailedPreconditionError(absl::StrCat("supplier answered HTTP ", status)));
  }
  return Failed(Outcome::kBadAnswer,
                absl::UnavailableError(absl::StrCat("supplier sent an invalid response: ",
                                                    BoundSupplierText(error.message(), secret))));
}

// Classifies an HttpClient error: nothing came back.
ExchangeResult FromSendError(const absl::Status& error, const std::string& purpose,
                             const std::string& secret) {
  const std::string detail = BoundSupplierText(error.message(), secret);
  switch (error.code()) {
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kInvalidArgument:
      return Failed(Outcome::kRefusedByPolicy,
                    absl::FailedPreconditionError(
                        absl::StrCat("supplier ", purpose, " URL refused: ", detail)));
    case absl::StatusCode::kDeadlineExceeded:
      return Failed(Outcome::kUnreachable,
                    absl::UnavailableError("supplier did not answer in time"));
    default:
      return Failed(Outcome::kUnreachable,
                    absl::UnavailableError(absl::StrCat("cannot reach supplier: ", detail)));
  }
}

// The answer body for the exchange log: the secret masked, bytes otherwise
// as received, cut at kMaxRecordedAnswer.
std::string RedactedAnswer(absl::string_view body, const std::string& secret) {
  std::string out(body);
  // Masked before the cut, so no part of a secret survives at the edge.
  if (!secret.empty()) {
    for (size_t at = out.find(secret); at != std::string::npos;
         at = out.find(secret, at + sizeof("[redacted]") - 1)) {
      out.replace(at, secret.size(), "[redacted]");
    }
  }
  if (out.size() > kMaxRecordedAnswer) out.resize(kMaxRecordedAnswer);
  return out;
}

}  // namespace

std::string BoundSupplierText(absl::string_view text, absl::string_view secret, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes + 16));
  size_t i = 0;
  while (i < text.size() && out.size() <= max_bytes) {
    if (!secret.empty() && text.compare(i, secret.size(), secret) == 0) {
      out += "[redacted]";
      i += secret.size();
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(text[i++]);
    out.push_back(c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c));
  }
  if (out.size() <= max_bytes && i == text.size()) return out;
  // Cut on a character boundary: never inside a UTF-8 sequence.
  size_t cut = std::min(out.size(), max_bytes);
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  return out + "...";
}

std::string_view OutcomeLabel(Outcome outcome) {
  switch (outcome) {
    case Outcome::kDelivered:
      return "ok";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kSupplierError:
      return "supplier_error";
    case Outcome::kUnreachable:
      return "unavailable";
    case Outcome::kRefusedByPolicy:
      return "egress_denied";
    case Outcome::kBadAnswer:
      return "invalid_response";
    case Outcome::kNotSent:
      return "not_sent";
  }
  return "not_sent";
}

ExchangeResult ExchangeDocument(http::HttpClient& http, const cxml::Document& document,
                                const ExchangeTarget& target) {
  auto xml = cxml::WriteDocument(document);
  if (!xml.ok()) {
    return Failed(Outcome::kNotSent,
                  absl::InternalError(absl::StrCat(
                      "cannot write ", std::string(cxml::DocumentTypeName(cxml::TypeOf(document))),
                      ": ", xml.status().message())));
  }
  http::HttpRequest req;
  req.url = target.url;
  req.body = *std::move(xml);
  req.content_type = "text/xml; charset=UTF-8";
  req.allowed_hosts = target.allowed_hosts;
  req.fresh_connection = target.fresh_connection;
  const std::string secret = SecretOf(document);
  const absl::Time start = absl::Now();
  auto resp = http.Send(req);
  const absl::Duration latency = absl::Now() - start;
  if (!resp.ok()) {
    ExchangeResult r = FromSendError(resp.status(), target.purpose, secret);
    r.latency = latency;
    r.sent = cxml::RedactSharedSecrets(std::move(req.body));
    return r;
  }

  // Suppliers answer errors as cXML with HTTP 200 or with an HTTP error code;
  // read the cXML either way, and fall back to the HTTP status.
  auto answer = cxml::ReadDocument(resp->body);
  if (answer.ok() && !std::holds_alternative<cxml::Response>(answer->body)) {
    answer = absl::InvalidArgumentError(
        absl::StrCat("expected a cXML Response, got ",
                     std::string(cxml::DocumentTypeName(cxml::TypeOf(*answer)))));
  }
  ExchangeResult r = answer.ok() ? FromResponse(std::get<cxml::Response>(std::move(answer->body)),
                                                target.purpose, secret)
                                 : FromHttpStatus(resp->status, answer.status(), secret);
  r.http_status = resp->status;
  r.latency = latency;
  r.answer = RedactedAnswer(resp->body, secret);
  r.sent = cxml::RedactSharedSecrets(std::move(req.body));
  return r;
}

}  // namespace iob::supplier

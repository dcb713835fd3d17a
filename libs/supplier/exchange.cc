#include "libs/supplier/exchange.h"

#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/status.h"
#include "libs/cxml/writer.h"

namespace iob::supplier {
namespace {

std::string Truncate(std::string s, size_t n = 200) {
  if (s.size() > n) s = s.substr(0, n) + "...";
  return s;
}

ExchangeResult Failed(Outcome outcome, absl::Status error) { return {outcome, std::move(error)}; }

// Classifies an answer that is a cXML Response by its Status.
ExchangeResult FromResponse(cxml::Response response, const std::string& purpose) {
  const cxml::Status& st = response.status;
  const std::string what = absl::StrCat("cXML ", st.code, " ", st.text,
                                        st.message.empty() ? "" : ": ", Truncate(st.message));
  switch (cxml::ClassifyStatusCode(st.code)) {
    case cxml::StatusClass::kSuccess:
      return {Outcome::kDelivered, std::move(response)};
    case cxml::StatusClass::kTransient:
      return Failed(Outcome::kSupplierError,
                    absl::UnavailableError(absl::StrCat("supplier error, try again (", what, ")")));
    case cxml::StatusClass::kPermanent:
      break;
  }
  if (st.code == 401 || st.code == 403) {
    return Failed(Outcome::kRejected, absl::FailedPreconditionError(absl::StrCat(
                                          "supplier rejected our credentials (", what, ")")));
  }
  return Failed(Outcome::kRejected,
                absl::FailedPreconditionError(
                    absl::StrCat("supplier rejected the ", purpose, " request (", what, ")")));
}

// Classifies an HttpClient error: nothing came back.
ExchangeResult FromSendError(const absl::Status& error, const std::string& purpose) {
  const std::string detail(error.message());
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

}  // namespace

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
  auto resp = http.Send(req);
  if (!resp.ok()) return FromSendError(resp.status(), target.purpose);

  // Suppliers answer errors as cXML with HTTP 200 or with an HTTP error code;
  // read the cXML either way, and fall back to the HTTP status.
  auto answer = cxml::ReadDocument(resp->body);
  if (answer.ok() && !std::holds_alternative<cxml::Response>(answer->body)) {
    answer = absl::InvalidArgumentError(
        absl::StrCat("expected a cXML Response, got ",
                     std::string(cxml::DocumentTypeName(cxml::TypeOf(*answer)))));
  }
  if (!answer.ok()) {
    if (resp->status >= 500) {
      return Failed(Outcome::kSupplierError,
                    absl::UnavailableError(absl::StrCat("supplier answered HTTP ", resp->status)));
    }
    if (resp->status >= 400) {
      return Failed(Outcome::kRejected, absl::FailedPreconditionError(
                                            absl::StrCat("supplier answered HTTP ", resp->status)));
    }
    return Failed(Outcome::kBadAnswer, absl::UnavailableError(absl::StrCat(
                                           "supplier sent an invalid response: ",
                                           Truncate(std::string(answer.status().message())))));
  }
  return FromResponse(std::get<cxml::Response>(std::move(answer->body)), target.purpose);
}

}  // namespace iob::supplier

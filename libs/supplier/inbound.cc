#include "libs/supplier/inbound.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/logging.h"
#include "libs/cxml/form.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/status.h"
#include "libs/cxml/timestamp.h"
#include "libs/cxml/writer.h"

namespace iob::supplier {
namespace {

// At most this many Header/To credentials are tried, so one document cannot
// make us call the credentials service without bound.
constexpr size_t kMaxBuyerCredentials = 4;

// The media type of a Content-Type value: lower case, without parameters.
std::string MediaType(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  absl::StripAsciiWhitespace(&type);
  absl::AsciiStrToLower(&type);
  return type;
}

bool IsRequest(cxml::DocumentType type) {
  switch (type) {
    case cxml::DocumentType::kPunchOutSetupRequest:
    case cxml::DocumentType::kOrderRequest:
    case cxml::DocumentType::kConfirmationRequest:
    case cxml::DocumentType::kShipNoticeRequest:
    case cxml::DocumentType::kInvoiceDetailRequest:
    case cxml::DocumentType::kProfileRequest:
      return true;
    default:
      return false;
  }
}

// The Response for a failed step; a 500 (INTERNAL, unmapped codes) gets a
// generic message so internal detail stays in the log.
cxml::Response FailureResponse(const absl::Status& status) {
  cxml::Response r = cxml::ResponseForStatus(status);
  if (r.status.code == 500) r.status.message = "internal error; try again later";
  return r;
}

}  // namespace

absl::StatusOr<cxml::Document> DecodeInbound(std::string_view body, std::string_view content_type,
                                             const cxml::Limits& limits,
                                             std::optional<cxml::DocumentType> expected,
                                             DecodeStep* failed_step, std::string* xml_out) {
  const std::string media_type = MediaType(content_type);
  std::string extracted;
  std::string_view xml = body;
  if (media_type != "text/xml" && media_type != "application/xml") {
    auto from_form = cxml::ExtractCxml(body, limits.max_bytes);
    if (!from_form.ok()) {
      if (failed_step != nullptr) *failed_step = DecodeStep::kEnvelope;
      return from_form.status();
    }
    extracted = *std::move(from_form);
    xml = extracted;
  }
  if (xml_out != nullptr) *xml_out = xml;
  auto doc =
      expected ? cxml::ReadDocumentOfType(xml, *expected, limits) : cxml::ReadDocument(xml, limits);
  if (!doc.ok() && failed_step != nullptr) *failed_step = DecodeStep::kDocument;
  return doc;
}

InboundEndpoint::InboundEndpoint(InboundEndpointOptions options, CredentialsClient* credentials,
                                 InboundHandler handler)
    : options_(std::move(options)), credentials_(credentials), handler_(std::move(handler)) {}

void InboundEndpoint::Register(http::HttpServer& server) {
  server.Post(options_.path, [this](const httplib::Request& req, httplib::Response& res) {
    cxml::Document doc;
    const absl::Time now = absl::Now();
    doc.payload_id = cxml::NewPayloadId(now, options_.host_name);
    doc.timestamp = cxml::FormatTimestamp(now);
    doc.body = Handle(req.body, req.get_header_value("Content-Type"));
    auto xml = cxml::WriteDocument(doc);
    if (!xml.ok()) {
      common::LogError("cannot write cXML Response",
                       {{"path", options_.path}, {"error", std::string(xml.status().message())}});
      res.status = 500;
      res.set_content("500 could not write cXML response\n", "text/plain; charset=utf-8");
      return;
    }
    res.status = 200;
    res.set_content(*std::move(xml), "text/xml; charset=UTF-8");
  });
}

cxml::Response InboundEndpoint::Handle(std::string_view body, std::string_view content_type) {
  std::string type = "unreadable";
  cxml::Response answer = Answer(body, content_type, &type);
  if (options_.observe) options_.observe(type, answer.status.code);
  return answer;
}

cxml::Response InboundEndpoint::Answer(std::string_view body, std::string_view content_type,
                                       std::string* type_name) {
  DecodeStep step = DecodeStep::kEnvelope;
  std::string xml;
  auto doc =
      DecodeInbound(body, content_type, options_.limits, options_.expected_type, &step, &xml);
  if (!doc.ok()) {
    common::LogInfo("inbound cXML refused",
                    {{"path", options_.path},
                     {"code", absl::StatusCodeToString(doc.status().code())},
                     {"error", std::string(doc.status().message())}});
    // The envelope held cXML, but the reader refused the document: 406
    // "Not Acceptable", cXML's code for a parsing failure.
    if (step == DecodeStep::kDocument &&
        doc.status().code() == absl::StatusCode::kInvalidArgument) {
      return FailureResponse(cxml::WithCxmlCode(doc.status(), 406));
    }
    return FailureResponse(doc.status());
  }
  const cxml::DocumentType type = cxml::TypeOf(*doc);
  *type_name = std::string(cxml::DocumentTypeName(type));
  if (!IsRequest(type)) {
    return cxml::ResponseForStatus(absl::InvalidArgumentError(absl::StrCat(
        "expected a cXML request document, got ", std::string(cxml::DocumentTypeName(type)))));
  }
  auto sender = Authenticate(doc->header);
  if (!sender.ok()) {
    common::LogWarn("inbound cXML sender not verified",
                    {{"path", options_.path},
                     {"document", std::string(cxml::DocumentTypeName(type))},
                     {"payload_id", doc->payload_id},
                     {"code", absl::StatusCodeToString(sender.status().code())},
                     {"error", std::string(sender.status().message())}});
    return FailureResponse(sender.status());
  }
  const absl::Status handled = handler_(*sender, *doc, xml);
  if (!handled.ok()) {
    common::LogWarn("inbound cXML not accepted",
                    {{"path", options_.path},
                     {"tenant", sender->tenant},
                     {"integration", sender->integration},
                     {"document", std::string(cxml::DocumentTypeName(type))},
                     {"payload_id", doc->payload_id},
                     {"code", absl::StatusCodeToString(handled.code())},
                     {"error", std::string(handled.message())}});
    return FailureResponse(handled);
  }
  common::LogInfo("inbound cXML accepted", {{"path", options_.path},
                                            {"tenant", sender->tenant},
                                            {"integration", sender->integration},
                                            {"document", std::string(cxml::DocumentTypeName(type))},
                                            {"payload_id", doc->payload_id}});
  return cxml::MakeSuccessResponse();
}

absl::StatusOr<VerifiedSender> InboundEndpoint::Authenticate(const cxml::Header& header) {
  const cxml::Credential* presented = nullptr;
  for (const cxml::Credential& c : header.sender) {
    if (!c.shared_secret.empty()) {
      presented = &c;
      break;
    }
  }
  if (presented == nullptr) {
    return absl::UnauthenticatedError("Header/Sender has no Credential with a SharedSecret");
  }
  for (size_t i = 0; i < header.to.size() && i < kMaxBuyerCredentials; ++i) {
    cxml::Credential buyer = header.to[i];
    buyer.shared_secret.clear();
    auto verified = credentials_->Verify(/*tenant=*/"", buyer, presented->shared_secret);
    if (verified.ok()) return verified;
    switch (verified.status().code()) {
      case absl::StatusCode::kPermissionDenied:
      case absl::StatusCode::kNotFound:
        continue;  // not this credential; try the next one
      case absl::StatusCode::kUnavailable:
      case absl::StatusCode::kDeadlineExceeded:
        return absl::UnavailableError("cannot verify the sender now; try again later");
      default:
        common::LogError("credential verification failed",
                         {{"path", options_.path},
                          {"code", absl::StatusCodeToString(verified.status().code())},
                          {"error", std::string(verified.status().message())}});
        return absl::InternalError("cannot verify the sender");
    }
  }
  return absl::UnauthenticatedError("unknown sender or wrong shared secret");
}

}  // namespace iob::supplier

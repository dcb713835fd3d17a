#include "tools/supplier-sim/punchout_endpoint.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/shared_secret.h"
#include "libs/cxml/status.h"
#include "tools/supplier-sim/cart.h"
#include "tools/supplier-sim/cxml_http.h"
#include "tools/supplier-sim/random_ids.h"

namespace iob::sim {
namespace {

bool IsHttpUrl(const std::string& url) {
  std::string lower = absl::AsciiStrToLower(url);
  return absl::StartsWith(lower, "http://") || absl::StartsWith(lower, "https://");
}

}  // namespace

void PunchOutEndpoint::Handle(const httplib::Request& req, httplib::Response& res) const {
  ServeWithFaults(ctx_, kName, req, res,
                  [this](const FaultDecision& fault, const httplib::Request& r,
                         httplib::Response& out) { return Answer(fault, r, out); });
}

std::string PunchOutEndpoint::Answer(const FaultDecision& fault, const httplib::Request& req,
                                     httplib::Response& res) const {
  cxml::Response answer;
  if (fault.kind == FaultKind::kCxmlStatus) {
    const cxml::StatusCodeInfo* info = cxml::FindStatusCode(fault.cxml_status);
    answer.status = {fault.cxml_status, info ? std::string(info->text) : "Error", "injected fault",
                     "en"};
    SendCxmlResponse(answer, res);
    return absl::StrCat("fault_cxml_", fault.cxml_status);
  }
  if (auto doc = cxml::ReadDocumentOfType(req.body, cxml::DocumentType::kPunchOutSetupRequest);
      !doc.ok()) {
    answer = cxml::ResponseForStatus(doc.status());
    common::LogInfo(
        "punchout: rejected document",
        {{"code", answer.status.code}, {"reason", std::string(doc.status().message())}});
  } else if (auto who = Authenticate(doc->header); !who.ok()) {
    answer = cxml::MakeFailureResponse(cxml::InboundFailure::kUnauthenticated,
                                       std::string(who.status().message()));
    common::LogInfo("punchout: authentication failed",
                    {{"reason", std::string(who.status().message())}});
  } else {
    answer = StartSession(*doc, who->first, who->second);
  }
  SendCxmlResponse(answer, res);
  return answer.status.code == 200 ? "ok" : CxmlOutcome(answer.status.code);
}

absl::StatusOr<std::pair<Group, cxml::Credential>> PunchOutEndpoint::Authenticate(
    const cxml::Header& header) const {
  for (const cxml::Credential& from : header.from) {
    std::optional<Group> group = ctx_.groups.Find(from.identity);
    if (!group.has_value()) continue;
    absl::Status s =
        cxml::VerifySharedSecret(header, from.domain, group->from_identity, group->shared_secret);
    if (!s.ok()) return absl::UnauthenticatedError("wrong shared secret");
    bool sender_ok = std::any_of(header.sender.begin(), header.sender.end(), [&](const auto& c) {
      return c.identity == group->from_identity &&
             cxml::SecretsEqual(c.shared_secret, group->shared_secret);
    });
    if (!sender_ok) {
      return absl::UnauthenticatedError(
          "the Sender credential carrying the shared secret must have the From identity");
    }
    return std::make_pair(*group, from);
  }
  return absl::UnauthenticatedError("unknown From identity");
}

cxml::Response PunchOutEndpoint::StartSession(const cxml::Document& doc, const Group& group,
                                              const cxml::Credential& from) const {
  const auto& request = std::get<cxml::PunchOutSetupRequest>(doc.body);
  if (request.browser_form_post_url.empty()) {
    return cxml::MakeFailureResponse(cxml::InboundFailure::kMalformed,
                                     "BrowserFormPost/URL is required");
  }
  if (!IsHttpUrl(request.browser_form_post_url)) {
    return cxml::MakeFailureResponse(cxml::InboundFailure::kMalformed,
                                     "BrowserFormPost/URL must be an http or https URL");
  }
  ShopSession s;
  s.token = NewSessionToken();
  s.group_identity = group.from_identity;
  s.buyer_credential = {from.domain, from.identity, ""};
  s.setup_payload_id = doc.payload_id;
  s.operation = request.operation;
  s.buyer_cookie = request.buyer_cookie;
  s.browser_form_post_url = request.browser_form_post_url;
  s.extrinsics = request.extrinsics;
  s.ship_to = request.ship_to;
  s.request_items = request.items;
  s.cart_encoding = group.cart_encoding;
  if (request.operation != cxml::PunchOutOperation::kCreate) {
    s.cart = CartFromItems(request.items, ctx_.catalog, &s.notes);
  }
  const std::string start_page = absl::StrCat(ctx_.public_url.Get(), "/shop/", s.token);
  common::LogInfo("punchout: session started",
                  {{"operation", std::string(cxml::PunchOutOperationName(s.operation))},
                   {"from_identity", s.group_identity},
                   {"session", s.token.substr(0, 8)},
                   {"lines", static_cast<int64_t>(s.cart.size())}});
  ctx_.sessions.Put(std::move(s));

  cxml::Response answer = cxml::MakeSuccessResponse();
  answer.punch_out_setup_response = cxml::PunchOutSetupResponse{start_page};
  return answer;
}

}  // namespace iob::sim

#include "tools/supplier-sim/punchout_endpoint.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/cxml/reader.h"
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
  if (fault.kind == FaultKind::kCxmlStatus) return SendInjectedStatus(fault.cxml_status, res);
  cxml::Response answer;
  if (auto doc = cxml::ReadDocumentOfType(req.body, cxml::DocumentType::kPunchOutSetupRequest);
      !doc.ok()) {
    answer = cxml::ResponseForStatus(doc.status());
    common::LogInfo(
        "punchout: rejected document",
        {{"code", answer.status.code}, {"reason", std::string(doc.status().message())}});
  } else if (auto who = ctx_.groups.Authenticate(doc->header); !who.ok()) {
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

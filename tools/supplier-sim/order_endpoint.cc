#include "tools/supplier-sim/order_endpoint.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/status.h"
#include "tools/supplier-sim/cxml_http.h"

namespace iob::sim {

absl::Status CheckOrderRules(const cxml::OrderRequest& order, bool accepts_changes) {
  if (order.type != cxml::OrderType::kNew && !accepts_changes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "001-001: OrderRequestHeader@type \"", std::string(cxml::OrderTypeName(order.type)),
        "\" is not supported: only type=\"new\" is accepted; cancel and re-order instead"));
  }
  const bool every_line_has_ship_to =
      std::all_of(order.items.begin(), order.items.end(),
                  [](const cxml::ItemOut& item) { return item.ship_to.has_value(); });
  if (order.type != cxml::OrderType::kDelete && !order.ship_to.has_value() &&
      !every_line_has_ship_to) {
    return absl::InvalidArgumentError(
        "001-005: ShipTo is required (in OrderRequestHeader or on every ItemOut)");
  }
  return absl::OkStatus();
}

void OrderEndpoint::Handle(const httplib::Request& req, httplib::Response& res) const {
  ServeWithFaults(ctx_, kName, req, res,
                  [this](const FaultDecision& fault, const httplib::Request& r,
                         httplib::Response& out) { return Answer(fault, r, out); });
}

std::string OrderEndpoint::Answer(const FaultDecision& fault, const httplib::Request& req,
                                  httplib::Response& res) const {
  if (fault.kind == FaultKind::kCxmlStatus) return SendInjectedStatus(fault.cxml_status, res);
  cxml::Response answer;
  if (auto doc = cxml::ReadDocumentOfType(req.body, cxml::DocumentType::kOrderRequest); !doc.ok()) {
    answer = cxml::ResponseForStatus(doc.status());
    common::LogInfo("order: rejected document", {{"code", answer.status.code},
                                                 {"reason", std::string(doc.status().message())}});
  } else {
    answer = Process(*doc);
  }
  SendCxmlResponse(answer, res);
  return answer.status.code == 200 ? "ok" : CxmlOutcome(answer.status.code);
}

cxml::Response OrderEndpoint::Process(const cxml::Document& doc) const {
  const auto& order = std::get<cxml::OrderRequest>(doc.body);
  auto who = ctx_.groups.Authenticate(doc.header);
  absl::Status verdict =
      who.ok() ? CheckOrderRules(order, who->first.accepts_changes) : who.status();
  cxml::Response answer =
      verdict.ok() ? cxml::MakeSuccessResponse() : cxml::ResponseForStatus(verdict);

  OrderReceipt receipt;
  receipt.order_id = order.order_id;
  receipt.payload_id = doc.payload_id;
  receipt.type = std::string(cxml::OrderTypeName(order.type));
  receipt.version = order.order_version;
  receipt.document_reference = order.document_reference;
  receipt.deployment_mode = doc.deployment_mode;
  receipt.accepted = verdict.ok();
  const ReceiptHistory history = orders_.Record(receipt);
  common::LogInfo("order: received", {{"order_id", order.order_id},
                                      {"type", receipt.type},
                                      {"code", answer.status.code},
                                      {"duplicate", history.duplicate},
                                      {"reason", std::string(verdict.message())}});

  if (verdict.ok() && !history.accepted_before && order.type != cxml::OrderType::kDelete) {
    const cxml::Credential& from = who->second;
    AcceptedOrder accepted;
    accepted.payload_id = doc.payload_id;
    accepted.deployment_mode = doc.deployment_mode;
    accepted.order = order;
    accepted.buyer = doc.header.from;
    accepted.sender = {from.domain, who->first.from_identity, who->first.shared_secret};
    fulfiller_.OrderAccepted(std::move(accepted));
  }
  return answer;
}

}  // namespace iob::sim

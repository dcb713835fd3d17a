#include "services/dispatch/fulfillment.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/logging.h"
#include "libs/cxml/status.h"
#include "libs/cxml/timestamp.h"
#include "libs/supplier/exchange.h"
#include "services/dispatch/order.h"

namespace iob::dispatch {
namespace {

std::optional<absl::Time> Time(const std::string& cxml_timestamp) {
  if (cxml_timestamp.empty()) return std::nullopt;
  absl::StatusOr<absl::Time> t = cxml::ParseTimestamp(cxml_timestamp);
  return t.ok() ? std::optional<absl::Time>(*t) : std::nullopt;
}

std::string Comments(const std::vector<cxml::Comment>& comments) {
  std::vector<std::string> texts;
  for (const auto& c : comments) texts.push_back(c.text);
  return supplier::BoundSupplierText(absl::StrJoin(texts, " / "), {}, 1000);
}

absl::Status MissingReference(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      what, ": OrderReference with DocumentReference@payloadID (our OrderRequest's) is required"));
}

}  // namespace

absl::Status FulfillmentHandler::Handle(const supplier::VerifiedSender& sender,
                                        const cxml::Document& document) {
  FulfillmentEffect effect;
  ExchangeRecord& in = effect.exchange;
  in.direction = "in";
  in.document_type = std::string(cxml::DocumentTypeName(cxml::TypeOf(document)));
  in.payload_id = document.payload_id;
  in.time = absl::Now();
  in.http_status = 200;
  in.cxml_code = 200;
  in.document = MaskedDocument(document);
  std::string order_payload_id;
  if (const auto* c = std::get_if<cxml::ConfirmationRequest>(&document.body)) {
    order_payload_id = c->order_reference.payload_id;
    if (order_payload_id.empty()) return MissingReference("ConfirmationRequest");
    ConfirmationRecord& rec = effect.confirmation.emplace();
    rec.payload_id = document.payload_id;
    rec.confirm_id = supplier::BoundSupplierText(c->confirm_id, {}, 100);
    rec.type = c->type;
    rec.operation = c->operation;
    rec.notice_time = Time(c->notice_date);
    rec.comments = Comments(c->comments);
    rec.receive_time = in.time;
  } else if (const auto* s = std::get_if<cxml::ShipNoticeRequest>(&document.body)) {
    if (s->portions.size() != 1) {
      return absl::InvalidArgumentError(
          "ShipNoticeRequest: exactly one ShipNoticePortion (one order per notice) is supported");
    }
    const cxml::ShipNoticePortion& portion = s->portions.front();
    order_payload_id = portion.order_reference.payload_id;
    if (order_payload_id.empty()) return MissingReference("ShipNoticeRequest");
    ShipmentRecord& rec = effect.shipment.emplace();
    rec.payload_id = document.payload_id;
    rec.shipment_id = supplier::BoundSupplierText(s->shipment_id, {}, 100);
    rec.shipment_time = Time(s->shipment_date);
    rec.receive_time = in.time;
    if (!s->ship_controls.empty()) {
      const cxml::ShipControl& control = s->ship_controls.front();
      if (!control.carrier_identifiers.empty()) {
        rec.carrier =
            supplier::BoundSupplierText(control.carrier_identifiers.front().value, {}, 100);
      }
      if (!control.shipment_identifiers.empty()) {
        rec.tracking_number =
            supplier::BoundSupplierText(control.shipment_identifiers.front().value, {}, 100);
        rec.tracking_url =
            supplier::BoundSupplierText(control.shipment_identifiers.front().tracking_url, {}, 500);
      }
    }
    for (const cxml::ShipNoticeItem& item : portion.items) {
      int line = 0;
      if (absl::SimpleAtoi(item.line_number, &line)) rec.lines.emplace_back(line, item.quantity);
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "this endpoint takes ConfirmationRequest and ShipNoticeRequest, not ", in.document_type));
  }
  absl::StatusOr<std::string> order =
      store_->ApplyFulfillment(sender.tenant, sender.integration, order_payload_id, effect);
  if (!order.ok()) return order.status();
  common::LogInfo(
      "supplier document applied",
      {{"order", *order}, {"type", in.document_type}, {"payload_id", document.payload_id}});
  return absl::OkStatus();
}

}  // namespace iob::dispatch

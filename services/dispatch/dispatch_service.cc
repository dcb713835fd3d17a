#include "services/dispatch/dispatch_service.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/grpc_status.h"
#include "libs/runtime/pagination.h"
#include "libs/runtime/proto_time.h"
#include "libs/runtime/request_key.h"
#include "libs/runtime/resource_name.h"

namespace iob::dispatch {
namespace {

using common::InvalidField;
using google::protobuf::util::TimeUtil;
using runtime::HandleRpc;
using runtime::ParseName;
using runtime::ToProtoTime;

constexpr char kRead[] = "orders.read";
constexpr char kWrite[] = "orders.write";
constexpr char kRules[] = "rules.write";

constexpr std::pair<OrderState, pb::OrderState> kStates[] = {
    {OrderState::kQueued, pb::ORDER_STATE_QUEUED},
    {OrderState::kSending, pb::ORDER_STATE_SENDING},
    {OrderState::kDelivered, pb::ORDER_STATE_DELIVERED},
    {OrderState::kConfirmed, pb::ORDER_STATE_CONFIRMED},
    {OrderState::kPartiallyConfirmed, pb::ORDER_STATE_PARTIALLY_CONFIRMED},
    {OrderState::kBackordered, pb::ORDER_STATE_BACKORDERED},
    {OrderState::kShipped, pb::ORDER_STATE_SHIPPED},
    {OrderState::kRejected, pb::ORDER_STATE_REJECTED},
    {OrderState::kFailed, pb::ORDER_STATE_FAILED},
    {OrderState::kCancelled, pb::ORDER_STATE_CANCELLED},
};

pb::OrderState ToProto(OrderState state) {
  for (const auto& [s, p] : kStates) {
    if (s == state) return p;
  }
  return pb::ORDER_STATE_UNSPECIFIED;
}

absl::StatusOr<std::optional<OrderState>> FromProto(pb::OrderState state) {
  if (state == pb::ORDER_STATE_UNSPECIFIED) return std::nullopt;
  for (const auto& [s, p] : kStates) {
    if (p == state) return s;
  }
  return InvalidField("state", "unknown value");
}

google::protobuf::Duration ToProtoDuration(absl::Duration d) {
  return TimeUtil::MicrosecondsToDuration(absl::ToInt64Microseconds(d));
}

void ToProto(const DispatchRule& rule, pb::DispatchRule* out) {
  out->set_name(rule.Name());
  out->set_send_cxml(rule.send_cxml);
  out->set_send_pdf(rule.send_pdf);
  *out->mutable_confirmation_deadline() = ToProtoDuration(rule.confirmation_deadline);
  out->set_stored(rule.stored);
  if (rule.stored) *out->mutable_update_time() = ToProtoTime(rule.update_time);
}

void ToProto(const Order& o, pb::Order* out) {
  out->set_name(o.Name());
  out->set_integration(o.integration);
  out->set_supplier(o.supplier);
  *out->mutable_content() = o.current.content;
  *out->mutable_approval() = o.approval;
  out->set_session(o.session);
  out->mutable_total()->set_amount(o.total);
  out->mutable_total()->set_currency(o.currency);
  out->set_state(ToProto(o.state));
  out->set_test(o.test);
  out->set_channel(o.channel == Channel::kEmail ? pb::CHANNEL_EMAIL : pb::CHANNEL_CXML);
  out->set_version(o.version);
  out->set_payload_id(o.current.payload_id);
  out->set_failure_reason(o.failure_reason);
  out->set_unconfirmed(o.unconfirmed);
  if (o.confirm_due_time) *out->mutable_confirm_deadline_time() = ToProtoTime(*o.confirm_due_time);
  if (o.state == OrderState::kQueued) {
    *out->mutable_next_attempt_time() = ToProtoTime(o.next_attempt_time);
  }
  out->set_attempt_count(o.attempts_total);
  *out->mutable_create_time() = ToProtoTime(o.create_time);
  *out->mutable_update_time() = ToProtoTime(o.update_time);
  // An update or cancellation that has not reached the supplier yet.
  out->set_change_pending(o.version > 1 && o.delivered_version < o.version);
}

void ToProto(const OrderDetails& d, pb::Order* out) {
  ToProto(d.order, out);
  for (const auto& h : d.history) {
    auto* c = out->add_history();
    c->set_state(ToProto(h.state));
    *c->mutable_time() = ToProtoTime(h.time);
    c->set_reason(h.reason);
  }
  for (const auto& a : d.attempts) {
    auto* p = out->add_attempts();
    p->set_number(a.number);
    p->set_order_version(a.version);
    *p->mutable_start_time() = ToProtoTime(a.start_time);
    p->set_outcome(a.outcome);
    p->set_http_status(a.http_status);
    p->set_cxml_code(a.cxml_code);
    p->set_smtp_code(a.smtp_code);
    p->set_text(a.text);
    *p->mutable_latency() = ToProtoDuration(a.latency);
  }
  for (const auto& e : d.exchanges) {
    auto* p = out->add_exchanges();
    p->set_direction(e.direction);
    p->set_document_type(e.document_type);
    p->set_payload_id(e.payload_id);
    *p->mutable_time() = ToProtoTime(e.time);
    p->set_http_status(e.http_status);
    p->set_cxml_code(e.cxml_code);
    p->set_smtp_code(e.smtp_code);
    *p->mutable_latency() = ToProtoDuration(e.latency);
    p->set_document(e.document);
    p->set_answer(e.answer);
  }
  for (const auto& c : d.confirmations) {
    auto* p = out->add_confirmations();
    p->set_payload_id(c.payload_id);
    p->set_confirm_id(c.confirm_id);
    p->set_type(c.type);
    p->set_operation(c.operation);
    if (c.notice_time) *p->mutable_notice_time() = ToProtoTime(*c.notice_time);
    *p->mutable_receive_time() = ToProtoTime(c.receive_time);
    p->set_comments(c.comments);
  }
  for (const auto& s : d.shipments) {
    auto* p = out->add_shipments();
    p->set_payload_id(s.payload_id);
    p->set_shipment_id(s.shipment_id);
    p->set_carrier(s.carrier);
    p->set_tracking_number(s.tracking_number);
    p->set_tracking_url(s.tracking_url);
    if (s.shipment_time) *p->mutable_shipment_time() = ToProtoTime(*s.shipment_time);
    *p->mutable_receive_time() = ToProtoTime(s.receive_time);
    for (const auto& [number, quantity] : s.lines) {
      auto* l = p->add_lines();
      l->set_line_number(number);
      l->set_quantity(quantity);
    }
  }
}

absl::StatusOr<runtime::ResourceName> OrderName(const std::string& name) {
  return ParseName(kOrderPattern, name, "name");
}

}  // namespace

grpc::Status DispatchService::GetDispatchRule(grpc::ServerContext* ctx,
                                              const pb::GetDispatchRuleRequest* req,
                                              pb::DispatchRule* resp) {
  return HandleRpc(*ctx, "GetDispatchRule", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, ParseName(kRulePattern, req->name(), "name"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, name.tenant).status());
    IOB_ASSIGN_OR_RETURN(DispatchRule rule, dispatcher_->GetRule(name.tenant, name.id));
    ToProto(rule, resp);
    return absl::OkStatus();
  });
}

grpc::Status DispatchService::UpdateDispatchRule(grpc::ServerContext* ctx,
                                                 const pb::UpdateDispatchRuleRequest* req,
                                                 pb::DispatchRule* resp) {
  return HandleRpc(*ctx, "UpdateDispatchRule", req->rule().name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, ParseName(kRulePattern, req->rule().name(), "rule.name"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRules, name.tenant).status());
    IOB_ASSIGN_OR_RETURN(auto key, runtime::RequestKeyOf(name.tenant, "UpdateDispatchRule", *req));
    DispatchRule rule;
    rule.tenant = name.tenant;
    rule.integration_id = name.id;
    rule.send_cxml = req->rule().send_cxml();
    rule.send_pdf = req->rule().send_pdf();
    if (req->rule().has_confirmation_deadline()) {
      rule.confirmation_deadline =
          absl::Microseconds(TimeUtil::DurationToMicroseconds(req->rule().confirmation_deadline()));
    }
    IOB_ASSIGN_OR_RETURN(DispatchRule stored, dispatcher_->SetRule(rule, key));
    ToProto(stored, resp);
    return absl::OkStatus();
  });
}

grpc::Status DispatchService::SubmitOrder(grpc::ServerContext* ctx,
                                          const pb::SubmitOrderRequest* req, pb::Order* resp) {
  return HandleRpc(*ctx, "SubmitOrder", req->parent(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto parent, ParseName(runtime::kTenantPattern, req->parent(), "parent"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kWrite, parent.tenant).status());
    SubmitRequest r;
    r.tenant = parent.tenant;
    IOB_ASSIGN_OR_RETURN(r.key, runtime::RequestKeyOf(r.tenant, "SubmitOrder", *req));
    IOB_ASSIGN_OR_RETURN(auto integration, ParseName(runtime::kIntegrationPattern,
                                                     req->integration(), "integration"));
    if (integration.tenant != r.tenant) {
      return InvalidField("integration", absl::StrCat("must be an integration of ", req->parent()));
    }
    r.integration = req->integration();
    if (!req->session().empty()) {
      IOB_ASSIGN_OR_RETURN(auto session, ParseName("tenants/{tenant}/sessions/{session}",
                                                   req->session(), "session"));
      if (session.tenant != r.tenant) {
        return InvalidField("session", absl::StrCat("must be a session of ", req->parent()));
      }
      r.session = req->session();
    }
    r.content = req->order();
    r.approval = req->approval();
    IOB_ASSIGN_OR_RETURN(Order o, dispatcher_->Submit(std::move(r)));
    ToProto(o, resp);
    return absl::OkStatus();
  });
}

grpc::Status DispatchService::GetOrder(grpc::ServerContext* ctx, const pb::GetOrderRequest* req,
                                       pb::Order* resp) {
  return HandleRpc(*ctx, "GetOrder", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, OrderName(req->name()));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, name.tenant).status());
    IOB_ASSIGN_OR_RETURN(OrderDetails d, store_->GetDetails(name.tenant, name.id));
    ToProto(d, resp);
    return absl::OkStatus();
  });
}

grpc::Status DispatchService::ListOrders(grpc::ServerContext* ctx, const pb::ListOrdersRequest* req,
                                         pb::ListOrdersResponse* resp) {
  return HandleRpc(*ctx, "ListOrders", req->parent(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto parent, ParseName(runtime::kTenantPattern, req->parent(), "parent"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, parent.tenant).status());
    OrderFilter filter;
    IOB_ASSIGN_OR_RETURN(filter.state, FromProto(req->state()));
    if (!req->integration().empty()) {
      IOB_RETURN_IF_ERROR(
          ParseName(runtime::kIntegrationPattern, req->integration(), "integration").status());
      filter.integration = req->integration();
    }
    filter.po_number = req->po_number();
    switch (req->test()) {
      case pb::TEST_FILTER_TEST:
        filter.test = true;
        break;
      case pb::TEST_FILTER_PRODUCTION:
        filter.test = false;
        break;
      case pb::TEST_FILTER_UNSPECIFIED:
        break;
      default:
        return InvalidField("test", "unknown value");
    }
    filter.unconfirmed = req->unconfirmed();
    IOB_ASSIGN_OR_RETURN(auto page, runtime::Paginate(
                                        req->page_size(), req->page_token(), "orders",
                                        [&](const std::string& after, int limit) {
                                          return store_->List(parent.tenant, filter, after, limit);
                                        },
                                        &OrderStore::PageKey));
    for (const Order& o : page.items) ToProto(o, resp->add_orders());
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status DispatchService::RetryOrder(grpc::ServerContext* ctx, const pb::RetryOrderRequest* req,
                                         pb::Order* resp) {
  return HandleRpc(*ctx, "RetryOrder", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, OrderName(req->name()));
    IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(*ctx, kWrite, name.tenant));
    IOB_ASSIGN_OR_RETURN(auto key, runtime::RequestKeyOf(name.tenant, "RetryOrder", *req));
    IOB_ASSIGN_OR_RETURN(Order o, dispatcher_->Retry(name.tenant, name.id, who.name, key));
    ToProto(o, resp);
    return absl::OkStatus();
  });
}

grpc::Status DispatchService::CancelOrder(grpc::ServerContext* ctx,
                                          const pb::CancelOrderRequest* req, pb::Order* resp) {
  return HandleRpc(*ctx, "CancelOrder", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, OrderName(req->name()));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kWrite, name.tenant).status());
    IOB_ASSIGN_OR_RETURN(auto key, runtime::RequestKeyOf(name.tenant, "CancelOrder", *req));
    IOB_ASSIGN_OR_RETURN(Order o, dispatcher_->Cancel(name.tenant, name.id, req->reason(), key));
    ToProto(o, resp);
    return absl::OkStatus();
  });
}

grpc::Status DispatchService::UpdateOrder(grpc::ServerContext* ctx,
                                          const pb::UpdateOrderRequest* req, pb::Order* resp) {
  return HandleRpc(*ctx, "UpdateOrder", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, OrderName(req->name()));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kWrite, name.tenant).status());
    IOB_ASSIGN_OR_RETURN(auto key, runtime::RequestKeyOf(name.tenant, "UpdateOrder", *req));
    IOB_ASSIGN_OR_RETURN(Order o, dispatcher_->Update(name.tenant, name.id, req->order(), key));
    ToProto(o, resp);
    return absl::OkStatus();
  });
}

grpc::Status DispatchService::RenderOrderPdf(grpc::ServerContext* ctx,
                                             const pb::RenderOrderPdfRequest* req,
                                             pb::OrderPdf* resp) {
  return HandleRpc(*ctx, "RenderOrderPdf", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, OrderName(req->name()));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, name.tenant).status());
    if (req->version() < 0) return InvalidField("version", "must be 0 (the newest) or positive");
    IOB_ASSIGN_OR_RETURN(OrderPdf pdf,
                         dispatcher_->RenderPdf(name.tenant, name.id, req->version()));
    resp->set_pdf(std::move(pdf.bytes));
    resp->set_file_name(pdf.file_name);
    resp->set_version(pdf.version);
    return absl::OkStatus();
  });
}

}  // namespace iob::dispatch

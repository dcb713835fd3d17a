#include "services/punchout/punchout_service.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "iob/type/v1/line_item.pb.h"
#include "iob/type/v1/money.pb.h"
#include "iob/type/v1/postal_address.pb.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/grpc_status.h"
#include "libs/runtime/pagination.h"
#include "libs/runtime/proto_time.h"
#include "libs/runtime/request_key.h"
#include "libs/runtime/resource_name.h"

namespace iob::punchout {
namespace {

namespace typepb = ::iob::type::v1;
using common::InvalidField;
using runtime::HandleRpc;
using runtime::ParseName;
using runtime::ToProtoTime;

constexpr char kRead[] = "punchout.read";
constexpr char kStart[] = "punchout.start";

pb::SessionState ToProto(SessionState state) {
  switch (state) {
    case SessionState::kCreated:
      return pb::SESSION_STATE_CREATED;
    case SessionState::kStarted:
      return pb::SESSION_STATE_STARTED;
    case SessionState::kCartReceived:
      return pb::SESSION_STATE_CART_RECEIVED;
    case SessionState::kCheckedOut:
      return pb::SESSION_STATE_CHECKED_OUT;
    case SessionState::kExpired:
      return pb::SESSION_STATE_EXPIRED;
    case SessionState::kFailed:
      return pb::SESSION_STATE_FAILED;
  }
  return pb::SESSION_STATE_UNSPECIFIED;
}

// The state a List filters by; nullopt for UNSPECIFIED (no filter).
absl::StatusOr<std::optional<SessionState>> FromProto(pb::SessionState state) {
  switch (state) {
    case pb::SESSION_STATE_UNSPECIFIED:
      return std::nullopt;
    case pb::SESSION_STATE_CREATED:
      return SessionState::kCreated;
    case pb::SESSION_STATE_STARTED:
      return SessionState::kStarted;
    case pb::SESSION_STATE_CART_RECEIVED:
      return SessionState::kCartReceived;
    case pb::SESSION_STATE_CHECKED_OUT:
      return SessionState::kCheckedOut;
    case pb::SESSION_STATE_EXPIRED:
      return SessionState::kExpired;
    case pb::SESSION_STATE_FAILED:
      return SessionState::kFailed;
    default:
      break;
  }
  return InvalidField("state", "unknown value");
}

absl::StatusOr<Operation> FromProto(pb::Operation op) {
  switch (op) {
    case pb::OPERATION_CREATE:
    case pb::OPERATION_UNSPECIFIED:
      return Operation::kCreate;
    case pb::OPERATION_EDIT:
      return Operation::kEdit;
    case pb::OPERATION_INSPECT:
      return Operation::kInspect;
    default:
      break;
  }
  return InvalidField("operation", "unknown value");
}

pb::Operation ToProto(Operation op) {
  switch (op) {
    case Operation::kEdit:
      return pb::OPERATION_EDIT;
    case Operation::kInspect:
      return pb::OPERATION_INSPECT;
    case Operation::kCreate:
      break;
  }
  return pb::OPERATION_CREATE;
}

void ToProto(const Money& m, typepb::Money* out) {
  out->set_amount(m.amount);
  out->set_currency(m.currency);
}

void ToProto(const Session& s, pb::Session* out) {
  out->set_name(s.Name());
  out->set_integration(s.integration);
  out->set_supplier(s.supplier);
  out->mutable_user()->set_id(s.user.id);
  out->mutable_user()->set_email(s.user.email);
  out->mutable_user()->set_name(s.user.name);
  out->set_operation(ToProto(s.operation));
  out->set_state(ToProto(s.state));
  out->set_start_page_url(s.start_page_url);
  out->set_approval_required(s.approval_required);
  out->set_failure_reason(s.failure_reason);
  *out->mutable_create_time() = ToProtoTime(s.create_time);
  *out->mutable_expire_time() = ToProtoTime(s.expire_time);
  *out->mutable_update_time() = ToProtoTime(s.update_time);
}

void ToProto(const CartLine& l, typepb::LineItem* out) {
  out->set_line_number(l.line_number);
  out->set_quantity(l.quantity);
  out->set_supplier_part_id(l.supplier_part_id);
  out->set_supplier_part_auxiliary_id(l.supplier_part_auxiliary_id);
  out->set_description(l.description);
  ToProto(l.unit_price, out->mutable_unit_price());
  out->set_unit_of_measure(l.unit_of_measure);
  for (const auto& [domain, code] : l.classifications) {
    auto* c = out->add_classifications();
    c->set_domain(domain);
    c->set_code(code);
  }
  out->set_manufacturer_part_id(l.manufacturer_part_id);
  out->set_manufacturer_name(l.manufacturer_name);
}

void ToProto(const Session& s, const Cart& cart, pb::Cart* out) {
  out->set_session(s.Name());
  for (const CartLine& l : cart.lines) ToProto(l, out->add_lines());
  ToProto(cart.total, out->mutable_total());
  if (cart.shipping) ToProto(*cart.shipping, out->mutable_shipping());
  if (cart.tax) ToProto(*cart.tax, out->mutable_tax());
  out->set_operation_allowed(cart.operation_allowed);
  *out->mutable_receive_time() = ToProtoTime(cart.receive_time);
}

CartLine FromProto(const typepb::LineItem& l) {
  CartLine out;
  out.line_number = l.line_number();
  out.quantity = l.quantity();
  out.supplier_part_id = l.supplier_part_id();
  out.supplier_part_auxiliary_id = l.supplier_part_auxiliary_id();
  out.description = l.description();
  out.unit_price = {l.unit_price().amount(), l.unit_price().currency()};
  out.unit_of_measure = l.unit_of_measure();
  for (const auto& c : l.classifications()) out.classifications.emplace_back(c.domain(), c.code());
  out.manufacturer_part_id = l.manufacturer_part_id();
  out.manufacturer_name = l.manufacturer_name();
  return out;
}

}  // namespace

grpc::Status PunchoutService::ListSuppliers(grpc::ServerContext* ctx,
                                            const pb::ListSuppliersRequest* req,
                                            pb::ListSuppliersResponse* resp) {
  return HandleRpc(*ctx, "ListSuppliers", req->parent(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto parent, ParseName(runtime::kTenantPattern, req->parent(), "parent"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, parent.tenant).status());
    IOB_ASSIGN_OR_RETURN(auto tiles, broker_->ListSuppliers(parent.tenant));
    for (const auto& t : tiles) {
      auto* s = resp->add_suppliers();
      s->set_integration(t.integration);
      s->set_supplier(t.supplier);
      s->set_display_name(t.display_name);
      s->set_approval_required(t.approval_required);
    }
    return absl::OkStatus();
  });
}

grpc::Status PunchoutService::StartSession(grpc::ServerContext* ctx,
                                           const pb::StartSessionRequest* req, pb::Session* resp) {
  return HandleRpc(*ctx, "StartSession", req->parent(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto parent, ParseName(runtime::kTenantPattern, req->parent(), "parent"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kStart, parent.tenant).status());
    StartRequest r;
    r.tenant = parent.tenant;
    IOB_ASSIGN_OR_RETURN(r.key, runtime::RequestKeyOf(r.tenant, "StartSession", *req));
    IOB_ASSIGN_OR_RETURN(auto integration, ParseName(runtime::kIntegrationPattern,
                                                     req->integration(), "integration"));
    if (integration.tenant != r.tenant) {
      return InvalidField("integration", absl::StrCat("must be an integration of ", req->parent()));
    }
    r.integration = req->integration();
    r.user = {req->user().id(), req->user().email(), req->user().name()};
    IOB_ASSIGN_OR_RETURN(r.operation, FromProto(req->operation()));
    if (req->has_ship_to()) {
      const typepb::PostalAddress& a = req->ship_to();
      r.ship_to = ShipTo{a.name(),        {a.street().begin(), a.street().end()},
                         a.city(),        a.state(),
                         a.postal_code(), a.country_code(),
                         a.country()};
    }
    for (const auto& l : req->lines()) r.lines.push_back(FromProto(l));
    IOB_ASSIGN_OR_RETURN(Session s, broker_->Start(r));
    ToProto(s, resp);
    return absl::OkStatus();
  });
}

grpc::Status PunchoutService::GetSession(grpc::ServerContext* ctx, const pb::GetSessionRequest* req,
                                         pb::Session* resp) {
  return HandleRpc(*ctx, "GetSession", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, ParseName(kSessionPattern, req->name(), "name"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, name.tenant).status());
    IOB_ASSIGN_OR_RETURN(Session s, store_->Get(name.tenant, name.id));
    ToProto(s, resp);
    return absl::OkStatus();
  });
}

grpc::Status PunchoutService::ListSessions(grpc::ServerContext* ctx,
                                           const pb::ListSessionsRequest* req,
                                           pb::ListSessionsResponse* resp) {
  return HandleRpc(*ctx, "ListSessions", req->parent(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto parent, ParseName(runtime::kTenantPattern, req->parent(), "parent"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, parent.tenant).status());
    IOB_ASSIGN_OR_RETURN(std::optional<SessionState> state, FromProto(req->state()));
    IOB_ASSIGN_OR_RETURN(auto page, runtime::Paginate(
                                        req->page_size(), req->page_token(), "sessions",
                                        [&](const std::string& after, int limit) {
                                          return store_->List(parent.tenant, state, after, limit);
                                        },
                                        &SessionStore::Cursor));
    for (const Session& s : page.items) ToProto(s, resp->add_sessions());
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status PunchoutService::GetCart(grpc::ServerContext* ctx, const pb::GetCartRequest* req,
                                      pb::Cart* resp) {
  return HandleRpc(*ctx, "GetCart", req->session(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, ParseName(kSessionPattern, req->session(), "session"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, name.tenant).status());
    IOB_ASSIGN_OR_RETURN(Session s, store_->Get(name.tenant, name.id));
    IOB_ASSIGN_OR_RETURN(Cart cart, store_->GetCart(name.tenant, name.id));
    ToProto(s, cart, resp);
    return absl::OkStatus();
  });
}

grpc::Status PunchoutService::CheckoutCart(grpc::ServerContext* ctx,
                                           const pb::CheckoutCartRequest* req,
                                           pb::RequisitionDraft* resp) {
  return HandleRpc(*ctx, "CheckoutCart", req->session(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, ParseName(kSessionPattern, req->session(), "session"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kStart, name.tenant).status());
    IOB_ASSIGN_OR_RETURN(RequisitionDraft draft, broker_->Checkout(name.tenant, name.id));
    resp->set_session(draft.session.Name());
    resp->set_integration(draft.session.integration);
    resp->mutable_requester()->set_id(draft.session.user.id);
    resp->mutable_requester()->set_email(draft.session.user.email);
    resp->mutable_requester()->set_name(draft.session.user.name);
    resp->set_approval_required(draft.session.approval_required);
    for (const CartLine& l : draft.cart.lines) ToProto(l, resp->add_lines());
    ToProto(draft.cart.total, resp->mutable_total());
    return absl::OkStatus();
  });
}

}  // namespace iob::punchout

#include "services/punchout/punchout_service.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/grpc_status.h"
#include "libs/common/logging.h"
#include "libs/runtime/pagination.h"

namespace iob::punchout {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kRead[] = "punchout.read";
constexpr char kStart[] = "punchout.start";

absl::Status Invalid(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

bool IsId(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return true;
}

absl::Status ParseTenant(const std::string& parent, const std::string& field, std::string* tenant) {
  std::vector<std::string> parts = absl::StrSplit(parent, '/');
  if (parts.size() != 2 || parts[0] != "tenants" || !IsId(parts[1])) {
    return Invalid(field, "must be tenants/{tenant}");
  }
  *tenant = parts[1];
  return absl::OkStatus();
}

absl::Status ParseSession(const std::string& name, const std::string& field, std::string* tenant,
                          std::string* id) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "tenants" || parts[2] != "sessions" || !IsId(parts[1]) ||
      !IsId(parts[3])) {
    return Invalid(field, "must be tenants/{tenant}/sessions/{session}");
  }
  *tenant = parts[1];
  *id = parts[3];
  return absl::OkStatus();
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

void ToProto(const Money& m, pb::Money* out) {
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
  out->set_state(static_cast<pb::SessionState>(static_cast<int>(s.state) + 1));
  out->set_start_page_url(s.start_page_url);
  out->set_approval_required(s.approval_required);
  out->set_failure_reason(s.failure_reason);
  *out->mutable_create_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(s.create_time));
  *out->mutable_expire_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(s.expire_time));
  *out->mutable_update_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(s.update_time));
}

void ToProto(const CartLine& l, pb::CartLine* out) {
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
  *out->mutable_receive_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(cart.receive_time));
}

CartLine FromProto(const pb::CartLine& l) {
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
  absl::Status st = [&]() -> absl::Status {
    std::string tenant;
    IOB_RETURN_IF_ERROR(ParseTenant(req->parent(), "parent", &tenant));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, tenant).status());
    IOB_ASSIGN_OR_RETURN(auto tiles, broker_->ListSuppliers(tenant));
    for (const auto& t : tiles) {
      auto* s = resp->add_suppliers();
      s->set_integration(t.integration);
      s->set_supplier(t.supplier);
      s->set_display_name(t.display_name);
      s->set_approval_required(t.approval_required);
    }
    return absl::OkStatus();
  }();
  return runtime::FinishRpc(*ctx, "ListSuppliers", req->parent(), st);
}

grpc::Status PunchoutService::StartSession(grpc::ServerContext* ctx,
                                           const pb::StartSessionRequest* req, pb::Session* resp) {
  absl::Status st = [&]() -> absl::Status {
    StartRequest r;
    IOB_RETURN_IF_ERROR(ParseTenant(req->parent(), "parent", &r.tenant));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kStart, r.tenant).status());
    if (req->request_id().size() > 128) return Invalid("request_id", "longer than 128 characters");
    r.integration = req->integration();
    r.user = {req->user().id(), req->user().email(), req->user().name()};
    r.request_id = req->request_id();
    switch (req->operation()) {
      case pb::OPERATION_CREATE:
      case pb::OPERATION_UNSPECIFIED:
        r.operation = Operation::kCreate;
        break;
      case pb::OPERATION_EDIT:
        r.operation = Operation::kEdit;
        break;
      case pb::OPERATION_INSPECT:
        r.operation = Operation::kInspect;
        break;
      default:
        return Invalid("operation", "unknown value");
    }
    if (req->has_ship_to()) {
      const pb::Address& a = req->ship_to();
      r.ship_to = ShipTo{a.name(),        {a.street().begin(), a.street().end()},
                         a.city(),        a.state(),
                         a.postal_code(), a.country_code(),
                         a.country()};
    }
    for (const auto& l : req->lines()) r.lines.push_back(FromProto(l));
    IOB_ASSIGN_OR_RETURN(Session s, broker_->Start(r));
    ToProto(s, resp);
    return absl::OkStatus();
  }();
  return runtime::FinishRpc(*ctx, "StartSession", req->parent(), st);
}

grpc::Status PunchoutService::GetSession(grpc::ServerContext* ctx, const pb::GetSessionRequest* req,
                                         pb::Session* resp) {
  absl::Status st = [&]() -> absl::Status {
    std::string tenant, id;
    IOB_RETURN_IF_ERROR(ParseSession(req->name(), "name", &tenant, &id));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, tenant).status());
    IOB_ASSIGN_OR_RETURN(Session s, store_->Get(tenant, id));
    ToProto(s, resp);
    return absl::OkStatus();
  }();
  return runtime::FinishRpc(*ctx, "GetSession", req->name(), st);
}

grpc::Status PunchoutService::ListSessions(grpc::ServerContext* ctx,
                                           const pb::ListSessionsRequest* req,
                                           pb::ListSessionsResponse* resp) {
  absl::Status st = [&]() -> absl::Status {
    std::string tenant;
    IOB_RETURN_IF_ERROR(ParseTenant(req->parent(), "parent", &tenant));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, tenant).status());
    IOB_ASSIGN_OR_RETURN(int limit, runtime::PageSize(req->page_size()));
    std::optional<SessionState> state;
    if (req->state() != pb::SESSION_STATE_UNSPECIFIED) {
      if (req->state() < pb::SESSION_STATE_CREATED || req->state() > pb::SESSION_STATE_FAILED) {
        return Invalid("state", "unknown value");
      }
      state = static_cast<SessionState>(static_cast<int>(req->state()) - 1);
    }
    IOB_ASSIGN_OR_RETURN(std::string after,
                         runtime::DecodePageToken(req->page_token(), "sessions"));
    IOB_ASSIGN_OR_RETURN(auto sessions, store_->List(tenant, state, after, limit + 1));
    for (int i = 0; i < static_cast<int>(sessions.size()) && i < limit; ++i) {
      ToProto(sessions[i], resp->add_sessions());
    }
    if (static_cast<int>(sessions.size()) > limit) {
      resp->set_next_page_token(
          runtime::EncodePageToken("sessions", SessionStore::Cursor(sessions[limit - 1])));
    }
    return absl::OkStatus();
  }();
  return runtime::FinishRpc(*ctx, "ListSessions", req->parent(), st);
}

grpc::Status PunchoutService::GetCart(grpc::ServerContext* ctx, const pb::GetCartRequest* req,
                                      pb::Cart* resp) {
  absl::Status st = [&]() -> absl::Status {
    std::string tenant, id;
    IOB_RETURN_IF_ERROR(ParseSession(req->session(), "session", &tenant, &id));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, tenant).status());
    IOB_ASSIGN_OR_RETURN(Session s, store_->Get(tenant, id));
    IOB_ASSIGN_OR_RETURN(Cart cart, store_->GetCart(tenant, id));
    ToProto(s, cart, resp);
    return absl::OkStatus();
  }();
  return runtime::FinishRpc(*ctx, "GetCart", req->session(), st);
}

grpc::Status PunchoutService::CheckoutCart(grpc::ServerContext* ctx,
                                           const pb::CheckoutCartRequest* req,
                                           pb::RequisitionDraft* resp) {
  absl::Status st = [&]() -> absl::Status {
    std::string tenant, id;
    IOB_RETURN_IF_ERROR(ParseSession(req->session(), "session", &tenant, &id));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kStart, tenant).status());
    IOB_ASSIGN_OR_RETURN(RequisitionDraft draft, broker_->Checkout(tenant, id));
    resp->set_session(draft.session.Name());
    resp->set_integration(draft.session.integration);
    resp->mutable_requester()->set_id(draft.session.user.id);
    resp->mutable_requester()->set_email(draft.session.user.email);
    resp->mutable_requester()->set_name(draft.session.user.name);
    resp->set_approval_required(draft.session.approval_required);
    for (const CartLine& l : draft.cart.lines) ToProto(l, resp->add_lines());
    ToProto(draft.cart.total, resp->mutable_total());
    return absl::OkStatus();
  }();
  return runtime::FinishRpc(*ctx, "CheckoutCart", req->session(), st);
}

}  // namespace iob::punchout

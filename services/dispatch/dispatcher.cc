#include "services/dispatch/dispatcher.h"

#include "absl/strings/str_cat.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/timestamp.h"
#include "libs/runtime/resource_name.h"
#include "services/dispatch/order_mail.h"

namespace iob::dispatch {
namespace {

using common::InvalidField;

// The integration's id within its tenant.
std::string IntegrationId(const std::string& name) { return name.substr(name.rfind('/') + 1); }

// OK when `o` may still change; FAILED_PRECONDITION saying why not
// (`change` is "cancelled" or "updated").
absl::Status CheckChangeable(const Order& o, absl::string_view change) {
  if (o.current.type == ChangeType::kDelete) {
    return absl::FailedPreconditionError(absl::StrCat(
        "order ", o.Name(), " is ", StateText(o.state), " and its cancellation is on its way"));
  }
  switch (o.state) {
    case OrderState::kCancelled:
    case OrderState::kFailed:
    case OrderState::kRejected:
    case OrderState::kShipped:
      return absl::FailedPreconditionError(
          absl::StrCat("order ", o.Name(), " is ", StateText(o.state), " and cannot be ", change));
    default:
      return absl::OkStatus();
  }
}

}  // namespace

Dispatcher::Dispatcher(OrderStore* store, supplier::CredentialsClient* credentials,
                       peers::PunchoutClient* punchout, DispatchMetrics* metrics, std::string host,
                       bool mail_enabled, std::function<void()> on_submitted)
    : store_(store),
      credentials_(credentials),
      punchout_(punchout),
      metrics_(metrics),
      host_(std::move(host)),
      mail_enabled_(mail_enabled),
      on_submitted_(std::move(on_submitted)) {}

absl::StatusOr<Order> Dispatcher::Submit(SubmitRequest r) {
  IOB_ASSIGN_OR_RETURN(supplier::SupplierEndpoint endpoint, credentials_->Get(r.integration));
  IOB_ASSIGN_OR_RETURN(DispatchRule rule, store_->GetRule(r.tenant, IntegrationId(r.integration)));
  IOB_RETURN_IF_ERROR(CheckRuleSends(rule));
  IOB_RETURN_IF_ERROR(CheckCanEmail(rule, endpoint, "order"));
  if (!r.session.empty()) {
    if (r.content.lines_size() > 0) {
      return InvalidField("order.lines",
                          "must be empty when session is given (the cart's "
                          "lines are the order's)");
    }
    IOB_ASSIGN_OR_RETURN(peers::CheckedOutCart cart, punchout_->GetCheckedOutCart(r.session));
    if (cart.integration != r.integration) {
      return InvalidField("session", absl::StrCat("is a punchout with ", cart.integration, ", not ",
                                                  r.integration));
    }
    for (auto& line : cart.lines) *r.content.add_lines() = std::move(line);
    if (r.content.currency().empty()) r.content.set_currency(cart.total.currency());
  }
  IOB_RETURN_IF_ERROR(CheckApproval(r.approval, endpoint.approval_required));
  IOB_RETURN_IF_ERROR(CheckContent(r.content, OrderProfileFor(endpoint.supplier, ChannelFor(rule)),
                                   endpoint.supplier));

  const absl::Time now = absl::Now();
  Order o;
  o.tenant = r.tenant;
  o.id = NewOrderId();
  o.integration = r.integration;
  o.supplier = endpoint.supplier;
  o.po_number = r.content.po_number();
  o.test = !endpoint.production;
  o.channel = ChannelFor(rule);
  o.session = r.session;
  o.approval = r.approval;
  IOB_ASSIGN_OR_RETURN(o.total, OrderTotal(r.content));
  o.currency = r.content.currency();
  o.confirm_deadline = rule.confirmation_deadline;
  o.current.version = 1;
  o.current.type = ChangeType::kNew;
  o.current.payload_id = cxml::NewPayloadId(now, host_);
  o.current.order_date = cxml::FormatTimestamp(now);
  o.current.content = std::move(r.content);
  bool replayed = false;
  IOB_ASSIGN_OR_RETURN(Order stored, store_->Create(o, r.key, &replayed));
  if (!replayed) {
    metrics_->Submitted(stored.test);
    on_submitted_();
  }
  return stored;
}

absl::StatusOr<Order> Dispatcher::Retry(const std::string& tenant, const std::string& id,
                                        const std::string& who, const db::RequestKey& key) {
  IOB_ASSIGN_OR_RETURN(Order o, store_->Requeue(tenant, id, who, key));
  on_submitted_();
  return o;
}

absl::Status Dispatcher::CheckCanEmail(const DispatchRule& rule,
                                       const supplier::SupplierEndpoint& endpoint,
                                       absl::string_view field) const {
  if (!rule.send_pdf) return absl::OkStatus();
  if (endpoint.order_email.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, ": the rule sends the purchase order PDF by e-mail, but integration ",
        endpoint.integration,
        " has no order e-mail (set it with `iobctl integrations update ... --order-email`)"));
  }
  if (!mail_enabled_) {
    return absl::FailedPreconditionError(absl::StrCat(
        field,
        ": the rule sends the purchase order PDF by e-mail, but this dispatch has no SMTP "
        "relay (start it with --smtp-url and --mail-from)"));
  }
  return absl::OkStatus();
}

OrderVersion Dispatcher::NextVersion(const Order& order, ChangeType type, pb::OrderContent content,
                                     std::string reason) const {
  const absl::Time now = absl::Now();
  OrderVersion v;
  v.version = order.version + 1;
  v.type = type;
  v.payload_id = cxml::NewPayloadId(now, host_);
  v.document_reference = order.current.payload_id;
  // The order keeps the date it was first placed.
  v.order_date = order.current.order_date;
  v.reason = std::move(reason);
  v.content = std::move(content);
  return v;
}

absl::StatusOr<Order> Dispatcher::Cancel(const std::string& tenant, const std::string& id,
                                         const std::string& reason, const db::RequestKey& key) {
  IOB_RETURN_IF_ERROR(common::CheckText(reason, "reason", 1000, false));
  IOB_ASSIGN_OR_RETURN(
      Order order,
      store_->Change(
          tenant, id, key, [&](const Order& o) -> absl::StatusOr<std::optional<OrderVersion>> {
            IOB_RETURN_IF_ERROR(CheckChangeable(o, "cancelled"));
            // Nothing ever went to the supplier: cancel here.
            if (o.attempts_total == 0 && o.state == OrderState::kQueued) {
              return std::nullopt;
            }
            const SupplierOrderProfile& profile = OrderProfileFor(o.supplier, o.channel);
            if (!profile.accepts_delete) {
              return absl::FailedPreconditionError(
                  absl::StrCat("order ", o.Name(), ": ", o.supplier,
                               " does not accept cancellations by cXML. ", profile.change_advice));
            }
            return NextVersion(o, ChangeType::kDelete, o.current.content, reason);
          }));
  on_submitted_();
  return order;
}

absl::StatusOr<Order> Dispatcher::Update(const std::string& tenant, const std::string& id,
                                         pb::OrderContent content, const db::RequestKey& key) {
  IOB_ASSIGN_OR_RETURN(
      Order order,
      store_->Change(
          tenant, id, key, [&](const Order& o) -> absl::StatusOr<std::optional<OrderVersion>> {
            IOB_RETURN_IF_ERROR(CheckChangeable(o, "updated"));
            const SupplierOrderProfile& profile = OrderProfileFor(o.supplier, o.channel);
            if (!profile.accepts_update) {
              return absl::FailedPreconditionError(
                  absl::StrCat("order ", o.Name(), ": ", o.supplier,
                               " does not accept order updates. ", profile.change_advice));
            }
            pb::OrderContent next = content;
            IOB_RETURN_IF_ERROR(CheckContent(next, profile, o.supplier));
            IOB_RETURN_IF_ERROR(CheckUpdate(o.current.content, next));
            return NextVersion(o, ChangeType::kUpdate, std::move(next), "");
          }));
  on_submitted_();
  return order;
}

absl::StatusOr<OrderPdf> Dispatcher::RenderPdf(const std::string& tenant, const std::string& id,
                                               int version) {
  IOB_ASSIGN_OR_RETURN(Order o, store_->GetVersion(tenant, id, version));
  absl::StatusOr<supplier::SupplierEndpoint> endpoint = credentials_->Get(o.integration);
  if (absl::IsNotFound(endpoint.status())) {
    // The integration was deleted since: the order still prints.
    endpoint = supplier::SupplierEndpoint{};
    endpoint->integration = o.integration;
  }
  IOB_RETURN_IF_ERROR(endpoint.status());
  OrderPdf pdf;
  IOB_ASSIGN_OR_RETURN(pdf.bytes, RenderOrderPdf(o, o.current, *endpoint));
  pdf.file_name = PdfFileName(o, o.current);
  pdf.version = o.current.version;
  return pdf;
}

absl::StatusOr<DispatchRule> Dispatcher::GetRule(const std::string& tenant,
                                                 const std::string& integration_id) {
  IOB_RETURN_IF_ERROR(
      credentials_->Get(absl::StrCat("tenants/", tenant, "/integrations/", integration_id))
          .status());
  return store_->GetRule(tenant, integration_id);
}

absl::StatusOr<DispatchRule> Dispatcher::SetRule(const DispatchRule& rule,
                                                 const db::RequestKey& key) {
  IOB_RETURN_IF_ERROR(ValidateRule(rule));
  IOB_ASSIGN_OR_RETURN(supplier::SupplierEndpoint endpoint,
                       credentials_->Get(absl::StrCat("tenants/", rule.tenant, "/integrations/",
                                                      rule.integration_id)));
  IOB_RETURN_IF_ERROR(CheckCanEmail(rule, endpoint, "rule.send_pdf"));
  return store_->PutRule(rule, key);
}

}  // namespace iob::dispatch

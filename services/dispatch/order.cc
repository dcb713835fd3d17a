#include "services/dispatch/order.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/cxml/decimal.h"
#include "libs/cxml/writer.h"
#include "libs/runtime/resource_name.h"
#include "libs/types/api_types.h"

namespace iob::dispatch {
namespace {

using common::CheckText;
using common::InvalidField;

constexpr std::pair<OrderState, absl::string_view> kStates[] = {
    {OrderState::kQueued, "queued"},
    {OrderState::kSending, "sending"},
    {OrderState::kDelivered, "delivered"},
    {OrderState::kConfirmed, "confirmed"},
    {OrderState::kPartiallyConfirmed, "partially_confirmed"},
    {OrderState::kBackordered, "backordered"},
    {OrderState::kShipped, "shipped"},
    {OrderState::kRejected, "rejected"},
    {OrderState::kFailed, "failed"},
    {OrderState::kCancelled, "cancelled"},
};

constexpr std::pair<ChangeType, absl::string_view> kChangeTypes[] = {
    {ChangeType::kNew, "new"},
    {ChangeType::kUpdate, "update"},
    {ChangeType::kDelete, "delete"},
};

constexpr std::pair<Channel, absl::string_view> kChannels[] = {
    {Channel::kCxml, "cxml"},
    {Channel::kEmail, "email"},
};

constexpr size_t kMaxLines = 1000;

// A cXML date for "YYYY-MM-DD": midnight UTC of that day.
std::string CxmlDate(const std::string& day) { return day + "T00:00:00+00:00"; }

absl::Status CheckDate(const std::string& day, absl::string_view field) {
  if (day.empty()) return absl::OkStatus();
  absl::CivilDay parsed;
  if (day.size() != 10 || !absl::ParseCivilTime(day, &parsed)) {
    return InvalidField(field, "must be a date YYYY-MM-DD");
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view StateText(OrderState state) {
  for (const auto& [s, text] : kStates) {
    if (s == state) return text;
  }
  return "queued";
}

std::optional<OrderState> ParseState(absl::string_view text) {
  for (const auto& [s, t] : kStates) {
    if (t == text) return s;
  }
  return std::nullopt;
}

absl::string_view ChangeTypeText(ChangeType type) {
  for (const auto& [t, text] : kChangeTypes) {
    if (t == type) return text;
  }
  return "new";
}

std::optional<ChangeType> ParseChangeType(absl::string_view text) {
  for (const auto& [t, s] : kChangeTypes) {
    if (s == text) return t;
  }
  return std::nullopt;
}

std::string DispatchRule::Name() const {
  return absl::StrCat("tenants/", tenant, "/integrations/", integration_id, "/dispatchRule");
}

std::string Order::Name() const { return absl::StrCat("tenants/", tenant, "/orders/", id); }

absl::string_view ChannelText(Channel channel) {
  for (const auto& [c, text] : kChannels) {
    if (c == channel) return text;
  }
  return "cxml";
}

std::optional<Channel> ParseChannel(absl::string_view text) {
  for (const auto& [c, t] : kChannels) {
    if (t == text) return c;
  }
  return std::nullopt;
}

Channel ChannelFor(const DispatchRule& rule) {
  return rule.send_pdf ? Channel::kEmail : Channel::kCxml;
}

absl::Status ValidateRule(const DispatchRule& rule) {
  if (rule.send_cxml && rule.send_pdf) {
    return InvalidField("rule",
                        "send_cxml and send_pdf are both on: a punchout supplier would get "
                        "every order twice (as cXML and as a PDF); turn one off");
  }
  if (rule.confirmation_deadline <= absl::ZeroDuration()) {
    return InvalidField("rule.confirmation_deadline", "must be positive");
  }
  if (rule.confirmation_deadline > absl::Hours(24 * 90)) {
    return InvalidField("rule.confirmation_deadline", "must be at most 90 days");
  }
  return absl::OkStatus();
}

absl::Status CheckRuleSends(const DispatchRule& rule) {
  if (rule.send_cxml || rule.send_pdf) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("dispatch rule ", rule.Name(),
                   " sends nothing (electronic and PDF are both off); turn one on to send "
                   "orders to this supplier"));
}

const SupplierOrderProfile& OrderProfileFor(absl::string_view supplier, Channel channel) {
  static const SupplierOrderProfile kAmazon{
      .accepts_update = false,
      .accepts_delete = false,
      .ship_to_required = true,
      .change_advice =
          "Amazon Business accepts only new orders (type=\"new\"; an update or edit is rejected "
          "with its code 001-001): cancel the order on Amazon Business and submit a new one"};
  static const SupplierOrderProfile kGeneric{};
  return supplier == "amazon-business" && channel == Channel::kCxml ? kAmazon : kGeneric;
}

absl::Status CheckContent(pb::OrderContent& c, const SupplierOrderProfile& profile,
                          absl::string_view supplier) {
  IOB_RETURN_IF_ERROR(CheckText(c.po_number(), "order.po_number", 100, true));
  if (!cxml::IsCurrencyCode(c.currency())) {
    return InvalidField("order.currency", "must be an ISO 4217 code such as USD");
  }
  if (c.lines_size() == 0) return InvalidField("order.lines", "at least one line is required");
  if (c.lines_size() > static_cast<int>(kMaxLines)) {
    return InvalidField("order.lines", absl::StrCat("more than ", kMaxLines, " lines"));
  }
  std::map<int, int> numbers;  // line number -> index
  for (int i = 0; i < c.lines_size(); ++i) {
    type::v1::LineItem* line = c.mutable_lines(i);
    const std::string at = absl::StrCat("order.lines[", i, "]");
    IOB_RETURN_IF_ERROR(types::CheckLineItem(*line, at, c.currency()));
    if (line->line_number() == 0) line->set_line_number(i + 1);
    if (!numbers.emplace(line->line_number(), i).second) {
      return InvalidField(at + ".line_number",
                          absl::StrCat(line->line_number(), " is used by another line"));
    }
  }
  const bool has_ship_to = !types::IsEmpty(c.ship_to());
  if (has_ship_to) IOB_RETURN_IF_ERROR(types::CheckPostalAddress(c.ship_to(), "order.ship_to"));
  if (types::IsEmpty(c.bill_to())) return InvalidField("order.bill_to", "is required");
  IOB_RETURN_IF_ERROR(types::CheckPostalAddress(c.bill_to(), "order.bill_to"));
  IOB_RETURN_IF_ERROR(types::CheckContact(c.contact(), "order.contact", false));
  IOB_RETURN_IF_ERROR(types::CheckMultiLineText(c.comments(), "order.comments", 4000));
  IOB_RETURN_IF_ERROR(CheckDate(c.requested_delivery_date(), "order.requested_delivery_date"));
  IOB_RETURN_IF_ERROR(OrderTotal(c).status());
  if (profile.ship_to_required && !has_ship_to) {
    return absl::FailedPreconditionError(absl::StrCat(
        "order.ship_to: ", supplier,
        " rejects an order without ShipTo (Amazon Business code 001-005); add the ship-to "
        "address"));
  }
  return absl::OkStatus();
}

absl::Status CheckApproval(const pb::Approval& approval, bool approval_required) {
  switch (approval.kind_case()) {
    case pb::Approval::kApprover: {
      const pb::Approver& a = approval.approver();
      if (a.approver().id().empty() && a.approver().email().empty()) {
        return absl::FailedPreconditionError(
            "approval.approver: names nobody (an id or an e-mail is required)");
      }
      IOB_RETURN_IF_ERROR(types::CheckContact(a.approver(), "approval.approver", false));
      if (!a.has_approve_time() || a.approve_time().seconds() <= 0) {
        return absl::FailedPreconditionError("approval.approver.approve_time: is required");
      }
      return absl::OkStatus();
    }
    case pb::Approval::kPurchaseButton:
      if (!approval.purchase_button()) break;
      if (approval_required) {
        return absl::FailedPreconditionError(
            "approval: the integration requires workflow approval; the Purchase button cannot "
            "send this order (give the approver and approval time)");
      }
      return absl::OkStatus();
    case pb::Approval::KIND_NOT_SET:
      break;
  }
  return absl::FailedPreconditionError(
      approval_required ? "approval: the integration requires workflow approval and the order "
                          "carries no approval evidence (approver and time)"
                        : "approval: give the approver and time, or purchase_button");
}

absl::StatusOr<cxml::Decimal> LineTotal(const type::v1::LineItem& line, absl::string_view at) {
  IOB_ASSIGN_OR_RETURN(cxml::Decimal q,
                       types::NonNegative(line.quantity(), absl::StrCat(at, ".quantity")));
  IOB_ASSIGN_OR_RETURN(cxml::Decimal p, types::NonNegative(line.unit_price().amount(),
                                                           absl::StrCat(at, ".unit_price.amount")));
  absl::StatusOr<cxml::Decimal> product = q.Times(p);
  if (product.ok()) product = product->WithMinScale(2);
  if (!product.ok()) return InvalidField(at, "amounts too large to multiply exactly");
  return product;
}

absl::StatusOr<std::string> OrderTotal(const pb::OrderContent& c) {
  cxml::Decimal total;
  for (int i = 0; i < c.lines_size(); ++i) {
    const std::string at = absl::StrCat("order.lines[", i, "]");
    absl::StatusOr<cxml::Decimal> line_total = LineTotal(c.lines(i), at);
    IOB_RETURN_IF_ERROR(line_total.status());
    line_total = total.Plus(*line_total);
    if (!line_total.ok()) return InvalidField(at, "amounts too large to add up exactly");
    total = *line_total;
  }
  absl::StatusOr<cxml::Decimal> shown = total.WithMinScale(2);
  if (!shown.ok()) return InvalidField("order.lines", "amounts too large to add up exactly");
  return shown->ToString();
}

absl::Status CheckUpdate(const pb::OrderContent& previous, const pb::OrderContent& next) {
  if (next.po_number() != previous.po_number()) {
    return InvalidField("order.po_number", "cannot change in an update");
  }
  if (next.currency() != previous.currency()) {
    return InvalidField("order.currency", "cannot change in an update");
  }
  std::map<int, const type::v1::LineItem*> before;
  for (const auto& l : previous.lines()) before[l.line_number()] = &l;
  for (int i = 0; i < next.lines_size(); ++i) {
    const auto& l = next.lines(i);
    auto it = before.find(l.line_number());
    if (it != before.end() &&
        (it->second->supplier_part_id() != l.supplier_part_id() ||
         it->second->supplier_part_auxiliary_id() != l.supplier_part_auxiliary_id())) {
      return InvalidField(absl::StrCat("order.lines[", i, "].line_number"),
                          absl::StrCat("line ", l.line_number(),
                                       " is another part in the previous version; a new part "
                                       "needs a new line number"));
    }
  }
  return absl::OkStatus();
}

std::string NewOrderId() { return runtime::NewId('o'); }

absl::StatusOr<cxml::Document> BuildOrderRequest(const Order& order, const OrderVersion& v,
                                                 const supplier::SupplierEndpoint& endpoint,
                                                 const std::string& timestamp) {
  const pb::OrderContent& c = v.content;
  cxml::Document doc;
  doc.payload_id = v.payload_id;
  doc.timestamp = timestamp;
  doc.deployment_mode =
      order.test ? cxml::DeploymentMode::kTest : cxml::DeploymentMode::kProduction;
  doc.header.from = {endpoint.from};
  doc.header.to = {endpoint.to};
  doc.header.sender = {endpoint.sender};
  doc.header.user_agent = "iob/1";

  cxml::OrderRequest req;
  req.order_id = order.po_number;
  req.order_date = v.order_date;
  req.type = v.type == ChangeType::kNew      ? cxml::OrderType::kNew
             : v.type == ChangeType::kUpdate ? cxml::OrderType::kUpdate
                                             : cxml::OrderType::kDelete;
  req.order_version = absl::StrCat(v.version);
  req.document_reference = v.document_reference;
  if (!c.requested_delivery_date().empty()) {
    req.requested_delivery_date = CxmlDate(c.requested_delivery_date());
  }
  IOB_ASSIGN_OR_RETURN(std::string total, OrderTotal(c));
  req.total = {total, c.currency()};
  const type::v1::Contact& who = c.contact();
  const std::string who_name = !who.name().empty() ? who.name() : who.email();
  if (!types::IsEmpty(c.ship_to())) {
    req.ship_to =
        types::ToCxmlAddress(c.ship_to(), who_name.empty() ? "Receiving" : who_name, who.email());
  }
  req.bill_to = types::ToCxmlAddress(c.bill_to(), "Accounts Payable");
  if (!who_name.empty()) {
    cxml::Contact contact;
    contact.role = "buyer";
    contact.name = who_name;
    if (!who.email().empty()) contact.emails = {who.email()};
    req.contacts.push_back(std::move(contact));
  }
  if (!c.comments().empty()) req.comments.push_back({"en", "", c.comments()});
  if (!v.reason.empty()) req.comments.push_back({"en", "", v.reason});
  for (const auto& line : c.lines()) {
    cxml::ItemOut item = types::ToItemOut(line);
    if (!c.requested_delivery_date().empty()) {
      item.requested_delivery_date = CxmlDate(c.requested_delivery_date());
    }
    req.items.push_back(std::move(item));
  }
  doc.body = std::move(req);
  return doc;
}

absl::Duration RetryPolicy::Ceiling(int attempt) const {
  absl::Duration d = base;
  for (int i = 1; i < attempt && d < max_delay; ++i) d *= 2;
  return std::min(d, max_delay);
}

absl::Duration RetryPolicy::NextDelay(int attempt, std::mt19937_64& rng) const {
  const int64_t ceiling_us = absl::ToInt64Microseconds(Ceiling(attempt));
  std::uniform_int_distribution<int64_t> pick(0, std::max<int64_t>(ceiling_us, 0));
  return absl::Microseconds(pick(rng));
}

bool RetryPolicy::Exhausted(int attempts, absl::Time first_attempt, absl::Time now) const {
  return attempts >= max_attempts || now - first_attempt >= max_age;
}

std::optional<OrderState> StateAfterConfirmation(OrderState state, absl::string_view type) {
  if (type == "reject" && state != OrderState::kQueued && state != OrderState::kSending) {
    return state == OrderState::kCancelled ? std::nullopt
                                           : std::optional<OrderState>(OrderState::kRejected);
  }
  // A shipped, rejected or cancelled order keeps its state, and so does one
  // whose next version (an update) is on its way: the workers own it until
  // the supplier has that version. Others follow the supplier's latest word.
  if (state == OrderState::kShipped || state == OrderState::kRejected ||
      state == OrderState::kCancelled || state == OrderState::kFailed ||
      state == OrderState::kQueued || state == OrderState::kSending) {
    return std::nullopt;
  }
  if (type == "accept" || type == "allDetail") return OrderState::kConfirmed;
  if (type == "detail" || type == "except") return OrderState::kPartiallyConfirmed;
  if (type == "backordered") return OrderState::kBackordered;
  return std::nullopt;
}

std::optional<OrderState> StateAfterShipment(OrderState state) {
  if (state == OrderState::kRejected || state == OrderState::kQueued ||
      state == OrderState::kSending) {
    return std::nullopt;
  }
  return OrderState::kShipped;
}

bool AcceptsFulfillment(const Order& order) {
  switch (order.state) {
    case OrderState::kFailed:
    case OrderState::kCancelled:
      return false;
    default:
      return order.delivered_version > 0;
  }
}

std::string MaskedDocument(const cxml::Document& doc) {
  absl::StatusOr<std::string> xml = cxml::WriteDocument(doc);
  return xml.ok() ? cxml::RedactSharedSecrets(*std::move(xml)) : "";
}

}  // namespace iob::dispatch

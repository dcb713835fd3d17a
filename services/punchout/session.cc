#include "services/punchout/session.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/cxml/decimal.h"
#include "libs/cxml/timestamp.h"

namespace iob::punchout {
namespace {

constexpr const char* kOperations[] = {"create", "edit", "inspect"};
constexpr const char* kStates[] = {"created",     "started", "cart_received",
                                   "checked_out", "expired", "failed"};

using common::CheckText;
using common::InvalidField;

cxml::PunchOutOperation ToCxml(Operation op) {
  switch (op) {
    case Operation::kEdit:
      return cxml::PunchOutOperation::kEdit;
    case Operation::kInspect:
      return cxml::PunchOutOperation::kInspect;
    case Operation::kCreate:
      break;
  }
  return cxml::PunchOutOperation::kCreate;
}

cxml::Extrinsic TextExtrinsic(const std::string& name, const std::string& value) {
  return cxml::Extrinsic{name, cxml::RawXml::FromText(value)};
}

cxml::Address ShipToAddress(const ShipTo& s, const User& user) {
  cxml::Address a;
  // Address/Name is required: fall back to the user, then to the e-mail (a
  // user may have neither a name nor a named ShipTo).
  a.name = !s.name.empty() ? s.name : !user.name.empty() ? user.name : user.email;
  a.iso_country_code = s.country_code;
  cxml::PostalAddress p;
  p.deliver_to = {user.name.empty() ? user.email : user.name};
  p.street = s.street;
  p.city = s.city;
  p.state = s.state;
  p.postal_code = s.postal_code;
  p.iso_country_code = s.country_code;
  p.country = s.country.empty() ? s.country_code : s.country;
  a.postal_address = p;
  a.email = user.email;
  return a;
}

std::string MoneyText(const cxml::Money& m) { return m.amount; }

}  // namespace

std::string OperationText(Operation op) { return kOperations[static_cast<int>(op)]; }
std::string StateText(SessionState state) { return kStates[static_cast<int>(state)]; }

absl::StatusOr<Operation> ParseOperation(const std::string& text) {
  for (int i = 0; i < 3; ++i) {
    if (text == kOperations[i]) return static_cast<Operation>(i);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown operation '", text, "'"));
}

absl::StatusOr<SessionState> ParseState(const std::string& text) {
  for (int i = 0; i < 6; ++i) {
    if (text == kStates[i]) return static_cast<SessionState>(i);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown state '", text, "'"));
}

std::string Session::Name() const { return absl::StrCat("tenants/", tenant, "/sessions/", id); }

bool Session::ExpiredAt(absl::Time now) const {
  return (state == SessionState::kCreated || state == SessionState::kStarted) && now > expire_time;
}

absl::Status ValidateStart(const User& user, Operation op, const std::optional<ShipTo>& ship_to,
                           const std::vector<CartLine>& lines) {
  IOB_RETURN_IF_ERROR(CheckText(user.id, "user.id", 256, true));
  IOB_RETURN_IF_ERROR(CheckText(user.email, "user.email", 254, true));
  const size_t at = user.email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == user.email.size() ||
      user.email.find('@', at + 1) != std::string::npos || absl::StrContains(user.email, " ")) {
    return InvalidField("user.email", "is not an e-mail address");
  }
  IOB_RETURN_IF_ERROR(CheckText(user.name, "user.name", 256, false));
  if (ship_to) {
    IOB_RETURN_IF_ERROR(CheckText(ship_to->name, "ship_to.name", 256, false));
    if (ship_to->street.empty()) return InvalidField("ship_to.street", "is required");
    for (const auto& line : ship_to->street) {
      IOB_RETURN_IF_ERROR(CheckText(line, "ship_to.street", 256, true));
    }
    IOB_RETURN_IF_ERROR(CheckText(ship_to->city, "ship_to.city", 128, true));
    IOB_RETURN_IF_ERROR(CheckText(ship_to->state, "ship_to.state", 128, false));
    IOB_RETURN_IF_ERROR(CheckText(ship_to->postal_code, "ship_to.postal_code", 32, false));
    if (ship_to->country_code.size() != 2 || !absl::ascii_isupper(ship_to->country_code[0]) ||
        !absl::ascii_isupper(ship_to->country_code[1])) {
      return InvalidField("ship_to.country_code", "must be an ISO 3166 alpha-2 code such as US");
    }
  }
  if (op == Operation::kCreate && !lines.empty()) {
    return InvalidField("lines", "only edit and inspect sessions carry lines");
  }
  if (lines.size() > 1000) return InvalidField("lines", "more than 1000 lines");
  for (size_t i = 0; i < lines.size(); ++i) {
    const CartLine& l = lines[i];
    const std::string at_line = absl::StrCat("lines[", i, "]");
    if (!cxml::IsDecimal(l.quantity))
      return InvalidField(at_line + ".quantity", "must be a decimal");
    IOB_RETURN_IF_ERROR(CheckText(l.supplier_part_id, at_line + ".supplier_part_id", 256, true));
    if (!cxml::IsDecimal(l.unit_price.amount)) {
      return InvalidField(at_line + ".unit_price.amount", "must be a decimal");
    }
    if (!cxml::IsCurrencyCode(l.unit_price.currency)) {
      return InvalidField(at_line + ".unit_price.currency", "must be an ISO 4217 code");
    }
    IOB_RETURN_IF_ERROR(CheckText(l.unit_of_measure, at_line + ".unit_of_measure", 16, true));
  }
  return absl::OkStatus();
}

cxml::Document BuildSetupRequest(const Session& session, const SupplierEndpoint& endpoint,
                                 const std::string& browser_form_post_url,
                                 const std::optional<ShipTo>& ship_to,
                                 const std::vector<CartLine>& lines, const std::string& payload_id,
                                 absl::Time now) {
  cxml::Document doc;
  doc.payload_id = payload_id;
  doc.timestamp = cxml::FormatTimestamp(now);
  doc.deployment_mode =
      endpoint.production ? cxml::DeploymentMode::kProduction : cxml::DeploymentMode::kTest;
  doc.header.from = {endpoint.from};
  doc.header.to = {endpoint.to};
  doc.header.sender = {endpoint.sender};
  doc.header.user_agent = "iob/1";

  cxml::PunchOutSetupRequest req;
  req.operation = ToCxml(session.operation);
  req.buyer_cookie = session.buyer_cookie;
  req.extrinsics.push_back(TextExtrinsic("UserEmail", session.user.email));
  req.extrinsics.push_back(TextExtrinsic("UniqueName", session.user.email));
  if (!session.user.name.empty()) {
    req.extrinsics.push_back(TextExtrinsic("UserFullName", session.user.name));
  }
  if (!endpoint.user_business_unit.empty()) {
    req.extrinsics.push_back(TextExtrinsic("UserBusinessUnit", endpoint.user_business_unit));
  }
  req.browser_form_post_url = browser_form_post_url;
  cxml::Contact contact;
  contact.role = "endUser";
  contact.name = session.user.name.empty() ? session.user.email : session.user.name;
  contact.emails = {session.user.email};
  req.contacts.push_back(contact);
  if (ship_to) req.ship_to = ShipToAddress(*ship_to, session.user);
  for (const CartLine& l : lines) {
    cxml::ItemOut item;
    item.quantity = l.quantity;
    item.line_number = absl::StrCat(l.line_number);
    item.item_id.supplier_part_id = l.supplier_part_id;
    if (!l.supplier_part_auxiliary_id.empty()) {
      item.item_id.supplier_part_auxiliary_id = cxml::RawXml{l.supplier_part_auxiliary_id};
    }
    cxml::ItemDetail detail;
    detail.unit_price = {l.unit_price.amount, l.unit_price.currency};
    detail.descriptions.push_back(
        {"en", l.description.empty() ? l.supplier_part_id : l.description, ""});
    detail.unit_of_measure = l.unit_of_measure;
    for (const auto& [domain, code] : l.classifications) {
      detail.classifications.push_back({domain, "", code});
    }
    if (detail.classifications.empty()) detail.classifications.push_back({"UNSPSC", "", ""});
    detail.manufacturer_part_id = l.manufacturer_part_id;
    detail.manufacturer_name = l.manufacturer_name;
    item.item_detail = detail;
    req.items.push_back(std::move(item));
  }
  doc.body = std::move(req);
  return doc;
}

absl::StatusOr<Cart> CartFromOrderMessage(const cxml::PunchOutOrderMessage& m) {
  Cart cart;
  cart.total = {MoneyText(m.total), m.total.currency};
  if (m.shipping) cart.shipping = Money{MoneyText(m.shipping->money), m.shipping->money.currency};
  if (m.tax) cart.tax = Money{MoneyText(m.tax->money), m.tax->money.currency};
  cart.operation_allowed = OperationText(
      m.operation_allowed == cxml::PunchOutOperation::kEdit      ? Operation::kEdit
      : m.operation_allowed == cxml::PunchOutOperation::kInspect ? Operation::kInspect
                                                                 : Operation::kCreate);
  int n = 0;
  for (const cxml::ItemIn& item : m.items) {
    ++n;
    const std::string at = absl::StrCat("PunchOutOrderMessage/ItemIn[", n, "]");
    CartLine l;
    l.line_number = n;
    if (!item.line_number.empty() && !absl::SimpleAtoi(item.line_number, &l.line_number)) {
      l.line_number = n;
    }
    l.quantity = item.quantity;
    l.supplier_part_id = item.item_id.supplier_part_id;
    if (item.item_id.supplier_part_auxiliary_id) {
      l.supplier_part_auxiliary_id = item.item_id.supplier_part_auxiliary_id->xml;
    }
    const cxml::ItemDetail& d = item.item_detail;
    if (!d.descriptions.empty()) l.description = d.descriptions.front().text;
    l.unit_price = {d.unit_price.amount, d.unit_price.currency};
    if (l.unit_price.currency != cart.total.currency) {
      return absl::InvalidArgumentError(absl::StrCat(at, ": currency ", l.unit_price.currency,
                                                     " differs from the total's ",
                                                     cart.total.currency));
    }
    l.unit_of_measure = d.unit_of_measure;
    for (const auto& c : d.classifications) l.classifications.emplace_back(c.domain, c.value);
    l.manufacturer_part_id = d.manufacturer_part_id;
    l.manufacturer_name = d.manufacturer_name;
    cart.lines.push_back(std::move(l));
  }
  // Line numbers key the stored lines: when the supplier repeats one,
  // number the lines in document order instead.
  std::set<int> seen;
  for (const CartLine& l : cart.lines) {
    if (!seen.insert(l.line_number).second) {
      for (size_t k = 0; k < cart.lines.size(); ++k) cart.lines[k].line_number = k + 1;
      break;
    }
  }
  return cart;
}

}  // namespace iob::punchout

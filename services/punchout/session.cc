#include "services/punchout/session.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/cxml/decimal.h"
#include "libs/cxml/timestamp.h"
#include "libs/http/egress_policy.h"
#include "libs/supplier/exchange.h"
#include "libs/types/api_types.h"

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

// Supplier or caller text quoted in an error: short, no control characters.
std::string Quote(absl::string_view text) { return supplier::BoundSupplierText(text, {}, 32); }

using types::CheckAuxId;
using types::CheckMultiLineText;
using types::NonNegative;

absl::Status TooLarge() {
  return absl::InvalidArgumentError("The cart's amounts are too large to add up exactly.");
}

// |a - b| <= tolerance, exactly.
absl::StatusOr<bool> Within(const cxml::Decimal& a, const cxml::Decimal& b,
                            const cxml::Decimal& tolerance) {
  static const cxml::Decimal kMinusOne = *cxml::Decimal::Parse("-1");
  absl::StatusOr<cxml::Decimal> minus_b = b.Times(kMinusOne);
  if (!minus_b.ok()) return TooLarge();
  absl::StatusOr<cxml::Decimal> diff = a.Plus(*minus_b);
  if (!diff.ok()) return TooLarge();
  if (diff->Sign() < 0) diff = diff->Times(kMinusOne);
  if (!diff.ok()) return TooLarge();
  absl::StatusOr<cxml::Decimal> minus_tol = tolerance.Times(kMinusOne);
  if (!minus_tol.ok()) return TooLarge();
  absl::StatusOr<cxml::Decimal> over = diff->Plus(*minus_tol);
  if (!over.ok()) return TooLarge();
  return over->Sign() <= 0;
}

// The text to show for a computed amount: at least the stated amount's
// fraction digits (so 22.5 shows as 22.50 next to a stated 22.50).
std::string Shown(const cxml::Decimal& d, int scale) {
  absl::StatusOr<cxml::Decimal> shown = d.WithMinScale(scale);
  return shown.ok() ? shown->ToString() : d.ToString();
}

// Bounds of the identifiers a cart line carries (they go back to the
// supplier verbatim, so they are refused, not cut).
absl::Status CheckCartLineBounds(CartLine& l, const std::string& at) {
  auto bound = [&](const std::string& value, const char* name, size_t max) {
    return value.size() <= max ? absl::OkStatus()
                               : absl::InvalidArgumentError(absl::StrCat(
                                     at, ": ", name, " is longer than ", max, " bytes"));
  };
  IOB_RETURN_IF_ERROR(bound(l.supplier_part_id, "SupplierPartID", 256));
  IOB_RETURN_IF_ERROR(bound(l.supplier_part_auxiliary_id, "SupplierPartAuxiliaryID", 4096));
  IOB_RETURN_IF_ERROR(bound(l.unit_of_measure, "UnitOfMeasure", 32));
  IOB_RETURN_IF_ERROR(bound(l.manufacturer_part_id, "ManufacturerPartID", 256));
  IOB_RETURN_IF_ERROR(bound(l.manufacturer_name, "ManufacturerName", 256));
  if (l.classifications.size() > 32) {
    return absl::InvalidArgumentError(absl::StrCat(at, ": more than 32 Classifications"));
  }
  for (const auto& [domain, code] : l.classifications) {
    IOB_RETURN_IF_ERROR(bound(domain, "Classification domain", 256));
    IOB_RETURN_IF_ERROR(bound(code, "Classification", 256));
  }
  // A description is only shown: cut it rather than refuse the cart.
  if (l.description.size() > 2000) {
    l.description = supplier::BoundSupplierText(l.description, {}, 2000);
  }
  return absl::OkStatus();
}

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
    if (l.line_number < 0) return InvalidField(at_line + ".line_number", "is negative");
    if (!cxml::IsDecimal(l.quantity))
      return InvalidField(at_line + ".quantity", "must be a decimal");
    IOB_RETURN_IF_ERROR(NonNegative(l.quantity, at_line + ".quantity").status());
    IOB_RETURN_IF_ERROR(CheckText(l.supplier_part_id, at_line + ".supplier_part_id", 256, true));
    IOB_RETURN_IF_ERROR(
        CheckAuxId(l.supplier_part_auxiliary_id, at_line + ".supplier_part_auxiliary_id"));
    IOB_RETURN_IF_ERROR(CheckMultiLineText(l.description, at_line + ".description", 2000));
    if (!cxml::IsDecimal(l.unit_price.amount)) {
      return InvalidField(at_line + ".unit_price.amount", "must be a decimal");
    }
    IOB_RETURN_IF_ERROR(NonNegative(l.unit_price.amount, at_line + ".unit_price.amount").status());
    if (!cxml::IsCurrencyCode(l.unit_price.currency)) {
      return InvalidField(at_line + ".unit_price.currency", "must be an ISO 4217 code");
    }
    if (l.unit_price.currency != lines[0].unit_price.currency) {
      return InvalidField(at_line + ".unit_price.currency", "differs from lines[0]'s");
    }
    IOB_RETURN_IF_ERROR(CheckText(l.unit_of_measure, at_line + ".unit_of_measure", 16, true));
    if (l.classifications.size() > 32) {
      return InvalidField(at_line + ".classifications", "more than 32");
    }
    for (size_t k = 0; k < l.classifications.size(); ++k) {
      const std::string at_class = absl::StrCat(at_line, ".classifications[", k, "]");
      IOB_RETURN_IF_ERROR(CheckText(l.classifications[k].first, at_class + ".domain", 64, true));
      IOB_RETURN_IF_ERROR(CheckText(l.classifications[k].second, at_class + ".code", 64, false));
    }
    IOB_RETURN_IF_ERROR(
        CheckText(l.manufacturer_part_id, at_line + ".manufacturer_part_id", 256, false));
    IOB_RETURN_IF_ERROR(CheckText(l.manufacturer_name, at_line + ".manufacturer_name", 256, false));
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
      return absl::InvalidArgumentError(
          absl::StrCat(at, ": currency ", Quote(l.unit_price.currency),
                       " differs from the total's ", Quote(cart.total.currency)));
    }
    l.unit_of_measure = d.unit_of_measure;
    for (const auto& c : d.classifications) l.classifications.emplace_back(c.domain, c.value);
    l.manufacturer_part_id = d.manufacturer_part_id;
    l.manufacturer_name = d.manufacturer_name;
    IOB_RETURN_IF_ERROR(CheckCartLineBounds(l, at));
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
  IOB_RETURN_IF_ERROR(PriceCart(cart));
  return cart;
}

absl::Status CheckStartPageUrl(const std::string& url,
                               const std::vector<std::string>& allowed_hosts,
                               const std::vector<std::string>& plain_http_hosts) {
  auto refuse = [](const std::string& why) {
    return absl::FailedPreconditionError(absl::StrCat("supplier StartPage URL refused: ", why));
  };
  if (url.size() > 4096) return refuse("longer than 4096 bytes");
  absl::StatusOr<http::ParsedUrl> parsed = http::ParseUrl(url);
  if (!parsed.ok()) return refuse("not an absolute URL");
  const std::string host = Quote(parsed->host);
  if (parsed->has_userinfo) return refuse("it carries user information");
  if (parsed->scheme == "http") {
    const std::string port = absl::StrCat(parsed->port);
    const std::string with_port = parsed->host.find(':') == std::string::npos
                                      ? absl::StrCat(parsed->host, ":", port)
                                      : absl::StrCat("[", parsed->host, "]:", port);
    bool plain_ok = false;
    for (const std::string& entry : plain_http_hosts) {
      plain_ok |=
          absl::EqualsIgnoreCase(entry, parsed->host) || absl::EqualsIgnoreCase(entry, with_port);
    }
    if (!plain_ok) return refuse(absl::StrCat("http to host '", host, "' (https required)"));
  } else if (parsed->scheme != "https") {
    return refuse(absl::StrCat("scheme '", Quote(parsed->scheme), "' (https required)"));
  }
  if (allowed_hosts.empty()) return absl::OkStatus();
  for (const std::string& pattern : allowed_hosts) {
    if (http::HostMatches(pattern, parsed->host)) return absl::OkStatus();
  }
  return refuse(absl::StrCat("host '", host, "' is not in the integration's allowed hosts"));
}

absl::Status PriceCart(Cart& cart) {
  const std::string& currency = cart.total.currency;
  if (!cxml::IsCurrencyCode(currency)) {
    return absl::InvalidArgumentError(
        absl::StrCat("The cart's currency \"", Quote(currency), "\" is not an ISO 4217 code."));
  }
  IOB_ASSIGN_OR_RETURN(const cxml::Decimal stated, NonNegative(cart.total.amount, "Total"));
  cxml::Decimal subtotal;
  for (size_t i = 0; i < cart.lines.size(); ++i) {
    const CartLine& l = cart.lines[i];
    const std::string at = absl::StrCat("ItemIn[", i + 1, "]");
    if (l.unit_price.currency != currency) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ": currency ", Quote(l.unit_price.currency), " differs from the total's ", currency));
    }
    IOB_ASSIGN_OR_RETURN(const cxml::Decimal qty, NonNegative(l.quantity, at + " quantity"));
    IOB_ASSIGN_OR_RETURN(const cxml::Decimal price,
                         NonNegative(l.unit_price.amount, at + " unit price"));
    absl::StatusOr<cxml::Decimal> line = qty.Times(price);
    if (!line.ok()) return TooLarge();
    absl::StatusOr<cxml::Decimal> sum = subtotal.Plus(*line);
    if (!sum.ok()) return TooLarge();
    subtotal = *sum;
  }
  cxml::Decimal grand = subtotal;
  for (const auto& [extra, name] :
       {std::pair{&cart.shipping, "Shipping"}, std::pair{&cart.tax, "Tax"}}) {
    if (!extra->has_value()) continue;
    if ((*extra)->currency != currency) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": currency ", Quote((*extra)->currency),
                                                     " differs from the total's ", currency));
    }
    IOB_ASSIGN_OR_RETURN(const cxml::Decimal amount, NonNegative((*extra)->amount, name));
    absl::StatusOr<cxml::Decimal> sum = grand.Plus(amount);
    if (!sum.ok()) return TooLarge();
    grand = *sum;
  }
  // Each line may have been rounded to the cent by the supplier.
  IOB_ASSIGN_OR_RETURN(const cxml::Decimal tolerance,
                       cxml::Decimal::Parse(absl::StrCat(std::max<size_t>(cart.lines.size(), 1)))
                           ->Times(*cxml::Decimal::Parse("0.01")));
  for (const cxml::Decimal& computed : {subtotal, grand}) {
    IOB_ASSIGN_OR_RETURN(const bool close, Within(stated, computed, tolerance));
    if (!close) continue;
    IOB_ASSIGN_OR_RETURN(const bool exact, Within(stated, computed, cxml::Decimal()));
    if (!exact) cart.total.amount = Shown(computed, stated.scale());
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "The cart's total ", cart.total.amount, " ", currency,
      " does not match its lines, which add up to ", Shown(subtotal, stated.scale()), " ", currency,
      ". The cart was not accepted; return to the supplier and check out again."));
}

}  // namespace iob::punchout

#include "libs/types/api_types.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/cxml/writer.h"

namespace iob::types {
namespace {

using common::CheckText;
using common::InvalidField;

// Caller text quoted in an error: short, printable.
std::string Quote(absl::string_view text) {
  std::string out;
  for (unsigned char c : text.substr(0, 32)) out.push_back(c < 0x20 || c == 0x7f ? ' ' : c);
  return text.size() > 32 ? out + "..." : out;
}

absl::Status CheckEmail(absl::string_view email, absl::string_view field) {
  IOB_RETURN_IF_ERROR(CheckText(email, field, 254, true));
  const size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string::npos || absl::StrContains(email, " ")) {
    return InvalidField(field, "is not an e-mail address");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckMultiLineText(absl::string_view value, absl::string_view field,
                                size_t max_bytes) {
  if (value.size() > max_bytes) {
    return InvalidField(field, absl::StrCat("longer than ", max_bytes, " bytes"));
  }
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      return InvalidField(field, "contains control characters");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckAuxId(absl::string_view aux, absl::string_view field) {
  IOB_RETURN_IF_ERROR(CheckMultiLineText(aux, field, 4096));
  if (absl::Status st = cxml::CheckRawXml(std::string_view(aux.data(), aux.size())); !st.ok()) {
    return InvalidField(field, st.message());
  }
  return absl::OkStatus();
}

absl::StatusOr<cxml::Decimal> NonNegative(absl::string_view text, absl::string_view field) {
  absl::StatusOr<cxml::Decimal> d =
      cxml::Decimal::Parse(std::string_view(text.data(), text.size()));
  if (!d.ok()) {
    return InvalidField(field, absl::StrCat("\"", Quote(text), "\" is not a decimal amount"));
  }
  if (d->Sign() < 0) return InvalidField(field, absl::StrCat("is negative (", Quote(text), ")"));
  return d;
}

absl::Status CheckLineItem(const type::v1::LineItem& l, absl::string_view field,
                           absl::string_view currency) {
  const std::string at(field);
  if (l.line_number() < 0) return InvalidField(at + ".line_number", "is negative");
  IOB_ASSIGN_OR_RETURN(const cxml::Decimal quantity, NonNegative(l.quantity(), at + ".quantity"));
  if (quantity.Sign() == 0) return InvalidField(at + ".quantity", "must be more than 0");
  IOB_RETURN_IF_ERROR(CheckText(l.supplier_part_id(), at + ".supplier_part_id", 256, true));
  IOB_RETURN_IF_ERROR(
      CheckAuxId(l.supplier_part_auxiliary_id(), at + ".supplier_part_auxiliary_id"));
  IOB_RETURN_IF_ERROR(CheckMultiLineText(l.description(), at + ".description", 2000));
  IOB_RETURN_IF_ERROR(NonNegative(l.unit_price().amount(), at + ".unit_price.amount").status());
  if (!cxml::IsCurrencyCode(l.unit_price().currency())) {
    return InvalidField(at + ".unit_price.currency", "must be an ISO 4217 code such as USD");
  }
  if (!currency.empty() && l.unit_price().currency() != currency) {
    return InvalidField(
        at + ".unit_price.currency",
        absl::StrCat("is ", Quote(l.unit_price().currency()), ", not the order's ", currency));
  }
  IOB_RETURN_IF_ERROR(CheckText(l.unit_of_measure(), at + ".unit_of_measure", 16, true));
  if (l.classifications_size() > 32) return InvalidField(at + ".classifications", "more than 32");
  for (int k = 0; k < l.classifications_size(); ++k) {
    const std::string at_class = absl::StrCat(at, ".classifications[", k, "]");
    IOB_RETURN_IF_ERROR(CheckText(l.classifications(k).domain(), at_class + ".domain", 64, true));
    IOB_RETURN_IF_ERROR(CheckText(l.classifications(k).code(), at_class + ".code", 64, false));
  }
  IOB_RETURN_IF_ERROR(
      CheckText(l.manufacturer_part_id(), at + ".manufacturer_part_id", 256, false));
  return CheckText(l.manufacturer_name(), at + ".manufacturer_name", 256, false);
}

absl::Status CheckPostalAddress(const type::v1::PostalAddress& a, absl::string_view field) {
  const std::string at(field);
  IOB_RETURN_IF_ERROR(CheckText(a.name(), at + ".name", 256, false));
  if (a.street_size() == 0) return InvalidField(at + ".street", "is required");
  if (a.street_size() > 4) return InvalidField(at + ".street", "more than 4 lines");
  for (const std::string& line : a.street()) {
    IOB_RETURN_IF_ERROR(CheckText(line, at + ".street", 256, true));
  }
  IOB_RETURN_IF_ERROR(CheckText(a.city(), at + ".city", 128, true));
  IOB_RETURN_IF_ERROR(CheckText(a.state(), at + ".state", 128, false));
  IOB_RETURN_IF_ERROR(CheckText(a.postal_code(), at + ".postal_code", 32, false));
  IOB_RETURN_IF_ERROR(CheckText(a.country(), at + ".country", 128, false));
  const std::string& cc = a.country_code();
  if (cc.size() != 2 || !absl::ascii_isupper(cc[0]) || !absl::ascii_isupper(cc[1])) {
    return InvalidField(at + ".country_code", "must be an ISO 3166 alpha-2 code such as US");
  }
  return absl::OkStatus();
}

absl::Status CheckContact(const type::v1::Contact& c, absl::string_view field,
                          bool email_required) {
  const std::string at(field);
  IOB_RETURN_IF_ERROR(CheckText(c.id(), at + ".id", 256, false));
  IOB_RETURN_IF_ERROR(CheckText(c.name(), at + ".name", 256, false));
  if (c.email().empty() && !email_required) return absl::OkStatus();
  return CheckEmail(c.email(), at + ".email");
}

bool IsEmpty(const type::v1::PostalAddress& a) { return a.ByteSizeLong() == 0; }

cxml::ItemOut ToItemOut(const type::v1::LineItem& l) {
  cxml::ItemOut item;
  item.quantity = l.quantity();
  item.line_number = absl::StrCat(l.line_number());
  item.item_id.supplier_part_id = l.supplier_part_id();
  if (!l.supplier_part_auxiliary_id().empty()) {
    item.item_id.supplier_part_auxiliary_id = cxml::RawXml{l.supplier_part_auxiliary_id()};
  }
  cxml::ItemDetail detail;
  detail.unit_price = {l.unit_price().amount(), l.unit_price().currency()};
  detail.descriptions.push_back(
      {"en", l.description().empty() ? l.supplier_part_id() : l.description(), ""});
  detail.unit_of_measure = l.unit_of_measure();
  for (const auto& c : l.classifications())
    detail.classifications.push_back({c.domain(), "", c.code()});
  if (detail.classifications.empty()) detail.classifications.push_back({"UNSPSC", "", ""});
  detail.manufacturer_part_id = l.manufacturer_part_id();
  detail.manufacturer_name = l.manufacturer_name();
  item.item_detail = std::move(detail);
  return item;
}

cxml::Address ToCxmlAddress(const type::v1::PostalAddress& a, const std::string& fallback_name,
                            const std::string& email) {
  cxml::Address out;
  out.name = a.name().empty() ? fallback_name : a.name();
  out.iso_country_code = a.country_code();
  cxml::PostalAddress p;
  if (!a.name().empty()) p.deliver_to = {a.name()};
  p.street.assign(a.street().begin(), a.street().end());
  p.city = a.city();
  p.state = a.state();
  p.postal_code = a.postal_code();
  p.iso_country_code = a.country_code();
  p.country = a.country().empty() ? a.country_code() : a.country();
  out.postal_address = std::move(p);
  out.email = email;
  return out;
}

}  // namespace iob::types

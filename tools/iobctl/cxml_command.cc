// `iobctl cxml decode|validate|example`: offline cXML tools over libs/cxml.
// decode prints a document as JSON (field names: docs/cxml.md); validate
// reports whether our reader accepts it; example writes a sample document.
#include "tools/iobctl/cxml_command.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

#include "libs/cxml/examples.h"
#include "libs/cxml/form.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"
#include "nlohmann/json.hpp"

namespace iob::cxml {

// JSON mapping of the model. Field names are the struct field names, which
// follow the cXML element / attribute names in snake_case.
using nlohmann::json;

// to_json only (NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE would also need from_json).
#define IOB_JSON_TO(Type, ...)                                               \
  void to_json(json& nlohmann_json_j, const Type& nlohmann_json_t) {         \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_TO, __VA_ARGS__)) \
  }

namespace {
template <typename T>
void Put(json& j, const char* key, const std::optional<T>& v) {
  j[key] = v ? json(*v) : json(nullptr);
}
std::string Mask(const std::string& secret) { return secret.empty() ? "" : "********"; }
std::string MaskCard(const std::string& number) {
  if (number.size() <= 4) return Mask(number);
  return std::string(number.size() - 4, '*') + number.substr(number.size() - 4);
}
}  // namespace

void to_json(json& j, const RawXml& v) { j = v.xml; }
void to_json(json& j, const Credential& v) {
  j = {{"domain", v.domain}, {"identity", v.identity}, {"shared_secret", Mask(v.shared_secret)}};
}
void to_json(json& j, const Header& v) {
  j = {{"from", v.from}, {"to", v.to}, {"sender", v.sender}, {"user_agent", v.user_agent}};
}
IOB_JSON_TO(Money, amount, currency)
IOB_JSON_TO(Description, lang, text, short_name)
void to_json(json& j, const Extrinsic& v) {
  j = {{"name", v.name}, {"value", v.value.Text()}, {"value_xml", v.value.xml}};
}
IOB_JSON_TO(Phone, name, iso_country_code, country_code, area_or_city_code, number, extension)
IOB_JSON_TO(PostalAddress, name, deliver_to, street, city, state, postal_code, country,
            iso_country_code)
void to_json(json& j, const Address& v) {
  j = {{"address_id", v.address_id},
       {"address_id_domain", v.address_id_domain},
       {"iso_country_code", v.iso_country_code},
       {"name", v.name},
       {"name_lang", v.name_lang},
       {"email", v.email}};
  Put(j, "postal_address", v.postal_address);
  Put(j, "phone", v.phone);
}
IOB_JSON_TO(Contact, role, address_id, address_id_domain, name, name_lang, postal_addresses, emails,
            phones, extrinsics)
IOB_JSON_TO(Comment, lang, type, text)
IOB_JSON_TO(Shipping, tracking_domain, tracking_id, money, description)
IOB_JSON_TO(Tax, money, description)
IOB_JSON_TO(Classification, domain, code, value)
void to_json(json& j, const ItemId& v) {
  j = {{"supplier_part_id", v.supplier_part_id}, {"buyer_part_id", v.buyer_part_id}};
  Put(j, "supplier_part_auxiliary_id", v.supplier_part_auxiliary_id);
}
IOB_JSON_TO(ItemDetail, unit_price, descriptions, unit_of_measure, classifications,
            manufacturer_part_id, manufacturer_name, url, lead_time, extrinsics)
void to_json(json& j, const ItemIn& v) {
  j = {{"quantity", v.quantity},
       {"line_number", v.line_number},
       {"item_id", v.item_id},
       {"item_detail", v.item_detail},
       {"extrinsics", v.extrinsics}};
  Put(j, "ship_to", v.ship_to);
  Put(j, "shipping", v.shipping);
  Put(j, "tax", v.tax);
}
void to_json(json& j, const ItemOut& v) {
  j = {{"quantity", v.quantity},
       {"line_number", v.line_number},
       {"requisition_id", v.requisition_id},
       {"requested_delivery_date", v.requested_delivery_date},
       {"item_id", v.item_id},
       {"contacts", v.contacts},
       {"comments", v.comments}};
  Put(j, "item_detail", v.item_detail);
  Put(j, "ship_to", v.ship_to);
  Put(j, "shipping", v.shipping);
  Put(j, "tax", v.tax);
}
void to_json(json& j, const PunchOutSetupRequest& v) {
  j = {{"operation", PunchOutOperationName(v.operation)},
       {"buyer_cookie", v.buyer_cookie},
       {"extrinsics", v.extrinsics},
       {"browser_form_post_url", v.browser_form_post_url},
       {"contacts", v.contacts},
       {"supplier_setup_url", v.supplier_setup_url},
       {"items", v.items}};
  Put(j, "ship_to", v.ship_to);
}
void to_json(json& j, const PunchOutOrderMessage& v) {
  j = {{"buyer_cookie", v.buyer_cookie},
       {"operation_allowed", PunchOutOperationName(v.operation_allowed)},
       {"quote_status", v.quote_status},
       {"total", v.total},
       {"items", v.items}};
  Put(j, "ship_to", v.ship_to);
  Put(j, "shipping", v.shipping);
  Put(j, "tax", v.tax);
}
void to_json(json& j, const Payment& v) {
  j = {{"number", MaskCard(v.number)}, {"expiration", v.expiration}, {"name", v.name}};
}
void to_json(json& j, const OrderRequest& v) {
  j = {{"order_id", v.order_id},
       {"order_date", v.order_date},
       {"type", OrderTypeName(v.type)},
       {"order_version", v.order_version},
       {"requested_delivery_date", v.requested_delivery_date},
       {"document_reference", v.document_reference},
       {"total", v.total},
       {"bill_to", v.bill_to},
       {"contacts", v.contacts},
       {"comments", v.comments},
       {"extrinsics", v.extrinsics},
       {"items", v.items}};
  Put(j, "ship_to", v.ship_to);
  Put(j, "shipping", v.shipping);
  Put(j, "tax", v.tax);
  Put(j, "payment", v.payment);
}
IOB_JSON_TO(Status, code, text, message, lang)
IOB_JSON_TO(ProfileOption, name, value)
IOB_JSON_TO(ProfileTransaction, request_name, url, options)
IOB_JSON_TO(ProfileResponse, effective_date, last_refresh, options, transactions)
IOB_JSON_TO(PunchOutSetupResponse, start_page_url)
void to_json(json& j, const Response& v) {
  j = {{"status", v.status}};
  Put(j, "punch_out_setup_response", v.punch_out_setup_response);
  Put(j, "profile_response", v.profile_response);
}
IOB_JSON_TO(OrderReference, order_id, order_date, payload_id)
void to_json(json& j, const ConfirmationStatus& v) {
  j = {{"quantity", v.quantity},
       {"type", v.type},
       {"shipment_date", v.shipment_date},
       {"delivery_date", v.delivery_date},
       {"unit_of_measure", v.unit_of_measure},
       {"comments", v.comments},
       {"extrinsics", v.extrinsics}};
  Put(j, "unit_price", v.unit_price);
  Put(j, "tax", v.tax);
  Put(j, "shipping", v.shipping);
}
IOB_JSON_TO(ConfirmationItem, quantity, line_number, unit_of_measure, statuses)
void to_json(json& j, const ConfirmationRequest& v) {
  j = {{"confirm_id", v.confirm_id},
       {"operation", v.operation},
       {"type", v.type},
       {"notice_date", v.notice_date},
       {"invoice_id", v.invoice_id},
       {"contacts", v.contacts},
       {"comments", v.comments},
       {"extrinsics", v.extrinsics},
       {"order_reference", v.order_reference},
       {"items", v.items}};
  Put(j, "total", v.total);
  Put(j, "shipping", v.shipping);
  Put(j, "tax", v.tax);
}
IOB_JSON_TO(CarrierIdentifier, domain, value)
IOB_JSON_TO(ShipmentIdentifier, domain, tracking_url, value)
IOB_JSON_TO(ShipControl, carrier_identifiers, shipment_identifiers)
void to_json(json& j, const ShipNoticeItem& v) {
  j = {{"quantity", v.quantity},
       {"line_number", v.line_number},
       {"unit_of_measure", v.unit_of_measure}};
  Put(j, "item_id", v.item_id);
}
IOB_JSON_TO(ShipNoticePortion, order_reference, items)
IOB_JSON_TO(ShipNoticeRequest, shipment_id, operation, notice_date, shipment_date, delivery_date,
            shipment_type, fulfillment_type, contacts, comments, extrinsics, ship_controls,
            portions)
void to_json(json& j, const InvoiceDetailItem& v) {
  j = {{"invoice_line_number", v.invoice_line_number},
       {"quantity", v.quantity},
       {"unit_of_measure", v.unit_of_measure},
       {"unit_price", v.unit_price},
       {"line_number", v.line_number},
       {"extrinsics", v.extrinsics}};
  Put(j, "item_id", v.item_id);
  Put(j, "description", v.description);
  Put(j, "subtotal_amount", v.subtotal_amount);
  Put(j, "tax", v.tax);
  Put(j, "gross_amount", v.gross_amount);
  Put(j, "net_amount", v.net_amount);
}
IOB_JSON_TO(InvoiceDetailOrder, order_reference, items)
void to_json(json& j, const InvoiceDetailSummary& v) {
  j = {{"subtotal_amount", v.subtotal_amount}, {"tax", v.tax}, {"net_amount", v.net_amount}};
  Put(j, "special_handling_amount", v.special_handling_amount);
  Put(j, "shipping_amount", v.shipping_amount);
  Put(j, "gross_amount", v.gross_amount);
  Put(j, "discount_amount", v.discount_amount);
  Put(j, "due_amount", v.due_amount);
}
IOB_JSON_TO(InvoiceDetailRequest, invoice_id, purpose, operation, invoice_date, is_tax_in_line,
            partners, document_reference, comments, extrinsics, orders, summary)

}  // namespace iob::cxml

namespace iob::iobctl {
namespace {

using nlohmann::json;

constexpr char kUsage[] =
    "usage: iobctl cxml decode FILE|-      print a document (raw or form body) as JSON\n"
    "       iobctl cxml validate FILE|-    exit 0 if our reader accepts it, else 1 + reason\n"
    "       iobctl cxml example TYPE [--minimal]   write a sample document\n"
    "TYPE: PunchOutSetupRequest PunchOutSetupResponse PunchOutOrderMessage OrderRequest\n"
    "      Response ConfirmationRequest ShipNoticeRequest InvoiceDetailRequest\n"
    "      ProfileRequest ProfileResponse\n";

bool ReadInput(const std::string& path, std::string* out, std::ostream& err) {
  if (path == "-") {
    out->assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "iobctl cxml: cannot read " << path << "\n";
    return false;
  }
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

absl::StatusOr<cxml::Document> Load(const std::string& bytes) {
  // Form bodies are bounded like documents (base64 inflates by 4/3).
  auto xml = cxml::ExtractCxml(bytes, (cxml::Limits{}.max_bytes / 3 + 1) * 4 + 1024);
  if (!xml.ok()) return xml.status();
  return cxml::ReadDocument(*xml);
}

json ToJson(const cxml::Document& doc) {
  json j = {{"document_type", cxml::DocumentTypeName(cxml::TypeOf(doc))},
            {"dtd", cxml::DtdFileName(cxml::FamilyOf(cxml::TypeOf(doc)))},
            {"payload_id", doc.payload_id},
            {"timestamp", doc.timestamp},
            {"version", doc.version},
            {"lang", doc.lang}};
  if (!std::holds_alternative<cxml::Response>(doc.body)) {
    j["header"] = doc.header;
    j["deployment_mode"] = cxml::DeploymentModeName(doc.deployment_mode);
  }
  if (!doc.in_reply_to.empty()) j["in_reply_to"] = doc.in_reply_to;
  std::visit(
      [&j](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, cxml::ProfileRequest>) {
          j["profile_request"] = json::object();
        } else if constexpr (std::is_same_v<T, cxml::PunchOutSetupRequest>) {
          j["punch_out_setup_request"] = body;
        } else if constexpr (std::is_same_v<T, cxml::PunchOutOrderMessage>) {
          j["punch_out_order_message"] = body;
        } else if constexpr (std::is_same_v<T, cxml::OrderRequest>) {
          j["order_request"] = body;
        } else if constexpr (std::is_same_v<T, cxml::ConfirmationRequest>) {
          j["confirmation_request"] = body;
        } else if constexpr (std::is_same_v<T, cxml::ShipNoticeRequest>) {
          j["ship_notice_request"] = body;
        } else if constexpr (std::is_same_v<T, cxml::InvoiceDetailRequest>) {
          j["invoice_detail_request"] = body;
        } else if constexpr (std::is_same_v<T, cxml::Response>) {
          j["response"] = body;
        }
      },
      doc.body);
  return j;
}

}  // namespace

int RunCxmlCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string& sub = args[0];
  if (sub == "decode" || sub == "validate") {
    if (args.size() != 2) {
      err << kUsage;
      return 2;
    }
    std::string bytes;
    if (!ReadInput(args[1], &bytes, err)) return 2;
    absl::StatusOr<cxml::Document> doc = Load(bytes);
    if (!doc.ok()) {
      err << "invalid: " << doc.status().message() << "\n";
      return 1;
    }
    if (sub == "validate") {
      out << "ok: " << cxml::DocumentTypeName(cxml::TypeOf(*doc)) << " " << doc->payload_id << "\n";
      return 0;
    }
    out << ToJson(*doc).dump(2) << "\n";
    return 0;
  }
  if (sub == "example") {
    if (args.size() < 2 || args.size() > 3 || (args.size() == 3 && args[2] != "--minimal")) {
      err << kUsage;
      return 2;
    }
    std::optional<cxml::DocumentType> type = cxml::DocumentTypeFromName(args[1]);
    if (!type) {
      err << "iobctl cxml: unknown document type '" << args[1] << "'\n" << kUsage;
      return 2;
    }
    auto detail = args.size() == 3 ? cxml::ExampleDetail::kMinimal : cxml::ExampleDetail::kFull;
    absl::StatusOr<std::string> xml = cxml::WriteDocument(cxml::ExampleDocument(*type, detail));
    if (!xml.ok()) {
      err << "iobctl cxml: " << xml.status().message() << "\n";
      return 1;
    }
    out << *xml;
    return 0;
  }
  err << "iobctl cxml: unknown subcommand '" << sub << "'\n" << kUsage;
  return 2;
}

}  // namespace iob::iobctl

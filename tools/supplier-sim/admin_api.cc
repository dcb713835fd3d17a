#include "tools/supplier-sim/admin_api.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/common/logging.h"
#include "nlohmann/json.hpp"
#include "tools/supplier-sim/random_ids.h"

namespace iob::sim {
namespace {

using Json = nlohmann::json;

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  // Replace invalid UTF-8 (a received body may hold anything) rather than throw.
  res.set_content(body.dump(2, ' ', false, Json::error_handler_t::replace) + "\n",
                  "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& message) {
  SendJson(res, status, Json{{"error", message}});
}

int HttpStatusFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
      return 409;
    default:
      return 400;
  }
}

// Parses an optional JSON object body ("" = {}); nullopt-like discarded on error.
Json ParseBody(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Json(Json::value_t::discarded);
  return j;
}

bool OptionalString(const Json& j, const char* key, std::string* out, std::string* error) {
  if (!j.contains(key)) return true;
  if (!j[key].is_string()) {
    *error = absl::StrCat(key, " must be a string");
    return false;
  }
  *out = j[key].get<std::string>();
  return true;
}

bool OptionalBool(const Json& j, const char* key, bool* out, std::string* error) {
  if (!j.contains(key)) return true;
  if (!j[key].is_boolean()) {
    *error = absl::StrCat(key, " must be a boolean");
    return false;
  }
  *out = j[key].get<bool>();
  return true;
}

Json OrderJson(const OrderRecord& o) {
  return Json{{"order_id", o.order_id},
              {"received", o.received},
              {"accepted", o.accepted},
              {"payload_ids", o.payload_ids},
              {"types", o.types},
              {"versions", o.versions},
              {"last_payload_id", o.last_payload_id},
              {"document_references", o.document_references},
              {"deployment_mode", std::string(cxml::DeploymentModeName(o.deployment_mode))}};
}

Json ItemIdJson(const cxml::ItemId& id) {
  Json j{{"supplier_part_id", id.supplier_part_id}};
  if (id.supplier_part_auxiliary_id.has_value()) {
    j["supplier_part_auxiliary_id"] = id.supplier_part_auxiliary_id->xml;
  }
  return j;
}

Json ShopSessionJson(const ShopSession& s) {
  Json extrinsics = Json::object();
  for (const auto& e : s.extrinsics) extrinsics[e.name] = e.value.Text();
  Json items = Json::array();
  for (const auto& it : s.request_items) {
    Json j = ItemIdJson(it.item_id);
    j["quantity"] = it.quantity;
    j["line_number"] = it.line_number;
    items.push_back(j);
  }
  Json cart = Json::array();
  for (const auto& line : s.cart) {
    Json j = ItemIdJson(line.item_id);
    j["key"] = line.key;
    j["quantity"] = line.quantity;
    j["unit_price"] = line.item_detail.unit_price.amount;
    j["currency"] = line.item_detail.unit_price.currency;
    cart.push_back(j);
  }
  Json ship_to = nullptr;
  if (s.ship_to.has_value()) {
    ship_to = Json{{"name", s.ship_to->name}, {"address_id", s.ship_to->address_id}};
    if (s.ship_to->postal_address.has_value()) {
      const auto& p = *s.ship_to->postal_address;
      ship_to["street"] = p.street;
      ship_to["city"] = p.city;
      ship_to["postal_code"] = p.postal_code;
      ship_to["iso_country_code"] = p.iso_country_code;
    }
  }
  return Json{{"operation", std::string(cxml::PunchOutOperationName(s.operation))},
              {"from_identity", s.group_identity},
              {"buyer_cookie", s.buyer_cookie},
              {"browser_form_post_url", s.browser_form_post_url},
              {"cart_encoding", std::string(CartEncodingName(s.cart_encoding))},
              {"extrinsics", extrinsics},
              {"ship_to", ship_to},
              {"request_items", items},
              {"cart", cart},
              {"notes", s.notes},
              {"checkouts", s.checkouts}};
}

}  // namespace

std::string AdminApi::GroupJson(const Group& g) const {
  const std::string base = ctx_.public_url.Get();
  return Json{{"from_identity", g.from_identity},
              {"shared_secret", g.shared_secret},
              {"punchout_url", base + "/punchout"},
              {"order_url", base + "/order"},
              {"cart_encoding", std::string(CartEncodingName(g.cart_encoding))},
              {"accepts_changes", g.accepts_changes}}
      .dump();
}

void AdminApi::CreateGroup(const httplib::Request& req, httplib::Response& res) const {
  Json body = ParseBody(req.body);
  if (body.is_discarded()) return SendError(res, 400, "body must be a JSON object");
  Group g;
  g.cart_encoding = ctx_.default_cart_encoding;
  std::string encoding, error;
  if (!OptionalString(body, "from_identity", &g.from_identity, &error) ||
      !OptionalString(body, "shared_secret", &g.shared_secret, &error) ||
      !OptionalString(body, "cart_encoding", &encoding, &error) ||
      !OptionalBool(body, "accepts_changes", &g.accepts_changes, &error)) {
    return SendError(res, 400, error);
  }
  if (!encoding.empty()) {
    auto e = ParseCartEncoding(encoding);
    if (!e.ok()) return SendError(res, 400, std::string(e.status().message()));
    g.cart_encoding = *e;
  }
  if (g.from_identity.empty()) g.from_identity = NewFromIdentity();
  if (g.shared_secret.empty()) g.shared_secret = NewSharedSecret();
  absl::Status s = ctx_.groups.Add(g);
  if (!s.ok()) return SendError(res, HttpStatusFor(s), std::string(s.message()));
  common::LogInfo("admin: punchout group created", {{"from_identity", g.from_identity}});
  SendJson(res, 201, Json::parse(GroupJson(g)));
}

void AdminApi::ListGroups(const httplib::Request&, httplib::Response& res) const {
  Json groups = Json::array();
  for (const Group& g : ctx_.groups.List()) groups.push_back(Json::parse(GroupJson(g)));
  SendJson(res, 200, Json{{"groups", groups}});
}

void AdminApi::UpdateGroup(const httplib::Request& req, httplib::Response& res) const {
  const std::string identity = req.matches[1];
  Json body = ParseBody(req.body);
  if (body.is_discarded()) return SendError(res, 400, "body must be a JSON object");
  std::string encoding, error;
  if (!OptionalString(body, "cart_encoding", &encoding, &error)) return SendError(res, 400, error);
  if (!encoding.empty()) {
    auto e = ParseCartEncoding(encoding);
    if (!e.ok()) return SendError(res, 400, std::string(e.status().message()));
    absl::Status s = ctx_.groups.SetCartEncoding(identity, *e);
    if (!s.ok()) return SendError(res, HttpStatusFor(s), std::string(s.message()));
  }
  std::optional<Group> g = ctx_.groups.Find(identity);
  if (!g.has_value()) return SendError(res, 404, "no such group");
  SendJson(res, 200, Json::parse(GroupJson(*g)));
}

void AdminApi::GetFaults(const httplib::Request&, httplib::Response& res) const {
  SendJson(res, 200, Json::parse(ctx_.faults.ToJson()));
}

void AdminApi::SetFaults(const httplib::Request& req, httplib::Response& res) const {
  absl::Status s = ctx_.faults.SetFromJson(req.body);
  if (!s.ok()) return SendError(res, 400, std::string(s.message()));
  common::LogInfo("admin: faults set", {{"faults", ctx_.faults.ToJson()}});
  SendJson(res, 200, Json::parse(ctx_.faults.ToJson()));
}

void AdminApi::ClearFaults(const httplib::Request&, httplib::Response& res) const {
  ctx_.faults.Clear();
  common::LogInfo("admin: faults cleared");
  SendJson(res, 200, Json::object());
}

void AdminApi::GetStats(const httplib::Request&, httplib::Response& res) const {
  Json endpoints = Json::object();
  for (const auto& [name, st] : ctx_.traffic.Stats()) {
    endpoints[name] = Json{{"received", st.received}, {"outcomes", st.outcomes}};
  }
  SendJson(res, 200, Json{{"endpoints", endpoints}});
}

void AdminApi::ResetStats(const httplib::Request&, httplib::Response& res) const {
  ctx_.traffic.Reset();
  orders_.Reset();
  invoicer_.Reset();
  SendJson(res, 200, Json::object());
}

void AdminApi::GetReceived(const httplib::Request& req, httplib::Response& res) const {
  Documents(false, req, res);
}

void AdminApi::GetSent(const httplib::Request& req, httplib::Response& res) const {
  Documents(true, req, res);
}

void AdminApi::Documents(bool sent, const httplib::Request& req, httplib::Response& res) const {
  const std::string endpoint = req.get_param_value("endpoint");
  if (endpoint.empty()) return SendError(res, 400, "query parameter endpoint is required");
  std::vector<LoggedDocument> docs =
      sent ? ctx_.traffic.SentDocuments(endpoint) : ctx_.traffic.ReceivedDocuments(endpoint);
  if (req.get_param_value("format") == "raw") {
    if (docs.empty()) return SendError(res, 404, "no documents");
    res.status = 200;
    res.set_content(docs.back().body, "application/octet-stream");
    return;
  }
  Json list = Json::array();
  for (const LoggedDocument& d : docs) {
    list.push_back(Json{{"at", absl::FormatTime(absl::RFC3339_full, d.at, absl::UTCTimeZone())},
                        {"body", d.body}});
  }
  SendJson(res, 200, Json{{"endpoint", endpoint}, {"documents", list}});
}

void AdminApi::GetSession(const httplib::Request& req, httplib::Response& res) const {
  std::optional<ShopSession> s = ctx_.sessions.Get(req.matches[1]);
  if (!s.has_value()) return SendError(res, 404, "no such session");
  SendJson(res, 200, ShopSessionJson(*s));
}

void AdminApi::ListOrders(const httplib::Request&, httplib::Response& res) const {
  Json list = Json::array();
  for (const OrderRecord& o : orders_.List()) list.push_back(OrderJson(o));
  const OrderTotals totals = orders_.Totals();
  SendJson(res, 200,
           Json{{"orders", list},
                {"total_received", totals.received},
                {"duplicates", totals.duplicates}});
}

void AdminApi::GetOrder(const httplib::Request& req, httplib::Response& res) const {
  std::optional<OrderRecord> o = orders_.Find(req.matches[1]);
  if (!o.has_value()) return SendError(res, 404, "no such order");
  SendJson(res, 200, OrderJson(*o));
}

void AdminApi::GetFulfillment(const httplib::Request&, httplib::Response& res) const {
  SendJson(res, 200, Json::parse(FulfillmentSettingsJson(fulfiller_.settings())));
}

void AdminApi::SetFulfillment(const httplib::Request& req, httplib::Response& res) const {
  absl::StatusOr<FulfillmentSettings> settings = ParseFulfillmentSettings(req.body);
  if (!settings.ok()) return SendError(res, 400, std::string(settings.status().message()));
  const std::string json = FulfillmentSettingsJson(*settings);
  fulfiller_.set_settings(*std::move(settings));
  common::LogInfo("admin: fulfillment set", {{"fulfillment", json}});
  SendJson(res, 200, Json::parse(json));
}

void AdminApi::GetInvoicing(const httplib::Request&, httplib::Response& res) const {
  SendJson(res, 200, Json::parse(InvoicingSettingsJson(invoicer_.settings())));
}

void AdminApi::SetInvoicing(const httplib::Request& req, httplib::Response& res) const {
  absl::StatusOr<InvoicingSettings> settings = ParseInvoicingSettings(req.body);
  if (!settings.ok()) return SendError(res, 400, std::string(settings.status().message()));
  const std::string json = InvoicingSettingsJson(*settings);
  invoicer_.set_settings(*std::move(settings));
  common::LogInfo("admin: invoicing set", {{"invoicing", json}});
  SendJson(res, 200, Json::parse(json));
}

void AdminApi::ClearInvoicing(const httplib::Request&, httplib::Response& res) const {
  invoicer_.set_settings(std::nullopt);
  common::LogInfo("admin: invoicing off");
  SendJson(res, 200, Json::parse(InvoicingSettingsJson(std::nullopt)));
}

void AdminApi::ListInvoices(const httplib::Request&, httplib::Response& res) const {
  Json list = Json::array();
  int64_t sent = 0;
  for (const SentInvoice& i : invoicer_.Recent()) {
    sent += i.outcome == "sent" ? 1 : 0;
    list.push_back(Json{{"at", absl::FormatTime(absl::RFC3339_full, i.at, absl::UTCTimeZone())},
                        {"invoice_number", i.invoice_number},
                        {"order_id", i.order_id},
                        {"to", i.to},
                        {"delivery", i.delivery},
                        {"outcome", i.outcome},
                        {"error", i.error},
                        {"message_id", i.message_id},
                        {"path", i.path},
                        {"attachments", i.attachments},
                        {"currency", i.currency},
                        {"subtotal", i.subtotal},
                        {"tax", i.tax},
                        {"total", i.total}});
  }
  SendJson(res, 200,
           Json{{"invoices", list},
                {"sent", sent},
                {"failed", static_cast<int64_t>(list.size()) - sent}});
}

}  // namespace iob::sim

#include "tools/supplier-sim/fulfillment.h"

#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/status.h"
#include "libs/cxml/timestamp.h"
#include "libs/cxml/writer.h"
#include "libs/http/egress_policy.h"
#include "nlohmann/json.hpp"
#include "tools/supplier-sim/json_fields.h"
#include "tools/supplier-sim/random_ids.h"

namespace iob::sim {
namespace {

using Json = nlohmann::json;

constexpr int kMaxAttempts = 4;
constexpr absl::Duration kRetryPause = absl::Milliseconds(200);
constexpr char kSupplierHost[] = "supplier-sim.iob";

absl::Status ReadUrl(const Json& v, std::string* out) {
  IOB_RETURN_IF_ERROR(ReadString(v, "url", out));
  return CheckFulfillmentUrl(*out);
}

absl::Status ReadConfirm(const Json& v, ConfirmKind* out) {
  if (v.is_string()) {
    for (ConfirmKind k : {ConfirmKind::kAccept, ConfirmKind::kReject, ConfirmKind::kDetail,
                          ConfirmKind::kBackordered, ConfirmKind::kNone}) {
      if (v.get<std::string>() == ConfirmKindName(k)) {
        *out = k;
        return absl::OkStatus();
      }
    }
  }
  return absl::InvalidArgumentError(
      "confirm: must be one of accept, reject, detail, backordered, none");
}

int64_t Ms(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

// The envelope and header every fulfilment document carries.
cxml::Document SupplierDocument(const AcceptedOrder& order, absl::Time now) {
  cxml::Document d;
  d.payload_id = cxml::NewPayloadId(now, kSupplierHost);
  d.timestamp = cxml::FormatTimestamp(now);
  d.deployment_mode = order.deployment_mode;
  d.header.from = {{"NetworkID", "AmazonBusiness", ""}};
  for (const cxml::Credential& c : order.buyer) d.header.to.push_back({c.domain, c.identity, ""});
  d.header.sender = {order.sender};
  d.header.user_agent = "iob-supplier-sim";
  return d;
}

cxml::OrderReference ReferenceTo(const AcceptedOrder& order) {
  return {order.order.order_id, order.order.order_date, order.payload_id};
}

// An ItemOut's lineNumber, or its position (counting from 1) when absent.
std::string LineNumberOf(const cxml::ItemOut& item, size_t index) {
  return item.line_number.empty() ? absl::StrCat(index + 1) : item.line_number;
}

std::string UnitOfMeasureOf(const cxml::ItemOut& item) {
  return item.item_detail.has_value() ? item.item_detail->unit_of_measure : "EA";
}

}  // namespace

std::string_view ConfirmKindName(ConfirmKind kind) {
  switch (kind) {
    case ConfirmKind::kAccept:
      return "accept";
    case ConfirmKind::kReject:
      return "reject";
    case ConfirmKind::kDetail:
      return "detail";
    case ConfirmKind::kBackordered:
      return "backordered";
    case ConfirmKind::kNone:
      break;
  }
  return "none";
}

absl::Status CheckFulfillmentUrl(std::string_view url) {
  if (url.empty()) return absl::OkStatus();
  auto parsed = http::ParseUrl(url);
  if (!parsed.ok() || (parsed->scheme != "http" && parsed->scheme != "https")) {
    return absl::InvalidArgumentError("url: must be an http or https URL");
  }
  return absl::OkStatus();
}

absl::StatusOr<FulfillmentSettings> ParseFulfillmentSettings(std::string_view json) {
  IOB_ASSIGN_OR_RETURN(const Json j, ParseJsonObject(json, "fulfillment"));
  FulfillmentSettings s;
  for (const auto& [key, v] : j.items()) {
    absl::Status st;
    if (key == "url") {
      st = ReadUrl(v, &s.url);
    } else if (key == "confirm") {
      st = ReadConfirm(v, &s.confirm);
    } else if (key == "confirm_delay_ms") {
      st = ReadDelayMs(v, key, &s.confirm_delay);
    } else if (key == "late_reject") {
      st = ReadBool(v, key, &s.late_reject);
    } else if (key == "late_reject_delay_ms") {
      st = ReadDelayMs(v, key, &s.late_reject_delay);
    } else if (key == "ship_notice") {
      st = ReadBool(v, key, &s.ship_notice);
    } else if (key == "ship_delay_ms") {
      st = ReadDelayMs(v, key, &s.ship_delay);
    } else {
      st = absl::InvalidArgumentError(absl::StrCat(key, ": unknown key"));
    }
    if (!st.ok()) return st;
  }
  return s;
}

std::string FulfillmentSettingsJson(const FulfillmentSettings& s) {
  return Json{{"url", s.url},
              {"confirm", std::string(ConfirmKindName(s.confirm))},
              {"confirm_delay_ms", Ms(s.confirm_delay)},
              {"late_reject", s.late_reject},
              {"late_reject_delay_ms", Ms(s.late_reject_delay)},
              {"ship_notice", s.ship_notice},
              {"ship_delay_ms", Ms(s.ship_delay)}}
      .dump();
}

cxml::Document ConfirmationDocument(const AcceptedOrder& order, std::string_view type,
                                    const std::string& confirm_id, absl::Time now) {
  cxml::Document d = SupplierDocument(order, now);
  cxml::ConfirmationRequest c;
  c.confirm_id = confirm_id;
  c.type = std::string(type);
  c.notice_date = d.timestamp;
  c.order_reference = ReferenceTo(order);
  if (type == "detail" || type == "backordered") {
    const std::string status = type == "detail" ? "accept" : "backordered";
    for (size_t i = 0; i < order.order.items.size(); ++i) {
      const cxml::ItemOut& item = order.order.items[i];
      cxml::ConfirmationItem ci;
      ci.quantity = item.quantity;
      ci.line_number = LineNumberOf(item, i);
      ci.unit_of_measure = UnitOfMeasureOf(item);
      cxml::ConfirmationStatus st;
      st.quantity = item.quantity;
      st.type = status;
      st.unit_of_measure = ci.unit_of_measure;
      ci.statuses = {st};
      c.items.push_back(std::move(ci));
    }
  }
  d.body = std::move(c);
  return d;
}

cxml::Document ShipNoticeDocument(const AcceptedOrder& order, const std::string& tracking_number,
                                  absl::Time now) {
  cxml::Document d = SupplierDocument(order, now);
  cxml::ShipNoticeRequest s;
  s.shipment_id = absl::StrCat("SHIP-", order.order.order_id);
  s.notice_date = d.timestamp;
  s.shipment_date = d.timestamp;
  s.delivery_date = cxml::FormatTimestamp(now + absl::Hours(48));
  s.shipment_type = "actual";
  s.fulfillment_type = "complete";
  s.ship_controls = {
      {{{"companyName", "UPS"}},
       {{"trackingNumber", absl::StrCat("https://www.ups.com/track?tracknum=", tracking_number),
         tracking_number}}}};
  cxml::ShipNoticePortion portion;
  portion.order_reference = ReferenceTo(order);
  for (size_t i = 0; i < order.order.items.size(); ++i) {
    const cxml::ItemOut& item = order.order.items[i];
    portion.items.push_back(
        {item.quantity, LineNumberOf(item, i), item.item_id, UnitOfMeasureOf(item)});
  }
  s.portions = {std::move(portion)};
  d.body = std::move(s);
  return d;
}

std::string NewTrackingNumber() { return "1Z" + absl::AsciiStrToUpper(RandomHex(8)); }

// One document of a plan.
struct Fulfiller::Step {
  bool ship_notice = false;  // else a ConfirmationRequest
  std::string confirm_type;  // for confirmations
  std::string confirm_id;    // for confirmations
  absl::Duration delay;      // after the previous step (or the acceptance)
};

// Everything to post for one accepted order.
struct Fulfiller::Plan {
  std::string url;
  AcceptedOrder order;
  std::vector<Step> steps;
};

Fulfiller::Fulfiller(TrafficLog& traffic, FulfillmentSettings initial, ShippedHook on_shipped)
    : traffic_(traffic), on_shipped_(std::move(on_shipped)), settings_(std::move(initial)) {}

Fulfiller::~Fulfiller() { Stop(); }

void Fulfiller::Start() { runner_.Start(); }

void Fulfiller::Stop() { runner_.Stop(); }

FulfillmentSettings Fulfiller::settings() const {
  absl::MutexLock lock(&mu_);
  return settings_;
}

void Fulfiller::set_settings(FulfillmentSettings settings) {
  absl::MutexLock lock(&mu_);
  settings_ = std::move(settings);
}

void Fulfiller::OrderAccepted(AcceptedOrder order) {
  const FulfillmentSettings s = settings();
  if (s.url.empty()) return;
  auto plan = std::make_shared<Plan>();
  plan->url = s.url;
  const std::string confirm_id = absl::StrCat("CONF-", order.order.order_id);
  if (s.confirm != ConfirmKind::kNone) {
    plan->steps.push_back(
        {false, std::string(ConfirmKindName(s.confirm)), confirm_id, s.confirm_delay});
  }
  if (s.late_reject) {
    // A second confirmation of its own (operation "new"): libs/cxml has no
    // ConfirmationHeader/DocumentReference, which an "update" must carry.
    plan->steps.push_back({false, "reject", confirm_id + "-R", s.late_reject_delay});
  }
  if (s.ship_notice && s.confirm != ConfirmKind::kReject) {
    plan->steps.push_back({true, "", "", s.ship_delay});
  }
  if (plan->steps.empty()) return;
  plan->order = std::move(order);
  const absl::Time due = absl::Now() + plan->steps.front().delay;
  Task first;
  first.plan = std::move(plan);
  Schedule(due, std::move(first));
}

void Fulfiller::Schedule(absl::Time due, Task task) {
  runner_.Schedule(due, [this, task = std::move(task)]() mutable { Execute(std::move(task)); });
}

void Fulfiller::Execute(Task task) {
  const Plan& plan = *task.plan;
  const Step& step = plan.steps[task.step];
  const std::string kind = step.ship_notice ? "ShipNoticeRequest" : "ConfirmationRequest";
  std::string outcome;
  bool retry = false;
  if (task.xml.empty()) {
    const absl::Time now = absl::Now();
    cxml::Document doc = step.ship_notice ? ShipNoticeDocument(plan.order, NewTrackingNumber(), now)
                                          : ConfirmationDocument(plan.order, step.confirm_type,
                                                                 step.confirm_id, now);
    auto xml = cxml::WriteDocument(doc);
    if (xml.ok()) {
      task.xml = *std::move(xml);
      traffic_.Sent(kName, task.xml);
    } else {
      common::LogError("fulfillment: cannot write document",
                       {{"document", kind}, {"error", std::string(xml.status().message())}});
      outcome = "write_error";
    }
  }
  if (outcome.empty()) std::tie(outcome, retry) = Post(plan.url, task.xml);
  // Before the outcome is counted, so whoever sees the count sees the hook's
  // effect (an invoice planned, or not).
  if (step.ship_notice && outcome == "ok" && on_shipped_) on_shipped_(plan.order);
  traffic_.Outcome(kName, outcome);
  common::LogInfo("fulfillment: posted", {{"document", kind},
                                          {"type", step.confirm_type},
                                          {"order_id", plan.order.order.order_id},
                                          {"attempt", task.attempt + 1},
                                          {"outcome", outcome}});
  if (retry && task.attempt + 1 < kMaxAttempts) {
    ++task.attempt;
    Schedule(absl::Now() + kRetryPause, std::move(task));
    return;
  }
  if (task.step + 1 < plan.steps.size()) {
    Task next;
    next.step = task.step + 1;
    const absl::Time due = absl::Now() + plan.steps[next.step].delay;
    next.plan = std::move(task.plan);
    Schedule(due, std::move(next));
  }
}

std::pair<std::string, bool> Fulfiller::Post(const std::string& url, const std::string& xml) {
  auto parsed = http::ParseUrl(url);
  if (!parsed.ok()) return {"transport_error", false};
  if (client_ == nullptr || client_host_ != parsed->host) {
    // The buyer endpoint is usually on loopback or a private network: allow
    // its host (over plain http too) and nothing else.
    http::EgressPolicyOptions o;
    o.plain_http_hosts = {parsed->host};
    o.dns_timeout = absl::Seconds(2);
    o.connect_timeout = absl::Seconds(2);
    o.total_timeout = absl::Seconds(5);
    http::CurlHttpClientOptions client_options;
    client_options.user_agent = "iob-supplier-sim/1";
    client_ = std::make_unique<http::CurlHttpClient>(http::EgressPolicy(o), client_options);
    client_host_ = parsed->host;
  }
  http::HttpRequest req;
  req.url = url;
  req.body = xml;
  req.content_type = "text/xml; charset=UTF-8";
  auto res = client_->Send(req);
  if (!res.ok()) {
    common::LogWarn("fulfillment: post failed", {{"error", std::string(res.status().message())}});
    const bool transient = res.status().code() == absl::StatusCode::kUnavailable ||
                           res.status().code() == absl::StatusCode::kDeadlineExceeded;
    return {"transport_error", transient};
  }
  if (res->status != 200) return {absl::StrCat("http_", res->status), res->status >= 500};
  auto doc = cxml::ReadDocumentOfType(res->body, cxml::DocumentType::kResponse);
  if (!doc.ok()) return {"unreadable_response", false};
  const int code = std::get<cxml::Response>(doc->body).status.code;
  if (code >= 200 && code < 300) return {"ok", false};
  return {absl::StrCat("cxml_", code),
          cxml::ClassifyStatusCode(code) == cxml::StatusClass::kTransient};
}

}  // namespace iob::sim

// The supplier's side of an order after it was accepted: the
// ConfirmationRequest and ShipNoticeRequest documents a supplier posts back to
// the buyer (cXML Fulfill.dtd), and the Fulfiller that posts them on a
// background thread after configurable delays.
//
// Settings (POST /admin/fulfillment; every key optional, missing keys take
// their defaults):
//   {"url": "http://127.0.0.1:8103/cxml/fulfill",   "" = post nothing
//    "confirm": "accept",   accept | reject | detail | backordered | none
//    "confirm_delay_ms": 0,
//    "late_reject": false, "late_reject_delay_ms": 0,
//    "ship_notice": true, "ship_delay_ms": 0}
//
// For one accepted order the documents go out in this order, each delay
// counted from the end of the previous post (the first from the acceptance):
// the confirmation (unless "none"), the late reject (if late_reject), the
// ship notice (if ship_notice and confirm is not "reject"). Each document is
// retried on a transport error, an HTTP 5xx or a cXML 5xx answer (up to 4
// attempts, 200 ms apart, the same payloadID every time).
//
// Headers: From = the supplier (NetworkID "AmazonBusiness"); To = the
// OrderRequest's Header/From credentials as received (domain and identity);
// Sender = the buyer's identity in the matched From credential's domain with
// the group's SharedSecret (iob checks one To credential against Sender's
// secret); UserAgent "iob-supplier-sim". The deployment mode is the order's.
#ifndef IOB_TOOLS_SUPPLIER_SIM_FULFILLMENT_H_
#define IOB_TOOLS_SUPPLIER_SIM_FULFILLMENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/cxml/model.h"
#include "libs/http/client.h"
#include "tools/supplier-sim/timed_runner.h"
#include "tools/supplier-sim/traffic_log.h"

namespace iob::sim {

// How the supplier confirms an accepted order.
enum class ConfirmKind { kAccept, kReject, kDetail, kBackordered, kNone };

// "accept", "reject", "detail", "backordered", "none".
std::string_view ConfirmKindName(ConfirmKind kind);

struct FulfillmentSettings {
  std::string url;  // "" = post nothing
  ConfirmKind confirm = ConfirmKind::kAccept;
  absl::Duration confirm_delay;
  bool late_reject = false;
  absl::Duration late_reject_delay;
  bool ship_notice = true;
  absl::Duration ship_delay;
};

// OK for "" and for an http(s) URL; INVALID_ARGUMENT otherwise.
absl::Status CheckFulfillmentUrl(std::string_view url);

// Parses the settings JSON above. INVALID_ARGUMENT naming the key for
// malformed JSON, an unknown key, a wrong type, a url that is not http(s),
// an unknown confirm value or a delay outside [0, 3600000] ms.
absl::StatusOr<FulfillmentSettings> ParseFulfillmentSettings(std::string_view json);
// The settings as JSON (the shape ParseFulfillmentSettings takes).
std::string FulfillmentSettingsJson(const FulfillmentSettings& settings);

// What the fulfilment documents of one accepted order are built from.
struct AcceptedOrder {
  std::string payload_id;  // of the OrderRequest: DocumentReference@payloadID
  cxml::DeploymentMode deployment_mode = cxml::DeploymentMode::kProduction;
  cxml::OrderRequest order;
  std::vector<cxml::Credential> buyer;  // the OrderRequest's Header/From
  cxml::Credential sender;              // buyer identity + the group's secret
};

// The ConfirmationRequest for `order` of header type `type` ("accept",
// "reject", "detail", "backordered"; the last two with one ConfirmationItem
// per ItemOut, status type "accept" resp. "backordered"), confirmID
// `confirm_id`, written at `now`. Pure.
cxml::Document ConfirmationDocument(const AcceptedOrder& order, std::string_view type,
                                    const std::string& confirm_id, absl::Time now);
// The ShipNoticeRequest for `order`: shipmentID "SHIP-<orderID>", carrier
// UPS, ShipmentIdentifier `tracking_number` with its UPS tracking URL, one
// ShipNoticePortion with a ShipNoticeItem per ItemOut, written at `now`.
// Pure.
cxml::Document ShipNoticeDocument(const AcceptedOrder& order, const std::string& tracking_number,
                                  absl::Time now);
// A UPS-style tracking number: "1Z" + 16 upper-case hex characters.
// Thread-safe.
std::string NewTrackingNumber();

// Posts fulfilment documents after accepted orders, on one background
// thread (a TimedRunner), so delays never hold an HTTP handler.
// Every document is kept under TrafficLog endpoint "fulfill" (Sent, once),
// and each attempt's outcome is counted there: "ok" (cXML 2xx),
// "cxml_<code>", "http_<status>" (not HTTP 200), "transport_error",
// "unreadable_response", "write_error". Thread-safe.
class Fulfiller {
 public:
  // Name used for statistics and sent documents.
  static constexpr char kName[] = "fulfill";

  // Called on the fulfilment thread once an order's ship notice was
  // delivered (answered cXML 2xx), before that outcome is counted; must not
  // block for long.
  using ShippedHook = std::function<void(const AcceptedOrder& order)>;

  // `traffic` must outlive the Fulfiller. `on_shipped` may be empty.
  Fulfiller(TrafficLog& traffic, FulfillmentSettings initial, ShippedHook on_shipped = nullptr);
  // Stops (see Stop).
  ~Fulfiller();
  Fulfiller(const Fulfiller&) = delete;
  Fulfiller& operator=(const Fulfiller&) = delete;

  // Starts the worker thread. Call once.
  void Start();
  // Drops every pending document and joins the worker; a post in flight
  // ends first (bounded by the 5 s request timeout). Idempotent; later
  // OrderAccepted calls are ignored.
  void Stop();

  FulfillmentSettings settings() const;
  // Replaces the settings for orders accepted from now on (documents
  // already planned keep the settings of their order).
  void set_settings(FulfillmentSettings settings);

  // Plans the documents for an order just accepted, under the current
  // settings; nothing when no url is set.
  void OrderAccepted(AcceptedOrder order);

 private:
  struct Step;
  struct Plan;
  // One attempt at one step of a plan.
  struct Task {
    std::shared_ptr<const Plan> plan;
    size_t step = 0;
    int attempt = 0;
    std::string xml;  // written at the first attempt, resent unchanged
  };

  void Schedule(absl::Time due, Task task);
  // One attempt: posts (writing the document first), then schedules a retry
  // or the plan's next step.
  void Execute(Task task);
  // Posts `xml` and returns the outcome name and whether to retry.
  std::pair<std::string, bool> Post(const std::string& url, const std::string& xml);

  TrafficLog& traffic_;
  const ShippedHook on_shipped_;
  mutable absl::Mutex mu_;
  FulfillmentSettings settings_ ABSL_GUARDED_BY(mu_);
  // Used by the worker thread only: the client for client_host_ (its egress
  // policy allows plain http to that host).
  std::unique_ptr<http::HttpClient> client_;
  std::string client_host_;
  TimedRunner runner_;  // last: stopped (joined) before the members above go
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_FULFILLMENT_H_

// The only SQL of the dispatch service: rules, orders and their versions,
// the outbox (claims with FOR UPDATE SKIP LOCKED and a lease), attempts,
// exchanged documents, confirmations, shipments and state changes.
#ifndef IOB_SERVICES_DISPATCH_ORDER_STORE_H_
#define IOB_SERVICES_DISPATCH_ORDER_STORE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/db/idempotency.h"
#include "libs/db/pool.h"
#include "services/dispatch/order.h"

namespace iob::dispatch {

struct OrderFilter {
  std::optional<OrderState> state;
  std::string integration;  // resource name; "" = any
  std::string po_number;    // "" = any
  std::optional<bool> test;
  bool unconfirmed = false;
};

struct AttemptRecord {
  int number = 0;  // set by the store
  int version = 1;
  absl::Time start_time;
  std::string outcome;  // supplier::OutcomeLabel
  int http_status = 0;
  int cxml_code = 0;
  int smtp_code = 0;
  std::string text;
  absl::Duration latency;
};

struct ExchangeRecord {
  std::string direction;      // "out" | "in"
  std::string document_type;  // "OrderRequest", ...
  std::string payload_id;
  absl::Time time;
  int http_status = 0;
  int cxml_code = 0;
  int smtp_code = 0;
  absl::Duration latency;
  std::string document;  // secrets masked
  std::string answer;    // the supplier's answer to a document we sent
};

struct ConfirmationRecord {
  std::string payload_id;
  std::string confirm_id;
  std::string type;
  std::string operation;
  std::optional<absl::Time> notice_time;
  std::string comments;
  absl::Time receive_time;
};

struct ShipmentRecord {
  std::string payload_id;
  std::string shipment_id;
  std::string carrier;
  std::string tracking_number;
  std::string tracking_url;
  std::optional<absl::Time> shipment_time;
  std::vector<std::pair<int, std::string>> lines;  // line number, quantity
  absl::Time receive_time;
};

struct StateChangeRecord {
  OrderState state = OrderState::kQueued;
  absl::Time time;
  std::string reason;
};

// An order with everything that happened to it, for GetOrder.
struct OrderDetails {
  Order order;
  std::vector<StateChangeRecord> history;
  std::vector<AttemptRecord> attempts;
  std::vector<ExchangeRecord> exchanges;
  std::vector<ConfirmationRecord> confirmations;
  std::vector<ShipmentRecord> shipments;
};

// A delivery a worker claimed: the order (state sending, leased to the
// worker) and the version to send (the first one not yet delivered).
struct Claim {
  Order order;
  OrderVersion version;
  std::string worker;
};

// How an attempt ended, as the worker decided.
struct AttemptResult {
  enum class Kind { kDelivered, kRejected, kRetry, kFailed };
  Kind kind = Kind::kRetry;
  std::string reason;            // for rejected / failed / retry
  absl::Time next_attempt_time;  // for kRetry
  AttemptRecord attempt;
  ExchangeRecord exchange;
};

// A change (update or cancel) to an order, checked against the order under
// its row lock: returns the version to add, or nullopt to cancel locally
// (nothing ever reached the supplier), or an error.
using ChangeFn = std::function<absl::StatusOr<std::optional<OrderVersion>>(const Order&)>;

// What an inbound document does to the order it refers to.
struct FulfillmentEffect {
  std::optional<ConfirmationRecord> confirmation;
  std::optional<ShipmentRecord> shipment;
  ExchangeRecord exchange;
};

// Figures for the metrics gauges.
struct OutboxStats {
  std::map<std::pair<std::string, bool>, int64_t> by_state_and_test;  // (state, test) -> n
  // By test (true) / production (false).
  std::map<bool, absl::Duration> oldest_undelivered_age;
  std::map<bool, int64_t> unconfirmed;
};

// Thread-safe; borrows the pool.
class OrderStore {
 public:
  explicit OrderStore(db::Pool* pool) : pool_(pool) {}

  // The stored rule, or the default (stored = false).
  absl::StatusOr<DispatchRule> GetRule(const std::string& tenant,
                                       const std::string& integration_id);
  // Stores `rule` (claiming `key`); returns it as stored.
  absl::StatusOr<DispatchRule> PutRule(const DispatchRule& rule, const db::RequestKey& key);

  // Inserts `order` with its first version (state queued, due now) and the
  // state change, claiming `key`. A replayed key returns the first order
  // (with *replayed set). ALREADY_EXISTS "order with PO number ... already
  // exists (tenants/.../orders/...)" for a PO number taken in the tenant.
  absl::StatusOr<Order> Create(const Order& order, const db::RequestKey& key, bool* replayed);

  // NOT_FOUND "order tenants/t/orders/o not found".
  absl::StatusOr<Order> Get(const std::string& tenant, const std::string& id);
  absl::StatusOr<OrderDetails> GetDetails(const std::string& tenant, const std::string& id);
  // The order with `version` in place of its newest one (0 = the newest).
  // NOT_FOUND naming the order or the version.
  absl::StatusOr<Order> GetVersion(const std::string& tenant, const std::string& id, int version);

  // Orders newest first after the page key `after` ("" = from the newest),
  // at most `limit`. INVALID_ARGUMENT for a malformed key.
  absl::StatusOr<std::vector<Order>> List(const std::string& tenant, const OrderFilter& filter,
                                          const std::string& after, int limit);
  // The page key of `order` for List.
  static std::string PageKey(const Order& order);

  // Queues a failed or rejected (before delivery) order again; its attempts
  // start afresh. FAILED_PRECONDITION from another state. `who` is recorded
  // in the state change.
  absl::StatusOr<Order> Requeue(const std::string& tenant, const std::string& id,
                                const std::string& who, const db::RequestKey& key);

  // Adds the version `change` returns to the order (or cancels it locally),
  // under the order's row lock, claiming `key`. The new version waits behind
  // any undelivered earlier one.
  absl::StatusOr<Order> Change(const std::string& tenant, const std::string& id,
                               const db::RequestKey& key, const ChangeFn& change);

  // Claims up to `limit` due deliveries for `worker` with a lease of `lease`:
  // queued orders whose next attempt time has passed, and orders whose
  // previous worker's lease ran out. Concurrent callers never get the same
  // order (FOR UPDATE SKIP LOCKED).
  absl::StatusOr<std::vector<Claim>> ClaimDue(const std::string& worker, absl::Duration lease,
                                              int limit);

  // Records the attempt and its exchange, and moves the order on as
  // `result` says -- unless the version was meanwhile delivered (a duplicate
  // after a lease expiry) or another worker holds the lease now, in which
  // case only the attempt is recorded. A delivered version lets the next
  // waiting version go at once, or ends in delivered (cancelled for a
  // delete).
  absl::Status FinishAttempt(const Claim& claim, const AttemptResult& result);

  // Applies an inbound ConfirmationRequest / ShipNoticeRequest of
  // `integration` referring to the OrderRequest `order_payload_id`.
  // Idempotent by the inbound payloadID (a replay changes nothing and
  // returns OK). Errors (cXML code attached with cxml::WithCxmlCode where
  // it is not the default): 409 when the payloadID is not one of our
  // OrderRequests, or the order belongs to another tenant or integration
  // or is not delivered; the order's name on success.
  absl::StatusOr<std::string> ApplyFulfillment(const std::string& tenant,
                                               const std::string& integration,
                                               const std::string& order_payload_id,
                                               const FulfillmentEffect& effect);

  // Flags delivered orders whose confirmation deadline has passed; returns
  // how many were flagged now.
  absl::StatusOr<int> FlagUnconfirmed();

  absl::StatusOr<OutboxStats> Stats();

 private:
  db::Pool* const pool_;
};

}  // namespace iob::dispatch

#endif  // IOB_SERVICES_DISPATCH_ORDER_STORE_H_

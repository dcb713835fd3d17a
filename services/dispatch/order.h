// The dispatch domain: orders and their versions, dispatch rules, what each
// supplier accepts, the retry policy, the OrderRequest an order version
// becomes, and what a supplier's confirmation does to an order. Plain values
// and rules; no I/O.
//
// The order's content (lines, addresses, contact) is the API's OrderContent
// message: dispatch carries it from the platform to the supplier and checks
// it, but does not own its meaning, so it is kept as it came (stored as
// JSON) instead of being copied into a parallel struct.
#ifndef IOB_SERVICES_DISPATCH_ORDER_H_
#define IOB_SERVICES_DISPATCH_ORDER_H_

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "iob/dispatch/v1/dispatch_service.pb.h"
#include "libs/cxml/decimal.h"
#include "libs/cxml/model.h"
#include "libs/supplier/endpoint.h"

namespace iob::dispatch {

namespace pb = ::iob::dispatch::v1;

inline constexpr char kOrderPattern[] = "tenants/{tenant}/orders/{order}";
inline constexpr char kRulePattern[] = "tenants/{tenant}/integrations/{integration}/dispatchRule";

enum class OrderState {
  kQueued,
  kSending,
  kDelivered,
  kConfirmed,
  kPartiallyConfirmed,
  kBackordered,
  kShipped,
  kRejected,
  kFailed,
  kCancelled,
};

// "queued", "sending", ..., "partially_confirmed", ...: the column value and
// metric label.
absl::string_view StateText(OrderState state);
std::optional<OrderState> ParseState(absl::string_view text);

// The order types of cXML OrderRequestHeader@type.
enum class ChangeType { kNew, kUpdate, kDelete };
absl::string_view ChangeTypeText(ChangeType type);  // "new", "update", "delete"
std::optional<ChangeType> ParseChangeType(absl::string_view text);

// How an order goes to its supplier, fixed from the rule when it is
// submitted: a cXML OrderRequest, or the purchase order PDF by e-mail.
enum class Channel { kCxml, kEmail };
absl::string_view ChannelText(Channel channel);  // "cxml", "email"
std::optional<Channel> ParseChannel(absl::string_view text);

// The rule for an integration's "order fully approved" event.
struct DispatchRule {
  std::string tenant;
  std::string integration_id;
  bool send_cxml = true;
  bool send_pdf = false;
  absl::Duration confirmation_deadline = absl::Hours(24);
  bool stored = false;  // false: the default, nothing stored
  absl::Time update_time;

  std::string Name() const;
};

// INVALID_ARGUMENT when both actions are on (a punchout supplier would get
// the order twice) or the deadline is not positive. (Whether the PDF action
// can be carried out -- an order e-mail, a relay -- is the dispatcher's
// check.)
absl::Status ValidateRule(const DispatchRule& rule);

// The channel `rule` sends orders by (e-mail when the PDF action is on).
Channel ChannelFor(const DispatchRule& rule);

// FAILED_PRECONDITION naming the rule when it sends nothing.
absl::Status CheckRuleSends(const DispatchRule& rule);

// What a supplier accepts in an OrderRequest, beyond the DTD.
struct SupplierOrderProfile {
  bool accepts_update = true;
  bool accepts_delete = true;
  bool ship_to_required = false;
  // What to do instead of an update / cancel the supplier does not take.
  std::string change_advice;
};

// The profile of `supplier` over `channel` ("amazon-business" by cXML: new
// only, ShipTo required; anything else, and every supplier by e-mail, where
// a person reads the PO: the generic profile, which takes every type).
const SupplierOrderProfile& OrderProfileFor(absl::string_view supplier,
                                            Channel channel = Channel::kCxml);

// Checks the content of an order before it is accepted: PO number, currency,
// at least one line, each line's quantity (positive decimal), part id, unit
// price (a decimal in the order's currency), unit of measure, line numbers
// (positive, unique; 0 numbers the line by position), addresses, the
// requested delivery date (YYYY-MM-DD). INVALID_ARGUMENT naming the field
// ("order.lines[2].quantity: ..."). Then what the supplier requires:
// FAILED_PRECONDITION naming the missing part ("order.ship_to: Amazon
// Business rejects an order without ShipTo (its code 001-005)").
// Numbers unnumbered lines in place.
absl::Status CheckContent(pb::OrderContent& content, const SupplierOrderProfile& profile,
                          absl::string_view supplier);

// Checks the approval evidence: an approver (with an id or e-mail and a time)
// or the Purchase button, which only an integration that does not require
// approval allows. FAILED_PRECONDITION "approval: ..." otherwise.
absl::Status CheckApproval(const pb::Approval& approval, bool approval_required);

// A line's quantity x unit price, exact, with at least 2 fraction digits.
// INVALID_ARGUMENT naming `at` ("order.lines[2]") on a malformed number.
absl::StatusOr<cxml::Decimal> LineTotal(const type::v1::LineItem& line, absl::string_view at);

// The exact sum of quantity x unit price over the lines, as a decimal string
// in the currency's usual scale (at least 2 places). INVALID_ARGUMENT on a
// malformed number.
absl::StatusOr<std::string> OrderTotal(const pb::OrderContent& content);

// Checks an update: the PO number and currency stay, and every line number
// of the previous version keeps meaning the same part (a line may change
// quantity, price or text, or be added with a new number).
// INVALID_ARGUMENT naming the field.
absl::Status CheckUpdate(const pb::OrderContent& previous, const pb::OrderContent& next);

// One version of an order: one OrderRequest, with its payloadID and
// orderDate fixed when the version is made (so every retry sends the same
// document).
struct OrderVersion {
  int version = 1;
  ChangeType type = ChangeType::kNew;
  std::string payload_id;
  std::string document_reference;  // payloadID of the previous version
  std::string order_date;          // cXML timestamp
  std::string reason;              // for a cancellation
  pb::OrderContent content;
};

// An order as the store keeps it (without its history; see OrderDetails).
struct Order {
  std::string tenant;
  std::string id;
  std::string integration;  // resource name
  std::string supplier;
  std::string po_number;
  bool test = false;
  Channel channel = Channel::kCxml;
  OrderState state = OrderState::kQueued;
  int version = 1;
  int delivered_version = 0;
  std::string session;
  pb::Approval approval;
  std::string total;
  std::string currency;
  std::string failure_reason;
  int attempt_count = 0;   // of the version being sent
  int attempts_total = 0;  // over the order's life
  std::optional<absl::Time> first_attempt_time;
  absl::Time next_attempt_time;
  absl::Duration confirm_deadline = absl::Hours(24);
  std::optional<absl::Time> confirm_due_time;
  bool unconfirmed = false;
  absl::Time create_time;
  absl::Time update_time;
  OrderVersion current;  // the newest version

  std::string Name() const;
};

// A new order id ("o" + 20 random lower-case hex digits): follows the id
// rule. Thread-safe.
std::string NewOrderId();

// The OrderRequest for `version` of `order`, addressed with `endpoint`'s
// credentials: payloadID and orderDate of the version, deploymentMode test
// unless the integration is in production, type, orderVersion,
// DocumentReference, lines with SupplierPartAuxiliaryID byte-exact, ShipTo on
// the header, BillTo, Contact, Comments. `timestamp` is the envelope's
// (cXML timestamp of now). INVALID_ARGUMENT when the content cannot be
// written as cXML.
absl::StatusOr<cxml::Document> BuildOrderRequest(const Order& order, const OrderVersion& version,
                                                 const supplier::SupplierEndpoint& endpoint,
                                                 const std::string& timestamp);

// Exponential backoff with full jitter, and when to give up.
struct RetryPolicy {
  absl::Duration base = absl::Seconds(1);
  absl::Duration max_delay = absl::Minutes(5);
  int max_attempts = 12;
  absl::Duration max_age = absl::Hours(24);

  // The bound of the wait after failed attempt `attempt` (1-based):
  // min(max_delay, base * 2^(attempt-1)).
  absl::Duration Ceiling(int attempt) const;
  // A uniformly random wait in [0, Ceiling(attempt)].
  absl::Duration NextDelay(int attempt, std::mt19937_64& rng) const;
  // True when no attempt may follow attempt `attempts` (made since
  // `first_attempt`) at `now`.
  bool Exhausted(int attempts, absl::Time first_attempt, absl::Time now) const;
};

// What a ConfirmationRequest of `type` ("accept", "detail", "backordered",
// "reject", "except", ...) makes of an order in `state`, or nullopt when it
// changes nothing (an accept after shipping; anything while a newer version
// is queued or being sent, which the workers own). A reject rejects even
// after delivery (a late reject).
std::optional<OrderState> StateAfterConfirmation(OrderState state, absl::string_view type);

// What a ShipNoticeRequest makes of an order in `state`: shipped, unless it
// was rejected or a newer version is queued or being sent (the workers own
// it until the supplier has that version).
std::optional<OrderState> StateAfterShipment(OrderState state);

// True when the order can take a confirmation or shipment: some version
// reached the supplier and the order is not failed or cancelled.
bool AcceptsFulfillment(const Order& order);

// `document` written for the exchange log: every SharedSecret replaced by
// "[redacted]" ("" when it cannot be written).
std::string MaskedDocument(const cxml::Document& document);

}  // namespace iob::dispatch

#endif  // IOB_SERVICES_DISPATCH_ORDER_H_

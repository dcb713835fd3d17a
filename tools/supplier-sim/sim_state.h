// The simulator's in-memory state: punchout groups (the credentials a buyer's
// administrator copies into iob), punchout sessions with their carts, and
// the purchase orders received. Nothing is persisted; a restart forgets
// everything except --seed-group.
#ifndef IOB_TOOLS_SUPPLIER_SIM_SIM_STATE_H_
#define IOB_TOOLS_SUPPLIER_SIM_SIM_STATE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/cxml/model.h"

namespace iob::sim {

// How the checkout page posts the PunchOutOrderMessage back to the buyer.
enum class CartEncoding {
  kUrlEncoded,  // form field "cxml-urlencoded": the XML itself
  kBase64,      // form field "cxml-base64": base64 of the XML bytes
};

// "urlencoded" / "base64".
std::string_view CartEncodingName(CartEncoding encoding);
// Parses "urlencoded" / "base64" (also "cxml-urlencoded" / "cxml-base64").
// INVALID_ARGUMENT otherwise.
absl::StatusOr<CartEncoding> ParseCartEncoding(std::string_view text);

// A punchout group: what Amazon's "Configure purchasing system" page shows.
struct Group {
  std::string from_identity;  // expected in Header/From and Header/Sender
  std::string shared_secret;  // expected in Header/Sender
  CartEncoding cart_encoding = CartEncoding::kUrlEncoded;
  // false: Amazon's rules, OrderRequest type "new" only. true: a generic
  // cXML supplier that also takes type "update" and "delete".
  bool accepts_changes = false;
};

// One line of a shop session's cart, already in the shape it is posted back
// in. (Not punchout's CartLine: this is the supplier's side.)
struct ShopLine {
  // Stable id used in form field names and data-testid attributes: the SKU
  // when it is [A-Za-z0-9-] and unique in the cart, otherwise "line-<n>".
  std::string key;
  std::string quantity;  // decimal string
  cxml::ItemId item_id;
  cxml::ItemDetail item_detail;
};

// The supplier's side of a punchout session: the shop a buyer's user is
// sent to, created by a successful PunchOutSetupRequest. (Not punchout's
// Session, which is iob's side.)
struct ShopSession {
  std::string token;  // in the StartPage URL: /shop/<token>
  std::string group_identity;
  cxml::Credential buyer_credential;  // the From credential that matched
  std::string setup_payload_id;       // echoed as Message@inReplyTo
  cxml::PunchOutOperation operation = cxml::PunchOutOperation::kCreate;
  std::string buyer_cookie;
  std::string browser_form_post_url;
  std::vector<cxml::Extrinsic> extrinsics;  // UserEmail, UniqueName, ...
  std::optional<cxml::Address> ship_to;
  std::vector<cxml::ItemOut> request_items;  // as received (edit / inspect)
  CartEncoding cart_encoding = CartEncoding::kUrlEncoded;
  std::vector<ShopLine> cart;
  std::vector<std::string> notes;  // shown on the shop page (e.g. dropped lines)
  int checkouts = 0;
};

// Returns the plain text of the extrinsic named `name` (case-sensitive), or
// "" when absent.
std::string ExtrinsicText(const std::vector<cxml::Extrinsic>& extrinsics, std::string_view name);

// Punchout groups by From identity. Thread-safe.
class GroupRegistry {
 public:
  // Adds `group`. ALREADY_EXISTS when the identity is taken;
  // INVALID_ARGUMENT for an empty identity or secret.
  absl::Status Add(const Group& group);
  // Returns a copy of the group, or nullopt.
  std::optional<Group> Find(const std::string& from_identity) const;
  // All groups, ordered by identity.
  std::vector<Group> List() const;
  // Changes the cart encoding; NOT_FOUND for an unknown identity.
  absl::Status SetCartEncoding(const std::string& from_identity, CartEncoding encoding);

  // Authenticates an inbound document's header the way the supplier does:
  // a From credential (any domain) must name a group, and a Sender
  // credential with that same identity must carry the group's shared secret
  // (constant-time compare). Returns the group and the From credential that
  // named it, or UNAUTHENTICATED with a reason that never holds a secret.
  absl::StatusOr<std::pair<Group, cxml::Credential>> Authenticate(const cxml::Header& header) const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, Group> groups_ ABSL_GUARDED_BY(mu_);
};

// Shop sessions by token, oldest evicted beyond `max_sessions`. Thread-safe.
class ShopSessions {
 public:
  explicit ShopSessions(size_t max_sessions = 1000) : max_sessions_(max_sessions) {}

  // Stores `session` under session.token (replacing one with that token).
  void Put(ShopSession session);
  // Returns a copy, or nullopt for an unknown token.
  std::optional<ShopSession> Get(const std::string& token) const;
  // Runs `mutate` on the stored session under the lock and returns a copy of
  // the result; NOT_FOUND for an unknown token, or the status `mutate`
  // returns (the session is left as `mutate` left it).
  absl::StatusOr<ShopSession> Update(const std::string& token,
                                     const std::function<absl::Status(ShopSession&)>& mutate);
  size_t size() const;

 private:
  const size_t max_sessions_;
  mutable absl::Mutex mu_;
  std::map<std::string, ShopSession> sessions_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> order_ ABSL_GUARDED_BY(mu_);  // tokens, oldest first
};

// One OrderRequest as received (whatever the answer was).
struct OrderReceipt {
  std::string order_id;
  std::string payload_id;
  std::string type;                // "new" | "update" | "delete"
  std::string version;             // OrderRequestHeader@orderVersion, "" when absent
  std::string document_reference;  // DocumentReference@payloadID, "" when absent
  cxml::DeploymentMode deployment_mode = cxml::DeploymentMode::kProduction;
  bool accepted = false;  // answered cXML 200
};

// Everything received for one orderID.
struct OrderRecord {
  std::string order_id;
  int64_t received = 0;                          // receipts, duplicates included
  int64_t accepted = 0;                          // receipts answered 200
  std::map<std::string, int64_t> payload_ids;    // payloadID -> receipts
  std::set<std::string> accepted_payload_ids;    // payloadIDs answered 200 at least once
  std::vector<std::string> types;                // distinct, first seen first
  std::vector<std::string> versions;             // distinct non-empty, first seen first
  std::vector<std::string> document_references;  // distinct non-empty, first seen first
  std::string last_payload_id;
  cxml::DeploymentMode deployment_mode = cxml::DeploymentMode::kProduction;  // of the last
};

// What Record tells the caller about a receipt's payloadID.
struct ReceiptHistory {
  bool duplicate = false;        // the payloadID had been received before
  bool accepted_before = false;  // ... and answered 200 for this orderID
};

// Totals over every receipt since the last Reset.
struct OrderTotals {
  int64_t received = 0;
  int64_t duplicates = 0;  // receipts whose payloadID had been received before
};

// The purchase orders received, by orderID; beyond `max_orders` the order
// first received longest ago is forgotten (with its payloadIDs). Thread-safe.
class OrderBook {
 public:
  explicit OrderBook(size_t max_orders = 100000) : max_orders_(max_orders) {}

  // Counts one receipt and returns what had been seen of its payloadID
  // before (so a repeated, already accepted order is not fulfilled twice).
  ReceiptHistory Record(const OrderReceipt& receipt);
  // Every order kept, first received first.
  std::vector<OrderRecord> List() const;
  // A copy of one order, or nullopt.
  std::optional<OrderRecord> Find(const std::string& order_id) const;
  OrderTotals Totals() const;
  // Forgets every order and the totals.
  void Reset();

 private:
  const size_t max_orders_;
  mutable absl::Mutex mu_;
  std::map<std::string, OrderRecord> orders_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> arrival_ ABSL_GUARDED_BY(mu_);  // orderIDs, first received first
  // Receipts per payloadID over all kept orders (for duplicates).
  std::map<std::string, int64_t> payload_ids_ ABSL_GUARDED_BY(mu_);
  OrderTotals totals_ ABSL_GUARDED_BY(mu_);
};

// The base URL written into StartPage and credential URLs
// ("http://127.0.0.1:8200", no trailing slash). Thread-safe.
class PublicUrl {
 public:
  void Set(std::string url);
  std::string Get() const;

 private:
  mutable absl::Mutex mu_;
  std::string url_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_SIM_STATE_H_

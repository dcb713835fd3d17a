// The simulator's in-memory state: punchout groups (the credentials a buyer's
// administrator copies into iob) and punchout sessions with their carts.
// Nothing is persisted; a restart forgets everything except --seed-group.
#ifndef IOB_TOOLS_SUPPLIER_SIM_SIM_STATE_H_
#define IOB_TOOLS_SUPPLIER_SIM_SIM_STATE_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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

// The punchout domain: sessions, carts and the rules between them, and the
// translation to and from cXML documents. No I/O.
#ifndef IOB_SERVICES_PUNCHOUT_SESSION_H_
#define IOB_SERVICES_PUNCHOUT_SESSION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/cxml/model.h"
#include "libs/supplier/endpoint.h"

namespace iob::punchout {

enum class Operation { kCreate, kEdit, kInspect };
enum class SessionState { kCreated, kStarted, kCartReceived, kCheckedOut, kExpired, kFailed };

std::string OperationText(Operation op);    // "create"
std::string StateText(SessionState state);  // "cart_received"
absl::StatusOr<Operation> ParseOperation(const std::string& text);
absl::StatusOr<SessionState> ParseState(const std::string& text);

struct User {
  std::string id;
  std::string email;
  std::string name;
};

struct Money {
  std::string amount;  // decimal string
  std::string currency;
};

struct ShipTo {
  std::string name;
  std::vector<std::string> street;
  std::string city, state, postal_code, country_code, country;
};

struct CartLine {
  int line_number = 0;
  std::string quantity;
  std::string supplier_part_id;
  std::string supplier_part_auxiliary_id;  // verbatim inner XML
  std::string description;
  Money unit_price;
  std::string unit_of_measure;
  std::vector<std::pair<std::string, std::string>> classifications;  // domain, code
  std::string manufacturer_part_id;
  std::string manufacturer_name;
};

struct Cart {
  std::vector<CartLine> lines;
  Money total;
  std::optional<Money> shipping;
  std::optional<Money> tax;
  std::string operation_allowed;
  absl::Time receive_time;
};

// The integration's endpoint, from the credentials service (libs/supplier).
using supplier::SupplierEndpoint;

// A session's resource name (see libs/runtime/resource_name.h).
inline constexpr char kSessionPattern[] = "tenants/{tenant}/sessions/{session}";

struct Session {
  std::string tenant;
  std::string id;
  std::string integration;
  std::string supplier;
  User user;
  Operation operation = Operation::kCreate;
  SessionState state = SessionState::kCreated;
  std::string buyer_cookie;
  std::string post_token_sha256;
  std::string start_page_url;
  bool approval_required = true;
  std::string failure_reason;
  std::string cart_body_sha256;
  absl::Time expire_time;
  absl::Time create_time;
  absl::Time update_time;

  std::string Name() const;  // tenants/{tenant}/sessions/{id}
  // True once `now` is past the expiry and the session still waits for a cart.
  bool ExpiredAt(absl::Time now) const;
};

// Checks StartSession input: user e-mail (required, one @, bounded), names
// and ids bounded without control characters, lines only for edit/inspect
// with non-negative decimal quantities and prices in one currency, and
// bounded line texts: description (tabs and line breaks allowed), the
// auxiliary id (a well-formed XML fragment), classifications, manufacturer.
// INVALID_ARGUMENT naming the field.
absl::Status ValidateStart(const User& user, Operation op, const std::optional<ShipTo>& ship_to,
                           const std::vector<CartLine>& lines);

// The PunchOutSetupRequest for a session: the user's e-mail wherever Amazon
// reads it (Extrinsic UserEmail, Contact, ShipTo), UniqueName, and
// UserBusinessUnit when configured; ItemOut lines for edit/inspect.
cxml::Document BuildSetupRequest(const Session& session, const SupplierEndpoint& endpoint,
                                 const std::string& browser_form_post_url,
                                 const std::optional<ShipTo>& ship_to,
                                 const std::vector<CartLine>& lines, const std::string& payload_id,
                                 absl::Time now);

// Checks a StartPage URL a supplier answered with before the user's browser
// is sent there: an absolute https URL (http only for a host in
// `plain_http_hosts`, the egress policy's "host" or "host:port" entries) of
// at most 4096 bytes, on a host that matches `allowed_hosts` (the
// integration's allow-list, see http::HostMatches; empty = any host).
// FAILED_PRECONDITION "supplier StartPage URL refused: ..." naming the rule
// and the host, never the path. Resolves nothing. Thread-safe.
absl::Status CheckStartPageUrl(const std::string& url,
                               const std::vector<std::string>& allowed_hosts,
                               const std::vector<std::string>& plain_http_hosts);

// Checks a cart's money with exact decimals and sets its total to the
// computed one. Every line quantity and unit price, the stated total,
// shipping and tax must be non-negative plain decimals (at most 9 fraction
// digits) in the total's currency. The computed total is the sum of quantity
// x unit price, or that plus shipping and tax: whichever the stated total
// matches within 0.01 per line (at least 0.01). `cart.total` keeps the
// stated text when it equals the computed total exactly, and is the computed
// total otherwise. INVALID_ARGUMENT, with a message fit for the user, when a
// rule fails or the stated total matches neither sum.
absl::Status PriceCart(Cart& cart);

// The cart in a PunchOutOrderMessage, priced by PriceCart. INVALID_ARGUMENT
// when a line lacks a price or currency, currencies are mixed, an amount is
// negative or not a decimal, the stated Total is not what the lines add up
// to, or an identifier exceeds its bound (part ids 256 bytes, auxiliary id
// 4096, unit of measure 32, manufacturer fields 256, classifications 32 of
// 256 bytes each); descriptions are cut to 2000 bytes. Messages quote at
// most a few bytes of the supplier's text.
absl::StatusOr<Cart> CartFromOrderMessage(const cxml::PunchOutOrderMessage& message);

}  // namespace iob::punchout

#endif  // IOB_SERVICES_PUNCHOUT_SESSION_H_

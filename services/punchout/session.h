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
// with decimal quantities and prices. INVALID_ARGUMENT naming the field.
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

// The cart in a PunchOutOrderMessage. INVALID_ARGUMENT when a line lacks a
// price or currency, or currencies are mixed.
absl::StatusOr<Cart> CartFromOrderMessage(const cxml::PunchOutOrderMessage& message);

}  // namespace iob::punchout

#endif  // IOB_SERVICES_PUNCHOUT_SESSION_H_

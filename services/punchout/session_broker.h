// Runs punchout sessions: resolves the integration, sends the
// PunchOutSetupRequest through the egress policy, receives the cart the
// supplier's page posts back, and checks it out. Rules live in session.h,
// SQL in session_store.h; this class sequences them and measures.
#ifndef IOB_SERVICES_PUNCHOUT_SESSION_BROKER_H_
#define IOB_SERVICES_PUNCHOUT_SESSION_BROKER_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/db/idempotency.h"
#include "libs/http/client.h"
#include "libs/supplier/credentials_client.h"
#include "libs/supplier/endpoint.h"
#include "libs/supplier/exchange.h"
#include "services/punchout/session.h"
#include "services/punchout/session_store.h"

namespace iob::punchout {

struct BrokerOptions {
  // Base of the BrowserFormPost URL the supplier's page posts the cart to
  // (this service's HTTP edge as the user's browser reaches it).
  std::string public_url = "http://127.0.0.1:8102";
  absl::Duration session_ttl = absl::Hours(1);
  std::string host_name = "iob.local";  // for payloadIDs
  // The egress policy's plain-http hosts ("host" or "host:port"): the only
  // hosts a supplier's StartPage URL may name over http (CheckStartPageUrl).
  std::vector<std::string> plain_http_hosts;
};

struct StartRequest {
  std::string tenant;
  std::string integration;  // tenants/{tenant}/integrations/{id} of `tenant` (checked at the edge)
  User user;
  Operation operation = Operation::kCreate;
  std::optional<ShipTo> ship_to;
  std::vector<CartLine> lines;
  db::RequestKey key;  // the StartSession call's idempotency key
};

// The outcome of a cart post to the BrowserFormPost URL, for the HTTP edge
// (which turns `status` into the HTTP status of the page it shows).
struct CartPostResult {
  // OK when the cart was stored now or is an identical repeat (`repeat`).
  // Otherwise the code says why and the message is safe to show the user:
  //   NOT_FOUND            no session has this token
  //   FAILED_PRECONDITION  the session expired or failed: no longer open
  //   ALREADY_EXISTS       the session already received a different cart
  //   INVALID_ARGUMENT     the post is not a PunchOutOrderMessage of this session
  //   UNAVAILABLE          the session or the cart could not be read or stored
  absl::Status status;
  // The session the token names, whenever it was found (errors included), so
  // the page can link back to the platform.
  std::optional<Session> session;
  // The cart when `status` is OK (absent on a repeat whose stored cart
  // cannot be read back).
  std::optional<Cart> cart;
  // True when an identical cart had already been received.
  bool repeat = false;
};

struct RequisitionDraft {
  Session session;
  Cart cart;
};

// Thread-safe; borrows its collaborators.
class SessionBroker {
 public:
  SessionBroker(BrokerOptions options, supplier::CredentialsClient* credentials,
                http::HttpClient* http, SessionStore* store, prometheus::Registry* registry);

  absl::StatusOr<std::vector<supplier::SupplierTile>> ListSuppliers(const std::string& tenant);

  // INVALID_ARGUMENT for bad input; the peer's NOT_FOUND / FAILED_PRECONDITION
  // for the integration; FAILED_PRECONDITION when the supplier rejects us or
  // answers with a StartPage URL the integration does not allow;
  // UNAVAILABLE when it cannot be reached or answers with a transient error.
  // A failed session keeps the error message (at most 500 bytes, the
  // integration's secret scrubbed) as its failure_reason.
  absl::StatusOr<Session> Start(const StartRequest& request);

  // Handles a post to the BrowserFormPost URL with one-time `token`: reads
  // `body` with supplier::DecodeInbound (`content_type` is the request's
  // Content-Type), checks the BuyerCookie and stores the cart. An identical
  // repeat is OK; the error codes are listed at CartPostResult.
  CartPostResult ReceiveCart(const std::string& token, const std::string& body,
                             const std::string& content_type);

  // Checks out the session's cart (cart_received -> checked_out; a repeat
  // returns the same draft). The integration is read again first, so its
  // current state and approval switch apply, not those from the session's
  // start: FAILED_PRECONDITION when it is disabled or deleted, or when no
  // cart arrived; UNAVAILABLE when the credentials service cannot say. The
  // draft's total is the one computed from the lines (PriceCart).
  absl::StatusOr<RequisitionDraft> Checkout(const std::string& tenant, const std::string& id);

  // Marks sessions past their expiry; returns how many.
  absl::StatusOr<int> ExpireDue();

  // Sets BrokerOptions::public_url once the cart endpoint's port is known.
  // Call before serving; not thread-safe with Start.
  void set_public_url(std::string url) { options_.public_url = std::move(url); }

 private:
  struct SetupResult {
    supplier::Outcome outcome;
    absl::StatusOr<std::string> start_page_url;  // or why the setup failed
  };
  // Sends the PunchOutSetupRequest and checks the StartPage URL it returns.
  SetupResult SendSetupRequest(const Session& session, const SupplierEndpoint& endpoint,
                               const StartRequest& request, const std::string& post_url);

  BrokerOptions options_;
  supplier::CredentialsClient* credentials_;
  http::HttpClient* http_;
  SessionStore* store_;
  prometheus::Family<prometheus::Counter>* started_;
  prometheus::Family<prometheus::Histogram>* setup_seconds_;
  prometheus::Family<prometheus::Counter>* carts_;
  prometheus::Counter* expired_;
};

}  // namespace iob::punchout

#endif  // IOB_SERVICES_PUNCHOUT_SESSION_BROKER_H_

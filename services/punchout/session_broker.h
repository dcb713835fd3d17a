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
#include "libs/http/client.h"
#include "services/punchout/credentials_client.h"
#include "services/punchout/session.h"
#include "services/punchout/session_store.h"

namespace iob::punchout {

struct BrokerOptions {
  // Base of the BrowserFormPost URL the supplier's page posts the cart to
  // (this service's HTTP edge as the user's browser reaches it).
  std::string public_url = "http://127.0.0.1:8102";
  absl::Duration session_ttl = absl::Hours(1);
  std::string host_name = "iob.local";  // for payloadIDs
};

struct StartRequest {
  std::string tenant;
  std::string integration;
  User user;
  Operation operation = Operation::kCreate;
  std::optional<ShipTo> ship_to;
  std::vector<CartLine> lines;
  std::string request_id;
};

// The outcome of a cart post, for the HTML page.
struct CartPostResult {
  int http_status = 200;
  std::string message;  // safe to show the user
  std::optional<Session> session;
  std::optional<Cart> cart;
};

struct RequisitionDraft {
  Session session;
  Cart cart;
};

// Thread-safe; borrows its collaborators.
class SessionBroker {
 public:
  SessionBroker(BrokerOptions options, CredentialsClient* credentials, http::HttpClient* http,
                SessionStore* store, prometheus::Registry* registry);

  absl::StatusOr<std::vector<SupplierTile>> ListSuppliers(const std::string& tenant);

  // INVALID_ARGUMENT for bad input; the peer's NOT_FOUND / FAILED_PRECONDITION
  // for the integration; FAILED_PRECONDITION when the supplier rejects us;
  // UNAVAILABLE when it cannot be reached or answers with a transient error.
  absl::StatusOr<Session> Start(const StartRequest& request);

  // Handles a post to the BrowserFormPost URL with one-time `token`:
  // 404 unknown, 410 expired or failed, 409 a different cart for a session
  // that already has one (an identical repeat is 200), 400 for a body that is
  // not a PunchOutOrderMessage of this session.
  CartPostResult ReceiveCart(const std::string& token, const std::string& body);

  absl::StatusOr<RequisitionDraft> Checkout(const std::string& tenant, const std::string& id);

  // Marks sessions past their expiry; returns how many.
  absl::StatusOr<int> ExpireDue();

  // Sets BrokerOptions::public_url once the cart endpoint's port is known.
  // Call before serving; not thread-safe with Start.
  void set_public_url(std::string url) { options_.public_url = std::move(url); }

 private:
  // Sends the PunchOutSetupRequest; on success sets the StartPage URL.
  // `outcome` is the metric label either way.
  absl::Status SendSetupRequest(const Session& session, const SupplierEndpoint& endpoint,
                                const StartRequest& request, const std::string& post_url,
                                std::string* start_page_url, std::string* outcome);

  BrokerOptions options_;
  CredentialsClient* credentials_;
  http::HttpClient* http_;
  SessionStore* store_;
  prometheus::Family<prometheus::Counter>* started_;
  prometheus::Family<prometheus::Histogram>* setup_seconds_;
  prometheus::Family<prometheus::Counter>* carts_;
  prometheus::Counter* expired_;
};

}  // namespace iob::punchout

#endif  // IOB_SERVICES_PUNCHOUT_SESSION_BROKER_H_

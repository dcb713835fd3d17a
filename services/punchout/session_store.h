// The only place the punchout service runs SQL: sessions, carts and cart
// lines in the `punchout` schema.
#ifndef IOB_SERVICES_PUNCHOUT_SESSION_STORE_H_
#define IOB_SERVICES_PUNCHOUT_SESSION_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/db/idempotency.h"
#include "libs/db/pool.h"
#include "services/punchout/session.h"

namespace iob::punchout {

// Thread-safe (the pool is).
class SessionStore {
 public:
  explicit SessionStore(db::Pool* pool) : pool_(pool) {}

  // Inserts a new session, claiming `key` (libs/db/idempotency.h) in the same
  // transaction. When `key` was used before for the same request, returns
  // that session instead (and `*replayed` = true); INVALID_ARGUMENT when it
  // was used for a different one.
  absl::StatusOr<Session> Create(const Session& session, const db::RequestKey& key, bool* replayed);

  // NOT_FOUND "session tenants/t/sessions/s not found".
  absl::StatusOr<Session> Get(const std::string& tenant, const std::string& id);
  // NOT_FOUND when no session has this one-time token.
  absl::StatusOr<Session> FindByPostToken(const std::string& token_sha256);

  // Newest first; `after` is the page cursor ("" = first page).
  absl::StatusOr<std::vector<Session>> List(const std::string& tenant,
                                            std::optional<SessionState> state,
                                            const std::string& after, int limit);
  // The cursor to continue after `s`.
  static std::string Cursor(const Session& s);

  absl::Status MarkStarted(const Session& s, const std::string& start_page_url);
  // Also releases `key`, the request that started the session, so a retry
  // starts afresh.
  absl::Status MarkFailed(const Session& s, const std::string& reason, const db::RequestKey& key);
  // Marks one session expired if it still waits for a cart.
  absl::Status MarkExpired(const Session& s);
  // Marks every session past its expiry; returns how many.
  absl::StatusOr<int> ExpireDue();

  // Stores the cart of a session still waiting for one (created or started)
  // and moves it to cart_received, remembering the body's hash. ABORTED when
  // another post won the race.
  absl::Status SaveCart(const Session& s, const Cart& cart, const std::string& body_sha256);

  // FAILED_PRECONDITION when no cart arrived yet.
  absl::StatusOr<Cart> GetCart(const std::string& tenant, const std::string& id);

  // cart_received -> checked_out (checked_out stays), recording
  // `approval_required` as the integration says at checkout;
  // FAILED_PRECONDITION from any other state. Returns the session after the
  // change.
  absl::StatusOr<Session> Checkout(const std::string& tenant, const std::string& id,
                                   bool approval_required);

 private:
  db::Pool* pool_;  // not owned
};

}  // namespace iob::punchout

#endif  // IOB_SERVICES_PUNCHOUT_SESSION_STORE_H_

// Idempotent mutating calls, one design for every service. Each schema has a
// table `request_ids` (tenant, method, request_id -> resource, request_hash);
// a call claims its key in the same transaction as its effect, so the claim
// and the effect commit or vanish together:
//   - a new key: the call goes ahead;
//   - the same key with the same request: the first call's resource is
//     returned and the call must answer with it, doing nothing new;
//   - the same key with a different request (or resource): INVALID_ARGUMENT;
//   - two concurrent calls with one key: the second waits on the first's
//     row lock, then sees its committed claim (never ALREADY_EXISTS), or makes
//     its own claim if the first rolled back.
// Table DDL (each service's migrations):
//   CREATE TABLE request_ids (tenant text, method text, request_id text,
//     resource text NOT NULL, request_hash text NOT NULL,
//     create_time timestamptz NOT NULL DEFAULT now(),
//     PRIMARY KEY (tenant, method, request_id));
#ifndef IOB_LIBS_DB_IDEMPOTENCY_H_
#define IOB_LIBS_DB_IDEMPOTENCY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace iob::db {

// The idempotency key of one call. An empty request_id makes the call not
// idempotent: nothing is claimed or stored.
struct RequestKey {
  std::string tenant;
  std::string method;        // "CreateIntegration"
  std::string request_id;    // the caller's
  std::string request_hash;  // of the request without its request_id
};

// Claims `key` for `resource` (the resource name the call acts on) inside
// `tx`. Returns nullopt when the call should go ahead, or the resource a
// previous call with this key and request acted on. INVALID_ARGUMENT
// "request_id: ..." when the key was used for a different request. libpqxx
// exceptions propagate (the Pool turns them into a Status). Call it before
// the effect, in the same transaction.
absl::StatusOr<std::optional<std::string>> ClaimRequest(pqxx::transaction_base& tx,
                                                        const RequestKey& key,
                                                        const std::string& resource);

// Removes the claim of `key`: for a call whose effect failed after its claim
// committed (a supplier call between two transactions), so that a retry
// starts afresh.
void ReleaseRequest(pqxx::transaction_base& tx, const RequestKey& key);

}  // namespace iob::db

#endif  // IOB_LIBS_DB_IDEMPOTENCY_H_

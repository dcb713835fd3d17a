#include "libs/db/idempotency.h"

#include <pqxx/pqxx>

#include "libs/common/invalid_field.h"
#include "libs/db/prepared.h"

namespace iob::db {

absl::StatusOr<std::optional<std::string>> ClaimRequest(pqxx::transaction_base& tx,
                                                        const RequestKey& key,
                                                        const std::string& resource) {
  if (key.request_id.empty()) return std::nullopt;
  // ON CONFLICT waits for a concurrent claimer to finish: after its commit
  // the conflict is seen and the SELECT below reads its row.
  static const Statement* kClaim =
      new Statement{"iob.claim_request",
                    "INSERT INTO request_ids (tenant, method, request_id, resource, request_hash) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1"};
  const pqxx::result claimed =
      ExecPrepared(tx, *kClaim, key.tenant, key.method, key.request_id, resource, key.request_hash);
  if (!claimed.empty()) return std::nullopt;
  const pqxx::row seen = tx.exec_params1(
      "SELECT resource, request_hash FROM request_ids "
      "WHERE tenant = $1 AND method = $2 AND request_id = $3",
      key.tenant, key.method, key.request_id);
  const std::string first_resource = seen[0].as<std::string>();
  const std::string first_hash = seen[1].as<std::string>();
  // Claims recorded before request hashes were kept have an empty hash.
  if (!first_hash.empty() && first_hash != key.request_hash) {
    return common::InvalidField("request_id",
                                "was already used for a different request; use a new request_id");
  }
  return first_resource;
}

void ReleaseRequest(pqxx::transaction_base& tx, const RequestKey& key) {
  if (key.request_id.empty()) return;
  tx.exec_params("DELETE FROM request_ids WHERE tenant = $1 AND method = $2 AND request_id = $3",
                 key.tenant, key.method, key.request_id);
}

}  // namespace iob::db

// The only place the credentials service runs SQL: integrations, their
// sealed secrets, the append-only audit trail and request-id idempotency,
// all in the `credentials` schema.
#ifndef IOB_SERVICES_CREDENTIALS_INTEGRATION_STORE_H_
#define IOB_SERVICES_CREDENTIALS_INTEGRATION_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/db/group_commit.h"
#include "libs/db/group_read.h"
#include "libs/db/idempotency.h"
#include "libs/db/pool.h"
#include "services/credentials/integration.h"

namespace iob::credentials {

struct AuditEntry {
  int64_t id = 0;  // assigned by the store
  std::string tenant;
  std::string integration_id;
  std::string action;  // "integration.created", "secret.rotated", ...
  std::string actor;
  int64_t secret_version = 0;
  std::vector<std::string> fields;  // names only, never values
  std::string request_id;
  absl::Time time;  // assigned by the store

  // An entry about `in` (tenant, id, current secret version).
  static AuditEntry About(const Integration& in, std::string action, std::string actor,
                          std::string request_id);
};

// What one RewrapBatch did.
struct RewrapResult {
  int rewrapped = 0;
  // Integrations (names) whose secret could not be opened, with the reason.
  std::vector<std::pair<std::string, absl::Status>> unopened;
};

// The most audit entries AppendAudit writes with one statement.
inline constexpr int kMaxAuditBatch = 32;
// The most integrations one Get query reads for concurrent callers, and how
// many such queries may run at once: one, so that under load every caller
// waiting joins the next query (measured: 2 or 4 made smaller batches and
// fewer calls per second).
inline constexpr int kMaxGetBatch = 32;
inline constexpr int kGetQueriesInFlight = 1;

// (tenant, integration id).
using IntegrationKey = std::pair<std::string, std::string>;

// Thread-safe (the pool is). Every mutation and its audit entry commit together.
class IntegrationStore {
 public:
  // `pool` (not owned) must outlive the store. Starts the audit writer
  // thread (AppendAudit). Get and AppendAudit each use at most
  // kGetQueriesInFlight and one of the pool's connections at a time.
  explicit IntegrationStore(db::Pool* pool);

  // NOT_FOUND "integration tenants/t/integrations/i not found". Concurrent
  // Gets share queries (db::GroupRead): under load one round trip answers
  // many calls, each from a query that started after it was called.
  absl::StatusOr<Integration> Get(const std::string& tenant, const std::string& id);

  // Up to `limit` integrations of `tenant` with id > after_id, by id.
  absl::StatusOr<std::vector<Integration>> List(const std::string& tenant,
                                                const std::string& after_id, int limit);

  // Inserts `in` (revision 1) and `audit`. When `key` names a request seen
  // before, returns the integration that request created instead;
  // INVALID_ARGUMENT when it named a different request (libs/db/idempotency.h).
  // ALREADY_EXISTS when the id is taken.
  absl::StatusOr<Integration> Create(const Integration& in, const AuditEntry& audit,
                                     const db::RequestKey& key);

  // Loads the row FOR UPDATE, lets `change` edit it and name the audit entry,
  // and writes it back with revision + 1. When `key` names a request seen
  // before, returns the current row unchanged (INVALID_ARGUMENT when it named
  // a different request). Errors from `change` abort the transaction and are
  // returned as is.
  absl::StatusOr<Integration> Modify(
      const std::string& tenant, const std::string& id, const db::RequestKey& key,
      const std::function<absl::StatusOr<AuditEntry>(Integration&)>& change);

  // Loads the row FOR UPDATE, lets `check` approve (etag) and name the audit
  // entry, then deletes it.
  absl::Status Delete(const std::string& tenant, const std::string& id,
                      const std::function<absl::StatusOr<AuditEntry>(const Integration&)>& check);

  // Active integrations whose From identity is `identity` (and whose From
  // domain equals `domain` ignoring case, unless it is empty), in `tenants`
  // (every tenant when nullopt; none when empty): the first `per_tenant` of
  // each tenant by id, ordered by tenant and id. The tenants are filtered
  // before the bound, so one tenant's many integrations never hide
  // another's.
  absl::StatusOr<std::vector<Integration>> FindVerifyCandidates(
      const std::string& identity, const std::string& domain,
      const std::optional<std::vector<std::string>>& tenants, int per_tenant);

  // Appends `audit` on its own and returns once it is committed (then it is
  // as durable as any commit: synchronous_commit stays on). Entries of
  // concurrent callers share one INSERT, which commits on its own
  // (db::GroupCommit, db::Pool::WriteOne): a resolve costs its share of one
  // round trip instead of a transaction. Errors as db::Pool::WriteOne;
  // DEADLINE_EXCEEDED when the call's deadline passes first (the entry may
  // still be written). Must not be called inside a transaction of the
  // store's pool.
  absl::Status AppendAudit(const AuditEntry& audit);

  // Audit events of `tenant` (optionally one integration) with id > after_id.
  absl::StatusOr<std::vector<AuditEntry>> ListAudit(const std::string& tenant,
                                                    const std::string& integration_id,
                                                    int64_t after_id, int limit);

  // How many secrets each key id seals.
  absl::StatusOr<std::map<std::string, int64_t>> CountByKey();

  // Re-seals, in one transaction, up to `limit` secrets not sealed with
  // `primary_key_id` under `aad_scheme`, except the integrations named in
  // `skip`: `reseal` opens the row's secret and seals it again in place.
  // Rows other writers hold are waited for, not skipped, so a result with
  // nothing rewrapped and nothing unopened means no such row is left. A row
  // `reseal` fails on is left as it was and reported in `unopened`.
  absl::StatusOr<RewrapResult> RewrapBatch(const std::string& primary_key_id, int aad_scheme,
                                           int limit, const std::vector<std::string>& skip,
                                           const std::function<absl::Status(Integration&)>& reseal);

 private:
  db::Pool* pool_;  // not owned
  db::GroupRead<IntegrationKey, Integration> reads_;
  db::GroupCommit<AuditEntry> audit_log_;
};

}  // namespace iob::credentials

#endif  // IOB_SERVICES_CREDENTIALS_INTEGRATION_STORE_H_

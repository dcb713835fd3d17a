#include "services/credentials/integration_store.h"

#include <map>
#include <pqxx/pqxx>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/db/prepared.h"
#include "libs/db/row.h"
#include "libs/runtime/resource_name.h"

namespace iob::credentials {
namespace {

const std::string& Columns() {
  static const std::string* kColumns = new std::string(absl::StrCat(
      "tenant, integration_id, supplier, display_name, marketplace, from_domain, from_identity, "
      "to_domain, to_identity, sender_domain, sender_identity, punchout_url, order_url, mode, "
      "require_approval, payment_method, state, user_business_unit, order_email, revision, "
      "secret_ciphertext, secret_key_id, secret_version, "
      "secret_fingerprint, secret_aad_scheme, ",
      db::TimeColumn("secret_update_time"), ", ", db::TimeColumn("create_time"), ", ",
      db::TimeColumn("update_time")));
  return *kColumns;
}

Integration FromRow(const pqxx::row& row) {
  const db::Row r(row);
  Integration in;
  in.tenant = r.Text("tenant");
  in.id = r.Text("integration_id");
  in.supplier = r.Text("supplier");
  in.display_name = r.Text("display_name");
  in.marketplace = r.Text("marketplace");
  in.from = {r.Text("from_domain"), r.Text("from_identity")};
  in.to = {r.Text("to_domain"), r.Text("to_identity")};
  in.sender = {r.Text("sender_domain"), r.Text("sender_identity")};
  in.punchout_url = r.Text("punchout_url");
  in.order_url = r.Text("order_url");
  // The table's CHECK constraints allow only the texts these parse.
  in.mode = ParseMode(r.Text("mode")).value_or(Mode::kTest);
  in.require_approval = r.Bool("require_approval");
  in.payment_method =
      ParsePaymentMethod(r.Text("payment_method")).value_or(PaymentMethod::kPayByInvoice);
  in.state = ParseState(r.Text("state")).value_or(IntegrationState::kDisabled);
  in.user_business_unit = r.Text("user_business_unit");
  in.order_email = r.Text("order_email");
  in.revision = r.Int("revision");
  in.sealed_secret.blob = r.Bytes("secret_ciphertext");
  in.sealed_secret.key_id = r.Text("secret_key_id");
  in.secret_version = r.Int("secret_version");
  in.secret_fingerprint = r.Text("secret_fingerprint");
  in.secret_aad_scheme = static_cast<int>(r.Int("secret_aad_scheme"));
  in.secret_update_time = r.Time("secret_update_time");
  in.create_time = r.Time("create_time");
  in.update_time = r.Time("update_time");
  return in;
}

// One integration by key, optionally locked. Prepared: GetIntegration and
// ResolveIntegrationSecret run it on every call, and parsing and planning
// the 28-column SELECT took most of Postgres' time per call.
absl::StatusOr<Integration> SelectOne(pqxx::transaction_base& tx, const std::string& tenant,
                                      const std::string& id, bool for_update) {
  auto select = [](bool lock) {
    return new db::Statement{
        lock ? "credentials.select_integration_for_update" : "credentials.select_integration",
        absl::StrCat("SELECT ", Columns(),
                     " FROM integrations WHERE tenant = $1 AND integration_id = $2",
                     lock ? " FOR UPDATE" : "")};
  };
  static const db::Statement* kSelect[2] = {select(false), select(true)};
  IOB_ASSIGN_OR_RETURN(
      pqxx::row row,
      db::FindRow(tx, absl::StrCat("integration tenants/", tenant, "/integrations/", id),
                  *kSelect[for_update ? 1 : 0], tenant, id));
  return FromRow(row);
}

// Inserts `audits` (1..kMaxAuditBatch) with one statement, prepared per row
// count.
void InsertAudits(pqxx::transaction_base& tx, const std::vector<const AuditEntry*>& audits) {
  static const auto* kInserts = [] {
    auto* statements = new std::vector<db::Statement>;
    for (int n = 1; n <= kMaxAuditBatch; ++n) {
      std::string sql =
          "INSERT INTO audit_events (tenant, integration_id, action, actor, secret_version, "
          "fields, request_id) VALUES ";
      for (int p = 0; p < 7 * n; p += 7) {
        absl::StrAppend(&sql, p == 0 ? "" : ", ", "($", p + 1, ", $", p + 2, ", $", p + 3, ", $",
                        p + 4, ", $", p + 5, ", string_to_array($", p + 6, ", ','), $", p + 7, ")");
      }
      statements->push_back({absl::StrCat("credentials.insert_audit_", n), std::move(sql)});
    }
    return statements;
  }();
  std::vector<std::string> params;
  params.reserve(7 * audits.size());
  for (const AuditEntry* a : audits) {
    params.insert(params.end(),
                  {a->tenant, a->integration_id, a->action, a->actor,
                   absl::StrCat(a->secret_version), absl::StrJoin(a->fields, ","), a->request_id});
  }
  db::ExecPrepared(tx, (*kInserts)[audits.size() - 1], pqxx::prepare::make_dynamic_params(params));
}

void InsertAudit(pqxx::transaction_base& tx, const AuditEntry& a) { InsertAudits(tx, {&a}); }

// The integrations `keys` name (1..kMaxGetBatch, possibly repeated) with one
// statement, prepared per number of distinct keys; NOT_FOUND for a key with
// no row.
std::vector<absl::StatusOr<Integration>> SelectMany(
    pqxx::transaction_base& tx, const std::vector<const IntegrationKey*>& keys) {
  static const auto* kSelects = [] {
    auto* statements = new std::vector<db::Statement>;
    for (int n = 1; n <= kMaxGetBatch; ++n) {
      std::string sql = absl::StrCat("SELECT ", Columns(),
                                     " FROM integrations WHERE (tenant, integration_id) IN (");
      for (int p = 1; p < 2 * n; p += 2) {
        absl::StrAppend(&sql, p == 1 ? "" : ", ", "($", p, ", $", p + 1, ")");
      }
      statements->push_back({absl::StrCat("credentials.select_integrations_", n), sql + ")"});
    }
    return statements;
  }();
  std::set<IntegrationKey> distinct;
  std::vector<std::string> params;
  for (const IntegrationKey* key : keys) {
    if (distinct.insert(*key).second) params.insert(params.end(), {key->first, key->second});
  }
  std::map<IntegrationKey, Integration> found;
  for (const auto& row : db::ExecPrepared(tx, (*kSelects)[distinct.size() - 1],
                                          pqxx::prepare::make_dynamic_params(params))) {
    Integration in = FromRow(row);
    IntegrationKey key{in.tenant, in.id};
    found.emplace(std::move(key), std::move(in));
  }
  std::vector<absl::StatusOr<Integration>> out;
  out.reserve(keys.size());
  for (const IntegrationKey* key : keys) {
    auto it = found.find(*key);
    if (it == found.end()) {
      out.push_back(absl::NotFoundError(absl::StrCat("integration tenants/", key->first,
                                                     "/integrations/", key->second, " not found")));
    } else {
      out.push_back(it->second);
    }
  }
  return out;
}

std::string Base64(const std::string& bytes) { return absl::Base64Escape(bytes); }

}  // namespace

AuditEntry AuditEntry::About(const Integration& in, std::string action, std::string actor,
                             std::string request_id) {
  AuditEntry a;
  a.tenant = in.tenant;
  a.integration_id = in.id;
  a.action = std::move(action);
  a.actor = std::move(actor);
  a.secret_version = in.secret_version;
  a.request_id = std::move(request_id);
  return a;
}

absl::StatusOr<Integration> IntegrationStore::Get(const std::string& tenant,
                                                  const std::string& id) {
  return reads_.Read({tenant, id});
}

absl::StatusOr<std::vector<Integration>> IntegrationStore::List(const std::string& tenant,
                                                                const std::string& after_id,
                                                                int limit) {
  return pool_->ReadOne(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Integration>> {
        pqxx::result r = tx.exec_params(
            absl::StrCat("SELECT ", Columns(),
                         " FROM integrations WHERE tenant = $1 AND integration_id > $2 "
                         "ORDER BY integration_id LIMIT $3"),
            tenant, after_id, limit);
        std::vector<Integration> out;
        for (const auto& row : r) out.push_back(FromRow(row));
        return out;
      });
}

absl::StatusOr<Integration> IntegrationStore::Create(const Integration& in, const AuditEntry& audit,
                                                     const db::RequestKey& key) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<Integration> {
    IOB_ASSIGN_OR_RETURN(auto first, db::ClaimRequest(tx, key, in.Name()));
    if (first) {
      IOB_ASSIGN_OR_RETURN(auto name,
                           runtime::ParseName(runtime::kIntegrationPattern, *first, "resource"));
      return SelectOne(tx, name.tenant, name.id, false);
    }
    if (!tx.exec_params("SELECT 1 FROM integrations WHERE tenant = $1 AND integration_id = $2",
                        in.tenant, in.id)
             .empty()) {
      return absl::AlreadyExistsError(absl::StrCat("integration ", in.Name(), " already exists"));
    }
    tx.exec_params(
        "INSERT INTO integrations (tenant, integration_id, supplier, display_name, marketplace, "
        "from_domain, from_identity, to_domain, to_identity, sender_domain, sender_identity, "
        "punchout_url, order_url, mode, require_approval, payment_method, state, "
        "user_business_unit, secret_ciphertext, secret_key_id, secret_version, "
        "secret_fingerprint, secret_aad_scheme, order_email) VALUES ($1, $2, $3, $4, $5, $6, $7, "
        "$8, "
        "$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, decode($19, 'base64'), $20, $21, $22, "
        "$23, $24)",
        in.tenant, in.id, in.supplier, in.display_name, in.marketplace, in.from.domain,
        in.from.identity, in.to.domain, in.to.identity, in.sender.domain, in.sender.identity,
        in.punchout_url, in.order_url, ModeText(in.mode), in.require_approval,
        PaymentMethodText(in.payment_method), StateText(in.state), in.user_business_unit,
        Base64(in.sealed_secret.blob), in.sealed_secret.key_id, in.secret_version,
        in.secret_fingerprint, in.secret_aad_scheme, in.order_email);
    InsertAudit(tx, audit);
    return SelectOne(tx, in.tenant, in.id, false);
  });
}

absl::StatusOr<Integration> IntegrationStore::Modify(
    const std::string& tenant, const std::string& id, const db::RequestKey& key,
    const std::function<absl::StatusOr<AuditEntry>(Integration&)>& change) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<Integration> {
    IOB_ASSIGN_OR_RETURN(Integration in, SelectOne(tx, tenant, id, true));
    IOB_ASSIGN_OR_RETURN(auto first, db::ClaimRequest(tx, key, in.Name()));
    if (first) return in;
    IOB_ASSIGN_OR_RETURN(AuditEntry audit, change(in));
    const bool secret_changed = audit.action == "secret.rotated";
    tx.exec_params(
        "UPDATE integrations SET display_name = $3, marketplace = $4, from_domain = $5, "
        "from_identity = $6, to_domain = $7, to_identity = $8, sender_domain = $9, "
        "sender_identity = $10, punchout_url = $11, order_url = $12, mode = $13, "
        "require_approval = $14, payment_method = $15, state = $16, user_business_unit = $17, "
        "secret_ciphertext = decode($18, 'base64'), secret_key_id = $19, secret_version = $20, "
        "secret_fingerprint = $21, secret_aad_scheme = $23, order_email = $24, "
        "secret_update_time = CASE WHEN $22 THEN now() ELSE secret_update_time END, "
        "revision = revision + 1, update_time = now() "
        "WHERE tenant = $1 AND integration_id = $2",
        tenant, id, in.display_name, in.marketplace, in.from.domain, in.from.identity, in.to.domain,
        in.to.identity, in.sender.domain, in.sender.identity, in.punchout_url, in.order_url,
        ModeText(in.mode), in.require_approval, PaymentMethodText(in.payment_method),
        StateText(in.state), in.user_business_unit, Base64(in.sealed_secret.blob),
        in.sealed_secret.key_id, in.secret_version, in.secret_fingerprint, secret_changed,
        in.secret_aad_scheme, in.order_email);
    InsertAudit(tx, audit);
    return SelectOne(tx, tenant, id, false);
  });
}

absl::Status IntegrationStore::Delete(
    const std::string& tenant, const std::string& id,
    const std::function<absl::StatusOr<AuditEntry>(const Integration&)>& check) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    IOB_ASSIGN_OR_RETURN(Integration in, SelectOne(tx, tenant, id, true));
    IOB_ASSIGN_OR_RETURN(AuditEntry audit, check(in));
    tx.exec_params("DELETE FROM integrations WHERE tenant = $1 AND integration_id = $2", tenant,
                   id);
    InsertAudit(tx, audit);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<Integration>> IntegrationStore::FindVerifyCandidates(
    const std::string& identity, const std::string& domain,
    const std::optional<std::vector<std::string>>& tenants, int per_tenant) {
  if (tenants.has_value() && tenants->empty()) return std::vector<Integration>{};
  // Tenant ids follow the id rule (no commas), so a comma list is exact.
  const std::string tenant_list = tenants.has_value() ? absl::StrJoin(*tenants, ",") : "";
  return pool_->ReadOne(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Integration>> {
        pqxx::result r = tx.exec_params(
            absl::StrCat(
                "SELECT ", Columns(),
                " FROM (SELECT *, row_number() OVER (PARTITION BY tenant ORDER BY integration_id) "
                "AS rank_in_tenant FROM integrations WHERE from_identity = $1 AND state = 'active' "
                "AND ($2 = '' OR lower(from_domain) = lower($2)) "
                "AND ($3 OR tenant = ANY(string_to_array($4, ',')))) c "
                "WHERE rank_in_tenant <= $5 ORDER BY tenant, integration_id"),
            identity, domain, !tenants.has_value(), tenant_list, per_tenant);
        std::vector<Integration> out;
        for (const auto& row : r) out.push_back(FromRow(row));
        return out;
      });
}

IntegrationStore::IntegrationStore(db::Pool* pool)
    : pool_(pool),
      reads_(pool, SelectMany, kMaxGetBatch, kGetQueriesInFlight),
      audit_log_(
          pool,
          [](pqxx::transaction_base& tx, const std::vector<const AuditEntry*>& audits) {
            InsertAudits(tx, audits);
            return absl::OkStatus();
          },
          kMaxAuditBatch) {}

absl::Status IntegrationStore::AppendAudit(const AuditEntry& audit) {
  return audit_log_.Append(audit);
}

absl::StatusOr<std::vector<AuditEntry>> IntegrationStore::ListAudit(
    const std::string& tenant, const std::string& integration_id, int64_t after_id, int limit) {
  return pool_->ReadOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<AuditEntry>> {
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT id, tenant, integration_id, action, actor, secret_version, "
                     "array_to_string(fields, ',') AS fields, request_id, ",
                     db::TimeColumn("time"),
                     " FROM audit_events WHERE tenant = $1 AND ($2 = '' OR integration_id = $2) "
                     "AND id > $3 ORDER BY id LIMIT $4"),
        tenant, integration_id, after_id, limit);
    std::vector<AuditEntry> out;
    for (const auto& row : r) {
      const db::Row e(row);
      AuditEntry a;
      a.id = e.Int("id");
      a.tenant = e.Text("tenant");
      a.integration_id = e.Text("integration_id");
      a.action = e.Text("action");
      a.actor = e.Text("actor");
      a.secret_version = e.Int("secret_version");
      a.fields = absl::StrSplit(e.Text("fields"), ',', absl::SkipEmpty());
      a.request_id = e.Text("request_id");
      a.time = e.Time("time");
      out.push_back(std::move(a));
    }
    return out;
  });
}

absl::StatusOr<std::map<std::string, int64_t>> IntegrationStore::CountByKey() {
  return pool_->ReadOne(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::map<std::string, int64_t>> {
        std::map<std::string, int64_t> out;
        for (const auto& row :
             tx.exec("SELECT secret_key_id, count(*) FROM integrations GROUP BY secret_key_id")) {
          out[row[0].as<std::string>()] = row[1].as<int64_t>();
        }
        return out;
      });
}

absl::StatusOr<RewrapResult> IntegrationStore::RewrapBatch(
    const std::string& primary_key_id, int aad_scheme, int limit,
    const std::vector<std::string>& skip, const std::function<absl::Status(Integration&)>& reseal) {
  // Names follow the id rule (no commas), so a comma list is exact.
  const std::string skip_list = absl::StrJoin(skip, ",");
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<RewrapResult> {
    RewrapResult result;
    // FOR UPDATE without SKIP LOCKED: a row another writer holds is waited
    // for, then re-checked, so a batch that finds nothing means nothing is
    // left.
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT ", Columns(),
                     " FROM integrations WHERE (secret_key_id <> $1 OR secret_aad_scheme <> $2) "
                     "AND NOT ('tenants/' || tenant || '/integrations/' || integration_id) = "
                     "ANY(string_to_array($3, ',')) "
                     "ORDER BY tenant, integration_id LIMIT $4 FOR UPDATE"),
        primary_key_id, aad_scheme, skip_list, limit);
    for (const auto& row : r) {
      Integration in = FromRow(row);
      if (absl::Status st = reseal(in); !st.ok()) {
        result.unopened.emplace_back(in.Name(), std::move(st));
        continue;
      }
      // The revision stays: rewrapping changes no value a client sees.
      tx.exec_params(
          "UPDATE integrations SET secret_ciphertext = decode($3, 'base64'), secret_key_id = $4, "
          "secret_aad_scheme = $5 WHERE tenant = $1 AND integration_id = $2",
          in.tenant, in.id, Base64(in.sealed_secret.blob), in.sealed_secret.key_id,
          in.secret_aad_scheme);
      AuditEntry audit = AuditEntry::About(in, "secret.rewrapped", "system:rewrap", "");
      audit.fields = {"secret_key_id"};
      InsertAudit(tx, audit);
      ++result.rewrapped;
    }
    return result;
  });
}

}  // namespace iob::credentials

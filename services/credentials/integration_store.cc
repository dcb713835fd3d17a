#include "services/credentials/integration_store.h"

#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"

namespace iob::credentials {
namespace {

constexpr char kColumns[] = R"sql(
  tenant, integration_id, supplier, display_name, marketplace,
  from_domain, from_identity, to_domain, to_identity, sender_domain, sender_identity,
  punchout_url, order_url, mode, require_approval, payment_method, state, user_business_unit,
  revision, encode(secret_ciphertext, 'base64'), secret_key_id, secret_version, secret_fingerprint,
  (extract(epoch from secret_update_time) * 1000000)::bigint,
  (extract(epoch from create_time) * 1000000)::bigint,
  (extract(epoch from update_time) * 1000000)::bigint)sql";

absl::Time FromMicros(const pqxx::field& f) { return absl::FromUnixMicros(f.as<int64_t>()); }

Integration FromRow(const pqxx::row& r) {
  Integration in;
  int i = 0;
  in.tenant = r[i++].as<std::string>();
  in.id = r[i++].as<std::string>();
  in.supplier = r[i++].as<std::string>();
  in.display_name = r[i++].as<std::string>();
  in.marketplace = r[i++].as<std::string>();
  in.from = {r[i].as<std::string>(), r[i + 1].as<std::string>()};
  i += 2;
  in.to = {r[i].as<std::string>(), r[i + 1].as<std::string>()};
  i += 2;
  in.sender = {r[i].as<std::string>(), r[i + 1].as<std::string>()};
  i += 2;
  in.punchout_url = r[i++].as<std::string>();
  in.order_url = r[i++].as<std::string>();
  in.mode = r[i++].as<std::string>() == "production" ? Mode::kProduction : Mode::kTest;
  in.require_approval = r[i++].as<bool>();
  in.payment_method = r[i++].as<std::string>();
  in.state = r[i++].as<std::string>();
  in.user_business_unit = r[i++].as<std::string>();
  in.revision = r[i++].as<int64_t>();
  std::string blob;
  // Postgres wraps base64 output every 76 characters.
  absl::Base64Unescape(absl::StrJoin(absl::StrSplit(r[i++].as<std::string>(), '\n'), ""), &blob);
  in.sealed_secret.blob = std::move(blob);
  in.sealed_secret.key_id = r[i++].as<std::string>();
  in.secret_version = r[i++].as<int64_t>();
  in.secret_fingerprint = r[i++].as<std::string>();
  in.secret_update_time = FromMicros(r[i++]);
  in.create_time = FromMicros(r[i++]);
  in.update_time = FromMicros(r[i++]);
  return in;
}

std::string ModeText(Mode m) { return m == Mode::kProduction ? "production" : "test"; }

absl::Status NotFound(const std::string& tenant, const std::string& id) {
  return absl::NotFoundError(
      absl::StrCat("integration tenants/", tenant, "/integrations/", id, " not found"));
}

absl::StatusOr<Integration> SelectOne(pqxx::transaction_base& tx, const std::string& tenant,
                                      const std::string& id, bool for_update) {
  pqxx::result r =
      tx.exec_params(absl::StrCat("SELECT ", kColumns,
                                  " FROM integrations WHERE tenant = $1 AND integration_id = $2",
                                  for_update ? " FOR UPDATE" : ""),
                     tenant, id);
  if (r.empty()) return NotFound(tenant, id);
  return FromRow(r[0]);
}

void InsertAudit(pqxx::transaction_base& tx, const AuditEntry& a) {
  tx.exec_params(
      "INSERT INTO audit_events (tenant, integration_id, action, actor, secret_version, fields, "
      "request_id) VALUES ($1, $2, $3, $4, $5, string_to_array($6, ','), $7)",
      a.tenant, a.integration_id, a.action, a.actor, a.secret_version, absl::StrJoin(a.fields, ","),
      a.request_id);
}

// The integration a previous request with this key produced, if any.
std::optional<std::string> SeenRequest(pqxx::transaction_base& tx, const std::string& tenant,
                                       const RequestKey& key) {
  if (key.request_id.empty()) return std::nullopt;
  pqxx::result r = tx.exec_params(
      "SELECT integration_id FROM request_ids WHERE tenant = $1 AND request_id = $2 AND method = "
      "$3",
      tenant, key.request_id, key.method);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>();
}

void RecordRequest(pqxx::transaction_base& tx, const std::string& tenant, const std::string& id,
                   const RequestKey& key) {
  if (key.request_id.empty()) return;
  tx.exec_params(
      "INSERT INTO request_ids (tenant, request_id, method, integration_id) VALUES ($1, $2, $3, "
      "$4)",
      tenant, key.request_id, key.method, id);
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
  absl::StatusOr<Integration> out;
  IOB_RETURN_IF_ERROR(pool_->ReadOne([&](pqxx::transaction_base& tx) {
    out = SelectOne(tx, tenant, id, false);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<Integration>> IntegrationStore::List(const std::string& tenant,
                                                                const std::string& after_id,
                                                                int limit) {
  std::vector<Integration> out;
  IOB_RETURN_IF_ERROR(pool_->ReadOne([&](pqxx::transaction_base& tx) {
    pqxx::result r =
        tx.exec_params(absl::StrCat("SELECT ", kColumns,
                                    " FROM integrations WHERE tenant = $1 AND integration_id > $2 "
                                    "ORDER BY integration_id LIMIT $3"),
                       tenant, after_id, limit);
    for (const auto& row : r) out.push_back(FromRow(row));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Integration> IntegrationStore::Create(const Integration& in, const AuditEntry& audit,
                                                     const RequestKey& key) {
  absl::StatusOr<Integration> out;
  IOB_RETURN_IF_ERROR(pool_->Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    if (auto seen = SeenRequest(tx, in.tenant, key)) {
      out = SelectOne(tx, in.tenant, *seen, false);
      return absl::OkStatus();
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
        "secret_fingerprint) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
        "$14, $15, $16, $17, $18, decode($19, 'base64'), $20, 1, $21)",
        in.tenant, in.id, in.supplier, in.display_name, in.marketplace, in.from.domain,
        in.from.identity, in.to.domain, in.to.identity, in.sender.domain, in.sender.identity,
        in.punchout_url, in.order_url, ModeText(in.mode), in.require_approval, in.payment_method,
        in.state, in.user_business_unit, Base64(in.sealed_secret.blob), in.sealed_secret.key_id,
        in.secret_fingerprint);
    InsertAudit(tx, audit);
    RecordRequest(tx, in.tenant, in.id, key);
    out = SelectOne(tx, in.tenant, in.id, false);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Integration> IntegrationStore::Modify(
    const std::string& tenant, const std::string& id, const RequestKey& key,
    const std::function<absl::StatusOr<AuditEntry>(Integration&)>& change) {
  absl::StatusOr<Integration> out;
  IOB_RETURN_IF_ERROR(pool_->Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    if (SeenRequest(tx, tenant, key)) {
      out = SelectOne(tx, tenant, id, false);
      return absl::OkStatus();
    }
    IOB_ASSIGN_OR_RETURN(Integration in, SelectOne(tx, tenant, id, true));
    IOB_ASSIGN_OR_RETURN(AuditEntry audit, change(in));
    const bool secret_changed = audit.action == "secret.rotated";
    tx.exec_params(
        "UPDATE integrations SET display_name = $3, marketplace = $4, from_domain = $5, "
        "from_identity = $6, to_domain = $7, to_identity = $8, sender_domain = $9, "
        "sender_identity = $10, punchout_url = $11, order_url = $12, mode = $13, "
        "require_approval = $14, payment_method = $15, state = $16, user_business_unit = $17, "
        "secret_ciphertext = decode($18, 'base64'), secret_key_id = $19, secret_version = $20, "
        "secret_fingerprint = $21, "
        "secret_update_time = CASE WHEN $22 THEN now() ELSE secret_update_time END, "
        "revision = revision + 1, update_time = now() "
        "WHERE tenant = $1 AND integration_id = $2",
        tenant, id, in.display_name, in.marketplace, in.from.domain, in.from.identity, in.to.domain,
        in.to.identity, in.sender.domain, in.sender.identity, in.punchout_url, in.order_url,
        ModeText(in.mode), in.require_approval, in.payment_method, in.state, in.user_business_unit,
        Base64(in.sealed_secret.blob), in.sealed_secret.key_id, in.secret_version,
        in.secret_fingerprint, secret_changed);
    InsertAudit(tx, audit);
    RecordRequest(tx, tenant, id, key);
    out = SelectOne(tx, tenant, id, false);
    return absl::OkStatus();
  }));
  return out;
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

absl::StatusOr<std::vector<Integration>> IntegrationStore::FindByFromIdentity(
    const std::string& identity, const std::string& tenant) {
  std::vector<Integration> out;
  IOB_RETURN_IF_ERROR(pool_->ReadOne([&](pqxx::transaction_base& tx) {
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT ", kColumns,
                     " FROM integrations WHERE from_identity = $1 AND ($2 = '' OR tenant = $2) "
                     "ORDER BY tenant, integration_id LIMIT 100"),
        identity, tenant);
    for (const auto& row : r) out.push_back(FromRow(row));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status IntegrationStore::AppendAudit(const AuditEntry& audit) {
  return pool_->Transact([&](pqxx::transaction_base& tx) {
    InsertAudit(tx, audit);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<AuditEntry>> IntegrationStore::ListAudit(
    const std::string& tenant, const std::string& integration_id, int64_t after_id, int limit) {
  std::vector<AuditEntry> out;
  IOB_RETURN_IF_ERROR(pool_->Read([&](pqxx::transaction_base& tx) {
    pqxx::result r = tx.exec_params(
        "SELECT id, tenant, integration_id, action, actor, secret_version, "
        "array_to_string(fields, ','), request_id, (extract(epoch from time) * 1000000)::bigint "
        "FROM audit_events WHERE tenant = $1 AND ($2 = '' OR integration_id = $2) AND id > $3 "
        "ORDER BY id LIMIT $4",
        tenant, integration_id, after_id, limit);
    for (const auto& row : r) {
      AuditEntry a;
      a.id = row[0].as<int64_t>();
      a.tenant = row[1].as<std::string>();
      a.integration_id = row[2].as<std::string>();
      a.action = row[3].as<std::string>();
      a.actor = row[4].as<std::string>();
      a.secret_version = row[5].as<int64_t>();
      a.fields = absl::StrSplit(row[6].as<std::string>(), ',', absl::SkipEmpty());
      a.request_id = row[7].as<std::string>();
      a.time = FromMicros(row[8]);
      out.push_back(std::move(a));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<int> IntegrationStore::RewrapBatch(
    const std::string& primary_key_id, int limit,
    const std::function<absl::StatusOr<crypto::Sealed>(const Integration&)>& reseal) {
  int done = 0;
  IOB_RETURN_IF_ERROR(pool_->Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    done = 0;
    pqxx::result r =
        tx.exec_params(absl::StrCat("SELECT ", kColumns,
                                    " FROM integrations WHERE secret_key_id <> $1 ORDER BY tenant, "
                                    "integration_id LIMIT $2 FOR UPDATE SKIP LOCKED"),
                       primary_key_id, limit);
    for (const auto& row : r) {
      Integration in = FromRow(row);
      IOB_ASSIGN_OR_RETURN(crypto::Sealed sealed, reseal(in));
      // The revision stays: rewrapping changes no value a client sees.
      tx.exec_params(
          "UPDATE integrations SET secret_ciphertext = decode($3, 'base64'), secret_key_id = $4 "
          "WHERE tenant = $1 AND integration_id = $2",
          in.tenant, in.id, Base64(sealed.blob), sealed.key_id);
      AuditEntry audit = AuditEntry::About(in, "secret.rewrapped", "system:rewrap", "");
      audit.fields = {"secret_key_id"};
      InsertAudit(tx, audit);
      ++done;
    }
    return absl::OkStatus();
  }));
  return done;
}

}  // namespace iob::credentials

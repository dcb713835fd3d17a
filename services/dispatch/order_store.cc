#include "services/dispatch/order_store.h"

#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/cxml/status.h"
#include "libs/db/prepared.h"
#include "libs/db/row.h"
#include "libs/runtime/proto_json.h"
#include "libs/runtime/resource_name.h"

namespace iob::dispatch {
namespace {

using runtime::FromJson;
using runtime::ToJson;

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
int64_t Micros(absl::Duration d) { return absl::ToInt64Microseconds(d); }

// SQL for a microsecond parameter as a timestamptz.
std::string At(int param) {
  return absl::StrCat("to_timestamp($", param, "::double precision / 1000000)");
}

// Like At, with 0 meaning NULL.
std::string NullableAt(int param) {
  return absl::StrCat("to_timestamp(NULLIF($", param, "::bigint, 0)::double precision / 1000000)");
}

// An order version's columns (v = order_versions), as VersionFromRow reads them.
constexpr char kVersionColumns[] =
    "v.version AS v_version, v.type AS v_type, v.payload_id AS v_payload_id, "
    "v.document_reference AS v_document_reference, v.content::text AS v_content, "
    "v.order_date AS v_order_date, v.reason AS v_reason";

const std::string& OrderColumns() {
  static const std::string* kColumns = new std::string(absl::StrCat(
      "o.tenant, o.order_id, o.integration, o.supplier, o.po_number, o.test, o.state, o.version, "
      "o.delivered_version, o.session, o.approval::text AS approval, o.total::text AS total, "
      "o.currency, o.failure_reason, o.attempt_count, o.attempts_total, o.unconfirmed, o.channel, ",
      db::Micros("o.first_attempt_time"), " AS first_attempt_time, ",
      db::Micros("o.next_attempt_time"), " AS next_attempt_time, ",
      "(extract(epoch from o.confirm_deadline) * 1000000)::bigint AS confirm_deadline, ",
      db::Micros("o.confirm_due_time"), " AS confirm_due_time, ", db::Micros("o.create_time"),
      " AS create_time, ", db::Micros("o.update_time"), " AS update_time, ", kVersionColumns));
  return *kColumns;
}

// Orders joined with their newest version.
constexpr char kOrdersWithCurrentVersion[] =
    " FROM orders o JOIN order_versions v ON v.tenant = o.tenant AND v.order_id = o.order_id "
    "AND v.version = o.version ";

OrderVersion VersionFromRow(const db::Row& r) {
  OrderVersion v;
  v.version = static_cast<int>(r.Int("v_version"));
  v.type = ParseChangeType(r.Text("v_type")).value_or(ChangeType::kNew);
  v.payload_id = r.Text("v_payload_id");
  v.document_reference = r.Text("v_document_reference");
  v.content = FromJson<pb::OrderContent>(r.Text("v_content"));
  v.order_date = r.Text("v_order_date");
  v.reason = r.Text("v_reason");
  return v;
}

Order FromRow(const pqxx::row& row) {
  const db::Row r(row);
  Order o;
  o.tenant = r.Text("tenant");
  o.id = r.Text("order_id");
  o.integration = r.Text("integration");
  o.supplier = r.Text("supplier");
  o.po_number = r.Text("po_number");
  o.test = r.Bool("test");
  // The CHECK constraint allows only the texts ParseState reads.
  o.state = ParseState(r.Text("state")).value_or(OrderState::kFailed);
  o.version = static_cast<int>(r.Int("version"));
  o.delivered_version = static_cast<int>(r.Int("delivered_version"));
  o.session = r.Text("session");
  o.approval = FromJson<pb::Approval>(r.Text("approval"));
  o.total = r.Text("total");
  o.currency = r.Text("currency");
  o.failure_reason = r.Text("failure_reason");
  o.attempt_count = static_cast<int>(r.Int("attempt_count"));
  o.attempts_total = static_cast<int>(r.Int("attempts_total"));
  o.unconfirmed = r.Bool("unconfirmed");
  o.channel = ParseChannel(r.Text("channel")).value_or(Channel::kCxml);
  o.first_attempt_time = r.NullableTime("first_attempt_time");
  o.next_attempt_time = r.Time("next_attempt_time");
  o.confirm_deadline = absl::Microseconds(r.Int("confirm_deadline"));
  o.confirm_due_time = r.NullableTime("confirm_due_time");
  o.create_time = r.Time("create_time");
  o.update_time = r.Time("update_time");
  o.current = VersionFromRow(r);
  return o;
}

absl::StatusOr<Order> SelectOrder(pqxx::transaction_base& tx, const std::string& tenant,
                                  const std::string& id, bool for_update) {
  IOB_ASSIGN_OR_RETURN(
      pqxx::row row, db::FindRow(tx, absl::StrCat("order tenants/", tenant, "/orders/", id),
                                 absl::StrCat("SELECT ", OrderColumns(), kOrdersWithCurrentVersion,
                                              "WHERE o.tenant = $1 AND o.order_id = $2",
                                              for_update ? " FOR UPDATE OF o" : ""),
                                 tenant, id));
  return FromRow(row);
}

void AddStateChange(pqxx::transaction_base& tx, const std::string& tenant, const std::string& id,
                    OrderState state, const std::string& reason) {
  tx.exec_params(
      "INSERT INTO state_changes (tenant, order_id, state, reason) VALUES ($1, $2, $3, $4)", tenant,
      id, std::string(StateText(state)), reason);
}

void InsertVersion(pqxx::transaction_base& tx, const std::string& tenant, const std::string& id,
                   const OrderVersion& v) {
  tx.exec_params(
      "INSERT INTO order_versions (tenant, order_id, version, type, payload_id, "
      "document_reference, content, order_date, reason) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)",
      tenant, id, v.version, std::string(ChangeTypeText(v.type)), v.payload_id,
      v.document_reference, ToJson(v.content), v.order_date, v.reason);
}

void InsertExchange(pqxx::transaction_base& tx, const std::string& tenant, const std::string& id,
                    const ExchangeRecord& e) {
  tx.exec_params(absl::StrCat("INSERT INTO exchanges (tenant, order_id, direction, document_type, "
                              "payload_id, time, http_status, cxml_code, latency_us, document) "
                              "VALUES ($1, $2, $3, $4, $5, ",
                              At(6), ", $7, $8, $9, $10)"),
                 tenant, id, e.direction, e.document_type, e.payload_id, Micros(e.time),
                 e.http_status, e.cxml_code, Micros(e.latency), e.document);
}

// Resets the delivery counters so the order goes out at once.
constexpr char kQueueNow[] =
    "state = 'queued', attempt_count = 0, first_attempt_time = NULL, next_attempt_time = now(), "
    "lease_owner = '', lease_until = NULL, failure_reason = '', update_time = now()";

}  // namespace

absl::StatusOr<DispatchRule> OrderStore::GetRule(const std::string& tenant,
                                                 const std::string& integration_id) {
  return pool_->ReadOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<DispatchRule> {
    DispatchRule rule;
    rule.tenant = tenant;
    rule.integration_id = integration_id;
    static const db::Statement* kGetRule = new db::Statement{
        "dispatch.get_rule",
        absl::StrCat("SELECT send_cxml, send_pdf, confirmation_deadline_seconds, ",
                     db::TimeColumn("update_time"),
                     " FROM dispatch_rules WHERE tenant = $1 AND integration_id = $2")};
    pqxx::result r = db::ExecPrepared(tx, *kGetRule, tenant, integration_id);
    if (r.empty()) return rule;
    const db::Row row(r[0]);
    rule.send_cxml = row.Bool("send_cxml");
    rule.send_pdf = row.Bool("send_pdf");
    rule.confirmation_deadline = absl::Seconds(row.Int("confirmation_deadline_seconds"));
    rule.update_time = row.Time("update_time");
    rule.stored = true;
    return rule;
  });
}

absl::StatusOr<DispatchRule> OrderStore::PutRule(const DispatchRule& rule,
                                                 const db::RequestKey& key) {
  IOB_RETURN_IF_ERROR(pool_->Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto first, db::ClaimRequest(tx, key, rule.Name()));
    if (first) return absl::OkStatus();
    tx.exec_params(
        "INSERT INTO dispatch_rules (tenant, integration_id, send_cxml, send_pdf, "
        "confirmation_deadline_seconds) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (tenant, integration_id) DO UPDATE SET send_cxml = excluded.send_cxml, "
        "send_pdf = excluded.send_pdf, confirmation_deadline_seconds = "
        "excluded.confirmation_deadline_seconds, update_time = now()",
        rule.tenant, rule.integration_id, rule.send_cxml, rule.send_pdf,
        absl::ToInt64Seconds(rule.confirmation_deadline));
    return absl::OkStatus();
  }));
  return GetRule(rule.tenant, rule.integration_id);
}

absl::StatusOr<Order> OrderStore::Create(const Order& o, const db::RequestKey& key,
                                         bool* replayed) {
  *replayed = false;
  absl::StatusOr<Order> created =
      pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<Order> {
        IOB_ASSIGN_OR_RETURN(auto first, db::ClaimRequest(tx, key, o.Name()));
        if (first) {
          *replayed = true;
          IOB_ASSIGN_OR_RETURN(auto name, runtime::ParseName(kOrderPattern, *first, "resource"));
          return SelectOrder(tx, name.tenant, name.id, false);
        }
        // The order, its first version and its first state in one round trip.
        const OrderVersion& v = o.current;
        static const db::Statement* kCreate = new db::Statement{
            "dispatch.create_order",
            absl::StrCat(
                "WITH o AS (INSERT INTO orders (tenant, order_id, integration, supplier, "
                "po_number, test, state, session, approval, total, currency, confirm_deadline, "
                "channel) VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8::jsonb, $9::numeric, "
                "$10, $11 * interval '1 microsecond', $20) RETURNING tenant, order_id, "
                "create_time), "
                "v AS (INSERT INTO order_versions (tenant, order_id, version, type, payload_id, "
                "document_reference, content, order_date, reason) SELECT tenant, order_id, $12, "
                "$13, $14, $15, $16::jsonb, $17, $18 FROM o), "
                "s AS (INSERT INTO state_changes (tenant, order_id, state, reason) "
                "SELECT tenant, order_id, 'queued', $19 FROM o) SELECT ",
                db::Micros("create_time"), " AS create_time FROM o")};
        pqxx::result row = db::ExecPrepared(
            tx, *kCreate, o.tenant, o.id, o.integration, o.supplier, o.po_number, o.test, o.session,
            ToJson(o.approval), o.total, o.currency, Micros(o.confirm_deadline), v.version,
            std::string(ChangeTypeText(v.type)), v.payload_id, v.document_reference,
            ToJson(v.content), v.order_date, v.reason,
            o.test ? "submitted (test mode: the supplier will not fulfil it)" : "submitted",
            std::string(ChannelText(o.channel)));
        Order stored = o;
        stored.state = OrderState::kQueued;
        stored.create_time = stored.update_time = stored.next_attempt_time =
            absl::FromUnixMicros(row[0][0].as<int64_t>());
        return stored;
      });
  if (created.status().code() != absl::StatusCode::kAlreadyExists) return created;
  // The unique PO number: name the order that has it.
  return pool_->ReadOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<Order> {
    pqxx::result taken = tx.exec_params(
        "SELECT order_id FROM orders WHERE tenant = $1 AND po_number = $2", o.tenant, o.po_number);
    return absl::AlreadyExistsError(
        absl::StrCat("order.po_number: an order with PO number ", o.po_number, " already exists",
                     taken.empty() ? std::string()
                                   : absl::StrCat(" (tenants/", o.tenant, "/orders/",
                                                  taken[0][0].as<std::string>(), ")")));
  });
}

absl::StatusOr<Order> OrderStore::Get(const std::string& tenant, const std::string& id) {
  return pool_->ReadOne(
      [&](pqxx::transaction_base& tx) { return SelectOrder(tx, tenant, id, false); });
}

absl::StatusOr<Order> OrderStore::GetVersion(const std::string& tenant, const std::string& id,
                                             int version) {
  return pool_->ReadOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<Order> {
    IOB_ASSIGN_OR_RETURN(Order o, SelectOrder(tx, tenant, id, false));
    if (version == 0 || version == o.version) return o;
    IOB_ASSIGN_OR_RETURN(
        pqxx::row row,
        db::FindRow(tx, absl::StrCat("version ", version, " of order ", o.Name()),
                    absl::StrCat("SELECT ", kVersionColumns,
                                 " FROM order_versions v WHERE v.tenant = $1 AND v.order_id = $2 "
                                 "AND v.version = $3"),
                    tenant, id, version));
    o.current = VersionFromRow(db::Row(row));
    return o;
  });
}

absl::StatusOr<OrderDetails> OrderStore::GetDetails(const std::string& tenant,
                                                    const std::string& id) {
  return pool_->Read([&](pqxx::transaction_base& tx) -> absl::StatusOr<OrderDetails> {
    OrderDetails d;
    IOB_ASSIGN_OR_RETURN(d.order, SelectOrder(tx, tenant, id, false));
    for (const auto& row : tx.exec_params(
             absl::StrCat("SELECT state, reason, ", db::TimeColumn("time"),
                          " FROM state_changes WHERE tenant = $1 AND order_id = $2 ORDER BY id"),
             tenant, id)) {
      const db::Row r(row);
      d.history.push_back({ParseState(r.Text("state")).value_or(OrderState::kQueued),
                           r.Time("time"), r.Text("reason")});
    }
    for (const auto& row : tx.exec_params(
             absl::StrCat("SELECT number, version, outcome, http_status, cxml_code, smtp_code, "
                          "text, latency_us, ",
                          db::TimeColumn("start_time"),
                          " FROM attempts WHERE tenant = $1 AND order_id = $2 ORDER BY number"),
             tenant, id)) {
      const db::Row r(row);
      d.attempts.push_back(
          {static_cast<int>(r.Int("number")), static_cast<int>(r.Int("version")),
           r.Time("start_time"), r.Text("outcome"), static_cast<int>(r.Int("http_status")),
           static_cast<int>(r.Int("cxml_code")), static_cast<int>(r.Int("smtp_code")),
           r.Text("text"), absl::Microseconds(r.Int("latency_us"))});
    }
    for (const auto& row : tx.exec_params(
             absl::StrCat("SELECT direction, document_type, payload_id, http_status, cxml_code, "
                          "smtp_code, latency_us, document, answer, ",
                          db::TimeColumn("time"),
                          " FROM exchanges WHERE tenant = $1 AND order_id = $2 ORDER BY id"),
             tenant, id)) {
      const db::Row r(row);
      d.exchanges.push_back(
          {r.Text("direction"), r.Text("document_type"), r.Text("payload_id"), r.Time("time"),
           static_cast<int>(r.Int("http_status")), static_cast<int>(r.Int("cxml_code")),
           static_cast<int>(r.Int("smtp_code")), absl::Microseconds(r.Int("latency_us")),
           r.Text("document"), r.Text("answer")});
    }
    for (const auto& row :
         tx.exec_params(absl::StrCat("SELECT payload_id, confirm_id, type, operation, comments, ",
                                     db::Micros("notice_time"), " AS notice_time, ",
                                     db::TimeColumn("receive_time"),
                                     " FROM confirmations WHERE tenant = $1 AND order_id = $2 "
                                     "ORDER BY receive_time, payload_id"),
                        tenant, id)) {
      const db::Row r(row);
      d.confirmations.push_back({r.Text("payload_id"), r.Text("confirm_id"), r.Text("type"),
                                 r.Text("operation"), r.NullableTime("notice_time"),
                                 r.Text("comments"), r.Time("receive_time")});
    }
    for (const auto& row :
         tx.exec_params(absl::StrCat("SELECT payload_id, shipment_id, carrier, tracking_number, "
                                     "tracking_url, lines, ",
                                     db::Micros("shipment_time"), " AS shipment_time, ",
                                     db::TimeColumn("receive_time"),
                                     " FROM shipments WHERE tenant = $1 AND order_id = $2 "
                                     "ORDER BY receive_time, payload_id"),
                        tenant, id)) {
      const db::Row r(row);
      ShipmentRecord s{r.Text("payload_id"),
                       r.Text("shipment_id"),
                       r.Text("carrier"),
                       r.Text("tracking_number"),
                       r.Text("tracking_url"),
                       r.NullableTime("shipment_time"),
                       {},
                       r.Time("receive_time")};
      // lines: "number:quantity" pairs, comma-separated (see ApplyFulfillment).
      for (absl::string_view pair : absl::StrSplit(r.Text("lines"), ',', absl::SkipEmpty())) {
        std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(pair, ':');
        int number = 0;
        if (absl::SimpleAtoi(kv.first, &number)) s.lines.emplace_back(number, kv.second);
      }
      d.shipments.push_back(std::move(s));
    }
    return d;
  });
}

std::string OrderStore::PageKey(const Order& order) {
  return absl::StrCat(Micros(order.create_time), ":", order.id);
}

absl::StatusOr<std::vector<Order>> OrderStore::List(const std::string& tenant, const OrderFilter& f,
                                                    const std::string& after, int limit) {
  int64_t after_us = std::numeric_limits<int64_t>::max();
  std::string after_id;
  if (!after.empty()) {
    std::pair<std::string, std::string> kv = absl::StrSplit(after, absl::MaxSplits(':', 1));
    if (!absl::SimpleAtoi(kv.first, &after_us) || kv.second.empty()) {
      return absl::InvalidArgumentError("page_token: is not a token this list returned");
    }
    after_id = kv.second;
  }
  return pool_->ReadOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Order>> {
    const std::string sql = absl::StrCat(
        "SELECT ", OrderColumns(), kOrdersWithCurrentVersion,
        "WHERE o.tenant = $1 AND ($2 = '' OR o.state = $2) AND ($3 = '' OR o.integration = $3) "
        "AND ($4 = '' OR o.po_number = $4) AND ($5 = '' OR o.test = ($5 = 'true')) "
        "AND (NOT $6 OR o.unconfirmed) AND (",
        db::Micros("o.create_time"),
        ", o.order_id) < ($7, $8) ORDER BY o.create_time DESC, o.order_id DESC LIMIT $9");
    std::vector<Order> out;
    for (const auto& row : tx.exec_params(
             sql, tenant, f.state ? std::string(StateText(*f.state)) : "", f.integration,
             f.po_number, f.test ? std::string(*f.test ? "true" : "false") : "", f.unconfirmed,
             after_us, after_id.empty() ? std::string("\x7f") : after_id, limit)) {
      out.push_back(FromRow(row));
    }
    return out;
  });
}

absl::StatusOr<Order> OrderStore::Requeue(const std::string& tenant, const std::string& id,
                                          const std::string& who, const db::RequestKey& key) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<Order> {
    IOB_ASSIGN_OR_RETURN(Order o, SelectOrder(tx, tenant, id, true));
    IOB_ASSIGN_OR_RETURN(auto first, db::ClaimRequest(tx, key, o.Name()));
    if (first) return o;
    const bool undelivered = o.delivered_version < o.version;
    if (!(o.state == OrderState::kFailed || o.state == OrderState::kRejected) || !undelivered) {
      return absl::FailedPreconditionError(absl::StrCat(
          "order ", o.Name(), " is ", StateText(o.state),
          undelivered ? "; only failed or rejected orders can be retried"
                      : " after the supplier accepted it; submit a new order or an update"));
    }
    tx.exec_params(
        absl::StrCat("UPDATE orders SET ", kQueueNow, " WHERE tenant = $1 AND order_id = $2"),
        tenant, id);
    AddStateChange(tx, tenant, id, OrderState::kQueued, absl::StrCat("retried by ", who));
    return SelectOrder(tx, tenant, id, false);
  });
}

absl::StatusOr<Order> OrderStore::Change(const std::string& tenant, const std::string& id,
                                         const db::RequestKey& key, const ChangeFn& change) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<Order> {
    IOB_ASSIGN_OR_RETURN(Order o, SelectOrder(tx, tenant, id, true));
    IOB_ASSIGN_OR_RETURN(auto first, db::ClaimRequest(tx, key, o.Name()));
    if (first) return o;
    IOB_ASSIGN_OR_RETURN(std::optional<OrderVersion> v, change(o));
    if (!v) {
      tx.exec_params(
          "UPDATE orders SET state = 'cancelled', lease_owner = '', lease_until = NULL, "
          "update_time = now() WHERE tenant = $1 AND order_id = $2",
          tenant, id);
      AddStateChange(tx, tenant, id, OrderState::kCancelled,
                     "cancelled before anything was sent to the supplier");
      return SelectOrder(tx, tenant, id, false);
    }
    InsertVersion(tx, tenant, id, *v);
    // A version in flight or waiting keeps its place and counters; the new
    // one goes after it. Otherwise the new version goes out now.
    const bool busy = o.state == OrderState::kQueued || o.state == OrderState::kSending;
    tx.exec_params(
        absl::StrCat("UPDATE orders SET version = $3, ", busy ? "update_time = now()" : kQueueNow,
                     " WHERE tenant = $1 AND order_id = $2"),
        tenant, id, v->version);
    if (!busy) {
      AddStateChange(tx, tenant, id, OrderState::kQueued,
                     absl::StrCat(v->type == ChangeType::kDelete ? "cancellation" : "update",
                                  " (version ", v->version, ") queued"));
    }
    return SelectOrder(tx, tenant, id, false);
  });
}

absl::StatusOr<std::vector<Claim>> OrderStore::ClaimDue(const std::string& worker,
                                                        absl::Duration lease, int limit) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Claim>> {
    static const db::Statement* kClaim = new db::Statement{
        "dispatch.claim",
        absl::StrCat(
            // Orders whose worker's lease ran out first (a dead worker's
            // must not wait behind a backlog), then the longest due; each
            // part reads its own partial index, so a claim costs the same
            // whatever the backlog.
            "WITH expired AS (SELECT tenant, order_id FROM orders WHERE state = 'sending' "
            "AND lease_until <= now() LIMIT $3 FOR UPDATE SKIP LOCKED), "
            "queued AS (SELECT tenant, order_id FROM orders WHERE state = 'queued' "
            "AND next_attempt_time <= now() ORDER BY next_attempt_time LIMIT $3 "
            "FOR UPDATE SKIP LOCKED), "
            "due AS (SELECT * FROM expired UNION ALL SELECT * FROM queued LIMIT $3), "
            "claimed AS (UPDATE orders o SET state = 'sending', lease_owner = $1, "
            "lease_until = now() + $2 * interval '1 microsecond', "
            "first_attempt_time = COALESCE(o.first_attempt_time, now()), "
            "attempt_count = o.attempt_count + 1, update_time = now() "
            "FROM due WHERE o.tenant = due.tenant AND o.order_id = due.order_id RETURNING o.*) "
            "SELECT ",
            OrderColumns(),
            " FROM claimed o JOIN order_versions v ON v.tenant = o.tenant AND "
            "v.order_id = o.order_id AND v.version = o.delivered_version + 1")};
    std::vector<Claim> claims;
    for (const auto& row : db::ExecPrepared(tx, *kClaim, worker, Micros(lease), limit)) {
      Claim c;
      c.order = FromRow(row);
      c.version = c.order.current;
      c.worker = worker;
      claims.push_back(std::move(c));
    }
    return claims;
  });
}

absl::Status OrderStore::FinishAttempt(const Claim& claim, const AttemptResult& result) {
  const Order& o = claim.order;
  const int version = claim.version.version;
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    // Numbers the attempt (locking the order) and records it with its
    // document, in one round trip.
    static const db::Statement* kRecord = new db::Statement{
        "dispatch.record_attempt",
        absl::StrCat(
            "WITH n AS (UPDATE orders SET attempts_total = attempts_total + 1 WHERE tenant = $1 "
            "AND order_id = $2 RETURNING tenant, order_id, attempts_total, lease_owner, state, "
            "delivered_version, version), "
            "a AS (INSERT INTO attempts (tenant, order_id, number, version, worker, start_time, "
            "outcome, http_status, cxml_code, smtp_code, text, latency_us) SELECT tenant, "
            "order_id, attempts_total, $3, $4, ",
            At(5),
            ", $6, $7, $8, $16, $9, $10 FROM n), "
            "e AS (INSERT INTO exchanges (tenant, order_id, direction, document_type, payload_id, "
            "time, http_status, cxml_code, smtp_code, latency_us, document, answer) SELECT tenant, "
            "order_id, $11, $12, $13, ",
            At(5),
            ", $7, $8, $16, $10, $14, $15 FROM n) "
            "SELECT lease_owner, state, delivered_version, version, (SELECT type FROM "
            "order_versions WHERE tenant = $1 AND order_id = $2 AND version = $3) AS type FROM n")};
    const AttemptRecord& a = result.attempt;
    const ExchangeRecord& e = result.exchange;
    pqxx::result recorded = db::ExecPrepared(
        tx, *kRecord, o.tenant, o.id, version, claim.worker, Micros(a.start_time), a.outcome,
        a.http_status, a.cxml_code, a.text, Micros(a.latency), e.direction, e.document_type,
        e.payload_id, e.document, e.answer, a.smtp_code);
    if (recorded.empty())
      return absl::NotFoundError(absl::StrCat("order ", o.Name(), " not found"));
    const db::Row now(recorded[0]);

    using Kind = AttemptResult::Kind;
    const bool already_delivered = now.Int("delivered_version") >= version;
    const bool ours = now.Text("lease_owner") == claim.worker && now.Text("state") == "sending";
    if (already_delivered || (!ours && result.kind != Kind::kDelivered)) return absl::OkStatus();

    switch (result.kind) {
      case Kind::kDelivered: {
        // The version delivered, the order on: the next version (an update
        // or cancel) was waiting for this one, or the order is delivered
        // (cancelled, for a delete).
        const bool next_waits = now.Int("version") > version;
        const bool deleted = now.Text("type") == "delete";
        const OrderState state = deleted ? OrderState::kCancelled : OrderState::kDelivered;
        static const auto delivered = [](bool next_waits) {
          return new db::Statement{
              next_waits ? "dispatch.delivered_next_waits" : "dispatch.delivered",
              absl::StrCat(
                  "WITH v AS (UPDATE order_versions SET delivered_time = now() WHERE tenant = $1 "
                  "AND order_id = $2 AND version = $3), s AS (INSERT INTO state_changes (tenant, "
                  "order_id, state, reason) SELECT $1, $2, $4, $5 WHERE ",
                  next_waits ? "false" : "true", ") UPDATE orders SET delivered_version = $3, ",
                  next_waits ? kQueueNow
                             : "state = $4, lease_owner = '', lease_until = NULL, "
                               "failure_reason = '', unconfirmed = false, confirm_due_time = "
                               "CASE WHEN $4 = 'cancelled' OR channel = 'email' THEN NULL "
                               "ELSE now() + confirm_deadline END, update_time = now()",
                  " WHERE tenant = $1 AND order_id = $2")};
        };
        static const db::Statement* kDelivered[2] = {delivered(false), delivered(true)};
        db::ExecPrepared(tx, *kDelivered[next_waits ? 1 : 0], o.tenant, o.id, version,
                         std::string(StateText(state)),
                         deleted ? std::string("cancellation accepted by the supplier")
                                 : absl::StrCat("version ", version, " accepted by the supplier"));
        return absl::OkStatus();
      }
      case Kind::kRetry:
        tx.exec_params(
            absl::StrCat("UPDATE orders SET state = 'queued', next_attempt_time = ", At(3),
                         ", lease_owner = '', lease_until = NULL, failure_reason = $4, "
                         "update_time = now() WHERE tenant = $1 AND order_id = $2"),
            o.tenant, o.id, Micros(result.next_attempt_time), result.reason);
        return absl::OkStatus();
      case Kind::kRejected:
      case Kind::kFailed: {
        const OrderState state =
            result.kind == Kind::kRejected ? OrderState::kRejected : OrderState::kFailed;
        tx.exec_params(
            "UPDATE orders SET state = $3, failure_reason = $4, lease_owner = '', "
            "lease_until = NULL, update_time = now() WHERE tenant = $1 AND order_id = $2",
            o.tenant, o.id, std::string(StateText(state)), result.reason);
        AddStateChange(tx, o.tenant, o.id, state, result.reason);
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> OrderStore::ApplyFulfillment(const std::string& tenant,
                                                         const std::string& integration,
                                                         const std::string& order_payload_id,
                                                         const FulfillmentEffect& effect) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<std::string> {
    const absl::Status not_ours =
        cxml::WithCxmlCode(absl::FailedPreconditionError(absl::StrCat(
                               "the referenced OrderRequest (payloadID ", order_payload_id,
                               ") is not an order this buyer sent to this supplier")),
                           409);
    pqxx::result found = tx.exec_params(
        "SELECT o.tenant, o.order_id, o.integration FROM order_versions v JOIN orders o ON "
        "o.tenant = v.tenant AND o.order_id = v.order_id WHERE v.payload_id = $1",
        order_payload_id);
    if (found.empty()) return not_ours;
    const db::Row f(found[0]);
    if (f.Text("tenant") != tenant || f.Text("integration") != integration) return not_ours;
    IOB_ASSIGN_OR_RETURN(Order o, SelectOrder(tx, tenant, f.Text("order_id"), true));
    // Idempotent by the inbound payloadID.
    pqxx::result seen =
        tx.exec_params("SELECT 1 FROM exchanges WHERE direction = 'in' AND payload_id = $1",
                       effect.exchange.payload_id);
    if (!seen.empty()) return o.Name();
    if (o.delivered_version == 0 &&
        (o.state == OrderState::kSending || o.state == OrderState::kQueued)) {
      // The supplier answers before our worker has recorded its answer (or
      // after an attempt we gave up on): it has the order, so the document
      // is good -- ask for it again rather than refuse it for good.
      return absl::UnavailableError(absl::StrCat("order ", o.po_number,
                                                 " is still being delivered; send the document "
                                                 "again in a few seconds"));
    }
    if (!AcceptsFulfillment(o)) {
      return cxml::WithCxmlCode(absl::FailedPreconditionError(
                                    absl::StrCat("order ", o.po_number, " is ", StateText(o.state),
                                                 " and takes no confirmation or shipment")),
                                409);
    }
    InsertExchange(tx, o.tenant, o.id, effect.exchange);
    std::optional<OrderState> next;
    std::string reason;
    if (effect.confirmation) {
      const ConfirmationRecord& c = *effect.confirmation;
      tx.exec_params(
          absl::StrCat("INSERT INTO confirmations (tenant, order_id, payload_id, confirm_id, "
                       "type, operation, notice_time, comments) VALUES ($1, $2, $3, $4, $5, $6, ",
                       NullableAt(7), ", $8)"),
          o.tenant, o.id, c.payload_id, c.confirm_id, c.type, c.operation,
          c.notice_time ? Micros(*c.notice_time) : 0, c.comments);
      next = StateAfterConfirmation(o.state, c.type);
      reason = absl::StrCat("confirmation ", c.type,
                            c.comments.empty() ? "" : absl::StrCat(": ", c.comments));
    }
    if (effect.shipment) {
      const ShipmentRecord& s = *effect.shipment;
      std::string lines;
      for (const auto& [number, quantity] : s.lines) {
        absl::StrAppend(&lines, lines.empty() ? "" : ",", number, ":", quantity);
      }
      tx.exec_params(
          absl::StrCat("INSERT INTO shipments (tenant, order_id, payload_id, shipment_id, "
                       "carrier, tracking_number, tracking_url, shipment_time, lines) VALUES "
                       "($1, $2, $3, $4, $5, $6, $7, ",
                       NullableAt(8), ", $9)"),
          o.tenant, o.id, s.payload_id, s.shipment_id, s.carrier, s.tracking_number, s.tracking_url,
          s.shipment_time ? Micros(*s.shipment_time) : 0, lines);
      if (auto shipped = StateAfterShipment(o.state)) next = shipped;
      reason = absl::StrCat("shipment ", s.shipment_id,
                            s.carrier.empty() ? "" : absl::StrCat(" via ", s.carrier),
                            s.tracking_number.empty() ? "" : absl::StrCat(" ", s.tracking_number));
    }
    // Any answer from the supplier meets the confirmation deadline.
    tx.exec_params(
        "UPDATE orders SET confirm_due_time = NULL, unconfirmed = false WHERE tenant = $1 AND "
        "order_id = $2",
        o.tenant, o.id);
    if (next && *next != o.state) {
      tx.exec_params(
          "UPDATE orders SET state = $3, failure_reason = CASE WHEN $3 = 'rejected' THEN $4 "
          "ELSE failure_reason END, update_time = now() WHERE tenant = $1 AND order_id = $2",
          o.tenant, o.id, std::string(StateText(*next)), reason);
      AddStateChange(tx, o.tenant, o.id, *next, reason);
    }
    return o.Name();
  });
}

absl::StatusOr<int> OrderStore::FlagUnconfirmed() {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<int> {
    pqxx::result r = tx.exec(
        "UPDATE orders SET unconfirmed = true, update_time = now() WHERE confirm_due_time <= "
        "now() AND NOT unconfirmed AND state = 'delivered' RETURNING tenant, order_id");
    return static_cast<int>(r.size());
  });
}

absl::StatusOr<OutboxStats> OrderStore::Stats() {
  return pool_->Read([&](pqxx::transaction_base& tx) -> absl::StatusOr<OutboxStats> {
    OutboxStats s;
    for (const auto& row : tx.exec("SELECT state, test, count(*) FROM orders GROUP BY 1, 2")) {
      s.by_state_and_test[{row[0].as<std::string>(), row[1].as<bool>()}] = row[2].as<int64_t>();
    }
    for (const auto& row :
         tx.exec("SELECT test, COALESCE(extract(epoch from now() - min(create_time) FILTER (WHERE "
                 "state IN ('queued', 'sending'))) * 1000000, 0)::bigint, count(*) FILTER (WHERE "
                 "unconfirmed) FROM orders WHERE state IN ('queued', 'sending') OR unconfirmed "
                 "GROUP BY test")) {
      const bool test = row[0].as<bool>();
      s.oldest_undelivered_age[test] = absl::Microseconds(row[1].as<int64_t>());
      s.unconfirmed[test] = row[2].as<int64_t>();
    }
    return s;
  });
}

}  // namespace iob::dispatch

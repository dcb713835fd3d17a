#include "services/punchout/session_store.h"

#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"

namespace iob::punchout {
namespace {

constexpr char kColumns[] = R"sql(
  tenant, session_id, integration, supplier, user_id, user_email, user_name, operation, state,
  buyer_cookie, post_token_sha256, start_page_url, approval_required, failure_reason, request_id,
  cart_body_sha256,
  (extract(epoch from expire_time) * 1000000)::bigint,
  (extract(epoch from create_time) * 1000000)::bigint,
  (extract(epoch from update_time) * 1000000)::bigint)sql";

absl::Time FromMicros(const pqxx::field& f) { return absl::FromUnixMicros(f.as<int64_t>()); }
int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

Session FromRow(const pqxx::row& r) {
  Session s;
  int i = 0;
  s.tenant = r[i++].as<std::string>();
  s.id = r[i++].as<std::string>();
  s.integration = r[i++].as<std::string>();
  s.supplier = r[i++].as<std::string>();
  s.user.id = r[i++].as<std::string>();
  s.user.email = r[i++].as<std::string>();
  s.user.name = r[i++].as<std::string>();
  s.operation = ParseOperation(r[i++].as<std::string>()).value_or(Operation::kCreate);
  s.state = ParseState(r[i++].as<std::string>()).value_or(SessionState::kFailed);
  s.buyer_cookie = r[i++].as<std::string>();
  s.post_token_sha256 = r[i++].as<std::string>();
  s.start_page_url = r[i++].as<std::string>();
  s.approval_required = r[i++].as<bool>();
  s.failure_reason = r[i++].as<std::string>();
  s.request_id = r[i++].as<std::string>();
  s.cart_body_sha256 = r[i++].as<std::string>();
  s.expire_time = FromMicros(r[i++]);
  s.create_time = FromMicros(r[i++]);
  s.update_time = FromMicros(r[i++]);
  return s;
}

absl::Status NotFound(const std::string& tenant, const std::string& id) {
  return absl::NotFoundError(
      absl::StrCat("session tenants/", tenant, "/sessions/", id, " not found"));
}

absl::StatusOr<Session> SelectOne(pqxx::transaction_base& tx, const std::string& tenant,
                                  const std::string& id, bool for_update) {
  pqxx::result r = tx.exec_params(
      absl::StrCat("SELECT ", kColumns, " FROM sessions WHERE tenant = $1 AND session_id = $2",
                   for_update ? " FOR UPDATE" : ""),
      tenant, id);
  if (r.empty()) return NotFound(tenant, id);
  return FromRow(r[0]);
}

absl::Status SetState(db::Pool* pool, const Session& s, const std::string& sql_set,
                      const std::string& value) {
  return pool->Transact([&](pqxx::transaction_base& tx) {
    tx.exec_params(absl::StrCat("UPDATE sessions SET ", sql_set,
                                ", update_time = now() WHERE tenant = $1 AND session_id = $2 "
                                "AND state IN ('created', 'started')"),
                   s.tenant, s.id, value);
    return absl::OkStatus();
  });
}

std::optional<std::string> NullableText(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

}  // namespace

absl::StatusOr<Session> SessionStore::Create(const Session& s, bool* replayed) {
  absl::StatusOr<Session> out;
  *replayed = false;
  IOB_RETURN_IF_ERROR(pool_->Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    if (!s.request_id.empty()) {
      pqxx::result r = tx.exec_params(
          absl::StrCat("SELECT ", kColumns, " FROM sessions WHERE tenant = $1 AND request_id = $2"),
          s.tenant, s.request_id);
      if (!r.empty()) {
        *replayed = true;
        out = FromRow(r[0]);
        return absl::OkStatus();
      }
    }
    tx.exec_params(
        "INSERT INTO sessions (tenant, session_id, integration, supplier, user_id, user_email, "
        "user_name, operation, state, buyer_cookie, post_token_sha256, approval_required, "
        "request_id, expire_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'created', $9, $10, "
        "$11, $12, to_timestamp($13::double precision / 1000000))",
        s.tenant, s.id, s.integration, s.supplier, s.user.id, s.user.email, s.user.name,
        OperationText(s.operation), s.buyer_cookie, s.post_token_sha256, s.approval_required,
        s.request_id, Micros(s.expire_time));
    out = SelectOne(tx, s.tenant, s.id, false);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Session> SessionStore::Get(const std::string& tenant, const std::string& id) {
  absl::StatusOr<Session> out;
  IOB_RETURN_IF_ERROR(pool_->ReadOne([&](pqxx::transaction_base& tx) {
    out = SelectOne(tx, tenant, id, false);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Session> SessionStore::FindByPostToken(const std::string& token_sha256) {
  absl::StatusOr<Session> out = absl::NotFoundError("unknown punchout session");
  IOB_RETURN_IF_ERROR(pool_->ReadOne([&](pqxx::transaction_base& tx) {
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT ", kColumns, " FROM sessions WHERE post_token_sha256 = $1"),
        token_sha256);
    if (!r.empty()) out = FromRow(r[0]);
    return absl::OkStatus();
  }));
  return out;
}

std::string SessionStore::Cursor(const Session& s) {
  return absl::StrCat(Micros(s.create_time), ":", s.id);
}

absl::StatusOr<std::vector<Session>> SessionStore::List(const std::string& tenant,
                                                        std::optional<SessionState> state,
                                                        const std::string& after, int limit) {
  int64_t after_micros = std::numeric_limits<int64_t>::max();
  std::string after_id;
  if (!after.empty()) {
    std::pair<std::string, std::string> parts = absl::StrSplit(after, absl::MaxSplits(':', 1));
    if (!absl::SimpleAtoi(parts.first, &after_micros)) {
      return absl::InvalidArgumentError("page_token: is not a token this list returned");
    }
    after_id = parts.second;
  }
  std::vector<Session> out;
  IOB_RETURN_IF_ERROR(pool_->ReadOne([&](pqxx::transaction_base& tx) {
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT ", kColumns,
                     " FROM sessions WHERE tenant = $1 AND ($2 = '' OR state = $2) AND "
                     "((extract(epoch from create_time) * 1000000)::bigint, session_id) < ($3, $4)"
                     " ORDER BY create_time DESC, session_id DESC LIMIT $5"),
        tenant, state ? StateText(*state) : std::string(), after_micros,
        after.empty() ? std::string("\x7f") : after_id, limit);
    for (const auto& row : r) out.push_back(FromRow(row));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status SessionStore::MarkStarted(const Session& s, const std::string& start_page_url) {
  return SetState(pool_, s, "state = 'started', start_page_url = $3", start_page_url);
}

absl::Status SessionStore::MarkFailed(const Session& s, const std::string& reason) {
  // The request id is released so that a client retrying after UNAVAILABLE
  // gets a new attempt rather than the failed session.
  return SetState(pool_, s, "state = 'failed', failure_reason = $3, request_id = ''", reason);
}

absl::Status SessionStore::MarkExpired(const Session& s) {
  return SetState(pool_, s, "state = 'expired', failure_reason = $3", "session expired");
}

absl::StatusOr<int> SessionStore::ExpireDue() {
  int n = 0;
  IOB_RETURN_IF_ERROR(pool_->Transact([&](pqxx::transaction_base& tx) {
    pqxx::result r = tx.exec(
        "UPDATE sessions SET state = 'expired', failure_reason = 'session expired', "
        "update_time = now() WHERE state IN ('created', 'started') AND expire_time < now()");
    n = static_cast<int>(r.affected_rows());
    return absl::OkStatus();
  }));
  return n;
}

absl::Status SessionStore::SaveCart(const Session& s, const Cart& cart,
                                    const std::string& body_sha256) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    IOB_ASSIGN_OR_RETURN(Session current, SelectOne(tx, s.tenant, s.id, true));
    if (current.state != SessionState::kCreated && current.state != SessionState::kStarted) {
      return absl::AbortedError(
          absl::StrCat("session ", s.Name(), " is ", StateText(current.state)));
    }
    tx.exec_params(
        "INSERT INTO carts (tenant, session_id, currency, total, shipping, tax, "
        "operation_allowed) VALUES ($1, $2, $3, $4::numeric, NULLIF($5, '')::numeric, "
        "NULLIF($6, '')::numeric, $7)",
        s.tenant, s.id, cart.total.currency, cart.total.amount,
        cart.shipping ? cart.shipping->amount : std::string(),
        cart.tax ? cart.tax->amount : std::string(), cart.operation_allowed);
    for (const CartLine& l : cart.lines) {
      std::vector<std::string> classes;
      for (const auto& [domain, code] : l.classifications) {
        classes.push_back(absl::StrCat(domain, ":", code));
      }
      tx.exec_params(
          "INSERT INTO cart_lines (tenant, session_id, line_number, quantity, supplier_part_id, "
          "supplier_part_auxiliary_id, description, unit_price, currency, unit_of_measure, "
          "classifications, manufacturer_part_id, manufacturer_name) VALUES ($1, $2, $3, "
          "$4::numeric, $5, $6, $7, $8::numeric, $9, $10, string_to_array($11, E'\\x1f'), $12, "
          "$13)",
          s.tenant, s.id, l.line_number, l.quantity, l.supplier_part_id,
          l.supplier_part_auxiliary_id, l.description, l.unit_price.amount, l.unit_price.currency,
          l.unit_of_measure, absl::StrJoin(classes, "\x1f"), l.manufacturer_part_id,
          l.manufacturer_name);
    }
    tx.exec_params(
        "UPDATE sessions SET state = 'cart_received', cart_body_sha256 = $3, update_time = now() "
        "WHERE tenant = $1 AND session_id = $2",
        s.tenant, s.id, body_sha256);
    return absl::OkStatus();
  });
}

absl::StatusOr<Cart> SessionStore::GetCart(const std::string& tenant, const std::string& id) {
  absl::StatusOr<Cart> out;
  IOB_RETURN_IF_ERROR(pool_->Read([&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result c = tx.exec_params(
        "SELECT currency, total::text, shipping::text, tax::text, operation_allowed, "
        "(extract(epoch from receive_time) * 1000000)::bigint FROM carts "
        "WHERE tenant = $1 AND session_id = $2",
        tenant, id);
    if (c.empty()) {
      IOB_RETURN_IF_ERROR(SelectOne(tx, tenant, id, false).status());
      out = absl::FailedPreconditionError(absl::StrCat("session tenants/", tenant, "/sessions/", id,
                                                       " has not received a cart yet"));
      return absl::OkStatus();
    }
    Cart cart;
    const std::string currency = c[0][0].as<std::string>();
    cart.total = {c[0][1].as<std::string>(), currency};
    if (auto v = NullableText(c[0][2])) cart.shipping = Money{*v, currency};
    if (auto v = NullableText(c[0][3])) cart.tax = Money{*v, currency};
    cart.operation_allowed = c[0][4].as<std::string>();
    cart.receive_time = FromMicros(c[0][5]);
    pqxx::result lines = tx.exec_params(
        "SELECT line_number, quantity::text, supplier_part_id, supplier_part_auxiliary_id, "
        "description, unit_price::text, currency, unit_of_measure, "
        "array_to_string(classifications, E'\\x1f'), manufacturer_part_id, manufacturer_name "
        "FROM cart_lines WHERE tenant = $1 AND session_id = $2 ORDER BY line_number",
        tenant, id);
    for (const auto& r : lines) {
      CartLine l;
      l.line_number = r[0].as<int>();
      l.quantity = r[1].as<std::string>();
      l.supplier_part_id = r[2].as<std::string>();
      l.supplier_part_auxiliary_id = r[3].as<std::string>();
      l.description = r[4].as<std::string>();
      l.unit_price = {r[5].as<std::string>(), r[6].as<std::string>()};
      l.unit_of_measure = r[7].as<std::string>();
      for (absl::string_view c :
           absl::StrSplit(r[8].as<std::string>(), '\x1f', absl::SkipEmpty())) {
        std::pair<std::string, std::string> dc = absl::StrSplit(c, absl::MaxSplits(':', 1));
        l.classifications.push_back(dc);
      }
      l.manufacturer_part_id = r[9].as<std::string>();
      l.manufacturer_name = r[10].as<std::string>();
      cart.lines.push_back(std::move(l));
    }
    out = std::move(cart);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Session> SessionStore::Checkout(const std::string& tenant, const std::string& id) {
  absl::StatusOr<Session> out;
  IOB_RETURN_IF_ERROR(pool_->Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    IOB_ASSIGN_OR_RETURN(Session s, SelectOne(tx, tenant, id, true));
    if (s.state == SessionState::kCartReceived) {
      tx.exec_params(
          "UPDATE sessions SET state = 'checked_out', update_time = now() "
          "WHERE tenant = $1 AND session_id = $2",
          tenant, id);
    } else if (s.state != SessionState::kCheckedOut) {
      return absl::FailedPreconditionError(
          absl::StrCat("session ", s.Name(), " is ", StateText(s.state),
                       "; only a received cart can be checked out"));
    }
    out = SelectOne(tx, tenant, id, false);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace iob::punchout

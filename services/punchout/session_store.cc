#include "services/punchout/session_store.h"

#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/db/row.h"
#include "libs/runtime/resource_name.h"

namespace iob::punchout {
namespace {

const std::string& Columns() {
  static const std::string* kColumns = new std::string(absl::StrCat(
      "tenant, session_id, integration, supplier, user_id, user_email, user_name, operation, "
      "state, buyer_cookie, post_token_sha256, start_page_url, approval_required, "
      "failure_reason, cart_body_sha256, ",
      db::TimeColumn("expire_time"), ", ", db::TimeColumn("create_time"), ", ",
      db::TimeColumn("update_time")));
  return *kColumns;
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

Session FromRow(const pqxx::row& row) {
  const db::Row r(row);
  Session s;
  s.tenant = r.Text("tenant");
  s.id = r.Text("session_id");
  s.integration = r.Text("integration");
  s.supplier = r.Text("supplier");
  s.user.id = r.Text("user_id");
  s.user.email = r.Text("user_email");
  s.user.name = r.Text("user_name");
  // The table's CHECK constraints allow only the texts these parse.
  s.operation = ParseOperation(r.Text("operation")).value_or(Operation::kCreate);
  s.state = ParseState(r.Text("state")).value_or(SessionState::kFailed);
  s.buyer_cookie = r.Text("buyer_cookie");
  s.post_token_sha256 = r.Text("post_token_sha256");
  s.start_page_url = r.Text("start_page_url");
  s.approval_required = r.Bool("approval_required");
  s.failure_reason = r.Text("failure_reason");
  s.cart_body_sha256 = r.Text("cart_body_sha256");
  s.expire_time = r.Time("expire_time");
  s.create_time = r.Time("create_time");
  s.update_time = r.Time("update_time");
  return s;
}

absl::StatusOr<Session> SelectOne(pqxx::transaction_base& tx, const std::string& tenant,
                                  const std::string& id, bool for_update) {
  IOB_ASSIGN_OR_RETURN(
      pqxx::row row,
      db::FindRow(
          tx, absl::StrCat("session tenants/", tenant, "/sessions/", id),
          absl::StrCat("SELECT ", Columns(), " FROM sessions WHERE tenant = $1 AND session_id = $2",
                       for_update ? " FOR UPDATE" : ""),
          tenant, id));
  return FromRow(row);
}

// Moves a session still waiting for its cart (created or started) on.
void SetState(pqxx::transaction_base& tx, const Session& s, const std::string& sql_set,
              const std::string& value) {
  tx.exec_params(absl::StrCat("UPDATE sessions SET ", sql_set,
                              ", update_time = now() WHERE tenant = $1 AND session_id = $2 "
                              "AND state IN ('created', 'started')"),
                 s.tenant, s.id, value);
}

absl::Status SetState(db::Pool* pool, const Session& s, const std::string& sql_set,
                      const std::string& value) {
  return pool->Transact([&](pqxx::transaction_base& tx) {
    SetState(tx, s, sql_set, value);
    return absl::OkStatus();
  });
}

}  // namespace

absl::StatusOr<Session> SessionStore::Create(const Session& s, const db::RequestKey& key,
                                             bool* replayed) {
  *replayed = false;
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<Session> {
    IOB_ASSIGN_OR_RETURN(auto first, db::ClaimRequest(tx, key, s.Name()));
    if (first) {
      *replayed = true;
      IOB_ASSIGN_OR_RETURN(auto name, runtime::ParseName(kSessionPattern, *first, "resource"));
      return SelectOne(tx, name.tenant, name.id, false);
    }
    tx.exec_params(
        "INSERT INTO sessions (tenant, session_id, integration, supplier, user_id, user_email, "
        "user_name, operation, state, buyer_cookie, post_token_sha256, approval_required, "
        "expire_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'created', $9, $10, $11, "
        "to_timestamp($12::double precision / 1000000))",
        s.tenant, s.id, s.integration, s.supplier, s.user.id, s.user.email, s.user.name,
        OperationText(s.operation), s.buyer_cookie, s.post_token_sha256, s.approval_required,
        Micros(s.expire_time));
    return SelectOne(tx, s.tenant, s.id, false);
  });
}

absl::StatusOr<Session> SessionStore::Get(const std::string& tenant, const std::string& id) {
  return pool_->ReadOne(
      [&](pqxx::transaction_base& tx) { return SelectOne(tx, tenant, id, false); });
}

absl::StatusOr<Session> SessionStore::FindByPostToken(const std::string& token_sha256) {
  return pool_->ReadOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<Session> {
    IOB_ASSIGN_OR_RETURN(pqxx::row row,
                         db::FindRow(tx, "punchout session",
                                     absl::StrCat("SELECT ", Columns(),
                                                  " FROM sessions WHERE post_token_sha256 = $1"),
                                     token_sha256));
    return FromRow(row);
  });
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
  return pool_->ReadOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<Session>> {
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT ", Columns(),
                     " FROM sessions WHERE tenant = $1 AND ($2 = '' OR state = $2) AND "
                     "(",
                     db::Micros("create_time"),
                     ", session_id) < ($3, $4)"
                     " ORDER BY create_time DESC, session_id DESC LIMIT $5"),
        tenant, state ? StateText(*state) : std::string(), after_micros,
        after.empty() ? std::string("\x7f") : after_id, limit);
    std::vector<Session> out;
    for (const auto& row : r) out.push_back(FromRow(row));
    return out;
  });
}

absl::Status SessionStore::MarkStarted(const Session& s, const std::string& start_page_url) {
  return SetState(pool_, s, "state = 'started', start_page_url = $3", start_page_url);
}

absl::Status SessionStore::MarkFailed(const Session& s, const std::string& reason,
                                      const db::RequestKey& key) {
  return pool_->Transact([&](pqxx::transaction_base& tx) {
    SetState(tx, s, "state = 'failed', failure_reason = $3", reason);
    // A client retrying after UNAVAILABLE gets a new attempt, not this session.
    db::ReleaseRequest(tx, key);
    return absl::OkStatus();
  });
}

absl::Status SessionStore::MarkExpired(const Session& s) {
  return SetState(pool_, s, "state = 'expired', failure_reason = $3", "session expired");
}

absl::StatusOr<int> SessionStore::ExpireDue() {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<int> {
    pqxx::result r = tx.exec(
        "UPDATE sessions SET state = 'expired', failure_reason = 'session expired', "
        "update_time = now() WHERE state IN ('created', 'started') AND expire_time < now()");
    return static_cast<int>(r.affected_rows());
  });
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
  return pool_->Read([&](pqxx::transaction_base& tx) -> absl::StatusOr<Cart> {
    pqxx::result c = tx.exec_params(
        absl::StrCat("SELECT currency, total::text AS total, shipping::text AS shipping, "
                     "tax::text AS tax, operation_allowed, ",
                     db::TimeColumn("receive_time"),
                     " FROM carts WHERE tenant = $1 AND session_id = $2"),
        tenant, id);
    if (c.empty()) {
      IOB_RETURN_IF_ERROR(SelectOne(tx, tenant, id, false).status());
      return absl::FailedPreconditionError(absl::StrCat("session tenants/", tenant, "/sessions/",
                                                        id, " has not received a cart yet"));
    }
    const db::Row head(c[0]);
    Cart cart;
    const std::string currency = head.Text("currency");
    cart.total = {head.Text("total"), currency};
    if (auto v = head.NullableText("shipping")) cart.shipping = Money{*v, currency};
    if (auto v = head.NullableText("tax")) cart.tax = Money{*v, currency};
    cart.operation_allowed = head.Text("operation_allowed");
    cart.receive_time = head.Time("receive_time");
    pqxx::result lines = tx.exec_params(
        "SELECT line_number, quantity::text AS quantity, supplier_part_id, "
        "supplier_part_auxiliary_id, description, unit_price::text AS unit_price, currency, "
        "unit_of_measure, array_to_string(classifications, E'\\x1f') AS classifications, "
        "manufacturer_part_id, manufacturer_name "
        "FROM cart_lines WHERE tenant = $1 AND session_id = $2 ORDER BY line_number",
        tenant, id);
    for (const auto& row : lines) {
      const db::Row r(row);
      CartLine l;
      l.line_number = static_cast<int>(r.Int("line_number"));
      l.quantity = r.Text("quantity");
      l.supplier_part_id = r.Text("supplier_part_id");
      l.supplier_part_auxiliary_id = r.Text("supplier_part_auxiliary_id");
      l.description = r.Text("description");
      l.unit_price = {r.Text("unit_price"), r.Text("currency")};
      l.unit_of_measure = r.Text("unit_of_measure");
      for (absl::string_view c :
           absl::StrSplit(r.Text("classifications"), '\x1f', absl::SkipEmpty())) {
        std::pair<std::string, std::string> dc = absl::StrSplit(c, absl::MaxSplits(':', 1));
        l.classifications.push_back(dc);
      }
      l.manufacturer_part_id = r.Text("manufacturer_part_id");
      l.manufacturer_name = r.Text("manufacturer_name");
      cart.lines.push_back(std::move(l));
    }
    return cart;
  });
}

absl::StatusOr<Session> SessionStore::Checkout(const std::string& tenant, const std::string& id,
                                               bool approval_required) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<Session> {
    IOB_ASSIGN_OR_RETURN(Session s, SelectOne(tx, tenant, id, true));
    if (s.state == SessionState::kCartReceived || s.state == SessionState::kCheckedOut) {
      tx.exec_params(
          "UPDATE sessions SET state = 'checked_out', approval_required = $3, update_time = "
          "CASE WHEN state = 'checked_out' AND approval_required = $3 THEN update_time "
          "ELSE now() END WHERE tenant = $1 AND session_id = $2",
          tenant, id, approval_required);
    } else {
      return absl::FailedPreconditionError(
          absl::StrCat("session ", s.Name(), " is ", StateText(s.state),
                       "; only a received cart can be checked out"));
    }
    return SelectOne(tx, tenant, id, false);
  });
}

}  // namespace iob::punchout

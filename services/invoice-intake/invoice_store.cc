#include "services/invoice-intake/invoice_store.h"

#include <algorithm>
#include <limits>
#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/crypto/key_ring.h"
#include "libs/cxml/decimal.h"
#include "libs/db/row.h"
#include "libs/runtime/proto_json.h"
#include "libs/runtime/resource_name.h"

namespace iob::invoice {
namespace {

using runtime::FromJson;
using runtime::ToJson;

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

// A Postgres text[] literal of `values` (each quoted and escaped).
std::string ArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ",";
    out += "\"";
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += "\"";
  }
  return out + "}";
}

std::vector<std::string> ArrayOf(const pqxx::field& field) {
  std::vector<std::string> out;
  pqxx::array_parser parser = field.as_array();
  for (auto [kind, value] = parser.get_next(); kind != pqxx::array_parser::juncture::done;
       std::tie(kind, value) = parser.get_next()) {
    if (kind == pqxx::array_parser::juncture::string_value) out.push_back(value);
  }
  return out;
}

// Waits for every other transaction that reads or writes what invoices put
// on `orders` (taken in one order, so two never wait for each other).
void LockOrders(pqxx::transaction_base& tx, const std::string& tenant,
                std::vector<std::string> orders) {
  std::sort(orders.begin(), orders.end());
  orders.erase(std::unique(orders.begin(), orders.end()), orders.end());
  for (const std::string& order : orders) {
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                   absl::StrCat("invoiced\n", tenant, "\n", order));
  }
}

// Replaces what invoice `id` puts on order lines by `quantities`.
void PutQuantities(pqxx::transaction_base& tx, const std::string& tenant, const std::string& id,
                   const InvoicedQuantities& quantities) {
  tx.exec_params("DELETE FROM invoiced_quantities WHERE tenant = $1 AND invoice_id = $2", tenant,
                 id);
  for (const auto& [line, quantity] : quantities) {
    tx.exec_params(
        "INSERT INTO invoiced_quantities (tenant, invoice_id, order_name, order_line, quantity) "
        "VALUES ($1, $2, $3, $4, $5::numeric)",
        tenant, id, line.first, line.second, quantity);
  }
}

const std::string& MessageColumns() {
  static const std::string* kColumns = new std::string(absl::StrCat(
      "id, tenant, source, source_key, sha256, message_id, size_bytes, state, reason, "
      "from_address, subject, authentication, invoices, ",
      db::TimeColumn("receive_time"), ", ", db::Micros("process_time"), " AS process_time"));
  return *kColumns;
}

StoredMessage MessageFromRow(const pqxx::row& row) {
  const db::Row r(row);
  StoredMessage m;
  m.id = r.Text("id");
  m.tenant = r.Text("tenant");
  m.source = r.Text("source");
  m.source_key = r.Text("source_key");
  m.sha256 = r.Text("sha256");
  m.message_id = r.Text("message_id");
  m.size_bytes = r.Int("size_bytes");
  m.state = r.Text("state");
  m.reason = r.Text("reason");
  m.from_address = r.Text("from_address");
  m.subject = r.Text("subject");
  m.authentication = r.Text("authentication");
  m.invoices = ArrayOf(row["invoices"]);
  m.receive_time = r.Time("receive_time");
  m.process_time = r.NullableTime("process_time");
  return m;
}

const std::string& InvoiceColumns() {
  static const std::string* kColumns = new std::string(absl::StrCat(
      "tenant, id, sender_key, invoice_number, integration, supplier, state, sender_verified, "
      "credit_memo, currency, po_numbers, detail::text AS detail, reason, ",
      db::TimeColumn("create_time"), ", ", db::TimeColumn("update_time")));
  return *kColumns;
}

InvoiceRecord InvoiceFromRow(const pqxx::row& row) {
  const db::Row r(row);
  InvoiceRecord i;
  i.tenant = r.Text("tenant");
  i.id = r.Text("id");
  i.sender_key = r.Text("sender_key");
  i.invoice_number = r.Text("invoice_number");
  i.integration = r.Text("integration");
  i.supplier = r.Text("supplier");
  i.state = r.Text("state");
  i.sender_verified = r.Bool("sender_verified");
  i.credit_memo = r.Bool("credit_memo");
  i.currency = r.Text("currency");
  i.po_numbers = ArrayOf(row["po_numbers"]);
  i.detail = FromJson<pb::Invoice>(r.Text("detail"));
  i.reason = r.Text("reason");
  i.create_time = r.Time("create_time");
  i.update_time = r.Time("update_time");
  return i;
}

void LoadSources(pqxx::transaction_base& tx, InvoiceRecord& i) {
  for (const auto& row : tx.exec_params(
           absl::StrCat("SELECT message, part, format, sha256, ", db::TimeColumn("receive_time"),
                        " FROM invoice_sources WHERE tenant = $1 AND invoice_id = $2 "
                        "ORDER BY receive_time, message, part"),
           i.tenant, i.id)) {
    const db::Row r(row);
    i.sources.push_back({r.Text("message"), r.Text("part"), r.Text("format"), r.Text("sha256"),
                         r.Time("receive_time")});
  }
}

absl::StatusOr<InvoiceRecord> SelectInvoice(pqxx::transaction_base& tx, const std::string& tenant,
                                            const std::string& id, bool for_update) {
  IOB_ASSIGN_OR_RETURN(pqxx::row row,
                       db::FindRow(tx, absl::StrCat("invoice tenants/", tenant, "/invoices/", id),
                                   absl::StrCat("SELECT ", InvoiceColumns(),
                                                " FROM invoices WHERE tenant = $1 AND id = $2",
                                                for_update ? " FOR UPDATE" : ""),
                                   tenant, id));
  InvoiceRecord i = InvoiceFromRow(row);
  LoadSources(tx, i);
  return i;
}

}  // namespace

InvoicedQuantities QuantitiesOf(const pb::Invoice& detail) {
  std::map<int, const pb::InvoiceLine*> lines;
  for (const pb::InvoiceLine& l : detail.lines()) lines[l.line_number()] = &l;
  std::map<std::pair<std::string, int>, cxml::Decimal> sums;
  for (const pb::LineMatch& m : detail.matches()) {
    auto line = lines.find(m.invoice_line());
    if (m.order().empty() || line == lines.end()) continue;
    // Matching refused what is not a decimal or overflows: such a line was
    // never matched, so it puts nothing on the order.
    absl::StatusOr<cxml::Decimal> q = cxml::Decimal::Parse(line->second->quantity());
    if (q.ok() && detail.credit_memo() && q->Sign() > 0) q = q->Times(*cxml::Decimal::Parse("-1"));
    cxml::Decimal& sum = sums[{m.order(), m.order_line()}];
    if (absl::StatusOr<cxml::Decimal> next = q.ok() ? sum.Plus(*q) : q; next.ok()) sum = *next;
  }
  InvoicedQuantities out;
  for (const auto& [key, sum] : sums) out[key] = sum.ToString();
  return out;
}

std::string StoredMessage::Name() const {
  return tenant.empty() ? absl::StrCat("messages/", id)
                        : absl::StrCat("tenants/", tenant, "/messages/", id);
}

std::string InvoiceRecord::Name() const {
  return absl::StrCat("tenants/", tenant, "/invoices/", id);
}

absl::StatusOr<StoredAddress> InvoiceStore::GetOrCreateAddress(const std::string& tenant,
                                                               const std::string& local_part) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<StoredAddress> {
    tx.exec_params(
        "INSERT INTO addresses (tenant, local_part) VALUES ($1, $2) ON CONFLICT (tenant) DO "
        "NOTHING",
        tenant, local_part);
    IOB_ASSIGN_OR_RETURN(
        pqxx::row row,
        db::FindRow(tx, "address",
                    absl::StrCat("SELECT tenant, local_part, ", db::TimeColumn("create_time"),
                                 " FROM addresses WHERE tenant = $1"),
                    tenant));
    const db::Row r(row);
    return StoredAddress{r.Text("tenant"), r.Text("local_part"), r.Time("create_time")};
  });
}

absl::StatusOr<std::string> InvoiceStore::TenantOf(const std::string& local_part) {
  return pool_->ReadOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<std::string> {
    IOB_ASSIGN_OR_RETURN(
        pqxx::row row,
        db::FindRow(tx, absl::StrCat("address ", local_part),
                    "SELECT tenant FROM addresses WHERE local_part = $1", local_part));
    return row[0].as<std::string>();
  });
}

absl::StatusOr<StoredMessage> InvoiceStore::PutMessage(const std::string& source,
                                                       const std::string& source_key,
                                                       const std::string& raw) {
  const std::string sha = crypto::Sha256Hex(raw);
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<StoredMessage> {
    pqxx::result inserted = tx.exec_params(
        absl::StrCat(
            "INSERT INTO messages (id, source, source_key, sha256, size_bytes, raw, state) "
            "VALUES ($1, $2, $3, $4, $5, $6, 'received') ON CONFLICT (sha256) DO NOTHING "
            "RETURNING ",
            MessageColumns()),
        runtime::NewId('m'), source, source_key, sha, static_cast<int64_t>(raw.size()),
        pqxx::binarystring(raw.data(), raw.size()));
    if (!inserted.empty()) return MessageFromRow(inserted[0]);
    IOB_ASSIGN_OR_RETURN(
        pqxx::row row,
        db::FindRow(tx, "message",
                    absl::StrCat("SELECT ", MessageColumns(), " FROM messages WHERE sha256 = $1"),
                    sha));
    StoredMessage m = MessageFromRow(row);
    m.duplicate = true;
    return m;
  });
}

absl::StatusOr<StoredMessage> InvoiceStore::GetMessage(const std::string& id, bool include_raw) {
  return pool_->ReadOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<StoredMessage> {
    IOB_ASSIGN_OR_RETURN(pqxx::row row, db::FindRow(tx, absl::StrCat("message ", id),
                                                    absl::StrCat("SELECT ", MessageColumns(),
                                                                 include_raw ? ", raw" : "",
                                                                 " FROM messages WHERE id = $1"),
                                                    id));
    StoredMessage m = MessageFromRow(row);
    if (include_raw) m.raw = db::Row(row).Bytes("raw");
    return m;
  });
}

absl::StatusOr<IntakeStats> InvoiceStore::Stats() {
  return pool_->Read([&](pqxx::transaction_base& tx) -> absl::StatusOr<IntakeStats> {
    IntakeStats stats;
    const pqxx::row m = tx.exec1(
        "SELECT COALESCE(EXTRACT(EPOCH FROM now() - (SELECT min(receive_time) FROM messages "
        "WHERE state = 'received')), 0)::float8, (SELECT count(*) FROM messages WHERE state = "
        "'quarantined')");
    stats.oldest_unprocessed_age = absl::Seconds(m[0].as<double>());
    stats.quarantined = m[1].as<int64_t>();
    for (const auto& row : tx.exec(
             "SELECT state, count(*) FROM invoices WHERE state IN ('exception', 'needs_review') "
             "GROUP BY state")) {
      (row[0].as<std::string>() == "exception" ? stats.exceptions : stats.needs_review) =
          row[1].as<int64_t>();
    }
    return stats;
  });
}

absl::StatusOr<std::vector<std::string>> InvoiceStore::Unprocessed(int limit,
                                                                   absl::Duration min_age) {
  return pool_->ReadOne(
      [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<std::string>> {
        std::vector<std::string> ids;
        for (const auto& row : tx.exec_params(
                 "SELECT id FROM messages WHERE state = 'received' AND receive_time < now() - "
                 "make_interval(secs => $2) ORDER BY receive_time LIMIT $1",
                 limit, absl::ToDoubleSeconds(min_age))) {
          ids.push_back(row[0].as<std::string>());
        }
        return ids;
      });
}

absl::StatusOr<StoredMessage> InvoiceStore::FinishMessage(const std::string& id,
                                                          const MessageOutcome& o) {
  return pool_->WriteOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<StoredMessage> {
    IOB_ASSIGN_OR_RETURN(
        pqxx::row row,
        db::FindRow(tx, absl::StrCat("message ", id),
                    absl::StrCat("UPDATE messages SET tenant = $2, state = $3, reason = $4, "
                                 "from_address = $5, subject = $6, authentication = $7, "
                                 "invoices = $8::text[], process_time = now() WHERE id = $1 "
                                 "RETURNING ",
                                 MessageColumns()),
                    id, o.tenant, o.state, o.reason, o.from_address, o.subject, o.authentication,
                    ArrayLiteral(o.invoices)));
    return MessageFromRow(row);
  });
}

absl::Status InvoiceStore::ResetMessage(const std::string& id) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params("UPDATE messages SET state = 'received', reason = '' WHERE id = $1", id);
    return absl::OkStatus();
  });
}

absl::StatusOr<InvoiceRecord> InvoiceStore::Record(
    const std::string& tenant, const std::string& sender_key, const std::string& invoice_number,
    const std::vector<std::string>& orders,
    const std::function<absl::StatusOr<InvoiceWrite>(const std::optional<InvoiceRecord>&,
                                                     const InvoicedQuantities&)>& decide) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<InvoiceRecord> {
    // Every copy of one invoice waits for the one before it.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                   absl::StrCat(tenant, "\n", sender_key, "\n", invoice_number));
    std::optional<InvoiceRecord> existing;
    pqxx::result found = tx.exec_params(
        absl::StrCat(
            "SELECT ", InvoiceColumns(),
            " FROM invoices WHERE tenant = $1 AND sender_key = $2 AND invoice_number = $3"),
        tenant, sender_key, invoice_number);
    if (!found.empty()) {
      existing = InvoiceFromRow(found[0]);
      LoadSources(tx, *existing);
    }
    // A new invoice is checked against what the others put on its orders:
    // two invoices of one order line must not both read it without the
    // other. (Another copy changes no quantities, so it needs no lock.)
    if (!existing) LockOrders(tx, tenant, orders);
    InvoicedQuantities before;
    for (const auto& row : tx.exec_params(
             "SELECT order_name, order_line, sum(quantity)::text FROM invoiced_quantities "
             "WHERE tenant = $1 AND order_name = ANY($2::text[]) AND invoice_id <> $3 "
             "GROUP BY order_name, order_line",
             tenant, ArrayLiteral(orders), existing ? existing->id : std::string())) {
      before[{row[0].as<std::string>(), row[1].as<int>()}] = row[2].as<std::string>();
    }
    IOB_ASSIGN_OR_RETURN(InvoiceWrite w, decide(existing, before));
    InvoiceRecord& i = w.record;
    tx.exec_params(
        "INSERT INTO invoices (tenant, id, sender_key, invoice_number, integration, supplier, "
        "state, "
        "sender_verified, credit_memo, currency, po_numbers, detail, reason) VALUES ($1, $2, $3, "
        "$4, "
        "$5, $6, $7, $8, $9, $10, $11::text[], $12::jsonb, $13) ON CONFLICT (tenant, id) DO UPDATE "
        "SET integration = $5, supplier = $6, state = $7, sender_verified = $8, credit_memo = $9, "
        "currency = $10, po_numbers = $11::text[], detail = $12::jsonb, reason = $13, "
        "update_time = now()",
        i.tenant, i.id, i.sender_key, i.invoice_number, i.integration, i.supplier, i.state,
        i.sender_verified, i.credit_memo, i.currency, ArrayLiteral(i.po_numbers), ToJson(i.detail),
        i.reason);
    tx.exec_params(
        "INSERT INTO invoice_sources (tenant, invoice_id, message, part, format, sha256) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        i.tenant, i.id, w.source.message, w.source.part, w.source.format, w.source.sha256);
    if (w.quantities) PutQuantities(tx, i.tenant, i.id, *w.quantities);
    return SelectInvoice(tx, i.tenant, i.id, false);
  });
}

absl::StatusOr<InvoiceRecord> InvoiceStore::GetInvoice(const std::string& tenant,
                                                       const std::string& id) {
  return pool_->Read(
      [&](pqxx::transaction_base& tx) { return SelectInvoice(tx, tenant, id, false); });
}

std::string InvoiceStore::PageKey(const InvoiceRecord& invoice) {
  return absl::StrCat(Micros(invoice.create_time), ":", invoice.id);
}

absl::StatusOr<std::vector<InvoiceRecord>> InvoiceStore::ListInvoices(const std::string& tenant,
                                                                      const InvoiceFilter& f,
                                                                      const std::string& after,
                                                                      int limit) {
  int64_t after_us = std::numeric_limits<int64_t>::max();
  std::string after_id = "\x7f";
  if (!after.empty()) {
    std::pair<std::string, std::string> kv = absl::StrSplit(after, absl::MaxSplits(':', 1));
    if (!absl::SimpleAtoi(kv.first, &after_us) || kv.second.empty()) {
      return absl::InvalidArgumentError("page_token: is not a token this list returned");
    }
    after_id = kv.second;
  }
  return pool_->Read([&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<InvoiceRecord>> {
    std::vector<InvoiceRecord> out;
    for (const auto& row : tx.exec_params(
             absl::StrCat("SELECT ", InvoiceColumns(),
                          " FROM invoices WHERE tenant = $1 AND ($2 = '' OR state = $2) AND "
                          "($3 = '' OR integration = $3) AND ($4 = '' OR $4 = ANY(po_numbers)) "
                          "AND (",
                          db::Micros("create_time"),
                          ", id) < ($5, $6) ORDER BY create_time DESC, id DESC LIMIT $7"),
             tenant, f.state, f.integration, f.po_number, after_us, after_id, limit)) {
      out.push_back(InvoiceFromRow(row));
    }
    for (InvoiceRecord& i : out) LoadSources(tx, i);
    return out;
  });
}

absl::StatusOr<InvoiceRecord> InvoiceStore::Resolve(const std::string& tenant,
                                                    const std::string& id, bool accept,
                                                    const std::string& note,
                                                    const std::string& actor,
                                                    const db::RequestKey& key) {
  return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<InvoiceRecord> {
    IOB_ASSIGN_OR_RETURN(InvoiceRecord i, SelectInvoice(tx, tenant, id, true));
    IOB_ASSIGN_OR_RETURN(auto first, db::ClaimRequest(tx, key, i.Name()));
    if (first) return i;
    if (i.state != "exception" && i.state != "needs_review") {
      return absl::FailedPreconditionError(
          absl::StrCat("invoice ", i.Name(), " is ", i.state,
                       "; only an invoice in exception or needs_review can be resolved"));
    }
    tx.exec_params(
        "INSERT INTO resolutions (tenant, invoice_id, decision, note, actor) VALUES ($1, $2, $3, "
        "$4, $5)",
        tenant, id, accept ? "accept" : "reject", note, actor);
    const InvoicedQuantities quantities = accept ? QuantitiesOf(i.detail) : InvoicedQuantities{};
    std::vector<std::string> orders;
    for (const auto& [line, quantity] : quantities) orders.push_back(line.first);
    LockOrders(tx, tenant, orders);
    PutQuantities(tx, tenant, id, quantities);
    tx.exec_params(
        "UPDATE invoices SET state = $3, reason = $4, update_time = now() WHERE tenant = $1 AND "
        "id = $2",
        tenant, id, accept ? "accepted" : "rejected",
        absl::StrCat(accept ? "accepted" : "rejected", " by ", actor, ": ", note));
    return SelectInvoice(tx, tenant, id, false);
  });
}

}  // namespace iob::invoice

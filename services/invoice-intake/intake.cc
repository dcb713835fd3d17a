#include "services/invoice-intake/intake.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"
#include "libs/crypto/key_ring.h"
#include "libs/cxml/decimal.h"
#include "libs/runtime/resource_name.h"
#include "services/invoice-intake/invoice_reader.h"

namespace iob::invoice {
namespace {

namespace dpb = ::iob::dispatch::v1;

// Letters and digits that cannot be mistaken for one another.
constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";

std::string RandomPart(int n) {
  std::string out;
  for (unsigned char b : crypto::RandomBytes(n)) out.push_back(kAlphabet[b % 32]);
  return out;
}

// `domain` is `wanted` or one of its subdomains.
bool DomainMatches(absl::string_view domain, absl::string_view wanted) {
  return domain == wanted || absl::EndsWith(domain, absl::StrCat(".", wanted));
}

// Who sent a message, as far as we can tell.
struct Sender {
  std::string integration;  // "" when no integration's supplier sends from the domain
  std::string supplier;
  std::string domain;  // the sending domain that matched (else From's)
  bool verified = false;
  std::string key;  // integration, or "domain:<from domain>"
};

std::string DecimalSum(const std::string& a, const std::string& b) {
  absl::StatusOr<cxml::Decimal> x = cxml::Decimal::Parse(a.empty() ? "0" : a);
  absl::StatusOr<cxml::Decimal> y = cxml::Decimal::Parse(b.empty() ? "0" : b);
  if (!x.ok() || !y.ok()) return a;
  absl::StatusOr<cxml::Decimal> s = x->Plus(*y);
  return s.ok() ? s->ToString() : a;
}

OrderForMatch ForMatch(const dpb::Order& o) {
  OrderForMatch m;
  m.name = o.name();
  m.po_number = o.content().po_number();
  m.currency = o.content().currency();
  std::map<int, std::string> shipped;
  for (const dpb::Shipment& s : o.shipments()) {
    for (const dpb::ShipmentLine& l : s.lines()) {
      shipped[l.line_number()] = DecimalSum(shipped[l.line_number()], l.quantity());
    }
  }
  for (const auto& l : o.content().lines()) {
    OrderLine line;
    line.line_number = l.line_number();
    line.supplier_part_id = l.supplier_part_id();
    line.quantity = l.quantity();
    line.unit_price = l.unit_price().amount();
    if (auto it = shipped.find(l.line_number()); it != shipped.end()) line.shipped = it->second;
    m.lines.push_back(std::move(line));
  }
  return m;
}

pb::FoundValue ToProto(const Found& f) {
  pb::FoundValue v;
  v.set_value(f.value);
  v.set_rule(f.rule);
  return v;
}

// The values read, as stored in the invoice's detail.
void FillRead(const InvoiceDocument& d, pb::Invoice* out) {
  *out->mutable_invoice_number() = ToProto(d.invoice_number);
  *out->mutable_invoice_date() = ToProto(d.invoice_date);
  out->set_credit_memo(d.credit_memo);
  out->set_currency(d.currency);
  *out->mutable_net() = ToProto(d.net);
  *out->mutable_tax() = ToProto(d.tax);
  *out->mutable_gross() = ToProto(d.gross);
  out->clear_po_numbers();
  for (const Found& po : d.po_numbers) *out->add_po_numbers() = ToProto(po);
  out->clear_lines();
  for (const InvoiceLine& l : d.lines) {
    pb::InvoiceLine* p = out->add_lines();
    p->set_line_number(l.line_number);
    p->set_po_number(l.po_number);
    p->set_order_line_number(l.order_line_number);
    p->set_supplier_part_id(l.supplier_part_id);
    p->set_description(l.description);
    p->set_quantity(l.quantity);
    p->set_unit_of_measure(l.unit_of_measure);
    p->mutable_unit_price()->set_amount(l.unit_price);
    p->mutable_unit_price()->set_currency(d.currency);
    if (!l.subtotal.empty()) {
      p->mutable_subtotal()->set_amount(l.subtotal);
      p->mutable_subtotal()->set_currency(d.currency);
    }
    if (!l.tax.empty()) {
      p->mutable_tax()->set_amount(l.tax);
      p->mutable_tax()->set_currency(d.currency);
    }
  }
}

void FillMatch(const MatchResult& r, pb::Invoice* out) {
  out->clear_matches();
  out->clear_exceptions();
  for (const LineMatch& m : r.lines) {
    pb::LineMatch* p = out->add_matches();
    p->set_invoice_line(m.invoice_line);
    p->set_order(m.order);
    p->set_order_line(m.order_line);
    p->set_ordered_quantity(m.ordered);
    p->set_shipped_quantity(m.shipped);
    p->set_invoiced_quantity(m.invoiced_total);
    p->set_ok(m.ok);
  }
  for (const MatchException& e : r.exceptions) {
    pb::MatchException* p = out->add_exceptions();
    // The enums share their order (matching.h / invoice_service.proto).
    p->set_type(static_cast<pb::ExceptionType>(static_cast<int>(e.type) + 1));
    p->set_invoice_line(e.invoice_line);
    p->set_order(e.order);
    p->set_order_line(e.order_line);
    p->set_expected(e.expected);
    p->set_actual(e.actual);
    p->set_rule(e.rule);
    p->set_message(e.message);
  }
}

// What a second copy must agree on with the first.
std::string Amounts(const pb::Invoice& i) {
  return absl::StrCat(i.currency(), " net ", i.net().value(), " tax ", i.tax().value(), " gross ",
                      i.gross().value(), " lines ", i.lines_size());
}

}  // namespace

std::map<std::string, std::vector<std::string>> DefaultSenderDomains() {
  return {{"amazon-business",
           {"amazon.com", "amazon.co.uk", "amazon.de", "amazon.fr", "amazon.it", "amazon.es",
            "amazon.ca", "amazon.co.jp", "amazon.in"}}};
}

absl::StatusOr<std::map<std::string, std::vector<std::string>>> ParseSenderDomains(
    const std::string& text) {
  auto out = DefaultSenderDomains();
  for (absl::string_view part : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    if (kv.first.empty() || kv.second.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--sender-domains: '", part, "' is not supplier=domain+domain"));
    }
    std::vector<std::string> domains = absl::StrSplit(kv.second, '+', absl::SkipEmpty());
    for (std::string& d : domains) d = absl::AsciiStrToLower(d);
    out[kv.first] = domains;
  }
  return out;
}

Intake::Intake(IntakeOptions options, InvoiceStore* store, supplier::CredentialsClient* credentials,
               peers::DispatchClient* dispatch, IntakeMetrics* metrics)
    : options_(std::move(options)),
      store_(store),
      credentials_(credentials),
      dispatch_(dispatch),
      metrics_(metrics) {}

absl::StatusOr<std::string> Intake::AddressOf(const std::string& tenant) {
  IOB_ASSIGN_OR_RETURN(StoredAddress a, store_->GetOrCreateAddress(
                                            tenant, absl::StrCat(tenant, "-", RandomPart(10))));
  return absl::StrCat(a.local_part, "@", options_.mail_domain);
}

absl::StatusOr<StoredMessage> Intake::Take(const std::string& source, const std::string& source_key,
                                           const std::string& raw) {
  if (raw.size() > options_.limits.max_message_bytes) {
    if (metrics_ != nullptr) metrics_->Message(source, "refused");
    return absl::ResourceExhaustedError(absl::StrCat("message of ", raw.size(),
                                                     " bytes is over the limit of ",
                                                     options_.limits.max_message_bytes));
  }
  IOB_ASSIGN_OR_RETURN(StoredMessage stored, store_->PutMessage(source, source_key, raw));
  absl::StatusOr<StoredMessage> out = stored;
  if (!stored.duplicate || stored.state == "received") {
    stored.raw = raw;
    out = Read(stored);
    stored.raw.clear();
    if (!out.ok()) {
      // Stored: it is read again by the next sweep.
      common::LogWarn("reading a message failed; it stays received",
                      {{"message", stored.id}, {"error", out.status().ToString()}});
      out = stored;
    }
    out->duplicate = stored.duplicate;
  }
  if (metrics_ != nullptr) metrics_->Message(source, out->duplicate ? "duplicate" : out->state);
  return out;
}

absl::StatusOr<StoredMessage> Intake::TakePosted(const supplier::VerifiedSender& sender,
                                                 std::string_view xml) {
  return Take(kPostedSource, sender.integration, std::string(xml));
}

absl::StatusOr<StoredMessage> Intake::Process(const std::string& message_id) {
  IOB_ASSIGN_OR_RETURN(StoredMessage stored, store_->GetMessage(message_id, true));
  return Read(stored);
}

absl::StatusOr<StoredMessage> Intake::Read(const StoredMessage& stored) {
  const absl::Time start = absl::Now();
  MessageOutcome outcome;
  outcome.state = "quarantined";
  IOB_RETURN_IF_ERROR(stored.source == kPostedSource ? ReadPosted(stored, outcome)
                                                     : ReadMessage(stored, outcome));
  IOB_ASSIGN_OR_RETURN(StoredMessage finished, store_->FinishMessage(stored.id, outcome));
  if (outcome.state == "quarantined") {
    common::LogWarn("message quarantined", {{"message", stored.id}, {"reason", outcome.reason}});
  }
  if (metrics_ != nullptr) metrics_->Processed(absl::Now() - start);
  return finished;
}

absl::Status Intake::ReadMessage(const StoredMessage& stored, MessageOutcome& outcome) {
  absl::StatusOr<MailMessage> mail = ReadMail(stored.raw, options_.limits);
  if (!mail.ok()) {
    outcome.reason = absl::StrCat("unreadable message: ", mail.status().message());
    return absl::OkStatus();
  }
  outcome.from_address = mail->from_address;
  outcome.subject = mail->subject;
  outcome.authentication = mail->authentication_results;
  // Routing: the first recipient that is a tenant's address.
  for (const std::string& rcpt : mail->recipients) {
    const size_t at = rcpt.rfind('@');
    if (at == std::string::npos || rcpt.substr(at + 1) != options_.mail_domain) continue;
    absl::StatusOr<std::string> tenant = store_->TenantOf(rcpt.substr(0, at));
    if (tenant.ok()) {
      outcome.tenant = *tenant;
      break;
    }
    if (!absl::IsNotFound(tenant.status())) return tenant.status();
  }
  if (outcome.tenant.empty()) {
    outcome.reason = absl::StrCat("unroutable: no recipient is a tenant's e-invoicing address (",
                                  absl::StrJoin(mail->recipients, ", "), ")");
    return absl::OkStatus();
  }
  IOB_ASSIGN_OR_RETURN(SenderEvidence sender, MailSender(outcome.tenant, *mail));
  return RecordInvoices(stored, sender, ReadInvoices(*mail), outcome);
}

absl::Status Intake::ReadPosted(const StoredMessage& stored, MessageOutcome& outcome) {
  // The integration (source_key) verified the post with its shared secret.
  IOB_ASSIGN_OR_RETURN(
      runtime::ResourceName name,
      runtime::ParseName(runtime::kIntegrationPattern, stored.source_key, "source_key"));
  outcome.tenant = name.tenant;
  outcome.from_address = stored.source_key;
  outcome.subject = "cXML InvoiceDetailRequest posted";
  outcome.authentication = absl::StrCat("cXML shared secret of ", stored.source_key);
  SenderEvidence sender;
  sender.verified = true;
  sender.described = absl::StrCat("integration ", stored.source_key);
  sender.unknown_key = stored.source_key;
  IOB_ASSIGN_OR_RETURN(std::vector<supplier::SupplierTile> tiles,
                       credentials_->ListActive(outcome.tenant));
  for (const supplier::SupplierTile& t : tiles) {
    if (t.integration == stored.source_key) sender.candidates.push_back(t);
  }
  MailPart part;
  part.path = "1";
  part.content_type = "text/xml";
  part.file_name = "InvoiceDetailRequest.xml";
  part.data = stored.raw;
  std::vector<PartResult> parts;
  if (std::optional<PartResult> read = ReadInvoicePart(part)) parts.push_back(*std::move(read));
  return RecordInvoices(stored, sender, std::move(parts), outcome);
}

absl::StatusOr<SenderEvidence> Intake::MailSender(const std::string& tenant,
                                                  const MailMessage& mail) {
  // The tenant's integrations whose supplier sends from the From domain;
  // verified when the receiving server says so for that domain.
  SenderEvidence sender;
  sender.domain = mail.from_domain;
  sender.unknown_key = absl::StrCat("domain:", mail.from_domain);
  sender.described = absl::StrCat("sender ", mail.from_address);
  IOB_ASSIGN_OR_RETURN(std::vector<supplier::SupplierTile> tiles, credentials_->ListActive(tenant));
  std::sort(tiles.begin(), tiles.end(),
            [](const auto& a, const auto& b) { return a.integration < b.integration; });
  for (const supplier::SupplierTile& t : tiles) {
    auto it = options_.sender_domains.find(t.supplier);
    if (it == options_.sender_domains.end()) continue;
    for (const std::string& d : it->second) {
      if (!DomainMatches(mail.from_domain, d)) continue;
      sender.candidates.push_back(t);
      sender.domain = d;
      break;
    }
  }
  sender.verified =
      !sender.candidates.empty() && !options_.trusted_authserv_ids.empty() &&
      ParseAuthenticationResults(mail.authentication_results, options_.trusted_authserv_ids)
          .VerifiedFor(sender.domain);
  return sender;
}

absl::Status Intake::RecordInvoices(const StoredMessage& stored, const SenderEvidence& evidence,
                                    std::vector<PartResult> parts, MessageOutcome& outcome) {
  const std::string& tenant = outcome.tenant;
  std::vector<std::string> notes;
  for (PartResult& part : parts) {
    if (!part.invoice) {
      if (!part.error.empty()) notes.push_back(absl::StrCat(part.part, ": ", part.error));
      continue;
    }
    const InvoiceDocument& doc = *part.invoice;
    if (doc.invoice_number.empty()) {
      notes.push_back(absl::StrCat(part.part, ": no invoice number found"));
      continue;
    }
    // The orders it names, as dispatch has them; the integration is the
    // candidate they were sent through (a tenant may have several
    // integrations with one supplier).
    Sender sender;
    sender.domain = evidence.domain;
    sender.verified = evidence.verified;
    std::vector<dpb::Order> named;
    const auto& candidates = evidence.candidates;
    if (!candidates.empty()) {
      for (const Found& po : doc.po_numbers) {
        IOB_ASSIGN_OR_RETURN(std::vector<dpb::Order> found,
                             dispatch_->OrdersByPo(tenant, po.value));
        for (dpb::Order& o : found) named.push_back(std::move(o));
      }
      sender.integration = candidates.front().integration;
      sender.supplier = candidates.front().supplier;
      for (const dpb::Order& o : named) {
        auto it = std::find_if(candidates.begin(), candidates.end(),
                               [&](const auto& t) { return t.integration == o.integration(); });
        if (it == candidates.end()) continue;
        sender.integration = it->integration;
        sender.supplier = it->supplier;
        break;
      }
    }
    sender.key = sender.integration.empty() ? evidence.unknown_key : sender.integration;
    std::vector<OrderForMatch> orders;
    std::vector<std::string> order_names;
    for (const dpb::Order& o : named) {
      if (o.integration() != sender.integration) continue;
      order_names.push_back(o.name());
      orders.push_back(ForMatch(o));
    }
    InvoiceSourceRecord source;
    source.message = stored.id;
    source.part = part.part;
    source.format = std::string(FormatText(doc.format));
    source.sha256 = stored.sha256;
    IOB_ASSIGN_OR_RETURN(
        InvoiceRecord recorded,
        store_->Record(
            tenant, sender.key, doc.invoice_number.value, order_names,
            [&](const std::optional<InvoiceRecord>& existing,
                const InvoicedQuantities& before) -> absl::StatusOr<InvoiceWrite> {
              InvoiceWrite w;
              w.source = source;
              InvoiceRecord& r = w.record;
              pb::Invoice read;
              FillRead(doc, &read);
              if (existing) {
                // Another copy: one invoice with both sources; amounts that
                // differ are an exception, never a silent overwrite.
                r = *existing;
                if (Amounts(read) != Amounts(existing->detail)) {
                  r.state = "exception";
                  pb::MatchException* e = r.detail.add_exceptions();
                  e->set_type(pb::EXCEPTION_TYPE_DUPLICATE);
                  e->set_expected(Amounts(existing->detail));
                  e->set_actual(Amounts(read));
                  e->set_message(absl::StrCat("a second copy (message ", stored.id, ", part ",
                                              part.part, ") differs from the invoice on file"));
                }
                // What the first copy put on the order lines stays.
                return w;
              }
              r.tenant = tenant;
              r.id = runtime::NewId('i');
              r.sender_key = sender.key;
              r.invoice_number = doc.invoice_number.value;
              r.integration = sender.integration;
              r.supplier = sender.supplier;
              r.sender_verified = sender.verified;
              r.credit_memo = doc.credit_memo;
              r.currency = doc.currency;
              for (const Found& po : doc.po_numbers) r.po_numbers.push_back(po.value);
              r.detail = read;
              if (sender.integration.empty()) {
                r.state = "needs_review";
                r.reason = absl::StrCat(evidence.described,
                                        " is not a supplier of this tenant's integrations");
              } else if (!sender.verified) {
                r.state = "needs_review";
                r.reason = options_.trusted_authserv_ids.empty()
                               ? std::string(
                                     "sender not verified: no trusted receiving server "
                                     "is configured (--trusted-authserv-id)")
                               : absl::StrCat(
                                     "sender not verified: no DKIM, SPF or DMARC pass "
                                     "for ",
                                     sender.domain, " from a trusted receiving server");
              } else if (!doc.doubts.empty()) {
                r.state = "needs_review";
                r.reason = absl::StrJoin(doc.doubts, "; ");
              } else {
                const auto [policy, policy_text] = options_.policies.For(sender.supplier);
                const MatchResult match = Match(doc, orders, before, *policy);
                FillMatch(match, &r.detail);
                r.detail.set_match_policy(policy_text);
                r.state = match.ok() ? "matched" : "exception";
                w.quantities = match.ok() ? QuantitiesOf(r.detail) : InvoicedQuantities{};
              }
              return w;
            }));
    if (metrics_ != nullptr) metrics_->Invoice(source.format, recorded.state);
    outcome.invoices.push_back(recorded.id);
  }
  const std::string problems = absl::StrJoin(notes, "; ");
  if (outcome.invoices.empty()) {
    outcome.reason = problems.empty() ? "no invoice found in the message" : problems;
  } else {
    outcome.state = "processed";
    outcome.reason = problems;
  }
  return absl::OkStatus();
}

}  // namespace iob::invoice

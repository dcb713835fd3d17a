// The supplier's invoices; see invoicing.h.
#include "tools/supplier-sim/invoicing.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"
#include "libs/crypto/key_ring.h"
#include "libs/cxml/decimal.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/timestamp.h"
#include "libs/cxml/writer.h"
#include "libs/mail/message.h"
#include "libs/mail/smtp_client.h"
#include "nlohmann/json.hpp"
#include "tools/supplier-sim/json_fields.h"

namespace iob::sim {
namespace {

using Json = nlohmann::json;
using cxml::Decimal;

constexpr absl::Duration kSmtpTimeout = absl::Seconds(10);
constexpr char kSupplierHost[] = "supplier-sim.iob";

// ---- settings ----------------------------------------------------------------

absl::Status CheckMaildir(const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return absl::InvalidArgumentError("maildir: must be an absolute path");
  }
  std::error_code ec;
  for (const char* sub : {"tmp", "new"}) {
    if (!std::filesystem::is_directory(std::filesystem::path(path) / sub, ec)) {
      return absl::InvalidArgumentError(
          absl::StrCat("maildir: ", path, " has no ", sub, "/ folder (not a Maildir)"));
    }
  }
  return absl::OkStatus();
}

// An authserv-id as RFC 8601 writes it: a host name (letters, digits, '.',
// '-'), so it cannot break the header it goes into.
absl::Status CheckAuthservId(const std::string& id) {
  const bool ok = !id.empty() && id.size() <= 253 && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  });
  return ok ? absl::OkStatus()
            : absl::InvalidArgumentError("authserv_id: must be a host name such as mx.example");
}

absl::Status CheckTaxRate(const std::string& rate) {
  absl::StatusOr<Decimal> d = Decimal::Parse(rate);
  absl::StatusOr<Decimal> below = d.ok() ? d->Plus(*Decimal::Parse("-100")) : d;
  if (!d.ok() || d->Sign() < 0 || d->scale() > 4 || !below.ok() || below->Sign() >= 0) {
    return absl::InvalidArgumentError(
        "tax_rate: must be a percentage in [0, 100) as a decimal string with at most 4 "
        "decimals, e.g. \"20\"");
  }
  return absl::OkStatus();
}

// The rules across keys, once every key was read.
absl::Status CheckSettings(const InvoicingSettings& s) {
  IOB_RETURN_IF_ERROR(mail::ValidateAddress(s.to, "to"));
  if (s.maildir.empty() == s.smtp_url.empty()) {
    return absl::InvalidArgumentError("maildir: give exactly one of maildir and smtp_url");
  }
  if (!s.maildir.empty()) {
    IOB_RETURN_IF_ERROR(CheckMaildir(s.maildir));
    if (s.smtp_plain) return absl::InvalidArgumentError("smtp_plain: only with smtp_url");
  } else {
    mail::SmtpOptions o;
    o.url = s.smtp_url;
    o.plain = s.smtp_plain;
    if (absl::Status st = o.Check(); !st.ok()) {
      return absl::InvalidArgumentError(absl::StrReplaceAll(
          st.message(), {{"smtp.url", "smtp_url"}, {"smtp.plain", "smtp_plain"}}));
    }
    if (!s.authserv_id.empty()) {
      return absl::InvalidArgumentError(
          "authserv_id: only for maildir delivery (an SMTP server writes its own "
          "Authentication-Results)");
    }
  }
  if (!s.authserv_id.empty()) IOB_RETURN_IF_ERROR(CheckAuthservId(s.authserv_id));
  if (!s.pdf && !s.cxml) return absl::InvalidArgumentError("pdf: pdf or cxml must be true");
  if (FindMarketplace(s.marketplace) == nullptr) {
    return absl::InvalidArgumentError(
        "marketplace: must be one of amazon.com, amazon.co.uk, amazon.de");
  }
  return CheckTaxRate(s.tax_rate);
}

// ---- figures -----------------------------------------------------------------

absl::StatusOr<Decimal> ParseFigure(const std::string& text, absl::string_view what) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  if (!d.ok()) {
    return absl::Status(d.status().code(), absl::StrCat(what, ": ", d.status().message()));
  }
  return d;
}

// `d` rounded half away from zero to two decimals (cxml::Decimal has no
// rounding of its own).
absl::StatusOr<Decimal> RoundToCents(const Decimal& d) {
  if (d.scale() <= 2) return d.WithMinScale(2);
  const std::string text = d.ToString();  // "-4.2375"
  const size_t point = text.find('.');
  IOB_ASSIGN_OR_RETURN(Decimal cut, Decimal::Parse(text.substr(0, point + 3)));
  if (text[point + 3] < '5') return cut;
  return cut.Plus(*Decimal::Parse(d.Sign() < 0 ? "-0.01" : "0.01"));
}

absl::StatusOr<std::string> Cents(const Decimal& d) {
  IOB_ASSIGN_OR_RETURN(Decimal with, d.WithMinScale(2));
  return with.ToString();
}

// An Amazon-style order number from the OrderRequest's payloadID: the
// marketplace's digit, then digits of its SHA-256 as "1NN-NNNNNNN-NNNNNNN".
std::string OrderNumberFor(const std::string& payload_id, char prefix) {
  const std::string hex = crypto::Sha256Hex(payload_id);
  std::string digits(1, prefix);
  for (size_t i = 0; digits.size() < 17; ++i) {
    const char c = hex[i];
    const int v = absl::ascii_isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'a' + 10;
    digits.push_back(static_cast<char>('0' + v % 10));
  }
  return absl::StrCat(digits.substr(0, 3), "-", digits.substr(3, 7), "-", digits.substr(10, 7));
}

// ---- the documents -------------------------------------------------------------

// "6 December 2026", or "December 6, 2026" when `month_first`.
std::string PrintedDate(absl::Time t, bool month_first) {
  static constexpr std::array<const char*, 12> kMonths = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  const absl::CivilDay day = absl::ToCivilDay(t, absl::UTCTimeZone());
  const char* month = kMonths[day.month() - 1];
  return month_first ? absl::StrCat(month, " ", day.day(), ", ", day.year())
                     : absl::StrCat(day.day(), " ", month, " ", day.year());
}

pdf::Party PartyOf(const cxml::Address& a) {
  pdf::Party p{a.name, {}};
  if (!a.postal_address.has_value()) return p;
  const cxml::PostalAddress& pa = *a.postal_address;
  for (const std::string& line : pa.deliver_to) p.lines.push_back(line);
  for (const std::string& line : pa.street) p.lines.push_back(line);
  std::string city = pa.city;
  if (!pa.state.empty()) absl::StrAppend(&city, city.empty() ? "" : ", ", pa.state);
  if (!pa.postal_code.empty()) absl::StrAppend(&city, city.empty() ? "" : " ", pa.postal_code);
  if (!city.empty()) p.lines.push_back(city);
  if (!pa.country.empty()) p.lines.push_back(pa.country);
  return p;
}

constexpr absl::Duration kPaymentTerm = absl::Hours(24 * 30);

std::string FileBase(const SimInvoice& invoice) { return absl::StrCat("Invoice-", invoice.number); }

std::string MessageIdFor(const SimInvoice& invoice, const Marketplace& m) {
  return absl::StrCat("invoice.", absl::AsciiStrToLower(invoice.number), "@", m.domain);
}

// The header lines the receiving server writes on delivery, which the
// simulator writes itself when it delivers into the Maildir: Return-Path,
// Delivered-To and, with an authserv-id, its Authentication-Results for the
// sending domain (DKIM, SPF and DMARC pass, as for Amazon's real mail).
std::string ReceivedHeaders(const InvoicingSettings& s, const std::string& from,
                            const std::string& domain) {
  std::string out = absl::StrCat("Return-Path: <", from, ">\r\nDelivered-To: ", s.to, "\r\n");
  if (!s.authserv_id.empty()) {
    absl::StrAppend(&out, "Authentication-Results: ", s.authserv_id,
                    "; dkim=pass header.d=", domain, "; spf=pass smtp.mailfrom=", from,
                    "; dmarc=pass header.from=", domain, "\r\n");
  }
  return out;
}

// Writes `raw` into the Maildir: a new file in tmp/, synced, then renamed
// into new/, so a reader never sees a partial message. Returns its path.
absl::StatusOr<std::string> DeliverToMaildir(const std::string& maildir, const std::string& raw) {
  static std::atomic<uint64_t> seq{0};
  const absl::Time now = absl::Now();
  const std::string name =
      absl::StrCat(absl::ToUnixSeconds(now), ".M", absl::ToUnixMicros(now) % 1000000, "P", getpid(),
                   "Q", seq.fetch_add(1), ".iob-supplier-sim");
  const std::string tmp = absl::StrCat(maildir, "/tmp/", name);
  const std::string dest = absl::StrCat(maildir, "/new/", name);
  const auto failure = [&](const char* what) {
    const int err = errno;
    return absl::UnavailableError(absl::StrCat("maildir: ", what, " ", tmp, ": ", strerror(err)));
  };
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return failure("cannot create");
  size_t done = 0;
  while (done < raw.size()) {
    const ssize_t n = write(fd, raw.data() + done, raw.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status st = failure("cannot write");
      close(fd);
      unlink(tmp.c_str());
      return st;
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    absl::Status st = failure("cannot sync");
    unlink(tmp.c_str());
    return st;
  }
  if (rename(tmp.c_str(), dest.c_str()) != 0) {
    absl::Status st = failure("cannot move into new/");
    unlink(tmp.c_str());
    return st;
  }
  return dest;
}

}  // namespace

// ---- settings (public) -----------------------------------------------------------

absl::StatusOr<InvoicingSettings> ParseInvoicingSettings(std::string_view json) {
  IOB_ASSIGN_OR_RETURN(const Json j, ParseJsonObject(json, "invoicing"));
  InvoicingSettings s;
  for (const auto& [key, v] : j.items()) {
    absl::Status st;
    if (key == "to") {
      st = ReadString(v, key, &s.to);
    } else if (key == "maildir") {
      st = ReadString(v, key, &s.maildir);
    } else if (key == "smtp_url") {
      st = ReadString(v, key, &s.smtp_url);
    } else if (key == "smtp_plain") {
      st = ReadBool(v, key, &s.smtp_plain);
    } else if (key == "pdf") {
      st = ReadBool(v, key, &s.pdf);
    } else if (key == "cxml") {
      st = ReadBool(v, key, &s.cxml);
    } else if (key == "authserv_id") {
      st = ReadString(v, key, &s.authserv_id);
    } else if (key == "delay_ms") {
      st = ReadDelayMs(v, key, &s.delay);
    } else if (key == "marketplace") {
      st = ReadString(v, key, &s.marketplace);
    } else if (key == "tax_rate") {
      st = ReadString(v, key, &s.tax_rate);
    } else {
      st = absl::InvalidArgumentError(absl::StrCat(key, ": unknown key"));
    }
    IOB_RETURN_IF_ERROR(st);
  }
  IOB_RETURN_IF_ERROR(CheckSettings(s));
  return s;
}

std::string InvoicingSettingsJson(const std::optional<InvoicingSettings>& settings) {
  if (!settings.has_value()) return Json{{"enabled", false}}.dump();
  const InvoicingSettings& s = *settings;
  return Json{{"enabled", true},
              {"to", s.to},
              {"maildir", s.maildir},
              {"smtp_url", s.smtp_url},
              {"smtp_plain", s.smtp_plain},
              {"pdf", s.pdf},
              {"cxml", s.cxml},
              {"authserv_id", s.authserv_id},
              {"delay_ms", absl::ToInt64Milliseconds(s.delay)},
              {"marketplace", s.marketplace},
              {"tax_rate", s.tax_rate}}
      .dump();
}

const Marketplace* FindMarketplace(std::string_view domain) {
  static const std::array<Marketplace, 3>* const kMarketplaces = new std::array<Marketplace, 3>{{
      {"amazon.com",
       "Amazon.com",
       {"Amazon.com Services LLC", {"410 Terry Ave N", "Seattle, WA 98109-5210", "United States"}},
       "",
       "Tax",
       true,
       '1'},
      {"amazon.co.uk",
       "Amazon.co.uk",
       {"Amazon EU S.à r.l., UK Branch",
        {"1 Principal Place, Worship Street", "London EC2A 2FA", "United Kingdom"}},
       "GB727255821",
       "VAT",
       false,
       '2'},
      {"amazon.de",
       "Amazon.de",
       {"Amazon EU S.à r.l.", {"38 avenue John F. Kennedy", "L-1855 Luxembourg", "Luxembourg"}},
       "DE814584193",
       "VAT",
       false,
       '3'},
  }};
  for (const Marketplace& m : *kMarketplaces) {
    if (m.domain == domain) return &m;
  }
  return nullptr;
}

// ---- the invoice (public) --------------------------------------------------------

absl::StatusOr<SimInvoice> ComputeInvoice(const AcceptedOrder& order, const Marketplace& m,
                                          std::string_view tax_rate, absl::Time now) {
  const cxml::OrderRequest& o = order.order;
  SimInvoice inv;
  inv.order_number = OrderNumberFor(order.payload_id, m.order_prefix);
  inv.number = absl::StrCat("INV-", inv.order_number);
  inv.date = now;
  inv.tax_rate = std::string(tax_rate);
  IOB_ASSIGN_OR_RETURN(const Decimal rate, ParseFigure(inv.tax_rate, "tax_rate"));
  IOB_ASSIGN_OR_RETURN(const Decimal rate_fraction, rate.Times(*Decimal::Parse("0.01")));
  Decimal subtotal, tax;
  for (size_t i = 0; i < o.items.size(); ++i) {
    const cxml::ItemOut& item = o.items[i];
    const std::string where = absl::StrCat("ItemOut[", i, "]");
    if (!item.item_detail.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": no ItemDetail, so no unit price"));
    }
    const cxml::ItemDetail& detail = *item.item_detail;
    if (inv.currency.empty()) inv.currency = detail.unit_price.currency;
    if (detail.unit_price.currency != inv.currency) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": currency ",
                                                     detail.unit_price.currency, " is not ",
                                                     inv.currency, " (one invoice, one currency)"));
    }
    IOB_ASSIGN_OR_RETURN(const Decimal quantity, ParseFigure(item.quantity, where));
    IOB_ASSIGN_OR_RETURN(const Decimal price, ParseFigure(detail.unit_price.amount, where));
    IOB_ASSIGN_OR_RETURN(const Decimal amount, quantity.Times(price));
    IOB_ASSIGN_OR_RETURN(const Decimal raw_tax, amount.Times(rate_fraction));
    IOB_ASSIGN_OR_RETURN(const Decimal line_tax, RoundToCents(raw_tax));
    IOB_ASSIGN_OR_RETURN(subtotal, subtotal.Plus(amount));
    IOB_ASSIGN_OR_RETURN(tax, tax.Plus(line_tax));

    SimInvoiceLine line;
    line.line_number = item.line_number.empty() ? absl::StrCat(i + 1) : item.line_number;
    line.part_id = item.item_id.supplier_part_id;
    if (!detail.descriptions.empty()) line.description = detail.descriptions.front().text;
    line.quantity = item.quantity;
    line.unit_of_measure = detail.unit_of_measure.empty() ? "EA" : detail.unit_of_measure;
    IOB_ASSIGN_OR_RETURN(line.unit_price, Cents(price));
    IOB_ASSIGN_OR_RETURN(line.amount, Cents(amount));
    IOB_ASSIGN_OR_RETURN(line.tax, Cents(line_tax));
    inv.lines.push_back(std::move(line));
  }
  IOB_ASSIGN_OR_RETURN(const Decimal total, subtotal.Plus(tax));
  IOB_ASSIGN_OR_RETURN(inv.subtotal, Cents(subtotal));
  IOB_ASSIGN_OR_RETURN(inv.tax, Cents(tax));
  IOB_ASSIGN_OR_RETURN(inv.total, Cents(total));
  return inv;
}

pdf::InvoiceSheet InvoiceSheetFor(const SimInvoice& invoice, const AcceptedOrder& order,
                                  const Marketplace& m) {
  const cxml::OrderRequest& o = order.order;
  pdf::InvoiceSheet s;
  s.brand = "amazon business";
  s.seller = m.seller;
  s.seller_vat_number = m.seller_vat_number;
  s.invoice_number = invoice.number;
  s.invoice_date = PrintedDate(invoice.date, m.month_first_dates);
  s.po_number = o.order_id;
  s.order_number = invoice.order_number;
  if (absl::StatusOr<absl::Time> ordered = cxml::ParseTimestamp(o.order_date); ordered.ok()) {
    s.order_date = PrintedDate(*ordered, m.month_first_dates);
  }
  s.payment_terms = "Pay by Invoice, 30 days";
  s.payment_due = PrintedDate(invoice.date + kPaymentTerm, m.month_first_dates);
  s.bill_to = PartyOf(o.bill_to);
  if (o.ship_to.has_value()) s.ship_to = PartyOf(*o.ship_to);
  s.currency = invoice.currency;
  s.tax_name = m.tax_name;
  for (const SimInvoiceLine& l : invoice.lines) {
    s.lines.push_back({l.description, absl::StrCat("ASIN: ", l.part_id), l.quantity, l.unit_price,
                       invoice.tax_rate, l.amount});
  }
  s.subtotal = invoice.subtotal;
  s.tax = invoice.tax;
  s.total = invoice.total;
  s.notes = absl::StrCat(
      "Thank you for buying on ", m.display_name,
      " Business. Pay by Invoice: please pay by the due date above, quoting the order number.\n"
      "Produced by iob-supplier-sim, a stand-in for Amazon Business in tests; not a real "
      "Amazon document.");
  return s;
}

cxml::Document InvoiceDocumentFor(const SimInvoice& invoice, const AcceptedOrder& order,
                                  const Marketplace& m, absl::Time now) {
  cxml::Document d;
  d.payload_id = cxml::NewPayloadId(now, kSupplierHost);
  d.timestamp = cxml::FormatTimestamp(now);
  d.deployment_mode = order.deployment_mode;
  d.header.from = {{"NetworkID", "AmazonBusiness", ""}};
  for (const cxml::Credential& c : order.buyer) d.header.to.push_back({c.domain, c.identity, ""});
  d.header.sender = {{"NetworkID", "AmazonBusiness", ""}};
  d.header.user_agent = "iob-supplier-sim";

  cxml::InvoiceDetailRequest r;
  r.invoice_id = invoice.number;
  r.invoice_date = cxml::FormatTimestamp(invoice.date);
  r.is_tax_in_line = true;
  cxml::Contact issuer;
  issuer.role = "issuerOfInvoice";
  issuer.name = m.seller.name;
  r.partners = {issuer};
  const std::string& currency = invoice.currency;
  const std::string tax_text = absl::StrCat(m.tax_name, " ", invoice.tax_rate, "%");
  cxml::InvoiceDetailOrder io;
  io.order_reference = {order.order.order_id, order.order.order_date, order.payload_id};
  for (size_t i = 0; i < invoice.lines.size(); ++i) {
    const SimInvoiceLine& l = invoice.lines[i];
    cxml::InvoiceDetailItem item;
    item.invoice_line_number = absl::StrCat(i + 1);
    item.quantity = l.quantity;
    item.unit_of_measure = l.unit_of_measure;
    item.unit_price = {l.unit_price, currency};
    item.line_number = l.line_number;
    item.item_id = cxml::ItemId{l.part_id, std::nullopt, ""};
    item.description = cxml::Description{"en", l.description, ""};
    item.subtotal_amount = cxml::Money{l.amount, currency};
    item.tax = cxml::Tax{{l.tax, currency}, {"en", tax_text, ""}};
    io.items.push_back(std::move(item));
  }
  r.orders = {std::move(io)};
  r.summary.subtotal_amount = {invoice.subtotal, currency};
  r.summary.tax = {{invoice.tax, currency}, {"en", tax_text, ""}};
  r.summary.gross_amount = cxml::Money{invoice.total, currency};
  r.summary.net_amount = {invoice.total, currency};
  r.summary.due_amount = cxml::Money{invoice.total, currency};
  d.body = std::move(r);
  return d;
}

// ---- Invoicer ----------------------------------------------------------------------

Invoicer::Invoicer(TrafficLog& traffic, size_t keep) : traffic_(traffic), keep_(keep) {}

Invoicer::~Invoicer() { Stop(); }

void Invoicer::Start() { runner_.Start(); }

void Invoicer::Stop() { runner_.Stop(); }

std::optional<InvoicingSettings> Invoicer::settings() const {
  absl::MutexLock lock(&mu_);
  return settings_;
}

void Invoicer::set_settings(std::optional<InvoicingSettings> settings) {
  absl::MutexLock lock(&mu_);
  settings_ = std::move(settings);
}

void Invoicer::OrderShipped(const AcceptedOrder& order) {
  std::optional<InvoicingSettings> s = settings();
  if (!s.has_value()) return;
  const absl::Time due = absl::Now() + s->delay;
  runner_.Schedule(due, [this, order, s = *std::move(s)] { Send(order, s); });
}

std::vector<SentInvoice> Invoicer::Recent() const {
  absl::MutexLock lock(&mu_);
  return {recent_.begin(), recent_.end()};
}

void Invoicer::Reset() {
  absl::MutexLock lock(&mu_);
  recent_.clear();
}

void Invoicer::Keep(SentInvoice sent) {
  traffic_.Outcome(kName, sent.outcome);
  if (sent.outcome == "sent") {
    common::LogInfo("invoicing: sent", {{"invoice", sent.invoice_number},
                                        {"order_id", sent.order_id},
                                        {"delivery", sent.delivery}});
  } else {
    common::LogWarn("invoicing: not sent", {{"invoice", sent.invoice_number},
                                            {"order_id", sent.order_id},
                                            {"outcome", sent.outcome},
                                            {"error", sent.error}});
  }
  absl::MutexLock lock(&mu_);
  recent_.push_back(std::move(sent));
  while (recent_.size() > keep_) recent_.pop_front();
}

void Invoicer::Send(const AcceptedOrder& order, const InvoicingSettings& s) {
  const absl::Time now = absl::Now();
  const Marketplace& m = *FindMarketplace(s.marketplace);  // checked with the settings
  SentInvoice sent;
  sent.at = now;
  sent.order_id = order.order.order_id;
  sent.to = s.to;
  sent.delivery = s.maildir.empty() ? "smtp" : "maildir";
  const auto fail = [&](const char* outcome, const absl::Status& why) {
    sent.outcome = outcome;
    sent.error = std::string(why.message());
    Keep(std::move(sent));
  };

  absl::StatusOr<SimInvoice> inv = ComputeInvoice(order, m, s.tax_rate, now);
  if (!inv.ok()) return fail("invoice_error", inv.status());
  sent.invoice_number = inv->number;
  sent.currency = inv->currency;
  sent.subtotal = inv->subtotal;
  sent.tax = inv->tax;
  sent.total = inv->total;

  const std::string from = absl::StrCat("no-reply@", m.domain);
  mail::OutgoingMessage msg;
  msg.from = {"Amazon Business", from};
  msg.to = {{"", s.to}};
  msg.subject = absl::StrCat("Invoice for your ", m.display_name, " order ", inv->order_number);
  msg.message_id = MessageIdFor(*inv, m);
  msg.date = now;
  msg.text = absl::StrCat(
      "Hello,\n\nthe invoice ", inv->number, " for your ", m.display_name, " Business order ",
      inv->order_number, " (purchase order ", order.order.order_id, ") is attached.\n\n",
      "Amount due: ", inv->total, " ", inv->currency, ", payable within 30 days.\n\n",
      "Amazon Business\n\n-- \nSent by iob-supplier-sim, a stand-in for Amazon Business in "
      "tests; not a message from Amazon.\n");
  if (s.pdf) {
    absl::StatusOr<std::string> pdf = pdf::RenderInvoice(InvoiceSheetFor(*inv, order, m));
    if (!pdf.ok()) return fail("render_error", pdf.status());
    msg.attachments.push_back({FileBase(*inv) + ".pdf", "application/pdf", *std::move(pdf)});
  }
  if (s.cxml) {
    absl::StatusOr<std::string> xml = cxml::WriteDocument(InvoiceDocumentFor(*inv, order, m, now));
    if (!xml.ok()) return fail("compose_error", xml.status());
    msg.attachments.push_back({FileBase(*inv) + ".xml", "text/xml", *std::move(xml)});
  }
  for (const mail::Attachment& a : msg.attachments) sent.attachments.push_back(a.file_name);
  sent.message_id = msg.message_id;
  absl::StatusOr<std::string> raw = mail::Compose(msg);
  if (!raw.ok()) return fail("compose_error", raw.status());

  if (!s.maildir.empty()) {
    std::string delivered = ReceivedHeaders(s, from, m.domain) + *raw;
    absl::StatusOr<std::string> path = DeliverToMaildir(s.maildir, delivered);
    if (!path.ok()) return fail("maildir_error", path.status());
    sent.path = *path;
    traffic_.Sent(kName, std::move(delivered));
  } else {
    mail::SmtpOptions o;
    o.url = s.smtp_url;
    o.plain = s.smtp_plain;
    o.timeout = kSmtpTimeout;
    const mail::SendResult r = mail::SmtpClient(o).Send(from, {s.to}, *raw);
    if (r.outcome != mail::SendOutcome::kDelivered) {
      const std::string outcome = absl::StrCat("smtp_", mail::SendOutcomeLabel(r.outcome));
      return fail(outcome.c_str(),
                  absl::UnavailableError(absl::StrCat(r.reply_code, " ", r.reply_text)));
    }
    traffic_.Sent(kName, *std::move(raw));
  }
  sent.outcome = "sent";
  Keep(std::move(sent));
}

}  // namespace iob::sim

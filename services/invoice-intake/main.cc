// iob-invoice-intake: supplier invoices read from mailboxes (IMAP, a local
// Maildir), IngestMessage and suppliers' cXML posts, stored once, matched to
// dispatch's orders. Wires flags, database, the credentials and dispatch
// clients, the mail sources and their poller, the supplier edge, metrics and
// the gRPC service; the logic lives elsewhere.
//   iob-invoice-intake [serve]   run the service (migrates first unless --no-migrate-on-start)
//   iob-invoice-intake migrate   apply migrations and exit
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"
#include "libs/crypto/secret_file.h"
#include "libs/peers/dispatch_client.h"
#include "libs/runtime/service_main.h"
#include "libs/supplier/credentials_client.h"
#include "libs/supplier/inbound.h"
#include "services/invoice-intake/intake.h"
#include "services/invoice-intake/intake_metrics.h"
#include "services/invoice-intake/invoice_service.h"
#include "services/invoice-intake/invoice_store.h"
#include "services/invoice-intake/mail_source.h"

namespace iob::sql {
const std::vector<iob::db::Migration>& InvoiceIntakeMigrations();
}

namespace iob::invoice {
namespace {

// The answer to a supplier's cXML post: 200 once stored (and read, unless a
// peer is away: then the next sweep reads it); a document that holds no
// invoice we can record is 400 with the reason (kept, quarantined, for a
// person to see); over the size limit 417; a failure of ours 560, so the
// supplier retries (a retry of what was stored is a no-op).
absl::Status PostedAnswer(const absl::StatusOr<StoredMessage>& taken) {
  if (absl::IsResourceExhausted(taken.status())) return taken.status();
  if (!taken.ok()) return absl::UnavailableError("the invoice could not be stored; retry");
  if (taken->state == "quarantined") return absl::InvalidArgumentError(taken->reason);
  return absl::OkStatus();
}

// A mailbox and the source label its messages are stored with.
struct Mailbox {
  std::string kind;  // "imap" | "maildir"
  std::unique_ptr<MailSource> source;
};

// Stores one fetched message, then acknowledges it to the mailbox
// (processed or quarantined). False when it could not be stored: it stays
// in the mailbox for the next poll.
bool TakeFromMailbox(Intake& intake, Mailbox& box, const FetchedMessage& message) {
  absl::StatusOr<StoredMessage> taken = intake.Take(box.kind, message.key, message.raw);
  absl::Status acked;
  if (taken.ok()) {
    acked = taken->state == "quarantined" ? box.source->Quarantine(message.key)
                                          : box.source->MarkProcessed(message.key);
  } else if (absl::IsResourceExhausted(taken.status())) {
    acked = box.source->Quarantine(message.key);
  } else {
    common::LogWarn("storing a message failed",
                    {{"mailbox", box.source->Name()}, {"error", taken.status().ToString()}});
    return false;
  }
  if (!acked.ok()) {
    common::LogWarn("acknowledging a message failed (it is stored; a re-fetch is a no-op)",
                    {{"mailbox", box.source->Name()}, {"error", acked.ToString()}});
  }
  return true;
}

int Main(int argc, char** argv) {
  runtime::BlockShutdownSignals();
  runtime::ServiceMain m({.name = "invoice-intake",
                          .summary = "Invoice intake: supplier invoices from mailboxes, stored "
                                     "once and matched to orders.",
                          .grpc_listen = "127.0.0.1:7104",
                          .metrics_listen = "127.0.0.1:9104"});
  supplier::CredentialsPeerOptions credentials_peer;
  peers::DispatchPeerOptions dispatch_peer;
  IntakeOptions options;
  MaildirOptions maildir;
  ImapOptions imap;
  std::string imap_password_file, imap_token_file, sender_domains, policy, supplier_policy, trusted;
  absl::Duration poll = absl::Seconds(10), sweep = absl::Seconds(30);
  common::Flags& f = m.flags();
  credentials_peer.Register(f);
  dispatch_peer.Register(f);
  m.AddHttpEdge("127.0.0.1:8104", {.max_body_bytes = 8u << 20});
  f.Add("mail-domain", &options.mail_domain,
        "domain of the tenants' e-invoicing addresses (<tenant>-<random>@domain)");
  f.Add("maildir", &maildir.path, "a local Maildir to read invoices from (empty: none)");
  f.Add("imap-url", &imap.url,
        "an IMAP mailbox to read invoices from: imaps://host:993/INBOX or imap://host/INBOX "
        "(STARTTLS required); empty: none");
  f.Add("imap-plain", &imap.plain, "no TLS to the IMAP server (a loopback server only)");
  f.Add("imap-user", &imap.username, "IMAP user");
  f.Add("imap-password-file", &imap_password_file, "file holding the IMAP password");
  f.Add("imap-oauth2-token-file", &imap_token_file, "file holding an XOAUTH2 bearer token instead");
  f.Add("imap-ca-file", &imap.ca_file, "CA bundle for the IMAP server (default: system)");
  f.Add("poll-interval", &poll, "how often the mailboxes are read");
  f.Add("sender-domains", &sender_domains,
        "domains suppliers send invoices from, over the built-in ones: "
        "supplier=domain+domain;supplier=domain");
  f.Add("trusted-authserv-id", &trusted,
        "authserv-ids of the receiving mail servers whose Authentication-Results are believed "
        "(comma-separated); none: no sender is verified, every invoice needs review");
  f.Add("match-policy", &policy,
        "tolerances: price=2%|1.00,quantity=0%|0,tax=1%|0.05,total=0.5%|1.00 "
        "('|' either, '&' both)");
  f.Add("supplier-match-policy", &supplier_policy,
        "per-supplier overrides of --match-policy: "
        "amazon-business: price=2%|1.00,total=1%; other-supplier: quantity=1% "
        "(checks not named keep the default's)");
  f.Add("stats-interval", &sweep, "how often the backlog gauges are read from the database");
  if (auto exit_code = m.Parse(argc, argv)) return *exit_code;
  auto& fail = runtime::ServiceMain::Fail;

  auto domains = ParseSenderDomains(sender_domains);
  if (!domains.ok()) return fail("flags", domains.status());
  options.sender_domains = *std::move(domains);
  options.trusted_authserv_ids = absl::StrSplit(trusted, ',', absl::SkipWhitespace());
  auto policies = MatchPolicies::Parse(policy, supplier_policy);
  if (!policies.ok()) return fail("flags", policies.status());
  options.policies = *std::move(policies);

  auto pool = m.OpenDatabase(sql::InvoiceIntakeMigrations());
  if (!pool.ok()) return fail("database", pool.status());
  if (m.command() == "migrate") return 0;
  auto auth = m.LoadTokens();
  if (!auth.ok()) return fail("tokens file", auth.status());
  auto credentials = supplier::DialCredentials(credentials_peer);
  if (!credentials.ok()) return fail("credentials client", credentials.status());
  auto dispatch = peers::DialDispatch(dispatch_peer);
  if (!dispatch.ok()) return fail("dispatch client", dispatch.status());

  // A message over the limit is quarantined by the source unread.
  maildir.max_message_bytes = imap.max_message_bytes = options.limits.max_message_bytes;
  std::vector<Mailbox> mailboxes;
  if (!maildir.path.empty()) {
    auto source = OpenMaildir(maildir);
    if (!source.ok()) return fail("maildir", source.status());
    mailboxes.push_back({"maildir", *std::move(source)});
  }
  if (!imap.url.empty()) {
    if (!imap_password_file.empty()) {
      auto secret = crypto::ReadSecretLine(imap_password_file, "IMAP password file");
      if (!secret.ok()) return fail("IMAP password", secret.status());
      imap.password = *std::move(secret);
    }
    if (!imap_token_file.empty()) {
      auto secret = crypto::ReadSecretLine(imap_token_file, "IMAP token file");
      if (!secret.ok()) return fail("IMAP token", secret.status());
      imap.oauth2_token = *std::move(secret);
    }
    auto source = OpenImap(imap);
    if (!source.ok()) return fail("imap", source.status());
    mailboxes.push_back({"imap", *std::move(source)});
  }

  auto host = m.CreateHost(v1::InvoiceService::service_full_name());
  if (!host.ok()) return fail("cannot start", host.status());
  IntakeMetrics metrics((*host)->metrics().registry());
  for (const Mailbox& box : mailboxes) metrics.AddMailbox(box.kind);
  InvoiceStore store(pool->get());
  Intake intake(options, &store, credentials->get(), dispatch->get(), &metrics);

  // Suppliers that post cXML invoices: authenticated by their shared secret,
  // stored first like a mail, answered 200 once stored and read.
  supplier::InboundEndpointOptions inbound_options;
  inbound_options.path = "/cxml/invoice";
  inbound_options.expected_type = cxml::DocumentType::kInvoiceDetailRequest;
  inbound_options.limits.max_bytes = 8u << 20;
  inbound_options.observe = [&](const std::string& type, int code) { metrics.Inbound(type, code); };
  supplier::InboundEndpoint inbound(
      inbound_options, credentials->get(),
      [&](const supplier::VerifiedSender& sender, const cxml::Document&, std::string_view xml) {
        return PostedAnswer(intake.TakePosted(sender, xml));
      });
  inbound.Register(m.http_edge());
  auto http_port = m.StartHttpEdge();
  if (!http_port.ok()) return fail("cannot start the supplier edge", http_port.status());
  common::LogInfo("supplier invoices accepted at",
                  {{"url", absl::StrCat("http://", m.http_edge().host(), ":", *http_port,
                                        inbound_options.path)}});

  // Each poll: what the mailboxes hold is stored (then acknowledged to the
  // mailbox, never before), a few messages at a time so at most
  // kFetchBatch x the message limit is held in memory, and what is stored
  // but unread is read.
  constexpr int kFetchBatch = 8;
  constexpr int kMaxPerPoll = 400;
  m.RunEvery(poll, [&] {
    for (Mailbox& box : mailboxes) {
      for (int taken_this_poll = 0; taken_this_poll < kMaxPerPoll;) {
        absl::StatusOr<std::vector<FetchedMessage>> fetched = box.source->Fetch(kFetchBatch);
        metrics.Poll(box.kind, fetched.ok());
        if (!fetched.ok()) {
          common::LogWarn("reading a mailbox failed", {{"mailbox", box.source->Name()},
                                                       {"error", fetched.status().ToString()}});
          break;
        }
        bool stored_all = true;
        for (const FetchedMessage& message : *fetched) {
          stored_all &= TakeFromMailbox(intake, box, message);
        }
        taken_this_poll += static_cast<int>(fetched->size());
        // A short batch emptied the mailbox; a failed store waits for the next poll.
        if (static_cast<int>(fetched->size()) < kFetchBatch || !stored_all) break;
      }
    }
    // A message stored by a Take still reading it is left to that Take.
    if (auto unread = store.Unprocessed(20, absl::Seconds(10)); unread.ok()) {
      for (const std::string& id : *unread) {
        if (auto st = intake.Process(id); !st.ok()) {
          common::LogWarn("reading a stored message failed",
                          {{"message", id}, {"error", st.status().ToString()}});
        }
      }
    }
  });

  m.RunEvery(sweep, [&] {
    if (auto stats = store.Stats(); stats.ok()) metrics.SetBacklog(*stats);
  });

  InvoiceService service(auth->get(), &intake, &store);
  return m.Serve(
      {&service}, [&] { return (*pool)->Ping(); }, [&] { runtime::ReloadTokens(**auth); });
}

}  // namespace
}  // namespace iob::invoice

int main(int argc, char** argv) { return iob::invoice::Main(argc, argv); }

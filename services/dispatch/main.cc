// iob-dispatch: approved orders delivered to suppliers as cXML or as a PDF
// by e-mail, and their confirmations and ship notices taken back. Wires
// flags, database, the credentials and punchout clients, the egress-policed
// HTTP client, the SMTP relay, the delivery workers, the supplier-facing
// edge and the gRPC service together; the logic lives elsewhere.
//   iob-dispatch [serve]   run the service (migrates first unless --no-migrate-on-start)
//   iob-dispatch migrate   apply migrations and exit
#include <unistd.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/common/invalid_field.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"
#include "libs/crypto/secret_file.h"
#include "libs/http/client.h"
#include "libs/http/egress_flags.h"
#include "libs/mail/smtp_client.h"
#include "libs/peers/punchout_client.h"
#include "libs/runtime/service_main.h"
#include "libs/supplier/caching_credentials_client.h"
#include "libs/supplier/credentials_client.h"
#include "libs/supplier/inbound.h"
#include "services/dispatch/delivery_worker.h"
#include "services/dispatch/dispatch_metrics.h"
#include "services/dispatch/dispatch_service.h"
#include "services/dispatch/dispatcher.h"
#include "services/dispatch/fulfillment.h"
#include "services/dispatch/order_store.h"

namespace iob::sql {
const std::vector<iob::db::Migration>& DispatchMigrations();
}

namespace iob::dispatch {
namespace {

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "iob-dispatch";
  return name;
}

// The SMTP relay the PDF action sends through: none unless --smtp-url.
struct MailFlags {
  mail::SmtpOptions smtp;
  std::string password_file;
  std::string from;

  void Register(common::Flags& f) {
    f.Add("smtp-url", &smtp.url,
          "SMTP relay for orders by e-mail: smtp://host:587 (STARTTLS, required) or "
          "smtps://host:465 (implicit TLS); empty: the PDF action is unavailable");
    f.Add("smtp-plain", &smtp.plain, "no TLS to the relay (a loopback relay only)");
    f.Add("smtp-user", &smtp.username, "SMTP AUTH user (empty: no AUTH)");
    f.Add("smtp-password-file", &password_file, "file holding the SMTP AUTH password (mode 0600)");
    f.Add("smtp-ca-file", &smtp.ca_file, "CA bundle to verify the relay with (default: system)");
    f.Add("smtp-timeout", &smtp.timeout, "longest an SMTP send may take");
    f.Add("mail-from", &from, "envelope and From address of e-mailed orders");
  }

  // The relay's client, or nullopt when none is configured. INVALID_ARGUMENT
  // for bad settings; the password file's errors.
  absl::StatusOr<std::optional<mail::SmtpClient>> Client() {
    if (smtp.url.empty()) return std::nullopt;
    IOB_RETURN_IF_ERROR(common::CheckEmailAddress(from, "--mail-from", true));
    if (!password_file.empty()) {
      IOB_ASSIGN_OR_RETURN(smtp.password,
                           crypto::ReadSecretLine(password_file, "SMTP password file"));
    }
    IOB_RETURN_IF_ERROR(smtp.Check());
    return std::optional<mail::SmtpClient>(std::in_place, smtp);
  }
};

int Main(int argc, char** argv) {
  runtime::BlockShutdownSignals();
  runtime::ServiceMain m({.name = "dispatch",
                          .summary = "Order dispatch: approved orders to suppliers as cXML, "
                                     "with confirmations and ship notices back.",
                          .grpc_listen = "127.0.0.1:7103",
                          .metrics_listen = "127.0.0.1:9103"});
  supplier::CredentialsPeerOptions credentials_peer;
  peers::PunchoutPeerOptions punchout_peer;
  WorkerOptions workers;
  std::string public_url;
  http::EgressFlags egress_flags;
  MailFlags mail_flags;
  absl::Duration secret_ttl = absl::Seconds(30), sweep = absl::Seconds(30);
  common::Flags& f = m.flags();
  credentials_peer.Register(f);
  punchout_peer.Register(f);
  egress_flags.Register(f);
  mail_flags.Register(f);
  m.AddHttpEdge("127.0.0.1:8103", {.max_body_bytes = 4u << 20});
  f.Add("workers", &workers.workers, "delivery worker threads in this process");
  f.Add("lease", &workers.lease,
        "how long a claimed order is held; a dead worker's orders are taken again after it");
  f.Add("poll-interval", &workers.poll_interval, "how often idle workers look for due orders");
  f.Add("claim-batch", &workers.claim_batch, "orders a worker claims at once");
  f.Add("retry-base", &workers.retry.base, "first retry waits up to this (full jitter)");
  f.Add("retry-max-delay", &workers.retry.max_delay, "longest wait between two attempts");
  f.Add("max-attempts", &workers.retry.max_attempts, "attempts per version before failing it");
  f.Add("max-age", &workers.retry.max_age, "time after the first attempt before failing it");
  f.Add("secret-cache-ttl", &secret_ttl,
        "how long a resolved integration (and its secret) is kept in memory, never written "
        "anywhere; changes at the credentials service reach dispatch within it");
  f.Add("deadline-sweep-interval", &sweep,
        "how often unconfirmed orders are flagged and the outbox gauges refreshed");
  f.Add("public-url", &public_url,
        "base URL suppliers post confirmations and ship notices to (logged; default "
        "http://<http-listen>)");
  if (auto exit_code = m.Parse(argc, argv)) return *exit_code;
  auto& fail = runtime::ServiceMain::Fail;
  if (workers.workers < 0 || workers.claim_batch < 1 || workers.retry.max_attempts < 1) {
    return fail("flags", absl::InvalidArgumentError(
                             "--workers must be >= 0, --claim-batch and --max-attempts >= 1"));
  }
  if (workers.lease <= std::max(egress_flags.supplier_timeout, mail_flags.smtp.url.empty()
                                                                   ? absl::ZeroDuration()
                                                                   : mail_flags.smtp.timeout) *
                           workers.claim_batch) {
    return fail("flags", absl::InvalidArgumentError(
                             "--lease must exceed --supplier-timeout (and --smtp-timeout) x "
                             "--claim-batch, or a slow send would let another worker send the "
                             "order too"));
  }

  auto pool = m.OpenDatabase(sql::DispatchMigrations());
  if (!pool.ok()) return fail("database", pool.status());
  if (m.command() == "migrate") return 0;
  auto auth = m.LoadTokens();
  if (!auth.ok()) return fail("tokens file", auth.status());
  auto credentials = supplier::DialCredentials(credentials_peer);
  if (!credentials.ok()) return fail("credentials client", credentials.status());
  supplier::CachingCredentialsClient secrets(credentials->get(), secret_ttl);
  auto punchout = peers::DialPunchout(punchout_peer);
  if (!punchout.ok()) return fail("punchout client", punchout.status());

  auto smtp = mail_flags.Client();
  if (!smtp.ok()) return fail("SMTP relay", smtp.status());
  workers.mail_from = mail_flags.from;

  const http::EgressPolicyOptions egress = egress_flags.Options();
  http::CurlHttpClient http_client{http::EgressPolicy(egress)};

  auto host = m.CreateHost(v1::DispatchService::service_full_name());
  if (!host.ok()) return fail("cannot start", host.status());
  DispatchMetrics metrics((*host)->metrics().registry());
  OrderStore store(pool->get());

  const std::string host_name = HostName();
  workers.name = absl::StrCat(host_name, ":", getpid());
  DeliveryWorkers delivery(workers, &store, &secrets, &http_client,
                           smtp->has_value() ? &**smtp : nullptr, &metrics);
  // Submits read the integration's settings from the same cache as the
  // workers' secrets: a change at the credentials service reaches dispatch
  // within --secret-cache-ttl.
  Dispatcher dispatcher(&store, &secrets, punchout->get(), &metrics, host_name, smtp->has_value(),
                        [&] { delivery.Wake(); });

  FulfillmentHandler fulfillment(&store);
  supplier::InboundEndpointOptions inbound_options;
  inbound_options.path = kFulfillmentPath;
  inbound_options.host_name = host_name;
  inbound_options.observe = [&](const std::string& type, int code) { metrics.Inbound(type, code); };
  supplier::InboundEndpoint inbound(
      inbound_options, credentials->get(),
      [&](const supplier::VerifiedSender& sender, const cxml::Document& doc, std::string_view) {
        return fulfillment.Handle(sender, doc);
      });
  inbound.Register(m.http_edge());
  auto http_port = m.StartHttpEdge();
  if (!http_port.ok()) return fail("cannot start the supplier edge", http_port.status());
  common::LogInfo(
      "supplier documents accepted at",
      {{"url", absl::StrCat(public_url.empty()
                                ? absl::StrCat("http://", m.http_edge().host(), ":", *http_port)
                                : public_url,
                            kFulfillmentPath)}});

  m.RunEvery(sweep, [&] {
    if (auto n = store.FlagUnconfirmed(); !n.ok()) {
      common::LogWarn("flagging unconfirmed orders failed", {{"error", n.status().ToString()}});
    } else if (*n > 0) {
      metrics.Flagged(*n);
      common::LogWarn("orders past their confirmation deadline", {{"count", *n}});
    }
    if (auto stats = store.Stats(); stats.ok()) metrics.SetOutbox(*stats);
  });
  delivery.Start();
  m.AtShutdown([&] { delivery.Stop(); });
  DispatchService service(auth->get(), &dispatcher, &store);
  return m.Serve(
      {&service}, [&] { return (*pool)->Ping(); }, [&] { runtime::ReloadTokens(**auth); });
}

}  // namespace
}  // namespace iob::dispatch

int main(int argc, char** argv) { return iob::dispatch::Main(argc, argv); }

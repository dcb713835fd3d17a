// iob-punchout: punchout sessions and carts. Wires flags, database, the
// credentials client, the egress-policed HTTP client, the cart endpoint and
// the gRPC service together; the logic lives elsewhere.
//   iob-punchout [serve]   run the service (migrates first unless --no-migrate-on-start)
//   iob-punchout migrate   apply migrations and exit
#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/http/client.h"
#include "libs/http/egress_flags.h"
#include "libs/runtime/service_main.h"
#include "libs/supplier/credentials_client.h"
#include "services/punchout/cart_page.h"
#include "services/punchout/punchout_service.h"
#include "services/punchout/session_broker.h"
#include "services/punchout/session_store.h"

namespace iob::sql {
const std::vector<iob::db::Migration>& PunchoutMigrations();
}

namespace iob::punchout {
namespace {

int Main(int argc, char** argv) {
  runtime::BlockShutdownSignals();
  runtime::ServiceMain m(
      {.name = "punchout",
       .summary = "Punchout sessions: supplier tiles, setup requests, returned carts.",
       .grpc_listen = "127.0.0.1:7102",
       .metrics_listen = "127.0.0.1:9102"});
  supplier::CredentialsPeerOptions credentials_peer;
  std::string public_url, return_url;
  absl::Duration session_ttl = absl::Hours(1);
  http::EgressFlags egress_flags;
  egress_flags.supplier_timeout = absl::Seconds(15);
  common::Flags& f = m.flags();
  credentials_peer.Register(f);
  egress_flags.Register(f);
  m.AddHttpEdge("127.0.0.1:8102", {.max_body_bytes = 4u << 20});
  f.Add("public-url", &public_url,
        "base URL of the cart endpoint as browsers reach it (default http://<http-listen>)");
  f.Add("return-url", &return_url,
        "where the cart page sends the user back; {tenant} and {session} are replaced");
  f.Add("session-ttl", &session_ttl, "how long a session waits for its cart");
  absl::Duration session_sweep = absl::Seconds(30);
  f.Add("session-sweep-interval", &session_sweep, "how often expired sessions are marked");
  if (auto exit_code = m.Parse(argc, argv)) return *exit_code;
  auto& fail = runtime::ServiceMain::Fail;

  auto pool = m.OpenDatabase(sql::PunchoutMigrations());
  if (!pool.ok()) return fail("database", pool.status());
  if (m.command() == "migrate") return 0;
  auto auth = m.LoadTokens();
  if (!auth.ok()) return fail("tokens file", auth.status());
  auto credentials = supplier::DialCredentials(credentials_peer);
  if (!credentials.ok()) return fail("credentials client", credentials.status());

  const http::EgressPolicyOptions egress = egress_flags.Options();
  http::CurlHttpClient http_client{http::EgressPolicy(egress)};

  auto host = m.CreateHost(v1::PunchoutService::service_full_name());
  if (!host.ok()) return fail("cannot start", host.status());

  SessionStore store(pool->get());
  BrokerOptions broker_options;
  broker_options.session_ttl = session_ttl;
  broker_options.plain_http_hosts = egress.plain_http_hosts;
  SessionBroker broker(broker_options, credentials->get(), &http_client, &store,
                       &(*host)->metrics().registry());
  RegisterCartEndpoint(m.http_edge(), &broker, return_url);
  auto http_port = m.StartHttpEdge();
  if (!http_port.ok()) return fail("cannot start the cart endpoint", http_port.status());
  // The public URL is only known once the port is.
  broker.set_public_url(public_url.empty()
                            ? absl::StrCat("http://", m.http_edge().host(), ":", *http_port)
                            : public_url);
  m.RunEvery(session_sweep, [&] {
    if (auto n = broker.ExpireDue(); !n.ok()) {
      common::LogWarn("expiring sessions failed", {{"error", n.status().ToString()}});
    }
  });
  PunchoutService service(auth->get(), &broker, &store);
  return m.Serve(
      {&service}, [&] { return (*pool)->Ping(); }, [&] { runtime::ReloadTokens(**auth); });
}

}  // namespace
}  // namespace iob::punchout

int main(int argc, char** argv) { return iob::punchout::Main(argc, argv); }

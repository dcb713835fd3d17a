// iob-punchout: punchout sessions and carts. Wires flags, database, the
// credentials client, the egress-policed HTTP client, the cart endpoint and
// the gRPC service together; the logic lives elsewhere.
//   iob-punchout [serve]   run the service (migrates first unless --no-migrate-on-start)
//   iob-punchout migrate   apply migrations and exit
#include <iostream>
#include <thread>

#include <pqxx/pqxx>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "libs/db/migrate.h"
#include "libs/db/pool.h"
#include "libs/http/client.h"
#include "libs/http/server.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/flags.h"
#include "libs/runtime/logging.h"
#include "libs/runtime/service_host.h"
#include "services/punchout/cart_page.h"
#include "services/punchout/credentials_client.h"
#include "services/punchout/punchout_service.h"
#include "services/punchout/session_broker.h"
#include "services/punchout/session_store.h"

namespace iob::sql {
const std::vector<iob::db::Migration>& PunchoutMigrations();
}

namespace iob::punchout {
namespace {

struct Options {
  std::string db_url;
  std::string db_schema = "punchout";
  int db_pool_size = 16;
  std::string tokens_file;
  std::string credentials_addr = "127.0.0.1:7101";
  std::string credentials_token_file;
  std::string http_listen = "127.0.0.1:8102";
  std::string public_url;
  std::string return_url;
  absl::Duration session_ttl = absl::Hours(1);
  std::string plain_http_hosts;
  std::string private_allow;
  absl::Duration supplier_timeout = absl::Seconds(15);
  bool migrate_on_start = true;
  bool debug = false;
  runtime::HostOptions host;
};

int Fail(absl::string_view what, const absl::Status& st) {
  runtime::LogError(what, {{"error", st.ToString()}});
  return 1;
}

std::vector<std::string> List(const std::string& csv) {
  return absl::StrSplit(csv, ',', absl::SkipWhitespace());
}

int Main(int argc, char** argv) {
  runtime::BlockShutdownSignals();
  Options o;
  o.host.grpc_listen = "127.0.0.1:7102";
  o.host.metrics_listen = "127.0.0.1:9102";
  runtime::Flags flags("iob-punchout [serve|migrate]",
                       "Punchout sessions: supplier tiles, setup requests, returned carts.");
  flags.Add("db-url", &o.db_url, "Postgres URL for this service's role (required)");
  flags.Add("db-schema", &o.db_schema, "schema this service owns");
  flags.Add("db-pool-size", &o.db_pool_size, "database connections");
  flags.Add("tokens-file", &o.tokens_file, "bearer token hashes JSON (required)");
  flags.Add("credentials-addr", &o.credentials_addr, "credentials service address");
  flags.Add("credentials-token-file", &o.credentials_token_file,
            "this service's bearer token for the credentials service (required)");
  flags.Add("http-listen", &o.http_listen, "cart post (BrowserFormPost) listen address");
  flags.Add("public-url", &o.public_url,
            "base URL of the cart endpoint as browsers reach it (default http://<http-listen>)");
  flags.Add("return-url", &o.return_url,
            "where the cart page sends the user back; {tenant} and {session} are replaced");
  flags.Add("session-ttl", &o.session_ttl, "how long a session waits for its cart");
  flags.Add("plain-http-hosts", &o.plain_http_hosts,
            "egress: comma-separated host[:port] that may be reached over http and on private "
            "addresses (the local supplier simulator); everything else is https to public hosts");
  flags.Add("private-allow", &o.private_allow,
            "egress: comma-separated hosts or CIDRs whose private addresses may be reached");
  flags.Add("supplier-timeout", &o.supplier_timeout, "total time allowed for a supplier call");
  flags.Add("migrate-on-start", &o.migrate_on_start, "apply migrations before serving");
  flags.Add("debug", &o.debug, "debug logs");
  o.host.Register(flags);
  auto args = flags.Parse(argc, argv);
  if (!args.ok()) {
    if (args.status().code() == absl::StatusCode::kCancelled) return 0;
    std::cerr << args.status().message() << "\n" << flags.Usage();
    return 2;
  }
  const std::string command = args->empty() ? "serve" : (*args)[0];
  runtime::InitLogging("punchout", o.debug ? runtime::LogLevel::kDebug : runtime::LogLevel::kInfo);
  if (command != "serve" && command != "migrate") {
    std::cerr << "unknown command '" << command << "'\n" << flags.Usage();
    return 2;
  }
  if (o.db_url.empty()) return Fail("--db-url is required", absl::InvalidArgumentError("db-url"));
  auto pool = db::Pool::Create({.url = o.db_url, .schema = o.db_schema, .size = o.db_pool_size});
  if (!pool.ok()) return Fail("database unavailable", pool.status());
  if (command == "migrate" || o.migrate_on_start) {
    absl::Status st = (*pool)->WithConnection([&](pqxx::connection_base& conn) {
      return db::Migrate(conn, o.db_schema, sql::PunchoutMigrations());
    });
    if (!st.ok()) return Fail("migration failed", st);
    runtime::LogInfo("migrations applied", {{"schema", o.db_schema}});
    if (command == "migrate") return 0;
  }

  auto auth = runtime::Authenticator::LoadFile(o.tokens_file);
  if (!auth.ok()) return Fail("tokens file", auth.status());
  auto peer_token = runtime::ReadFile(o.credentials_token_file);
  if (!peer_token.ok()) return Fail("credentials token file", peer_token.status());
  GrpcCredentialsClient credentials(
      grpc::CreateChannel(o.credentials_addr, grpc::InsecureChannelCredentials()),
      std::string(absl::StripAsciiWhitespace(*peer_token)));

  http::EgressPolicyOptions egress;
  egress.plain_http_hosts = List(o.plain_http_hosts);
  egress.private_allow = List(o.private_allow);
  egress.total_timeout = o.supplier_timeout;
  http::CurlHttpClient http_client{http::EgressPolicy(egress)};

  auto host = runtime::ServiceHost::Create(v1::PunchoutService::service_full_name(), o.host);
  if (!host.ok()) return Fail("cannot start", host.status());

  http::HttpServerOptions http_options;
  std::pair<std::string, std::string> hp = absl::StrSplit(o.http_listen, absl::MaxSplits(':', 1));
  http_options.host = hp.first;
  if (!absl::SimpleAtoi(hp.second, &http_options.port)) {
    return Fail("flags", absl::InvalidArgumentError("--http-listen must be host:port"));
  }
  http_options.max_body_bytes = 4u << 20;
  http::HttpServer http_server(http_options);

  SessionStore store(pool->get());
  BrokerOptions broker_options;
  broker_options.session_ttl = o.session_ttl;
  SessionBroker broker(broker_options, &credentials, &http_client, &store,
                       &(*host)->metrics().registry());
  RegisterCartEndpoint(http_server, &broker, o.return_url);
  auto http_port = http_server.Start();
  if (!http_port.ok()) return Fail("cannot start the cart endpoint", http_port.status());
  // The public URL is only known once the port is.
  broker.set_public_url(o.public_url.empty()
                            ? absl::StrCat("http://", http_options.host, ":", *http_port)
                            : o.public_url);
  runtime::LogInfo("http serving", {{"http_port", *http_port}});

  PunchoutService service(auth->get(), &broker, &store);
  if (absl::Status st = (*host)->Start({&service}, [&] { return (*pool)->Ping(); }); !st.ok()) {
    return Fail("cannot start", st);
  }
  absl::Notification stop_sweeper;
  std::thread sweeper([&] {
    do {
      if (auto n = broker.ExpireDue(); !n.ok()) {
        runtime::LogWarn("expiring sessions failed", {{"error", n.status().ToString()}});
      }
    } while (!stop_sweeper.WaitForNotificationWithTimeout(absl::Seconds(30)));
  });
  (*host)->ServeUntilSignal();
  stop_sweeper.Notify();
  sweeper.join();
  http_server.Stop();
  return 0;
}

}  // namespace
}  // namespace iob::punchout

int main(int argc, char** argv) { return iob::punchout::Main(argc, argv); }

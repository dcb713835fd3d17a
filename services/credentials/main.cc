// iob-credentials: the credential vault. Wires flags, database, key ring,
// auth and the gRPC service together; the logic lives elsewhere.
//   iob-credentials [serve]   run the service (migrates first unless --no-migrate-on-start)
//   iob-credentials migrate   apply migrations and exit
//   iob-credentials rewrap    re-seal every secret with the primary key and exit
#include <iostream>
#include <pqxx/pqxx>

#include "absl/strings/str_split.h"
#include "libs/db/migrate.h"
#include "libs/db/pool.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/flags.h"
#include "libs/runtime/logging.h"
#include "libs/runtime/service_host.h"
#include "services/credentials/credentials_service.h"
#include "services/credentials/integration_store.h"
#include "services/credentials/secret_vault.h"
#include "services/credentials/supplier_profiles.h"

namespace iob::sql {
const std::vector<iob::db::Migration>& CredentialsMigrations();
}

namespace iob::credentials {
namespace {

struct Options {
  std::string db_url;
  std::string db_schema = "credentials";
  int db_pool_size = 16;
  std::string key_ring_file;
  std::string tokens_file;
  std::string test_mode_hosts;
  std::string supplier_hosts;
  bool migrate_on_start = true;
  bool debug = false;
  runtime::HostOptions host;
};

int Fail(absl::string_view what, const absl::Status& st) {
  runtime::LogError(what, {{"error", st.ToString()}});
  return 1;
}

absl::Status Migrate(db::Pool& pool) {
  return pool.WithConnection([&](pqxx::connection& conn) {
    return db::Migrate(conn, pool.schema(), sql::CredentialsMigrations());
  });
}

int Rewrap(IntegrationStore& store, const SecretVault& vault) {
  const std::string primary = vault.PrimaryKeyId();
  int total = 0;
  for (;;) {
    auto n = store.RewrapBatch(primary, 100, [&](const Integration& in) -> absl::StatusOr<crypto::Sealed> {
      auto secret = vault.Open(in);
      if (!secret.ok()) return secret.status();
      return vault.Seal(in, *secret);
    });
    if (!n.ok()) return Fail("rewrap failed", n.status());
    total += *n;
    if (*n == 0) break;
  }
  runtime::LogInfo("rewrap done", {{"rewrapped", total}, {"primary_key_id", primary}});
  return 0;
}

int Main(int argc, char** argv) {
  runtime::BlockShutdownSignals();
  Options o;
  o.host.grpc_listen = "127.0.0.1:7101";
  o.host.metrics_listen = "127.0.0.1:9101";
  runtime::Flags flags("iob-credentials [serve|migrate|rewrap]",
                       "The credential vault: supplier integrations and their secrets.");
  flags.Add("db-url", &o.db_url, "Postgres URL for this service's role (required)");
  flags.Add("db-schema", &o.db_schema, "schema this service owns");
  flags.Add("db-pool-size", &o.db_pool_size, "database connections");
  flags.Add("key-ring-file", &o.key_ring_file, "key-ring JSON (required; SIGHUP reloads it)");
  flags.Add("tokens-file", &o.tokens_file, "bearer token hashes JSON (required)");
  flags.Add("test-mode-hosts", &o.test_mode_hosts,
            "comma-separated host[:port] that TEST-mode integrations may use over http");
  flags.Add("supplier-hosts", &o.supplier_hosts,
            "override a supplier's allowed hosts: SUPPLIER=host,*.domain[;SUPPLIER=...]");
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
  runtime::InitLogging("credentials", o.debug ? runtime::LogLevel::kDebug : runtime::LogLevel::kInfo);
  if (command != "serve" && command != "migrate" && command != "rewrap") {
    std::cerr << "unknown command '" << command << "'\n" << flags.Usage();
    return 2;
  }
  if (o.db_url.empty()) return Fail("--db-url is required", absl::InvalidArgumentError("db-url"));

  auto pool = db::Pool::Create({.url = o.db_url, .schema = o.db_schema, .size = o.db_pool_size});
  if (!pool.ok()) return Fail("database unavailable", pool.status());
  if (command == "migrate" || (command == "serve" && o.migrate_on_start)) {
    if (absl::Status st = Migrate(**pool); !st.ok()) return Fail("migration failed", st);
    runtime::LogInfo("migrations applied", {{"schema", o.db_schema}});
    if (command == "migrate") return 0;
  }
  auto vault = SecretVault::Load(o.key_ring_file);
  if (!vault.ok()) return Fail("key ring", vault.status());
  IntegrationStore store(pool->get());
  if (command == "rewrap") return Rewrap(store, **vault);

  auto auth = runtime::Authenticator::LoadFile(o.tokens_file);
  if (!auth.ok()) return Fail("tokens file", auth.status());
  SupplierProfiles profiles;
  for (absl::string_view spec : absl::StrSplit(o.supplier_hosts, ';', absl::SkipWhitespace())) {
    if (absl::Status st = profiles.OverrideHosts(spec); !st.ok()) return Fail("flags", st);
  }
  UrlPolicy policy;
  policy.test_mode_hosts = absl::StrSplit(o.test_mode_hosts, ',', absl::SkipWhitespace());
  CredentialsService service(auth->get(), &store, vault->get(), &profiles, policy);
  auto host = runtime::ServiceHost::Create(v1::CredentialsService::service_full_name(), o.host);
  if (!host.ok()) return Fail("cannot start", host.status());
  if (absl::Status st = (*host)->Start({&service}, [&] { return (*pool)->Ping(); }); !st.ok()) {
    return Fail("cannot start", st);
  }
  (*host)->ServeUntilSignal([&] {
    if (absl::Status st = (*vault)->Reload(); !st.ok()) {
      runtime::LogError("key ring reload failed; keeping the current keys", {{"error", st.ToString()}});
    } else {
      runtime::LogInfo("key ring reloaded", {{"primary_key_id", (*vault)->PrimaryKeyId()}});
    }
  });
  return 0;
}

}  // namespace
}  // namespace iob::credentials

int main(int argc, char** argv) { return iob::credentials::Main(argc, argv); }

// iob-credentials: the credential vault. Wires flags, database, key ring,
// auth and the gRPC service together; the logic lives elsewhere.
//   iob-credentials [serve]   run the service (migrates first unless --no-migrate-on-start)
//   iob-credentials migrate   apply migrations and exit
//   iob-credentials rewrap    re-seal every secret with the primary key and exit
#include "absl/strings/str_split.h"
#include "libs/common/logging.h"
#include "libs/runtime/service_main.h"
#include "services/credentials/credentials_service.h"
#include "services/credentials/integration_store.h"
#include "services/credentials/secret_vault.h"
#include "services/credentials/supplier_profiles.h"

namespace iob::sql {
const std::vector<iob::db::Migration>& CredentialsMigrations();
}

namespace iob::credentials {
namespace {

int Rewrap(IntegrationStore& store, const SecretVault& vault) {
  const std::string primary = vault.PrimaryKeyId();
  int total = 0;
  for (;;) {
    auto n = store.RewrapBatch(primary, 100,
                               [&](const Integration& in) -> absl::StatusOr<crypto::Sealed> {
                                 auto secret = vault.Open(in);
                                 if (!secret.ok()) return secret.status();
                                 return vault.Seal(in, *secret);
                               });
    if (!n.ok()) return runtime::ServiceMain::Fail("rewrap failed", n.status());
    total += *n;
    if (*n == 0) break;
  }
  common::LogInfo("rewrap done", {{"rewrapped", total}, {"primary_key_id", primary}});
  return 0;
}

int Main(int argc, char** argv) {
  runtime::BlockShutdownSignals();
  runtime::ServiceMain m(
      {.name = "credentials",
       .summary = "The credential vault: supplier integrations and their secrets.",
       .commands = {"serve", "migrate", "rewrap"},
       .grpc_listen = "127.0.0.1:7101",
       .metrics_listen = "127.0.0.1:9101"});
  std::string key_ring_file, test_mode_hosts, supplier_hosts;
  m.flags().Add("key-ring-file", &key_ring_file, "key-ring JSON (required; SIGHUP reloads it)");
  m.flags().Add("test-mode-hosts", &test_mode_hosts,
                "comma-separated host[:port] that TEST-mode integrations may use over http");
  m.flags().Add("supplier-hosts", &supplier_hosts,
                "override a supplier's allowed hosts: SUPPLIER=host,*.domain[;SUPPLIER=...]");
  if (auto exit_code = m.Parse(argc, argv)) return *exit_code;
  auto& fail = runtime::ServiceMain::Fail;

  auto pool = m.OpenDatabase(sql::CredentialsMigrations());
  if (!pool.ok()) return fail("database", pool.status());
  if (m.command() == "migrate") return 0;
  auto vault = SecretVault::Load(key_ring_file);
  if (!vault.ok()) return fail("key ring", vault.status());
  IntegrationStore store(pool->get());
  if (m.command() == "rewrap") return Rewrap(store, **vault);

  auto auth = m.LoadTokens();
  if (!auth.ok()) return fail("tokens file", auth.status());
  SupplierProfiles profiles;
  for (absl::string_view spec : absl::StrSplit(supplier_hosts, ';', absl::SkipWhitespace())) {
    if (absl::Status st = profiles.OverrideHosts(spec); !st.ok()) return fail("flags", st);
  }
  UrlPolicy policy;
  policy.test_mode_hosts = absl::StrSplit(test_mode_hosts, ',', absl::SkipWhitespace());
  CredentialsService service(auth->get(), &store, vault->get(), &profiles, policy);
  if (auto host = m.CreateHost(v1::CredentialsService::service_full_name()); !host.ok()) {
    return fail("cannot start", host.status());
  }
  return m.Serve(
      {&service}, [&] { return (*pool)->Ping(); },
      [&] {
        if (absl::Status st = (*vault)->Reload(); !st.ok()) {
          common::LogError("key ring reload failed; keeping the current keys",
                           {{"error", st.ToString()}});
        } else {
          common::LogInfo("key ring reloaded", {{"primary_key_id", (*vault)->PrimaryKeyId()}});
        }
      });
}

}  // namespace
}  // namespace iob::credentials

int main(int argc, char** argv) { return iob::credentials::Main(argc, argv); }

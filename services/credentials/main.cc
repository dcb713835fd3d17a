// iob-credentials: the credential vault. Wires flags, database, key ring,
// auth and the gRPC service together; the logic lives elsewhere.
//   iob-credentials [serve]   run the service (migrates first unless --no-migrate-on-start)
//   iob-credentials migrate   apply migrations and exit
//   iob-credentials rewrap    re-seal every secret with the primary key and exit
//                             (non-zero, naming them, when some cannot be opened)
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"
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

// Re-seals every secret with the primary key under the current
// associated-data scheme. Exit 0 only when no row is left on another key or
// scheme; rows that cannot be opened are logged by name and exit 1.
int Rewrap(IntegrationStore& store, const SecretVault& vault) {
  const std::string primary = vault.PrimaryKeyId();
  int total = 0;
  std::vector<std::string> unopened;
  for (;;) {
    auto batch = store.RewrapBatch(primary, SecretVault::kAadSchemeVersioned, 100, unopened,
                                   [&](Integration& in) -> absl::Status {
                                     auto secret = vault.Open(in);
                                     if (!secret.ok()) return secret.status();
                                     return vault.Seal(*secret, in);
                                   });
    if (!batch.ok()) return runtime::ServiceMain::Fail("rewrap failed", batch.status());
    total += batch->rewrapped;
    for (const auto& [name, status] : batch->unopened) {
      common::LogError("rewrap cannot open a secret; it stays on its key",
                       {{"integration", name}, {"error", status.ToString()}});
      unopened.push_back(name);
    }
    if (batch->rewrapped == 0 && batch->unopened.empty()) break;
  }
  if (!unopened.empty()) {
    common::LogError("rewrap incomplete", {{"rewrapped", total},
                                           {"unopened", static_cast<int>(unopened.size())},
                                           {"integrations", absl::StrJoin(unopened, ",")},
                                           {"primary_key_id", primary}});
    return 1;
  }
  common::LogInfo("rewrap done", {{"rewrapped", total}, {"primary_key_id", primary}});
  return 0;
}

// Refuses a key ring that cannot open every stored secret: a key that is
// retired or gone while rows are still sealed with it.
absl::Status CheckRingCoversRows(IntegrationStore& store, const crypto::KeyRing& ring) {
  IOB_ASSIGN_OR_RETURN(auto counts, store.CountByKey());
  for (const auto& [key_id, rows] : counts) {
    if (rows > 0 && !ring.CanOpen(key_id)) {
      return absl::FailedPreconditionError(
          absl::StrCat("key ring: key \"", key_id, "\" is retired or missing but still seals ",
                       rows, " secret(s); keep it active and run `iob-credentials rewrap` first"));
    }
  }
  return absl::OkStatus();
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
  IntegrationStore store(pool->get());
  if (m.command() == "rewrap") {
    // Rewrap reports the rows it cannot open by name instead.
    auto vault = SecretVault::Load(key_ring_file);
    if (!vault.ok()) return fail("key ring", vault.status());
    return Rewrap(store, **vault);
  }
  auto vault = SecretVault::Load(
      key_ring_file, [&](const crypto::KeyRing& ring) { return CheckRingCoversRows(store, ring); });
  if (!vault.ok()) return fail("key ring", vault.status());

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
        runtime::ReloadTokens(**auth);
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

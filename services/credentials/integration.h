// The credential vault's domain: an integration (a tenant's connection to one
// supplier) and the rules that make one valid. No I/O.
#ifndef IOB_SERVICES_CREDENTIALS_INTEGRATION_H_
#define IOB_SERVICES_CREDENTIALS_INTEGRATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/crypto/key_ring.h"
#include "services/credentials/supplier_profiles.h"

namespace iob::credentials {

enum class Mode { kTest, kProduction };
enum class PaymentMethod { kPayByInvoice, kPcard };
enum class IntegrationState { kActive, kDisabled };

// The text each enum is stored as ("test", "pay_by_invoice", "active", ...),
// and back; nullopt for text no migration allows.
std::string ModeText(Mode mode);
std::string PaymentMethodText(PaymentMethod method);
std::string StateText(IntegrationState state);
std::optional<Mode> ParseMode(absl::string_view text);
std::optional<PaymentMethod> ParsePaymentMethod(absl::string_view text);
std::optional<IntegrationState> ParseState(absl::string_view text);

struct Credential {
  std::string domain;
  std::string identity;
  bool operator==(const Credential&) const = default;
};

struct Integration {
  std::string tenant;
  std::string id;
  std::string supplier;
  std::string display_name;
  std::string marketplace;
  Credential from;
  Credential to;
  Credential sender;
  std::string punchout_url;
  std::string order_url;
  Mode mode = Mode::kTest;
  bool require_approval = true;
  PaymentMethod payment_method = PaymentMethod::kPayByInvoice;
  IntegrationState state = IntegrationState::kActive;
  std::string user_business_unit;
  std::string order_email;  // "" = none

  // Maintained by the store.
  int64_t revision = 0;
  absl::Time create_time;
  absl::Time update_time;
  int64_t secret_version = 0;
  absl::Time secret_update_time;
  std::string secret_fingerprint;
  crypto::Sealed sealed_secret;
  // Which associated-data scheme sealed it (SecretVault::kAadScheme...).
  int secret_aad_scheme = 0;

  // `tenants/{tenant}/integrations/{id}`.
  std::string Name() const;
  // The opaque etag of this revision.
  std::string Etag() const;
};

// What an operator configures about which endpoints may be stored.
struct UrlPolicy {
  // Hosts ("host" or "host:port") that TEST-mode integrations may reach over
  // plain http and outside the supplier's host list: the local simulator.
  std::vector<std::string> test_mode_hosts;
};

// Fills what the supplier profile knows (domains, To identity, Sender =
// From, default marketplace) into fields the admin left empty.
void ApplyProfileDefaults(const SupplierProfile& profile, Integration& integration);

// Checks every field. INVALID_ARGUMENT whose message starts with the field
// path, e.g. "integration.punchout_url: https is required in production".
absl::Status ValidateIntegration(const Integration& integration, const SupplierProfile& profile,
                                 const UrlPolicy& policy);

// The shared secret: 8..512 printable ASCII characters.
absl::Status ValidateSharedSecret(absl::string_view secret, absl::string_view field);

// Checks one endpoint URL (exposed for tests).
absl::Status ValidateEndpointUrl(absl::string_view url, absl::string_view field, Mode mode,
                                 const std::vector<std::string>& allowed_hosts,
                                 const UrlPolicy& policy);

}  // namespace iob::credentials

#endif  // IOB_SERVICES_CREDENTIALS_INTEGRATION_H_

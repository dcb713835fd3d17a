// What we know about each supplier so an admin enters only what the
// supplier's portal shows: credential domains, the supplier's own identity,
// and which hosts its endpoints may live on, per marketplace.
#ifndef IOB_SERVICES_CREDENTIALS_SUPPLIER_PROFILES_H_
#define IOB_SERVICES_CREDENTIALS_SUPPLIER_PROFILES_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace iob::credentials {

struct SupplierProfile {
  std::string id;                 // "amazon-business"
  std::string display_name;       // "Amazon Business"
  std::string credential_domain;  // From/Sender domain; empty = admin supplies it
  std::string to_domain;          // empty = admin supplies it
  std::string to_identity;        // empty = admin supplies it
  std::string default_marketplace;
  // Allowed endpoint hosts per marketplace, as http::HostMatches reads them
  // ("*.amazon.com" matches subdomains only). A profile with no entries allows any public host.
  std::map<std::string, std::vector<std::string>> hosts_by_marketplace;

  // The allowed hosts for `marketplace`; INVALID_ARGUMENT naming
  // integration.marketplace when the profile does not know it.
  absl::StatusOr<std::vector<std::string>> AllowedHosts(absl::string_view marketplace) const;
};

// Immutable after construction; thread-safe.
class SupplierProfiles {
 public:
  // The built-in profiles: amazon-business and generic-cxml.
  SupplierProfiles();

  // Replaces the hosts of every marketplace of `supplier` (operator flag
  // `--supplier-hosts amazon-business=*.amazon.com,*.amazon.co.uk`).
  // INVALID_ARGUMENT for an unknown supplier or a malformed spec.
  absl::Status OverrideHosts(absl::string_view spec);

  // INVALID_ARGUMENT "integration.supplier: unknown supplier X (known: ...)".
  absl::StatusOr<const SupplierProfile*> Find(absl::string_view supplier) const;

 private:
  std::map<std::string, SupplierProfile, std::less<>> profiles_;
};

}  // namespace iob::credentials

#endif  // IOB_SERVICES_CREDENTIALS_SUPPLIER_PROFILES_H_

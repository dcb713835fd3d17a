#include "services/credentials/supplier_profiles.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace iob::credentials {

SupplierProfiles::SupplierProfiles() {
  SupplierProfile amazon;
  amazon.id = "amazon-business";
  amazon.display_name = "Amazon Business";
  amazon.credential_domain = "NetworkId";
  amazon.to_domain = "NetworkId";
  amazon.to_identity = "Amazon";
  amazon.default_marketplace = "amazon.com";
  amazon.hosts_by_marketplace = {
      {"amazon.com", {"amazon.com", "*.amazon.com"}},
      {"amazon.co.uk", {"amazon.co.uk", "*.amazon.co.uk"}},
      {"other",
       {"*.amazon.com", "*.amazon.co.uk", "*.amazon.de", "*.amazon.fr", "*.amazon.it",
        "*.amazon.es", "*.amazon.ca", "*.amazon.co.jp", "*.amazon.in"}},
  };
  profiles_[amazon.id] = amazon;

  SupplierProfile generic;
  generic.id = "generic-cxml";
  generic.display_name = "cXML supplier";
  generic.default_marketplace = "other";
  profiles_[generic.id] = generic;
}

absl::StatusOr<std::vector<std::string>> SupplierProfile::AllowedHosts(
    absl::string_view marketplace) const {
  if (hosts_by_marketplace.empty()) return std::vector<std::string>{};
  auto it = hosts_by_marketplace.find(std::string(marketplace));
  if (it == hosts_by_marketplace.end()) {
    std::vector<std::string> known;
    for (const auto& [m, hosts] : hosts_by_marketplace) known.push_back(m);
    return absl::InvalidArgumentError(absl::StrCat("integration.marketplace: unknown marketplace '",
                                                   marketplace, "' for ", id,
                                                   " (known: ", absl::StrJoin(known, ", "), ")"));
  }
  return it->second;
}

absl::Status SupplierProfiles::OverrideHosts(absl::string_view spec) {
  std::pair<std::string, std::string> kv = absl::StrSplit(spec, absl::MaxSplits('=', 1));
  auto it = profiles_.find(kv.first);
  if (it == profiles_.end() || kv.second.empty()) {
    return absl::InvalidArgumentError(
        "--supplier-hosts: expected SUPPLIER=host,*.domain,... with a known supplier");
  }
  std::vector<std::string> hosts;
  for (absl::string_view host : absl::StrSplit(kv.second, ',', absl::SkipWhitespace())) {
    // "a.test, *.a.test" must not keep the space: " *.a.test" matches nothing.
    hosts.emplace_back(absl::StripAsciiWhitespace(host));
  }
  for (auto& [marketplace, list] : it->second.hosts_by_marketplace) list = hosts;
  return absl::OkStatus();
}

absl::StatusOr<const SupplierProfile*> SupplierProfiles::Find(absl::string_view supplier) const {
  auto it = profiles_.find(supplier);
  if (it == profiles_.end()) {
    std::vector<std::string> known;
    for (const auto& [id, p] : profiles_) known.push_back(id);
    return absl::InvalidArgumentError(absl::StrCat("integration.supplier: unknown supplier '",
                                                   supplier,
                                                   "' (known: ", absl::StrJoin(known, ", "), ")"));
  }
  return &it->second;
}

}  // namespace iob::credentials

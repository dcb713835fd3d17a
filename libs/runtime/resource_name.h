// Resource names (AIP-122) and the one id rule every iob service applies to
// tenant and resource ids: `[a-z]([a-z0-9-]{0,61}[a-z0-9])?` — lower-case
// letters, digits and '-', starting with a letter, not ending with '-', at
// most 63 characters. Server-made ids (sessions, orders) follow it too.
#ifndef IOB_LIBS_RUNTIME_RESOURCE_NAME_H_
#define IOB_LIBS_RUNTIME_RESOURCE_NAME_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace iob::runtime {

// Names every service uses: the tenant (a List's parent) and a tenant's
// integration with one supplier (kept by credentials, referred to by
// punchout, dispatch and invoice intake).
inline constexpr char kTenantPattern[] = "tenants/{tenant}";
inline constexpr char kIntegrationPattern[] = "tenants/{tenant}/integrations/{integration}";

// The id rule as shown in error messages.
inline constexpr char kIdRule[] = "[a-z][a-z0-9-]{0,62} and not ending with '-'";

// True when `id` follows the id rule. Thread-safe.
bool IsValidId(absl::string_view id);

// The two ids a resource name carries: "tenants/{tenant}/sessions/{session}"
// gives tenant and id; "tenants/{tenant}" gives the tenant and an empty id.
struct ResourceName {
  std::string tenant;
  std::string id;
};

// Matches `name` against `pattern`, whose segments are literals or
// `{variable}`s ("tenants/{tenant}/integrations/{integration}"); the first
// variable is the tenant, the second (if any) the id, and every variable must
// follow the id rule. INVALID_ARGUMENT "<field>: must be <pattern>" otherwise.
// Thread-safe.
absl::StatusOr<ResourceName> ParseName(absl::string_view pattern, absl::string_view name,
                                       absl::string_view field);

// A new resource id: `prefix` + 20 random lower-case hex digits (80 bits from
// the CSPRNG), e.g. "o3f9a...". Follows the id rule. Thread-safe.
std::string NewId(char prefix);

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_RESOURCE_NAME_H_

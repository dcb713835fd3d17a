#include "services/credentials/integration.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/http/egress_policy.h"

namespace iob::credentials {
namespace {

constexpr size_t kMaxIdentity = 256;
constexpr size_t kMaxDisplayName = 200;
constexpr size_t kMaxUrl = 2048;

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

bool HasControlChars(absl::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

absl::Status ValidateText(absl::string_view value, absl::string_view field, size_t max,
                          bool required) {
  if (value.empty()) return required ? Invalid(field, "is required") : absl::OkStatus();
  if (value.size() > max) return Invalid(field, absl::StrCat("longer than ", max, " bytes"));
  if (HasControlChars(value)) return Invalid(field, "contains control characters");
  if (absl::StripAsciiWhitespace(value) != value) {
    return Invalid(field, "has leading or trailing spaces");
  }
  return absl::OkStatus();
}

absl::Status ValidateCredential(const Credential& c, absl::string_view field) {
  IOB_RETURN_IF_ERROR(ValidateText(c.domain, absl::StrCat(field, ".domain"), 64, true));
  return ValidateText(c.identity, absl::StrCat(field, ".identity"), kMaxIdentity, true);
}

bool HostAllowed(absl::string_view host, const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) {
    if (http::HostMatches(p, std::string(host))) return true;
  }
  return false;
}

bool InTestModeHosts(absl::string_view host, absl::string_view port,
                     const std::vector<std::string>& test_hosts) {
  const std::string with_port = absl::StrCat(host, ":", port);
  for (const auto& h : test_hosts) {
    if (absl::EqualsIgnoreCase(h, host) || absl::EqualsIgnoreCase(h, with_port)) return true;
  }
  return false;
}

}  // namespace

std::string Integration::Name() const {
  return absl::StrCat("tenants/", tenant, "/integrations/", id);
}

std::string Integration::Etag() const { return absl::StrCat("\"r", revision, "\""); }

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 63 || !absl::ascii_islower(id[0])) return false;
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') return false;
  }
  return id.back() != '-';
}

absl::Status ParseTenantName(absl::string_view name, absl::string_view field, std::string* tenant) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 2 || parts[0] != "tenants" || !IsValidId(parts[1])) {
    return Invalid(field, "must be tenants/{tenant}");
  }
  *tenant = std::string(parts[1]);
  return absl::OkStatus();
}

absl::Status ParseIntegrationName(absl::string_view name, absl::string_view field,
                                  std::string* tenant, std::string* id) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "tenants" || parts[2] != "integrations" ||
      !IsValidId(parts[1]) || !IsValidId(parts[3])) {
    return Invalid(field, "must be tenants/{tenant}/integrations/{integration}");
  }
  *tenant = std::string(parts[1]);
  *id = std::string(parts[3]);
  return absl::OkStatus();
}

void ApplyProfileDefaults(const SupplierProfile& profile, Integration& in) {
  if (in.marketplace.empty()) in.marketplace = profile.default_marketplace;
  if (in.display_name.empty()) in.display_name = profile.display_name;
  if (in.from.domain.empty()) in.from.domain = profile.credential_domain;
  if (in.to.domain.empty()) in.to.domain = profile.to_domain;
  if (in.to.identity.empty()) in.to.identity = profile.to_identity;
  if (in.sender.domain.empty()) in.sender.domain = in.from.domain;
  if (in.sender.identity.empty()) in.sender.identity = in.from.identity;
}

absl::Status ValidateSharedSecret(absl::string_view secret, absl::string_view field) {
  if (secret.empty()) return Invalid(field, "is required");
  if (secret.size() < 8 || secret.size() > 512) {
    return Invalid(field, "must be 8 to 512 characters");
  }
  for (unsigned char c : secret) {
    if (c < 0x20 || c > 0x7e) return Invalid(field, "must be printable ASCII");
  }
  return absl::OkStatus();
}

absl::Status ValidateEndpointUrl(absl::string_view url, absl::string_view field, Mode mode,
                                 const std::vector<std::string>& allowed_hosts,
                                 const UrlPolicy& policy) {
  if (url.empty()) return Invalid(field, "is required");
  if (url.size() > kMaxUrl) return Invalid(field, absl::StrCat("longer than ", kMaxUrl, " bytes"));
  if (HasControlChars(url) || absl::StrContains(url, ' ')) {
    return Invalid(field, "contains spaces or control characters");
  }
  // The same grammar the egress policy applies when the URL is called.
  auto parsed = http::ParseUrl(std::string(url));
  if (!parsed.ok()) return Invalid(field, "is not a valid absolute URL");
  const std::string& scheme = parsed->scheme;
  const std::string& host = parsed->host;
  const std::string port = absl::StrCat(parsed->port);
  if (parsed->has_userinfo) return Invalid(field, "must not contain user information");
  if (scheme != "https" && scheme != "http") return Invalid(field, "must be an https URL");
  const bool test_host = mode == Mode::kTest && InTestModeHosts(host, port, policy.test_mode_hosts);
  if (test_host) return absl::OkStatus();
  if (scheme != "https") {
    return Invalid(field, mode == Mode::kProduction
                              ? "https is required in production"
                              : "https is required (plain http only for hosts the operator "
                                "allow-lists for test mode)");
  }
  if (!allowed_hosts.empty() && !HostAllowed(host, allowed_hosts)) {
    return Invalid(field,
                   absl::StrCat("host '", host, "' is not an allowed host for this supplier"));
  }
  return absl::OkStatus();
}

absl::Status ValidateIntegration(const Integration& in, const SupplierProfile& profile,
                                 const UrlPolicy& policy) {
  IOB_RETURN_IF_ERROR(
      ValidateText(in.display_name, "integration.display_name", kMaxDisplayName, false));
  IOB_ASSIGN_OR_RETURN(std::vector<std::string> hosts, profile.AllowedHosts(in.marketplace));
  IOB_RETURN_IF_ERROR(ValidateCredential(in.from, "integration.from"));
  IOB_RETURN_IF_ERROR(ValidateCredential(in.to, "integration.to"));
  IOB_RETURN_IF_ERROR(ValidateCredential(in.sender, "integration.sender"));
  IOB_RETURN_IF_ERROR(
      ValidateEndpointUrl(in.punchout_url, "integration.punchout_url", in.mode, hosts, policy));
  IOB_RETURN_IF_ERROR(
      ValidateEndpointUrl(in.order_url, "integration.order_url", in.mode, hosts, policy));
  IOB_RETURN_IF_ERROR(
      ValidateText(in.user_business_unit, "integration.user_business_unit", kMaxIdentity, false));
  if (in.payment_method != "pay_by_invoice" && in.payment_method != "pcard") {
    return Invalid("integration.payment_method", "must be PAY_BY_INVOICE or PCARD");
  }
  if (in.state != "active" && in.state != "disabled") {
    return Invalid("integration.state", "must be ACTIVE or DISABLED");
  }
  return absl::OkStatus();
}

}  // namespace iob::credentials

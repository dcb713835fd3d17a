#include "services/credentials/integration.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/http/egress_policy.h"

namespace iob::credentials {
namespace {

constexpr size_t kMaxIdentity = 256;
constexpr size_t kMaxDisplayName = 200;
constexpr size_t kMaxUrl = 2048;

using common::InvalidField;

bool HasControlChars(absl::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Admin-entered text: CheckText, and no spaces around it (pasted values).
absl::Status ValidateText(absl::string_view value, absl::string_view field, size_t max,
                          bool required) {
  IOB_RETURN_IF_ERROR(common::CheckText(value, field, max, required));
  if (absl::StripAsciiWhitespace(value) != value) {
    return InvalidField(field, "has leading or trailing spaces");
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

std::string ModeText(Mode mode) {
  switch (mode) {
    case Mode::kProduction:
      return "production";
    case Mode::kTest:
      break;
  }
  return "test";
}

std::string PaymentMethodText(PaymentMethod method) {
  switch (method) {
    case PaymentMethod::kPcard:
      return "pcard";
    case PaymentMethod::kPayByInvoice:
      break;
  }
  return "pay_by_invoice";
}

std::string StateText(IntegrationState state) {
  switch (state) {
    case IntegrationState::kDisabled:
      return "disabled";
    case IntegrationState::kActive:
      break;
  }
  return "active";
}

std::optional<Mode> ParseMode(absl::string_view text) {
  if (text == "test") return Mode::kTest;
  if (text == "production") return Mode::kProduction;
  return std::nullopt;
}

std::optional<PaymentMethod> ParsePaymentMethod(absl::string_view text) {
  if (text == "pay_by_invoice") return PaymentMethod::kPayByInvoice;
  if (text == "pcard") return PaymentMethod::kPcard;
  return std::nullopt;
}

std::optional<IntegrationState> ParseState(absl::string_view text) {
  if (text == "active") return IntegrationState::kActive;
  if (text == "disabled") return IntegrationState::kDisabled;
  return std::nullopt;
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
  if (secret.empty()) return InvalidField(field, "is required");
  if (secret.size() < 8 || secret.size() > 512) {
    return InvalidField(field, "must be 8 to 512 characters");
  }
  for (unsigned char c : secret) {
    if (c < 0x20 || c > 0x7e) return InvalidField(field, "must be printable ASCII");
  }
  return absl::OkStatus();
}

absl::Status ValidateEndpointUrl(absl::string_view url, absl::string_view field, Mode mode,
                                 const std::vector<std::string>& allowed_hosts,
                                 const UrlPolicy& policy) {
  if (url.empty()) return InvalidField(field, "is required");
  if (url.size() > kMaxUrl)
    return InvalidField(field, absl::StrCat("longer than ", kMaxUrl, " bytes"));
  if (HasControlChars(url) || absl::StrContains(url, ' ')) {
    return InvalidField(field, "contains spaces or control characters");
  }
  // The same grammar the egress policy applies when the URL is called.
  auto parsed = http::ParseUrl(std::string(url));
  if (!parsed.ok()) return InvalidField(field, "is not a valid absolute URL");
  const std::string& scheme = parsed->scheme;
  const std::string& host = parsed->host;
  const std::string port = absl::StrCat(parsed->port);
  if (parsed->has_userinfo) return InvalidField(field, "must not contain user information");
  if (scheme != "https" && scheme != "http") return InvalidField(field, "must be an https URL");
  const bool test_host = mode == Mode::kTest && InTestModeHosts(host, port, policy.test_mode_hosts);
  if (test_host) return absl::OkStatus();
  if (scheme != "https") {
    return InvalidField(field, mode == Mode::kProduction
                                   ? "https is required in production"
                                   : "https is required (plain http only for hosts the operator "
                                     "allow-lists for test mode)");
  }
  if (!allowed_hosts.empty() && !HostAllowed(host, allowed_hosts)) {
    return InvalidField(field,
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
  IOB_RETURN_IF_ERROR(common::CheckEmailAddress(in.order_email, "integration.order_email", false));
  // Enums can still hold a value no enumerator names (a cast).
  if (in.payment_method != PaymentMethod::kPayByInvoice &&
      in.payment_method != PaymentMethod::kPcard) {
    return InvalidField("integration.payment_method", "must be PAY_BY_INVOICE or PCARD");
  }
  if (in.state != IntegrationState::kActive && in.state != IntegrationState::kDisabled) {
    return InvalidField("integration.state", "must be ACTIVE or DISABLED");
  }
  return absl::OkStatus();
}

}  // namespace iob::credentials

#include "libs/runtime/auth.h"

#include <grpcpp/server_context.h>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/crypto/key_ring.h"
#include "libs/crypto/secret_file.h"

namespace iob::runtime {
namespace {

bool IsLowerHex64(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Parse(absl::string_view text) {
  auto tokens = ParseTokens(text);
  if (!tokens.ok()) return tokens.status();
  std::unique_ptr<Authenticator> auth(new Authenticator());
  auth->by_hash_ = *std::move(tokens);
  return auth;
}

absl::StatusOr<std::shared_ptr<const Authenticator::TokenMap>> Authenticator::ParseTokens(
    absl::string_view text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("tokens") ||
      !doc["tokens"].is_array()) {
    return absl::InvalidArgumentError("tokens file: expected {\"tokens\": [...]}");
  }
  auto by_hash = std::make_shared<TokenMap>();
  size_t index = 0;
  for (const auto& entry : doc["tokens"]) {
    const std::string where = absl::StrCat("tokens file: entry ", index++);
    if (!entry.is_object()) return absl::InvalidArgumentError(where + ": not an object");
    Principal p;
    p.name = entry.value("principal", "");
    std::string hash = absl::AsciiStrToLower(entry.value("sha256", ""));
    if (p.name.empty()) return absl::InvalidArgumentError(where + ": principal is empty");
    if (!IsLowerHex64(hash)) {
      return absl::InvalidArgumentError(where + ": sha256 must be 64 hex digits");
    }
    for (const char* list : {"scopes", "tenants"}) {
      if (!entry.contains(list)) continue;
      if (!entry[list].is_array()) return absl::InvalidArgumentError(where + ": " + list);
      for (const auto& v : entry[list]) {
        if (!v.is_string()) return absl::InvalidArgumentError(where + ": " + list);
        (std::string(list) == "scopes" ? p.scopes : p.tenants).insert(v.get<std::string>());
      }
    }
    if (!by_hash->emplace(hash, std::move(p)).second) {
      return absl::InvalidArgumentError(where + ": duplicate token hash");
    }
  }
  return std::shared_ptr<const TokenMap>(std::move(by_hash));
}

absl::StatusOr<std::shared_ptr<const Authenticator::TokenMap>> Authenticator::ReadTokens(
    const std::string& path) {
  absl::StatusOr<std::string> text = crypto::ReadSecretFile(path, "tokens file");
  if (absl::IsNotFound(text.status())) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read tokens file ", path));
  }
  if (!text.ok()) return text.status();
  return ParseTokens(*text);
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::LoadFile(const std::string& path) {
  auto tokens = ReadTokens(path);
  if (!tokens.ok()) return tokens.status();
  std::unique_ptr<Authenticator> auth(new Authenticator());
  auth->path_ = path;
  auth->by_hash_ = *std::move(tokens);
  return auth;
}

absl::Status Authenticator::Reload() {
  if (path_.empty()) return absl::FailedPreconditionError("tokens were not read from a file");
  auto tokens = ReadTokens(path_);
  if (!tokens.ok()) return tokens.status();
  absl::MutexLock lock(&mu_);
  by_hash_ = *std::move(tokens);
  return absl::OkStatus();
}

std::shared_ptr<const Authenticator::TokenMap> Authenticator::tokens() const {
  absl::MutexLock lock(&mu_);
  return by_hash_;
}

void ReloadTokens(Authenticator& auth) {
  if (absl::Status st = auth.Reload(); !st.ok()) {
    common::LogError("tokens reload failed; keeping the current tokens",
                     {{"error", st.ToString()}});
  } else {
    common::LogInfo("tokens reloaded");
  }
}

absl::StatusOr<Principal> Authenticator::Authenticate(absl::string_view header) const {
  absl::string_view value = absl::StripAsciiWhitespace(header);
  if (value.empty()) return absl::UnauthenticatedError("missing bearer token");
  if (value.size() < 7 || !absl::EqualsIgnoreCase(value.substr(0, 7), "bearer ")) {
    return absl::UnauthenticatedError("authorization must be a bearer token");
  }
  const std::string token(absl::StripAsciiWhitespace(value.substr(7)));
  if (token.empty()) return absl::UnauthenticatedError("missing bearer token");
  // Hash lookups do not leak the token through timing: the map compares
  // digests of the token, never the token itself.
  const std::shared_ptr<const TokenMap> by_hash = tokens();
  auto it = by_hash->find(crypto::Sha256Hex(token));
  if (it == by_hash->end()) return absl::UnauthenticatedError("invalid bearer token");
  return it->second;
}

absl::StatusOr<Principal> Authenticator::Authorize(const grpc::ServerContext& context,
                                                   absl::string_view scope,
                                                   absl::string_view tenant) const {
  absl::string_view header;
  const auto& md = context.client_metadata();
  if (auto it = md.find("authorization"); it != md.end()) {
    header = absl::string_view(it->second.data(), it->second.size());
  }
  auto principal = Authenticate(header);
  if (!principal.ok()) return principal.status();
  if (!principal->HasScope(scope)) {
    return absl::PermissionDeniedError(
        absl::StrCat("principal ", principal->name, " lacks scope ", scope));
  }
  if (!tenant.empty() && !principal->MayActFor(tenant)) {
    return absl::PermissionDeniedError(
        absl::StrCat("principal ", principal->name, " may not act for tenant ", tenant));
  }
  return principal;
}

std::string TokenEntryJson(absl::string_view principal, absl::string_view token,
                           const std::set<std::string>& scopes,
                           const std::set<std::string>& tenants) {
  nlohmann::json entry = {{"principal", std::string(principal)},
                          {"sha256", crypto::Sha256Hex(std::string(token))},
                          {"scopes", scopes},
                          {"tenants", tenants}};
  return entry.dump();
}

}  // namespace iob::runtime

#include "libs/runtime/auth.h"

#include <grpcpp/server_context.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/crypto/key_ring.h"

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
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("tokens") ||
      !doc["tokens"].is_array()) {
    return absl::InvalidArgumentError("tokens file: expected {\"tokens\": [...]}");
  }
  std::unique_ptr<Authenticator> auth(new Authenticator());
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
    if (!auth->by_hash_.emplace(hash, std::move(p)).second) {
      return absl::InvalidArgumentError(where + ": duplicate token hash");
    }
  }
  return auth;
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read tokens file ", path));
  std::stringstream buf;
  buf << in.rdbuf();
  return Parse(buf.str());
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
  auto it = by_hash_.find(crypto::Sha256Hex(token));
  if (it == by_hash_.end()) return absl::UnauthenticatedError("invalid bearer token");
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

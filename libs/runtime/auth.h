// Bearer-token authentication and scope/tenant authorisation for every RPC.
//
// Tokens file (JSON), holding only SHA-256 hashes of tokens:
//   {"tokens": [
//     {"principal": "platform-admin", "sha256": "<hex of sha256(token)>",
//      "scopes": ["integrations.read", "integrations.write"], "tenants": ["acme"]},
//     {"principal": "punchout", "sha256": "...", "scopes": ["secrets.resolve"],
//      "tenants": ["*"]}]}
// Callers send `authorization: Bearer <token>`.
#ifndef IOB_LIBS_RUNTIME_AUTH_H_
#define IOB_LIBS_RUNTIME_AUTH_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace grpc {
class ServerContext;
}

namespace iob::runtime {

struct Principal {
  std::string name;
  std::set<std::string, std::less<>> scopes;
  std::set<std::string, std::less<>> tenants;  // "*" = every tenant

  bool HasScope(absl::string_view scope) const { return scopes.count(scope) > 0; }
  bool MayActFor(absl::string_view tenant) const {
    return tenants.count("*") > 0 || tenants.count(tenant) > 0;
  }
};

// Immutable after construction; thread-safe.
class Authenticator {
 public:
  // Parses the tokens file text. INVALID_ARGUMENT naming the entry for a bad
  // hash, an empty principal, or a duplicate hash.
  static absl::StatusOr<std::unique_ptr<Authenticator>> Parse(absl::string_view json);
  static absl::StatusOr<std::unique_ptr<Authenticator>> LoadFile(const std::string& path);

  // The principal of `authorization_header` ("Bearer <token>").
  // UNAUTHENTICATED "missing bearer token" / "invalid bearer token".
  absl::StatusOr<Principal> Authenticate(absl::string_view authorization_header) const;

  // Authenticates the call's metadata and checks `scope` and `tenant`
  // (skipped when `tenant` is empty). UNAUTHENTICATED as above;
  // PERMISSION_DENIED "principal P lacks scope S" / "principal P may not act
  // for tenant T".
  absl::StatusOr<Principal> Authorize(const grpc::ServerContext& context, absl::string_view scope,
                                      absl::string_view tenant) const;

 private:
  Authenticator() = default;
  std::map<std::string, Principal, std::less<>> by_hash_;  // sha256 hex -> principal
};

// A tokens-file entry line for `token` (used by ./iob up and tests).
std::string TokenEntryJson(absl::string_view principal, absl::string_view token,
                           const std::set<std::string>& scopes,
                           const std::set<std::string>& tenants);

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_AUTH_H_

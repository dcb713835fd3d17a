// Bearer-token authentication and scope/tenant authorisation for every RPC.
//
// Tokens file (JSON), holding only SHA-256 hashes of tokens:
//   {"tokens": [
//     {"principal": "platform-admin", "sha256": "<hex of sha256(token)>",
//      "scopes": ["integrations.read", "integrations.write"], "tenants": ["acme"]},
//     {"principal": "punchout", "sha256": "...", "scopes": ["secrets.resolve"],
//      "tenants": ["*"]}]}
// Callers send `authorization: Bearer <token>`. The file must be readable by
// its owner only (crypto::ReadSecretFile); Reload() re-reads it, so a token
// is revoked by removing its entry and sending the service SIGHUP.
#ifndef IOB_LIBS_RUNTIME_AUTH_H_
#define IOB_LIBS_RUNTIME_AUTH_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

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

// Thread-safe: Authenticate / Authorize may run while Reload swaps the
// tokens in (each call sees either the old or the new set, never a mix).
class Authenticator {
 public:
  // Parses the tokens file text. INVALID_ARGUMENT naming the entry for a bad
  // hash, an empty principal, or a duplicate hash. Such an authenticator has
  // no file: Reload() returns FAILED_PRECONDITION.
  static absl::StatusOr<std::unique_ptr<Authenticator>> Parse(absl::string_view json);
  // Reads and parses the tokens file at `path`. INVALID_ARGUMENT when it
  // cannot be read or parsed; FAILED_PRECONDITION naming the file and its
  // mode when group or others may read it.
  static absl::StatusOr<std::unique_ptr<Authenticator>> LoadFile(const std::string& path);

  // Re-reads the file LoadFile read and, when it is valid, replaces the
  // tokens at once (calls in flight finish with the tokens they started
  // with). On error keeps the current tokens and returns LoadFile's error.
  absl::Status Reload();

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
  using TokenMap = std::map<std::string, Principal, std::less<>>;  // sha256 hex -> principal
  Authenticator() = default;
  static absl::StatusOr<std::shared_ptr<const TokenMap>> ParseTokens(absl::string_view json);
  static absl::StatusOr<std::shared_ptr<const TokenMap>> ReadTokens(const std::string& path);
  std::shared_ptr<const TokenMap> tokens() const;

  std::string path_;  // "" when built by Parse
  mutable absl::Mutex mu_;
  std::shared_ptr<const TokenMap> by_hash_ ABSL_GUARDED_BY(mu_);
};

// SIGHUP handler body for services: Reload()s `auth` and logs the outcome
// ("tokens reloaded", or "tokens reload failed; keeping the current tokens"
// with the error). Thread-safe.
void ReloadTokens(Authenticator& auth);

// A tokens-file entry line for `token` (used by ./iob up and tests).
std::string TokenEntryJson(absl::string_view principal, absl::string_view token,
                           const std::set<std::string>& scopes,
                           const std::set<std::string>& tenants);

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_AUTH_H_

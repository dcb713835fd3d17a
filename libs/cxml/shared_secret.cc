// Constant-time shared-secret comparison.
#include "libs/cxml/shared_secret.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "libs/cxml/strings_internal.h"

namespace iob::cxml {

using internal::Cat;
using internal::Contains;
using internal::EqualsIgnoreCase;
using internal::Trim;
using internal::TrimLeft;
using internal::View;

bool SecretsEqual(std::string_view a, std::string_view b) {
  unsigned char da[SHA256_DIGEST_LENGTH];
  unsigned char db[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), da);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), db);
  return CRYPTO_memcmp(da, db, sizeof da) == 0;
}

absl::Status VerifySharedSecret(const Header& header, std::string_view expected_domain,
                                std::string_view expected_identity,
                                std::string_view expected_secret) {
  bool from_ok = false;
  for (const Credential& c : header.from) {
    if (EqualsIgnoreCase(c.domain, expected_domain) && c.identity == expected_identity) {
      from_ok = true;
    }
  }
  // Compare every sender secret (no early exit) so timing does not reveal
  // which credential matched.
  bool secret_ok = false;
  for (const Credential& c : header.sender) {
    secret_ok |= SecretsEqual(c.shared_secret, expected_secret);
  }
  if (expected_secret.empty()) secret_ok = false;
  if (!from_ok) return absl::UnauthenticatedError("unknown From credential");
  if (!secret_ok) return absl::UnauthenticatedError("Sender shared secret does not match");
  return absl::OkStatus();
}

}  // namespace iob::cxml

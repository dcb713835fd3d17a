// Shared-secret authentication of inbound cXML documents (Header/Sender).
#ifndef IOB_LIBS_CXML_SHARED_SECRET_H_
#define IOB_LIBS_CXML_SHARED_SECRET_H_

#include <string_view>

#include "absl/status/status.h"
#include "libs/cxml/model.h"

namespace iob::cxml {

// Returns true when `a == b`, in time independent of where they differ and of
// their lengths (compares SHA-256 digests with CRYPTO_memcmp). Thread-safe.
bool SecretsEqual(std::string_view a, std::string_view b);

// Checks an inbound header: some From credential has `expected_domain`
// (case-insensitive) and `expected_identity`, and some Sender credential
// carries `expected_secret` (constant time). Returns OK, or UNAUTHENTICATED
// with a message that never contains the secret. Thread-safe.
absl::Status VerifySharedSecret(const Header& header, std::string_view expected_domain,
                                std::string_view expected_identity,
                                std::string_view expected_secret);

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_SHARED_SECRET_H_

// Random identifiers: session tokens and generated punchout credentials
// (OpenSSL RAND_bytes). Thread-safe.
#ifndef IOB_TOOLS_SUPPLIER_SIM_RANDOM_IDS_H_
#define IOB_TOOLS_SUPPLIER_SIM_RANDOM_IDS_H_

#include <string>

namespace iob::sim {

// `bytes` random bytes as lower-case hex.
std::string RandomHex(int bytes);
// A session token for StartPage URLs: 32 hex characters.
std::string NewSessionToken();
// A From Identity like Amazon's: "AmazonSim-" + 12 upper-case hex characters.
std::string NewFromIdentity();
// A shared secret: 24 characters from [A-Za-z0-9].
std::string NewSharedSecret();

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_RANDOM_IDS_H_

#include "tools/supplier-sim/random_ids.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"

namespace iob::sim {
namespace {

std::vector<unsigned char> RandomBytes(int n) {
  std::vector<unsigned char> buf(static_cast<size_t>(n));
  if (RAND_bytes(buf.data(), n) != 1) std::abort();  // no entropy: nothing sane to do
  return buf;
}

}  // namespace

std::string RandomHex(int bytes) {
  std::vector<unsigned char> b = RandomBytes(bytes);
  return absl::BytesToHexString(std::string(b.begin(), b.end()));
}

std::string NewSessionToken() { return RandomHex(16); }

std::string NewFromIdentity() { return "AmazonSim-" + absl::AsciiStrToUpper(RandomHex(6)); }

std::string NewSharedSecret() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  // 62 symbols: reject bytes >= 248 (4 * 62) to keep the draw uniform.
  while (out.size() < 24) {
    for (unsigned char c : RandomBytes(32)) {
      if (c < 248 && out.size() < 24) out += kAlphabet[c % 62];
    }
  }
  return out;
}

}  // namespace iob::sim

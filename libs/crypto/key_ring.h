// Versioned AES-256-GCM keys loaded from a key-ring file (a Kubernetes Secret
// in production), and AEAD sealing that binds each ciphertext to its record.
//
// Key-ring file (JSON):
//   {"primary": "k2",
//    "keys": [{"id": "k1", "key": "<base64 of 32 bytes>", "state": "active"},
//             {"id": "k2", "key": "<base64 of 32 bytes>", "state": "active"},
//             {"id": "k0", "key": "<base64>", "state": "retired"}],
//    "fingerprint_key": "<base64 of 32 bytes>"}
// New ciphertexts use the primary; active keys decrypt; retired keys are
// refused for both. "state" defaults to "active" when absent. Key material
// never appears in any Status message, and key buffers are wiped
// (OPENSSL_cleanse) when a ring is destroyed.
//
// Rotation: add a new key, make it "primary", keep the old one "active" until
// every ciphertext sealed with it has been re-sealed, then mark it "retired".
#ifndef IOB_LIBS_CRYPTO_KEY_RING_H_
#define IOB_LIBS_CRYPTO_KEY_RING_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace iob::crypto {

// A sealed value as stored: which key sealed it and the opaque blob
// (12-byte nonce || ciphertext || 16-byte tag).
struct Sealed {
  std::string key_id;
  std::string blob;
};

// Immutable once built; thread-safe.
class KeyRing {
 public:
  // Parses the JSON text above. INVALID_ARGUMENT naming the problem (bad JSON,
  // missing primary, primary retired or unknown, key not 32 bytes, bad base64,
  // unknown state, duplicate id, missing fingerprint_key) - never echoing key
  // material. The returned ring is shared and immutable.
  static absl::StatusOr<std::shared_ptr<const KeyRing>> Parse(std::string_view json);

  // Reads `path` (crypto::ReadSecretFile: owner-only) and Parse()s it.
  // NOT_FOUND when the file cannot be opened, FAILED_PRECONDITION naming the
  // file and its mode when group or others may read it; otherwise as
  // Parse(). The read buffer is wiped afterwards.
  static absl::StatusOr<std::shared_ptr<const KeyRing>> LoadFile(const std::string& path);

  // Generates a fresh key-ring JSON with one active primary key `id` and a
  // fresh fingerprint key (for ./iob up and tests). The result contains key
  // material: write it to a Secret/file, never to a log.
  static std::string GenerateJson(std::string_view id);

  ~KeyRing();
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  const std::string& primary_id() const { return primary_id_; }

  // True when `key_id` is in the ring and not retired (Open may use it).
  bool CanOpen(std::string_view key_id) const;

  // Encrypts with the primary key under a fresh random nonce. `associated_data`
  // must identify the record and field (see AssociatedData()); the same bytes
  // are required to Open. The key id is authenticated as well, so a blob
  // relabelled with another key id never opens. INTERNAL only if OpenSSL
  // fails.
  absl::StatusOr<Sealed> Seal(std::string_view plaintext, std::string_view associated_data) const;

  // Decrypts. NOT_FOUND for an unknown key id, FAILED_PRECONDITION "key <id>
  // is retired" for a retired key, DATA_LOSS "ciphertext failed
  // authentication" when the tag, blob or associated data do not match.
  absl::StatusOr<std::string> Open(const Sealed& sealed, std::string_view associated_data) const;

  // HMAC-SHA256(fingerprint_key, value), first 16 bytes as lowercase hex with
  // prefix "hs256:" (38 characters): lets an admin compare secrets without
  // seeing them. Deterministic for one ring's fingerprint key.
  std::string Fingerprint(std::string_view value) const;

 private:
  KeyRing() = default;
  enum class State { kActive, kRetired };
  struct Key {
    std::string material;  // 32 bytes
    State state;
  };
  std::string primary_id_;
  std::map<std::string, Key, std::less<>> keys_;
  std::string fingerprint_key_;
};

// Canonical associated data, scheme 1 (kept to open what it sealed):
// "iob.v1\0<tenant>\0<record>\0<field>\0<key_id>".
// The parts are identifiers and must not contain NUL bytes themselves.
std::string AssociatedData(std::string_view tenant, std::string_view record, std::string_view field,
                           std::string_view key_id);

// Scheme 2 also binds the value's version, so an older ciphertext of the
// same record put back in place of a newer one does not open:
// "iob.v2\0<tenant>\0<record>\0<field>\0<key_id>\0<version in decimal>".
std::string AssociatedData(std::string_view tenant, std::string_view record, std::string_view field,
                           std::string_view key_id, int64_t version);

// Constant-time equality of two byte strings of possibly different lengths
// (compares SHA-256 digests with CRYPTO_memcmp). Thread-safe.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Lowercase hex SHA-256 of `data` (64 characters; token hashes, migration
// checksums). Thread-safe.
std::string Sha256Hex(std::string_view data);

// `n` cryptographically random bytes (RAND_bytes). Aborts the process if the
// CSPRNG fails rather than returning weak bytes. Thread-safe.
std::string RandomBytes(size_t n);

}  // namespace iob::crypto

#endif  // IOB_LIBS_CRYPTO_KEY_RING_H_

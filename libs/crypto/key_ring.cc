// AES-256-GCM sealing, HMAC fingerprints and key-ring parsing over OpenSSL EVP.
#include "libs/crypto/key_ring.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/crypto/secret_file.h"
#include "nlohmann/json.hpp"

namespace iob::crypto {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr size_t kFingerprintBytes = 16;
// Our Abseil is built with its own absl::string_view, so StrCat does not take
// std::string_view: constants stay plain C strings.
constexpr char kFingerprintPrefix[] = "hs256:";

// Overwrites a string's bytes (key material, decoded secrets) before release.
void Wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

// Owns an EVP_CIPHER_CTX.
struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* MutableBytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// OpenSSL takes int lengths; refuse anything that would not fit.
bool FitsInt(size_t n) { return n <= static_cast<size_t>(INT32_MAX) - 64; }

// The bytes GCM actually authenticates: the sealing key's id (length-prefixed)
// followed by the caller's associated data, so relabelling a blob with another
// key id cannot succeed even if that key were identical.
std::string BoundAad(std::string_view key_id, std::string_view associated_data) {
  std::string aad;
  aad.reserve(4 + key_id.size() + associated_data.size());
  const uint32_t n = static_cast<uint32_t>(key_id.size());
  aad.push_back(static_cast<char>((n >> 24) & 0xff));
  aad.push_back(static_cast<char>((n >> 16) & 0xff));
  aad.push_back(static_cast<char>((n >> 8) & 0xff));
  aad.push_back(static_cast<char>(n & 0xff));
  aad.append(key_id);
  aad.append(associated_data);
  return aad;
}

// Decodes a base64 key field of exactly 32 bytes into `out`. The error names
// the field but never its value.
absl::Status DecodeKey(const nlohmann::json& value, const std::string& what, std::string& out) {
  if (!value.is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("key ring: ", what, " must be a base64 string"));
  }
  const std::string& text = value.get_ref<const std::string&>();
  std::string decoded;
  if (!absl::Base64Unescape(text, &decoded)) {
    Wipe(decoded);
    return absl::InvalidArgumentError(absl::StrCat("key ring: ", what, " is not valid base64"));
  }
  if (decoded.size() != kKeyBytes) {
    const size_t got = decoded.size();
    Wipe(decoded);
    return absl::InvalidArgumentError(
        absl::StrCat("key ring: ", what, " must decode to 32 bytes (got ", got, ")"));
  }
  out = std::move(decoded);
  return absl::OkStatus();
}

// Wipes every string value in a parsed JSON document (it held key material).
void WipeJson(nlohmann::json& j) {
  if (j.is_string()) {
    Wipe(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (auto& child : j) WipeJson(child);
  }
}

std::string ToHex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

void Sha256(std::string_view data, unsigned char out[EVP_MAX_MD_SIZE], unsigned int* len) {
  if (EVP_Digest(data.data(), data.size(), out, len, EVP_sha256(), nullptr) != 1) {
    std::fputs("iob::crypto: EVP_Digest(SHA-256) failed\n", stderr);
    std::abort();
  }
}

}  // namespace

absl::StatusOr<std::shared_ptr<const KeyRing>> KeyRing::Parse(std::string_view json) {
  nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), /*cb=*/nullptr,
                                             /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    // nlohmann's error text can quote the offending bytes: do not pass it on.
    return absl::InvalidArgumentError("key ring: not valid JSON");
  }
  // From here on the document holds key material; wipe it on every exit.
  struct JsonWiper {
    nlohmann::json& j;
    ~JsonWiper() { WipeJson(j); }
  } wiper{doc};

  if (!doc.is_object()) return absl::InvalidArgumentError("key ring: top level must be an object");
  // The ring's destructor wipes whatever keys were already decoded.
  std::shared_ptr<KeyRing> ring(new KeyRing());

  auto primary = doc.find("primary");
  if (primary == doc.end() || !primary->is_string() ||
      primary->get_ref<const std::string&>().empty()) {
    return absl::InvalidArgumentError("key ring: \"primary\" must be a non-empty string");
  }
  ring->primary_id_ = primary->get<std::string>();

  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array() || keys->empty()) {
    return absl::InvalidArgumentError("key ring: \"keys\" must be a non-empty array");
  }
  size_t index = 0;
  for (const nlohmann::json& entry : *keys) {
    const std::string where = absl::StrCat("keys[", index++, "]");
    if (!entry.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("key ring: ", where, " must be an object"));
    }
    auto id = entry.find("id");
    if (id == entry.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("key ring: ", where, ".id must be a non-empty string"));
    }
    const std::string& key_id = id->get_ref<const std::string&>();
    State state = State::kActive;
    if (auto st = entry.find("state"); st != entry.end()) {
      if (*st == "active") {
        state = State::kActive;
      } else if (*st == "retired") {
        state = State::kRetired;
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            "key ring: key \"", key_id, "\" has state other than \"active\" or \"retired\""));
      }
    }
    auto material = entry.find("key");
    if (material == entry.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("key ring: key \"", key_id, "\" has no \"key\""));
    }
    if (ring->keys_.count(key_id) > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("key ring: duplicate key id \"", key_id, "\""));
    }
    Key key;
    key.state = state;
    if (absl::Status s = DecodeKey(*material, absl::StrCat("key \"", key_id, "\""), key.material);
        !s.ok()) {
      return s;
    }
    ring->keys_.emplace(key_id, std::move(key));
  }

  auto it = ring->keys_.find(ring->primary_id_);
  if (it == ring->keys_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("key ring: primary \"", ring->primary_id_, "\" is not among the keys"));
  }
  if (it->second.state != State::kActive) {
    return absl::InvalidArgumentError(
        absl::StrCat("key ring: primary \"", ring->primary_id_, "\" is retired"));
  }

  auto fp = doc.find("fingerprint_key");
  if (fp == doc.end())
    return absl::InvalidArgumentError("key ring: \"fingerprint_key\" is missing");
  if (absl::Status s = DecodeKey(*fp, "fingerprint_key", ring->fingerprint_key_); !s.ok()) return s;

  return std::shared_ptr<const KeyRing>(std::move(ring));
}

absl::StatusOr<std::shared_ptr<const KeyRing>> KeyRing::LoadFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadSecretFile(path, "key ring file");
  if (!text.ok()) return text.status();
  auto ring = Parse(*text);
  Wipe(*text);
  return ring;
}

std::string KeyRing::GenerateJson(std::string_view id) {
  std::string key = RandomBytes(kKeyBytes);
  std::string fp_key = RandomBytes(kKeyBytes);
  nlohmann::json doc = {
      {"primary", std::string(id)},
      {"keys",
       nlohmann::json::array(
           {{{"id", std::string(id)}, {"key", absl::Base64Escape(key)}, {"state", "active"}}})},
      {"fingerprint_key", absl::Base64Escape(fp_key)},
  };
  Wipe(key);
  Wipe(fp_key);
  std::string out = doc.dump(2);
  WipeJson(doc);
  return out;
}

bool KeyRing::CanOpen(std::string_view key_id) const {
  auto it = keys_.find(key_id);
  return it != keys_.end() && it->second.state == State::kActive;
}

KeyRing::~KeyRing() {
  for (auto& [id, key] : keys_) Wipe(key.material);
  Wipe(fingerprint_key_);
}

absl::StatusOr<Sealed> KeyRing::Seal(std::string_view plaintext,
                                     std::string_view associated_data) const {
  const Key& key = keys_.at(primary_id_);  // Parse guarantees it exists and is active.
  const std::string aad = BoundAad(primary_id_, associated_data);
  if (!FitsInt(plaintext.size()) || !FitsInt(aad.size())) {
    return absl::InvalidArgumentError("plaintext or associated data too large to seal");
  }
  std::string blob(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  unsigned char* nonce = MutableBytes(blob);
  unsigned char* body = nonce + kNonceBytes;
  if (RAND_bytes(nonce, kNonceBytes) != 1) return absl::InternalError("random nonce unavailable");

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok =
      ctx != nullptr &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key.material), nonce) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1;
  int written = 0;
  if (ok) {
    ok = EVP_EncryptUpdate(ctx.get(), body, &len, Bytes(plaintext),
                           static_cast<int>(plaintext.size())) == 1;
    written = len;
  }
  if (ok) {
    ok = EVP_EncryptFinal_ex(ctx.get(), body + written, &len) == 1;
    written += len;
  }
  if (ok) {
    ok = static_cast<size_t>(written) == plaintext.size() &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, body + written) == 1;
  }
  if (!ok) return absl::InternalError("encryption failed");
  return Sealed{primary_id_, std::move(blob)};
}

absl::StatusOr<std::string> KeyRing::Open(const Sealed& sealed,
                                          std::string_view associated_data) const {
  auto it = keys_.find(sealed.key_id);
  if (it == keys_.end()) {
    return absl::NotFoundError(absl::StrCat("key ", sealed.key_id, " is not in the key ring"));
  }
  if (it->second.state == State::kRetired) {
    return absl::FailedPreconditionError(absl::StrCat("key ", sealed.key_id, " is retired"));
  }
  if (sealed.blob.size() < kNonceBytes + kTagBytes) {
    return absl::DataLossError("ciphertext failed authentication");
  }
  const std::string aad = BoundAad(sealed.key_id, associated_data);
  const size_t body_len = sealed.blob.size() - kNonceBytes - kTagBytes;
  if (!FitsInt(body_len) || !FitsInt(aad.size())) {
    return absl::InvalidArgumentError("ciphertext or associated data too large to open");
  }
  const unsigned char* nonce = Bytes(sealed.blob);
  const unsigned char* body = nonce + kNonceBytes;
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer; copy the tag.
  unsigned char tag[kTagBytes];
  std::copy(body + body_len, body + body_len + kTagBytes, tag);

  std::string plaintext(body_len, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx != nullptr &&
            EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(it->second.material), nonce) == 1;
  if (!ok) return absl::InternalError("decryption failed");
  int written = 0;
  bool authentic =
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), MutableBytes(plaintext), &len, body,
                        static_cast<int>(body_len)) == 1;
  written = len;
  authentic = authentic &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) == 1 &&
              EVP_DecryptFinal_ex(ctx.get(), MutableBytes(plaintext) + written, &len) == 1;
  if (!authentic) {
    Wipe(plaintext);  // Unauthenticated bytes must not escape.
    return absl::DataLossError("ciphertext failed authentication");
  }
  return plaintext;
}

std::string KeyRing::Fingerprint(std::string_view value) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), fingerprint_key_.data(), static_cast<int>(fingerprint_key_.size()),
           Bytes(value), value.size(), mac, &mac_len) == nullptr ||
      mac_len < kFingerprintBytes) {
    std::fputs("iob::crypto: HMAC-SHA256 failed\n", stderr);
    std::abort();
  }
  return absl::StrCat(kFingerprintPrefix, ToHex(mac, kFingerprintBytes));
}

std::string AssociatedData(std::string_view tenant, std::string_view record, std::string_view field,
                           std::string_view key_id) {
  std::string out("iob.v1");
  for (std::string_view part : {tenant, record, field, key_id}) {
    out.push_back('\0');
    out.append(part);
  }
  return out;
}

std::string AssociatedData(std::string_view tenant, std::string_view record, std::string_view field,
                           std::string_view key_id, int64_t version) {
  std::string out("iob.v2");
  const std::string version_text = std::to_string(version);
  for (std::string_view part : {tenant, record, field, key_id, std::string_view(version_text)}) {
    out.push_back('\0');
    out.append(part);
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char da[EVP_MAX_MD_SIZE];
  unsigned char db[EVP_MAX_MD_SIZE];
  unsigned int la = 0;
  unsigned int lb = 0;
  Sha256(a, da, &la);
  Sha256(b, db, &lb);
  return CRYPTO_memcmp(da, db, la) == 0;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  Sha256(data, digest, &len);
  return ToHex(digest, len);
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && (!FitsInt(n) || RAND_bytes(MutableBytes(out), static_cast<int>(n)) != 1)) {
    std::fputs("iob::crypto: RAND_bytes failed\n", stderr);
    std::abort();
  }
  return out;
}

}  // namespace iob::crypto

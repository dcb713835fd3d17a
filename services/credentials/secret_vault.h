// Seals and opens integration secrets with the current key ring, binding
// each ciphertext to its row (tenant, integration, field, key id, secret
// version). The key ring file can be replaced at run time (Reload on SIGHUP);
// a ring that would strand sealed rows can be refused by a check.
#ifndef IOB_SERVICES_CREDENTIALS_SECRET_VAULT_H_
#define IOB_SERVICES_CREDENTIALS_SECRET_VAULT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/logging.h"
#include "libs/crypto/key_ring.h"
#include "services/credentials/integration.h"

namespace iob::credentials {

// Thread-safe.
class SecretVault {
 public:
  // Associated-data schemes (Integration::secret_aad_scheme).
  // (tenant, integration, field, key id): rows sealed before migration 0003;
  // opened only when a row says so, and moved on by `rewrap`.
  static constexpr int kAadSchemeLegacy = 1;
  // The same plus the secret version: what Seal writes.
  static constexpr int kAadSchemeVersioned = 2;

  // Approves a key ring before it is used (e.g. "no row is sealed with a key
  // the ring cannot open"); its error refuses the ring.
  using RingCheck = std::function<absl::Status(const crypto::KeyRing&)>;

  // Loads the key ring from `path` (NOT_FOUND / FAILED_PRECONDITION /
  // INVALID_ARGUMENT as crypto::KeyRing::LoadFile) and runs `check` on it
  // (when given), returning its error.
  static absl::StatusOr<std::unique_ptr<SecretVault>> Load(const std::string& path,
                                                           RingCheck check = {});
  explicit SecretVault(std::shared_ptr<const crypto::KeyRing> ring) : ring_(std::move(ring)) {}

  // Re-reads the file and runs the check; on error keeps the current ring and
  // returns the error.
  absl::Status Reload();

  // Seals `secret` for `owner` (its tenant, id and secret_version, so set the
  // version first) with the primary key: sets owner.sealed_secret and
  // owner.secret_aad_scheme. INTERNAL only if the cipher fails.
  absl::Status Seal(const common::Secret& secret, Integration& owner) const;
  // NOT_FOUND for a key not in the ring, FAILED_PRECONDITION for a retired
  // key or an unknown scheme, DATA_LOSS when the ciphertext does not belong
  // to this row and version.
  absl::StatusOr<common::Secret> Open(const Integration& owner) const;
  std::string Fingerprint(const common::Secret& secret) const;
  std::string PrimaryKeyId() const;

 private:
  std::shared_ptr<const crypto::KeyRing> ring() const;
  std::string path_;
  RingCheck check_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const crypto::KeyRing> ring_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iob::credentials

#endif  // IOB_SERVICES_CREDENTIALS_SECRET_VAULT_H_

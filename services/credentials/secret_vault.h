// Seals and opens integration secrets with the current key ring, binding
// each ciphertext to its row (tenant, integration, field, key id). The key
// ring file can be replaced at run time (Reload on SIGHUP).
#ifndef IOB_SERVICES_CREDENTIALS_SECRET_VAULT_H_
#define IOB_SERVICES_CREDENTIALS_SECRET_VAULT_H_

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
  // Loads the key ring from `path` (INVALID_ARGUMENT / NOT_FOUND as KeyRing).
  static absl::StatusOr<std::unique_ptr<SecretVault>> Load(const std::string& path);
  explicit SecretVault(std::shared_ptr<const crypto::KeyRing> ring) : ring_(std::move(ring)) {}

  // Re-reads the file; on error keeps the current ring and returns the error.
  absl::Status Reload();

  absl::StatusOr<crypto::Sealed> Seal(const Integration& owner, const common::Secret& secret) const;
  // FAILED_PRECONDITION for a retired key, DATA_LOSS when the ciphertext does
  // not belong to this row.
  absl::StatusOr<common::Secret> Open(const Integration& owner) const;
  std::string Fingerprint(const common::Secret& secret) const;
  std::string PrimaryKeyId() const;

 private:
  std::shared_ptr<const crypto::KeyRing> ring() const;
  std::string path_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const crypto::KeyRing> ring_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iob::credentials

#endif  // IOB_SERVICES_CREDENTIALS_SECRET_VAULT_H_

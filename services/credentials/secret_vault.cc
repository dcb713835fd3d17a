#include "services/credentials/secret_vault.h"

#include "libs/common/status_macros.h"

namespace iob::credentials {
namespace {

constexpr char kField[] = "shared_secret";

}  // namespace

absl::StatusOr<std::unique_ptr<SecretVault>> SecretVault::Load(const std::string& path) {
  IOB_ASSIGN_OR_RETURN(auto ring, crypto::KeyRing::LoadFile(path));
  auto vault = std::make_unique<SecretVault>(std::move(ring));
  vault->path_ = path;
  return vault;
}

absl::Status SecretVault::Reload() {
  IOB_ASSIGN_OR_RETURN(auto ring, crypto::KeyRing::LoadFile(path_));
  absl::MutexLock lock(&mu_);
  ring_ = std::move(ring);
  return absl::OkStatus();
}

std::shared_ptr<const crypto::KeyRing> SecretVault::ring() const {
  absl::MutexLock lock(&mu_);
  return ring_;
}

absl::StatusOr<crypto::Sealed> SecretVault::Seal(const Integration& owner,
                                                 const common::Secret& secret) const {
  auto r = ring();
  return r->Seal(secret.reveal(),
                 crypto::AssociatedData(owner.tenant, owner.id, kField, r->primary_id()));
}

absl::StatusOr<common::Secret> SecretVault::Open(const Integration& owner) const {
  IOB_ASSIGN_OR_RETURN(
      std::string plain,
      ring()->Open(owner.sealed_secret, crypto::AssociatedData(owner.tenant, owner.id, kField,
                                                               owner.sealed_secret.key_id)));
  return common::Secret(std::move(plain));
}

std::string SecretVault::Fingerprint(const common::Secret& secret) const {
  return ring()->Fingerprint(secret.reveal());
}

std::string SecretVault::PrimaryKeyId() const { return ring()->primary_id(); }

}  // namespace iob::credentials

#include "services/credentials/secret_vault.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace iob::credentials {
namespace {

constexpr char kField[] = "shared_secret";

}  // namespace

absl::StatusOr<std::unique_ptr<SecretVault>> SecretVault::Load(const std::string& path,
                                                               RingCheck check) {
  IOB_ASSIGN_OR_RETURN(auto ring, crypto::KeyRing::LoadFile(path));
  if (check) IOB_RETURN_IF_ERROR(check(*ring));
  auto vault = std::make_unique<SecretVault>(std::move(ring));
  vault->path_ = path;
  vault->check_ = std::move(check);
  return vault;
}

absl::Status SecretVault::Reload() {
  IOB_ASSIGN_OR_RETURN(auto ring, crypto::KeyRing::LoadFile(path_));
  if (check_) IOB_RETURN_IF_ERROR(check_(*ring));
  absl::MutexLock lock(&mu_);
  ring_ = std::move(ring);
  return absl::OkStatus();
}

std::shared_ptr<const crypto::KeyRing> SecretVault::ring() const {
  absl::MutexLock lock(&mu_);
  return ring_;
}

absl::Status SecretVault::Seal(const common::Secret& secret, Integration& owner) const {
  auto r = ring();
  IOB_ASSIGN_OR_RETURN(
      owner.sealed_secret,
      r->Seal(secret.reveal(), crypto::AssociatedData(owner.tenant, owner.id, kField,
                                                      r->primary_id(), owner.secret_version)));
  owner.secret_aad_scheme = kAadSchemeVersioned;
  return absl::OkStatus();
}

absl::StatusOr<common::Secret> SecretVault::Open(const Integration& owner) const {
  const std::string& key_id = owner.sealed_secret.key_id;
  std::string aad;
  switch (owner.secret_aad_scheme) {
    case kAadSchemeVersioned:
      aad = crypto::AssociatedData(owner.tenant, owner.id, kField, key_id, owner.secret_version);
      break;
    case kAadSchemeLegacy:
      aad = crypto::AssociatedData(owner.tenant, owner.id, kField, key_id);
      break;
    default:
      return absl::FailedPreconditionError(
          absl::StrCat("unknown associated-data scheme ", owner.secret_aad_scheme));
  }
  IOB_ASSIGN_OR_RETURN(std::string plain, ring()->Open(owner.sealed_secret, aad));
  return common::Secret(std::move(plain));
}

std::string SecretVault::Fingerprint(const common::Secret& secret) const {
  return ring()->Fingerprint(secret.reveal());
}

std::string SecretVault::PrimaryKeyId() const { return ring()->primary_id(); }

}  // namespace iob::credentials

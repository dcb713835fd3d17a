#include "libs/supplier/caching_credentials_client.h"

#include <iterator>
#include <utility>

namespace iob::supplier {

CachingCredentialsClient::CachingCredentialsClient(CredentialsClient* inner, absl::Duration ttl,
                                                   Clock now, size_t max_entries)
    : inner_(inner), ttl_(ttl), now_(std::move(now)), max_entries_(max_entries) {}

absl::StatusOr<std::vector<SupplierTile>> CachingCredentialsClient::ListActive(
    const std::string& tenant) {
  return inner_->ListActive(tenant);
}

absl::StatusOr<SupplierEndpoint> CachingCredentialsClient::Resolve(const std::string& integration) {
  if (ttl_ <= absl::ZeroDuration() || max_entries_ == 0) return inner_->Resolve(integration);
  uint64_t epoch;
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(integration);
    if (it != entries_.end()) {
      if (now_() < it->second.expires) return it->second.endpoint;
      EraseLocked(integration);
    }
    epoch = epoch_;
  }
  absl::StatusOr<SupplierEndpoint> resolved = inner_->Resolve(integration);
  if (!resolved.ok()) return resolved;

  absl::MutexLock lock(&mu_);
  if (epoch != epoch_) return resolved;  // invalidated meanwhile: may be the old secret
  EraseLocked(integration);              // a concurrent miss may have cached it already
  if (entries_.size() >= max_entries_) EraseLocked(std::string(order_.front()));
  order_.push_back(integration);
  entries_[integration] = Entry{*resolved, now_() + ttl_, std::prev(order_.end())};
  return resolved;
}

absl::StatusOr<SupplierEndpoint> CachingCredentialsClient::Get(const std::string& integration) {
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(integration);
    if (it != entries_.end() && now_() < it->second.expires) {
      SupplierEndpoint endpoint = it->second.endpoint;
      endpoint.sender.shared_secret.clear();
      return endpoint;
    }
  }
  return inner_->Get(integration);
}

absl::StatusOr<VerifiedSender> CachingCredentialsClient::Verify(const std::string& tenant,
                                                                const cxml::Credential& buyer,
                                                                const std::string& shared_secret) {
  return inner_->Verify(tenant, buyer, shared_secret);
}

void CachingCredentialsClient::Invalidate(const std::string& integration) {
  absl::MutexLock lock(&mu_);
  ++epoch_;
  EraseLocked(integration);
}

void CachingCredentialsClient::EraseLocked(const std::string& integration) {
  auto it = entries_.find(integration);
  if (it == entries_.end()) return;
  order_.erase(it->second.age);
  entries_.erase(it);
}

}  // namespace iob::supplier

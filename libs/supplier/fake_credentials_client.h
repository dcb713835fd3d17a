// An in-memory CredentialsClient for unit tests: the test sets the tiles,
// endpoints and verifiable senders it wants, and can make the next call of a
// method fail. Header-only; not for production use.
#ifndef IOB_LIBS_SUPPLIER_FAKE_CREDENTIALS_CLIENT_H_
#define IOB_LIBS_SUPPLIER_FAKE_CREDENTIALS_CLIENT_H_

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/supplier/credentials_client.h"

namespace iob::supplier {

// Thread-safe. Unknown integrations are NOT_FOUND; an unknown tenant has no
// tiles; credentials not added with AddSender are PERMISSION_DENIED.
class FakeCredentialsClient : public CredentialsClient {
 public:
  // Which method FailNext applies to.
  enum class Method { kListActive, kResolve, kGet, kVerify };

  // Adds (or replaces) the endpoint Resolve returns for its integration.
  void AddEndpoint(SupplierEndpoint endpoint) {
    absl::MutexLock lock(&mu_);
    disabled_.erase(endpoint.integration);
    endpoints_[endpoint.integration] = std::move(endpoint);
  }

  // Makes Resolve and Get refuse `integration` with FAILED_PRECONDITION, as
  // the peer does for a disabled integration (until AddEndpoint again).
  void Disable(const std::string& integration) {
    absl::MutexLock lock(&mu_);
    disabled_.insert(integration);
  }

  // Adds a tile ListActive(tenant) returns.
  void AddTile(const std::string& tenant, SupplierTile tile) {
    absl::MutexLock lock(&mu_);
    tiles_[tenant].push_back(std::move(tile));
  }

  // Makes Verify accept `buyer.identity` with `shared_secret` (for
  // sender.tenant, and for an empty tenant) and return `sender`.
  void AddSender(const cxml::Credential& buyer, const std::string& shared_secret,
                 VerifiedSender sender) {
    absl::MutexLock lock(&mu_);
    senders_[{buyer.identity, shared_secret}] = std::move(sender);
  }

  // The next call of `method` returns `error` (which must not be OK) instead
  // of its answer; calls queue in order.
  void FailNext(Method method, absl::Status error) {
    absl::MutexLock lock(&mu_);
    failures_[method].push_back(std::move(error));
  }

  // How many times `method` was called.
  int calls(Method method) const {
    absl::MutexLock lock(&mu_);
    auto it = calls_.find(method);
    return it == calls_.end() ? 0 : it->second;
  }

  absl::StatusOr<std::vector<SupplierTile>> ListActive(const std::string& tenant) override {
    absl::MutexLock lock(&mu_);
    if (absl::Status st = Begin(Method::kListActive); !st.ok()) return st;
    auto it = tiles_.find(tenant);
    return it == tiles_.end() ? std::vector<SupplierTile>{} : it->second;
  }

  absl::StatusOr<SupplierEndpoint> Resolve(const std::string& integration) override {
    absl::MutexLock lock(&mu_);
    if (absl::Status st = Begin(Method::kResolve); !st.ok()) return st;
    return Find(integration);
  }

  absl::StatusOr<SupplierEndpoint> Get(const std::string& integration) override {
    absl::MutexLock lock(&mu_);
    if (absl::Status st = Begin(Method::kGet); !st.ok()) return st;
    absl::StatusOr<SupplierEndpoint> e = Find(integration);
    if (e.ok()) e->sender.shared_secret.clear();
    return e;
  }

  absl::StatusOr<VerifiedSender> Verify(const std::string& tenant, const cxml::Credential& buyer,
                                        const std::string& shared_secret) override {
    absl::MutexLock lock(&mu_);
    if (absl::Status st = Begin(Method::kVerify); !st.ok()) return st;
    auto it = senders_.find({buyer.identity, shared_secret});
    if (it == senders_.end() || (!tenant.empty() && tenant != it->second.tenant)) {
      return absl::PermissionDeniedError("supplier credential not recognised");
    }
    return it->second;
  }

 private:
  // Counts the call; returns the queued failure for `method`, if any.
  absl::Status Begin(Method method) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ++calls_[method];
    auto& queue = failures_[method];
    if (queue.empty()) return absl::OkStatus();
    absl::Status st = std::move(queue.front());
    queue.erase(queue.begin());
    return st;
  }

  absl::StatusOr<SupplierEndpoint> Find(const std::string& integration) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = endpoints_.find(integration);
    if (it == endpoints_.end()) {
      return absl::NotFoundError("integration " + integration + " not found");
    }
    if (disabled_.count(integration) > 0) {
      return absl::FailedPreconditionError("integration " + integration + " is disabled");
    }
    return it->second;
  }

  mutable absl::Mutex mu_;
  std::map<std::string, SupplierEndpoint> endpoints_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> disabled_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<SupplierTile>> tiles_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, VerifiedSender> senders_ ABSL_GUARDED_BY(mu_);
  std::map<Method, std::vector<absl::Status>> failures_ ABSL_GUARDED_BY(mu_);
  std::map<Method, int> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iob::supplier

#endif  // IOB_LIBS_SUPPLIER_FAKE_CREDENTIALS_CLIENT_H_

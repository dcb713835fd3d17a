// A CredentialsClient that keeps successful Resolve answers (endpoint and
// secret) in memory for a short time, so a delivery worker does not call the
// credentials service (and have it write an audit row) for every document it
// sends to the same supplier. The cache lives only in this process's memory:
// nothing of it is written to disk, a log or a metric.
#ifndef IOB_LIBS_SUPPLIER_CACHING_CREDENTIALS_CLIENT_H_
#define IOB_LIBS_SUPPLIER_CACHING_CREDENTIALS_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/supplier/credentials_client.h"

namespace iob::supplier {

// Decorates another CredentialsClient:
//   - Resolve answers from the cache while an entry is younger than `ttl`;
//     otherwise it calls through and caches a successful answer. Errors are
//     never cached. A secret rotated, or an integration disabled, at the
//     peer is therefore seen at most `ttl` late, unless Invalidate drops the
//     entry first.
//   - Get answers from a fresh Resolve entry too (without the secret), so a
//     service that resolves an integration's secret for its workers does not
//     also ask the peer for its settings on every request; otherwise it
//     calls through (not cached).
//   - ListActive and Verify always call through.
// At most `max_entries` integrations are kept; inserting one more drops the
// entry cached longest ago. Thread-safe; the peer is never called under the
// lock, so concurrent misses for one integration may each call through.
class CachingCredentialsClient : public CredentialsClient {
 public:
  using Clock = std::function<absl::Time()>;
  static constexpr size_t kDefaultMaxEntries = 10000;

  // Borrows `inner`, which must outlive this object. `ttl` <= 0 caches
  // nothing. `now` is the clock entries age by (tests inject a fake).
  CachingCredentialsClient(CredentialsClient* inner, absl::Duration ttl, Clock now = &absl::Now,
                           size_t max_entries = kDefaultMaxEntries);

  absl::StatusOr<std::vector<SupplierTile>> ListActive(const std::string& tenant) override;

  // The cached endpoint of `integration` while fresh, else inner->Resolve
  // (same errors; see CredentialsClient::Resolve).
  absl::StatusOr<SupplierEndpoint> Resolve(const std::string& integration) override;

  absl::StatusOr<SupplierEndpoint> Get(const std::string& integration) override;
  absl::StatusOr<VerifiedSender> Verify(const std::string& tenant, const cxml::Credential& buyer,
                                        const std::string& shared_secret) override;

  // Drops the cached entry of `integration`, if any, so the next Resolve
  // asks the peer: call it when the supplier refused the cached secret
  // (HTTP or cXML 401/403), so a rotated secret is picked up at once. A
  // Resolve already under way when this is called does not cache its answer.
  void Invalidate(const std::string& integration);

 private:
  struct Entry {
    SupplierEndpoint endpoint;
    absl::Time expires;
    std::list<std::string>::iterator age;  // position in order_
  };

  void EraseLocked(const std::string& integration) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  CredentialsClient* const inner_;
  const absl::Duration ttl_;
  const Clock now_;
  const size_t max_entries_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  // Cached integrations, the one cached longest ago first.
  std::list<std::string> order_ ABSL_GUARDED_BY(mu_);
  // Bumped by Invalidate: a Resolve that started under an older epoch does
  // not cache what it got.
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace iob::supplier

#endif  // IOB_LIBS_SUPPLIER_CACHING_CREDENTIALS_CLIENT_H_

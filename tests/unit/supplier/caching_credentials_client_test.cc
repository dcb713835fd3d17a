// supplier::CachingCredentialsClient over a FakeCredentialsClient (which
// counts calls) and a test clock: what is answered from memory, for how long,
// and what always reaches the peer.
#include "libs/supplier/caching_credentials_client.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/supplier/fake_credentials_client.h"

namespace iob::supplier {
namespace {

using Method = FakeCredentialsClient::Method;

constexpr char kAmazon[] = "tenants/acme/integrations/amazon";
constexpr char kStaples[] = "tenants/acme/integrations/staples";

SupplierEndpoint Endpoint(const std::string& integration, const std::string& secret) {
  SupplierEndpoint e;
  e.integration = integration;
  e.supplier = "amazon-business";
  e.order_url = "https://supplier.example/cxml/order";
  e.sender = {"NetworkId", "AN01000000001", secret};
  return e;
}

// A clock the test moves by hand. Thread-safe.
class TestClock {
 public:
  absl::Time Now() {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  CachingCredentialsClient::Clock AsClock() {
    return [this] { return Now(); };
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1714590000);
};

class CachingCredentialsClientTest : public ::testing::Test {
 protected:
  CachingCredentialsClientTest() {
    inner_.AddEndpoint(Endpoint(kAmazon, "secret-1"));
    inner_.AddEndpoint(Endpoint(kStaples, "secret-s"));
  }

  FakeCredentialsClient inner_;
  TestClock clock_;
  CachingCredentialsClient cache_{&inner_, absl::Seconds(30), clock_.AsClock()};
};

TEST_F(CachingCredentialsClientTest, ASecondResolveWithinTheTtlDoesNotCallThePeer) {
  auto first = cache_.Resolve(kAmazon);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->sender.shared_secret, "secret-1");
  clock_.Advance(absl::Seconds(29));
  auto second = cache_.Resolve(kAmazon);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->sender.shared_secret, "secret-1");
  EXPECT_EQ(second->order_url, first->order_url);
  EXPECT_EQ(inner_.calls(Method::kResolve), 1);

  // Another integration has its own entry.
  ASSERT_TRUE(cache_.Resolve(kStaples).ok());
  EXPECT_EQ(inner_.calls(Method::kResolve), 2);
}

TEST_F(CachingCredentialsClientTest, AfterTheTtlThePeerIsAskedAgain) {
  ASSERT_TRUE(cache_.Resolve(kAmazon).ok());
  inner_.AddEndpoint(Endpoint(kAmazon, "secret-2"));  // rotated at the peer
  clock_.Advance(absl::Seconds(30));
  auto again = cache_.Resolve(kAmazon);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->sender.shared_secret, "secret-2");
  EXPECT_EQ(inner_.calls(Method::kResolve), 2);
  // And the new answer is cached in turn.
  ASSERT_TRUE(cache_.Resolve(kAmazon).ok());
  EXPECT_EQ(inner_.calls(Method::kResolve), 2);
}

TEST_F(CachingCredentialsClientTest, InvalidateDropsOneEntry) {
  ASSERT_TRUE(cache_.Resolve(kAmazon).ok());
  ASSERT_TRUE(cache_.Resolve(kStaples).ok());
  inner_.AddEndpoint(Endpoint(kAmazon, "secret-2"));
  cache_.Invalidate(kAmazon);
  auto amazon = cache_.Resolve(kAmazon);
  ASSERT_TRUE(amazon.ok()) << amazon.status();
  EXPECT_EQ(amazon->sender.shared_secret, "secret-2");
  EXPECT_EQ(inner_.calls(Method::kResolve), 3);
  ASSERT_TRUE(cache_.Resolve(kStaples).ok());  // still cached
  EXPECT_EQ(inner_.calls(Method::kResolve), 3);
  cache_.Invalidate("tenants/acme/integrations/unknown");  // nothing to drop: no effect
}

TEST_F(CachingCredentialsClientTest, ErrorsAreNotCached) {
  inner_.FailNext(Method::kResolve, absl::UnavailableError("vault down"));
  EXPECT_EQ(cache_.Resolve(kAmazon).status().code(), absl::StatusCode::kUnavailable);
  auto after = cache_.Resolve(kAmazon);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(inner_.calls(Method::kResolve), 2);

  EXPECT_EQ(cache_.Resolve("tenants/acme/integrations/unknown").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(cache_.Resolve("tenants/acme/integrations/unknown").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(inner_.calls(Method::kResolve), 4);
}

TEST_F(CachingCredentialsClientTest, ListActiveVerifyAndAnUncachedGetCallThrough) {
  inner_.AddTile("acme", {kAmazon, "amazon-business", "Amazon", true});
  inner_.AddSender({"NetworkId", "AN01000000001", ""}, "secret-1",
                   {kAmazon, "acme", "amazon-business"});
  for (int i = 0; i < 2; ++i) {
    auto tiles = cache_.ListActive("acme");
    ASSERT_TRUE(tiles.ok()) << tiles.status();
    EXPECT_EQ(tiles->size(), 1u);
    auto got = cache_.Get(kAmazon);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(got->sender.shared_secret.empty());
    auto verified = cache_.Verify("", {"NetworkId", "AN01000000001", ""}, "secret-1");
    ASSERT_TRUE(verified.ok()) << verified.status();
    EXPECT_EQ(verified->integration, kAmazon);
  }
  EXPECT_EQ(inner_.calls(Method::kListActive), 2);
  EXPECT_EQ(inner_.calls(Method::kGet), 2);
  EXPECT_EQ(inner_.calls(Method::kVerify), 2);
  EXPECT_EQ(inner_.calls(Method::kResolve), 0);
}

TEST_F(CachingCredentialsClientTest, GetIsAnsweredFromAFreshResolveWithoutTheSecret) {
  ASSERT_TRUE(cache_.Resolve(kAmazon).ok());
  auto got = cache_.Get(kAmazon);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->sender.shared_secret.empty());
  EXPECT_EQ(got->order_url, "https://supplier.example/cxml/order");
  EXPECT_EQ(inner_.calls(Method::kGet), 0);
  // Once the entry is stale, Get asks the peer (and sees it disabled).
  clock_.Advance(absl::Seconds(31));
  inner_.Disable(kAmazon);
  EXPECT_EQ(cache_.Get(kAmazon).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(inner_.calls(Method::kGet), 1);
}

TEST_F(CachingCredentialsClientTest, AZeroTtlCachesNothing) {
  CachingCredentialsClient uncached(&inner_, absl::ZeroDuration(), clock_.AsClock());
  ASSERT_TRUE(uncached.Resolve(kAmazon).ok());
  ASSERT_TRUE(uncached.Resolve(kAmazon).ok());
  EXPECT_EQ(inner_.calls(Method::kResolve), 2);
}

TEST_F(CachingCredentialsClientTest, TheOldestEntryIsDroppedWhenFull) {
  const std::string third = "tenants/acme/integrations/grainger";
  inner_.AddEndpoint(Endpoint(third, "secret-g"));
  CachingCredentialsClient small(&inner_, absl::Seconds(30), clock_.AsClock(), 2);
  ASSERT_TRUE(small.Resolve(kAmazon).ok());
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(small.Resolve(kStaples).ok());
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(small.Resolve(third).ok());  // drops amazon, the oldest
  EXPECT_EQ(inner_.calls(Method::kResolve), 3);
  ASSERT_TRUE(small.Resolve(kStaples).ok());
  ASSERT_TRUE(small.Resolve(third).ok());
  EXPECT_EQ(inner_.calls(Method::kResolve), 3);
  ASSERT_TRUE(small.Resolve(kAmazon).ok());  // asked again; now drops staples
  EXPECT_EQ(inner_.calls(Method::kResolve), 4);
  ASSERT_TRUE(small.Resolve(third).ok());
  EXPECT_EQ(inner_.calls(Method::kResolve), 4);
  ASSERT_TRUE(small.Resolve(kStaples).ok());
  EXPECT_EQ(inner_.calls(Method::kResolve), 5);
}

// A CredentialsClient whose Resolve runs `during` while the call is under
// way (before it returns), to interleave an Invalidate deterministically.
class InterleavingClient : public FakeCredentialsClient {
 public:
  std::function<void()> during;
  absl::StatusOr<SupplierEndpoint> Resolve(const std::string& integration) override {
    auto answer = FakeCredentialsClient::Resolve(integration);
    if (during) std::exchange(during, nullptr)();
    return answer;
  }
};

TEST_F(CachingCredentialsClientTest, AnAnswerFetchedAcrossAnInvalidateIsNotCached) {
  InterleavingClient inner;
  inner.AddEndpoint(Endpoint(kAmazon, "secret-1"));
  CachingCredentialsClient cache(&inner, absl::Seconds(30), clock_.AsClock());
  // The old secret is read, then the supplier refuses it and a worker
  // invalidates, then the read returns: the old secret must not be kept.
  inner.during = [&] {
    inner.AddEndpoint(Endpoint(kAmazon, "secret-2"));
    cache.Invalidate(kAmazon);
  };
  auto stale = cache.Resolve(kAmazon);
  ASSERT_TRUE(stale.ok()) << stale.status();
  EXPECT_EQ(stale->sender.shared_secret, "secret-1");
  auto fresh = cache.Resolve(kAmazon);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->sender.shared_secret, "secret-2");
  EXPECT_EQ(inner.calls(Method::kResolve), 2);
}

TEST_F(CachingCredentialsClientTest, ConcurrentResolvesAndInvalidatesAreSafe) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const char* name = (i + t) % 2 == 0 ? kAmazon : kStaples;
        auto e = cache_.Resolve(name);
        EXPECT_TRUE(e.ok()) << e.status();
        if (e.ok()) {
          EXPECT_EQ(e->integration, name);
        }
        if (i % 50 == 0) cache_.Invalidate(name);
        if (i % 20 == 0) clock_.Advance(absl::Seconds(5));
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_LT(inner_.calls(Method::kResolve), 8 * 200);
}

}  // namespace
}  // namespace iob::supplier

// The outbox under what production does to it: a dispatcher killed with
// SIGKILL while 2,000 orders are queued, two dispatchers on one database,
// and the database going away mid-run. Nothing is lost; an order the
// supplier saw twice carries the same payloadID both times.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "tests/integration/dispatch/dispatch_test_util.h"
#include "tests/support/http_client.h"
#include "tests/support/wait.h"

namespace iob::dispatch::testing {
namespace {

using ::iob::testing::HealthStatus;
using ::iob::testing::ServiceProcess;
using ::iob::testing::WaitFor;
using Health = ::grpc::health::v1::HealthCheckResponse;

constexpr int kWorkers = 4;

class DispatchResilienceTest : public DispatchStackTest<DispatchResilienceTest> {
 public:
  static std::vector<std::string> DispatchFlags() {
    return {"--workers", absl::StrCat(kWorkers), "--claim-batch", "1"};
  }

 protected:
  // Submits `n` orders "<prefix>-<i>" from 16 threads; returns their names.
  std::vector<std::string> SubmitMany(const std::string& integration, const std::string& prefix,
                                      int n) {
    absl::Mutex mu;
    std::vector<std::string> names;
    std::vector<std::thread> threads;
    std::atomic<int> next{0};
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&] {
        for (int i = next++; i < n; i = next++) {
          pb::Order order;
          grpc::Status st = Submit(stack(), "acme", integration,
                                   MakeOrder(absl::StrCat(prefix, "-", i), 1), Approved(), &order);
          EXPECT_TRUE(st.ok()) << st.error_message();
          absl::MutexLock lock(&mu);
          names.push_back(order.name());
        }
      });
    }
    for (auto& t : threads) t.join();
    return names;
  }

  // How many orders of the tenant are in `state`.
  int CountIn(pb::OrderState state) {
    int n = 0;
    pb::ListOrdersRequest req;
    req.set_parent("tenants/acme");
    req.set_state(state);
    req.set_page_size(1000);
    do {
      pb::ListOrdersResponse resp;
      grpc::Status st = stack().Dispatch()->ListOrders(stack().Ctx("admin").get(), req, &resp);
      if (!st.ok()) return -1;
      n += resp.orders_size();
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    return n;
  }

  // The simulator's view of the orders whose PO starts with `prefix`:
  // orders received, and those received more than once, checking that
  // every order came with one payloadID only.
  struct SimView {
    int orders = 0;
    int seen_twice = 0;
    int mixed_payload_ids = 0;
  };
  SimView SimOrders(const std::string& prefix) {
    SimView v;
    auto json = stack().SimGet("/admin/orders");
    EXPECT_TRUE(json.ok()) << json.status();
    if (!json.ok()) return v;
    for (const auto& o : (*json)["orders"]) {
      if (o["order_id"].get<std::string>().rfind(prefix, 0) != 0) continue;
      ++v.orders;
      if (o["received"].get<int>() > 1) ++v.seen_twice;
      if (o["payload_ids"].size() != 1) ++v.mixed_payload_ids;
    }
    return v;
  }
};

TEST_F(DispatchResilienceTest, KillNineWith2000QueuedLosesNothing) {
  auto in = CreateSimIntegration(stack(), "acme", "kill", Profile::kAmazon);
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_TRUE(SimOrderFaults(stack(), R"({"latency_ms":20})").ok());
  const std::vector<std::string> names = SubmitMany(in->name, "PO-KILL", 2000);
  ASSERT_EQ(names.size(), 2000u);

  // Let some go out, then kill the dispatcher mid-delivery.
  WaitFor([&] { return SimOrders("PO-KILL").orders >= 300; }, "300 orders delivered",
          absl::Seconds(60));
  stack().process(Service::kDispatch).Signal(SIGKILL);
  ASSERT_TRUE(stack().process(Service::kDispatch).WaitExit(absl::Seconds(10)).ok());
  const int before_restart = SimOrders("PO-KILL").orders;
  EXPECT_LT(before_restart, 2000) << "the kill came too late to prove anything";

  ASSERT_TRUE(stack().Start(Service::kDispatch).ok());
  WaitFor([&] { return CountIn(pb::ORDER_STATE_DELIVERED) >= 2000; }, "all 2000 delivered",
          absl::Seconds(120));
  EXPECT_EQ(CountIn(pb::ORDER_STATE_DELIVERED), 2000);
  const SimView sim = SimOrders("PO-KILL");
  EXPECT_EQ(sim.orders, 2000);
  EXPECT_EQ(sim.mixed_payload_ids, 0);
  // Only orders in flight at the kill (one per worker) may have gone twice.
  EXPECT_LE(sim.seen_twice, kWorkers);
  RecordProperty("orders_before_kill", before_restart);
  RecordProperty("orders_seen_twice", sim.seen_twice);
}

TEST_F(DispatchResilienceTest, TwoDispatchersNeverSendTheSameOrder) {
  auto in = CreateSimIntegration(stack(), "acme", "two", Profile::kAmazon);
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_TRUE(SimOrderFaults(stack(), R"({"latency_ms":5})").ok());
  auto second = stack().StartExtra(Service::kDispatch, {});
  ASSERT_TRUE(second.ok()) << second.status();
  SubmitMany(in->name, "PO-TWO", 500);
  WaitFor([&] { return SimOrders("PO-TWO").orders >= 500; }, "500 delivered", absl::Seconds(60));
  WaitFor(
      [&] { return CountIn(pb::ORDER_STATE_QUEUED) == 0 && CountIn(pb::ORDER_STATE_SENDING) == 0; },
      "outbox drained", absl::Seconds(60));
  const SimView sim = SimOrders("PO-TWO");
  EXPECT_EQ(sim.orders, 500);
  EXPECT_EQ(sim.seen_twice, 0);
  // Both processes did part of the work.
  auto other = ::iob::testing::HttpGet((*second)->metrics_port(), "/metrics");
  ASSERT_TRUE(other.ok()) << other.status();
  const double mine = SampleSum(stack().Metrics(Service::kDispatch), "iob_dispatch_attempts_total",
                                {{"outcome", "ok"}});
  const double theirs = SampleSum(*other, "iob_dispatch_attempts_total", {{"outcome", "ok"}});
  EXPECT_GT(mine, 0);
  EXPECT_GT(theirs, 0);
  EXPECT_GE(mine + theirs, 500);
}

TEST_F(DispatchResilienceTest, DatabaseOutageMidRunThenRecoveryLosesNothing) {
  auto in = CreateSimIntegration(stack(), "acme", "outage", Profile::kAmazon);
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_TRUE(SimOrderFaults(stack(), R"({"latency_ms":20})").ok());
  SubmitMany(in->name, "PO-OUT", 400);
  WaitFor([&] { return SimOrders("PO-OUT").orders >= 50; }, "50 delivered", absl::Seconds(60));

  // What a Postgres restart does to a client: every connection drops and
  // new ones are refused for a while.
  const std::string role = stack().role(Service::kDispatch).role;
  auto channel = stack().Channel(Service::kDispatch);
  stack().AdminQuery("ALTER ROLE " + role + " NOLOGIN");
  stack().AdminQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" +
                     role + "'");
  WaitFor([&] { return HealthStatus(channel, "") == Health::NOT_SERVING; }, "NOT_SERVING",
          absl::Seconds(30));
  EXPECT_EQ(HealthStatus(channel, "liveness"), Health::SERVING);
  stack().AdminQuery("ALTER ROLE " + role + " LOGIN");
  WaitFor([&] { return HealthStatus(channel, "") == Health::SERVING; }, "SERVING again",
          absl::Seconds(30));

  WaitFor([&] { return SimOrders("PO-OUT").orders >= 400; }, "all 400 reached the supplier",
          absl::Seconds(120));
  WaitFor(
      [&] { return CountIn(pb::ORDER_STATE_QUEUED) == 0 && CountIn(pb::ORDER_STATE_SENDING) == 0; },
      "outbox drained", absl::Seconds(120));
  const SimView sim = SimOrders("PO-OUT");
  EXPECT_EQ(sim.orders, 400);
  EXPECT_EQ(sim.mixed_payload_ids, 0);
  EXPECT_LE(sim.seen_twice, kWorkers);
}

}  // namespace
}  // namespace iob::dispatch::testing

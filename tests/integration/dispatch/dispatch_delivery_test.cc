// The outbox's retry policy against the simulator's faults: transient
// answers retried with backoff, permanent ones never, attempts running out
// into the dead letter, a reset after the body was read (the supplier got
// it), a late reject, the confirmation deadline, and RetryOrder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "libs/runtime/proto_time.h"
#include "tests/integration/dispatch/dispatch_test_util.h"
#include "tests/support/wait.h"

namespace iob::dispatch::testing {
namespace {

using ::iob::testing::WaitFor;
using ::testing::HasSubstr;

class DispatchDeliveryTest : public DispatchStackTest<DispatchDeliveryTest> {
 protected:
  // An Amazon integration `id` and an order `po` submitted to it.
  pb::Order SubmitTo(const std::string& id, const std::string& po) {
    auto in = CreateSimIntegration(stack(), "acme", id, Profile::kAmazon);
    EXPECT_TRUE(in.ok()) << in.status();
    pb::Order order;
    grpc::Status st = Submit(stack(), "acme", in->name, MakeOrder(po), Approved(), &order);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return order;
  }
};

absl::Time Start(const pb::Attempt& a) { return runtime::FromProtoTime(a.start_time()); }

TEST_F(DispatchDeliveryTest, TransientFailuresAreRetriedWithBackoffThenDelivered) {
  ASSERT_TRUE(SimOrderFaults(stack(), R"({"http_503":1,"times":3})").ok());
  pb::Order order = SubmitTo("retry503", "PO-503");
  auto done = WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED);
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->attempts_size(), 4);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(done->attempts(i).outcome(), "supplier_error");
    EXPECT_EQ(done->attempts(i).http_status(), 503);
  }
  EXPECT_EQ(done->attempts(3).outcome(), "ok");
  // Full jitter: the wait after attempt n is at most 50 ms x 2^(n-1), capped
  // at 200 ms, plus the workers' 50 ms polling and the attempt itself.
  for (int i = 1; i < 4; ++i) {
    const absl::Duration gap = Start(done->attempts(i)) - Start(done->attempts(i - 1));
    const absl::Duration ceiling =
        std::min(absl::Milliseconds(50) * (1 << (i - 1)), absl::Milliseconds(200));
    EXPECT_LE(gap, ceiling + absl::Milliseconds(50) + absl::Milliseconds(400)) << "gap " << i;
    EXPECT_GE(gap, absl::ZeroDuration());
  }
  // Every retry carried the same payloadID.
  auto sim = SimOrder(stack(), "PO-503");
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(sim->payload_ids.size(), 1u);
  EXPECT_EQ(sim->payload_ids.count(order.payload_id()), 1u);
}

TEST_F(DispatchDeliveryTest, PermanentRejectionsAreNotRetried) {
  for (const auto& [fault, code, po] : std::vector<std::tuple<std::string, int, std::string>>{
           {R"({"cxml_status":400})", 400, "PO-REJ-400"},
           {R"({"cxml_status":401})", 401, "PO-REJ-401"}}) {
    ASSERT_TRUE(SimOrderFaults(stack(), fault).ok());
    pb::Order order = SubmitTo(absl::StrCat("rej", code), po);
    auto done = WaitForState(stack(), order.name(), pb::ORDER_STATE_REJECTED);
    ASSERT_TRUE(done.ok()) << done.status();
    ASSERT_EQ(done->attempts_size(), 1) << po;
    EXPECT_EQ(done->attempts(0).cxml_code(), code);
    EXPECT_EQ(done->attempts(0).http_status(), 200);  // the refusal came inside HTTP 200
    EXPECT_THAT(done->failure_reason(), HasSubstr(absl::StrCat(code)));
  }
}

TEST_F(DispatchDeliveryTest, PermanentServerErrorFailsAfterMaxAttempts) {
  ASSERT_TRUE(SimOrderFaults(stack(), R"({"http_500":1})").ok());
  pb::Order order = SubmitTo("dead", "PO-DEAD");
  auto done = WaitForState(stack(), order.name(), pb::ORDER_STATE_FAILED);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->attempts_size(), 4);  // --max-attempts 4
  EXPECT_THAT(done->failure_reason(), HasSubstr("gave up after 4 attempts"));
  const std::string metrics = stack().Metrics(Service::kDispatch);
  EXPECT_GE(SampleSum(metrics, "iob_dispatch_dead_letters_total", {{"mode", "test"}}), 1);

  // RetryOrder queues it afresh; with the supplier back it is delivered,
  // under the same payloadID.
  ASSERT_TRUE(stack().SimPost("/admin/faults/clear", "").ok());
  pb::RetryOrderRequest retry;
  retry.set_name(order.name());
  pb::Order again;
  grpc::Status st = stack().Dispatch()->RetryOrder(stack().Ctx("admin").get(), retry, &again);
  ASSERT_TRUE(st.ok()) << st.error_message();
  auto delivered = WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED);
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  EXPECT_EQ(delivered->payload_id(), order.payload_id());
  bool audited = false;
  for (const auto& h : delivered->history()) audited |= absl::StrContains(h.reason(), "admin");
  EXPECT_TRUE(audited);
  // Retrying a delivered order is refused.
  st = stack().Dispatch()->RetryOrder(stack().Ctx("admin").get(), retry, &again);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(DispatchDeliveryTest, ResetAfterTheBodyWasReadDeliversOneOrder) {
  ASSERT_TRUE(SimOrderFaults(stack(), R"({"reset_after_body":1,"times":1})").ok());
  pb::Order order = SubmitTo("reset", "PO-RESET");
  auto done = WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED);
  ASSERT_TRUE(done.ok()) << done.status();
  // The supplier saw it twice, under one payloadID: one order, deduplicable.
  // (The second time may be our retry, or libcurl's silent re-send of the
  // POST on a fresh connection when the reused one died without an answer.)
  auto sim = SimOrder(stack(), "PO-RESET");
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(sim->payload_ids.size(), 1u);
  EXPECT_GE(sim->payload_ids[order.payload_id()], 2);
}

TEST_F(DispatchDeliveryTest, LateRejectMovesADeliveredOrderToRejected) {
  ASSERT_TRUE(SimFulfillment(stack(), R"("confirm":"accept","late_reject":true,)"
                                      R"("late_reject_delay_ms":300,"ship_notice":false)")
                  .ok());
  pb::Order order = SubmitTo("late", "PO-LATE");
  auto rejected = WaitForState(stack(), order.name(), pb::ORDER_STATE_REJECTED);
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  ASSERT_EQ(rejected->confirmations_size(), 2);
  EXPECT_EQ(rejected->confirmations(1).type(), "reject");
}

class DispatchDeadlineTest : public DispatchStackTest<DispatchDeadlineTest> {};

TEST_F(DispatchDeadlineTest, UnconfirmedOrderIsFlaggedAfterItsDeadline) {
  auto in = CreateSimIntegration(stack(), "acme", "slowconfirm", Profile::kAmazon);
  ASSERT_TRUE(in.ok());
  pb::UpdateDispatchRuleRequest set;
  set.mutable_rule()->set_name(in->name + "/dispatchRule");
  set.mutable_rule()->set_send_cxml(true);
  set.mutable_rule()->mutable_confirmation_deadline()->set_seconds(1);
  pb::DispatchRule rule;
  ASSERT_TRUE(stack().Dispatch()->UpdateDispatchRule(stack().Ctx("admin").get(), set, &rule).ok());
  pb::Order order;
  ASSERT_TRUE(Submit(stack(), "acme", in->name, MakeOrder("PO-UNCONF"), Approved(), &order).ok());
  ASSERT_TRUE(WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED).ok());
  WaitFor(
      [&] {
        auto o = GetOrder(stack(), order.name());
        return o.ok() && o->unconfirmed();
      },
      "order flagged unconfirmed", absl::Seconds(20));
  pb::ListOrdersRequest list;
  list.set_parent("tenants/acme");
  list.set_unconfirmed(true);
  pb::ListOrdersResponse listed;
  ASSERT_TRUE(stack().Dispatch()->ListOrders(stack().Ctx("admin").get(), list, &listed).ok());
  ASSERT_EQ(listed.orders_size(), 1);
  EXPECT_EQ(listed.orders(0).name(), order.name());
  WaitFor(
      [&] {
        return SampleSum(stack().Metrics(Service::kDispatch), "iob_dispatch_unconfirmed_orders",
                         {{"mode", "test"}}) >= 1;
      },
      "unconfirmed gauge", absl::Seconds(20));
}

}  // namespace
}  // namespace iob::dispatch::testing

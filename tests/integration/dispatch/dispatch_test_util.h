// What the dispatch integration tests share on top of the test stack: the
// stack (iob-credentials, iob-supplier-sim, iob-punchout, iob-dispatch, all
// started, with fast retry settings), integrations at the simulator, orders,
// and waiting for an order to reach a state.
//
// Principals (one tokens file, read by every service):
//   punchout        integrations.read, secrets.resolve                every tenant
//   dispatch        integrations.read, secrets.resolve,
//                   suppliers.verify, punchout.read                   every tenant
//   admin           integrations.read/write, rules.write, orders.*   acme, globex
//   platform        punchout.read/start, orders.read/write            acme
//   globex-platform punchout.read/start, orders.read/write            globex
#ifndef IOB_TESTS_INTEGRATION_DISPATCH_DISPATCH_TEST_UTIL_H_
#define IOB_TESTS_INTEGRATION_DISPATCH_DISPATCH_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "iob/dispatch/v1/dispatch_service.grpc.pb.h"
#include "tests/support/shared_stack_test.h"
#include "tests/support/test_stack.h"

namespace iob::dispatch::testing {

namespace pb = ::iob::dispatch::v1;
namespace cpb = ::iob::credentials::v1;
using ::iob::testing::SampleSum;
using ::iob::testing::Service;
using ::iob::testing::SimGroup;
using ::iob::testing::TestStack;

// Flags every dispatch in these tests runs with: retries 50 ms doubling to
// 200 ms, 4 attempts, 2 s supplier timeout, a 6 s lease, 50 ms polling.
std::vector<std::string> FastDispatchFlags();

// The stack above, started; nullptr when IOB_TEST_PG_URL is unset or a
// service failed (then `*error` says why). `dispatch_flags` are added after
// FastDispatchFlags().
std::unique_ptr<TestStack> StartDispatchStack(std::string* error,
                                              const std::vector<std::string>& dispatch_flags = {});

// Clears the simulator's faults and stops its confirmation / ship notice
// posts (fails the test when it cannot).
void ResetSimulator(TestStack& stack);

// The suite fixture: one started stack per suite; every test starts with a
// simulator that answers at once and posts nothing back.
template <typename Suite>
class DispatchStackTest : public ::iob::testing::SharedStackTest<DispatchStackTest<Suite>> {
 public:
  static std::vector<std::string> DispatchFlags() { return {}; }
  static std::unique_ptr<TestStack> StartStack(std::string* error) {
    return StartDispatchStack(error, Suite::DispatchFlags());
  }

 protected:
  void SetUp() override {
    ::iob::testing::SharedStackTest<DispatchStackTest<Suite>>::SetUp();
    if (this->stack_ != nullptr) ResetSimulator(*this->stack_);
  }
};

// Which supplier profile an integration at the simulator uses.
enum class Profile { kAmazon, kGeneric };

// A simulator group (generic: one that accepts update and delete) and an
// integration `id` of `tenant` holding its credentials, in test mode unless
// `production`, approval required unless `approval_required` is false.
struct SimIntegration {
  SimGroup group;
  std::string name;  // tenants/{tenant}/integrations/{id}
};
absl::StatusOr<SimIntegration> CreateSimIntegration(TestStack& stack, const std::string& tenant,
                                                    const std::string& id, Profile profile,
                                                    bool approval_required = true,
                                                    bool production = false);

// An order with `lines` lines (SKU-1.., quantity 2, unit price 10.50 USD, the
// first with an aux id that carries markup), ship-to and bill-to.
pb::OrderContent MakeOrder(const std::string& po_number, int lines = 2);

// Approval evidence: an approver now.
pb::Approval Approved();

// SubmitOrder as `principal`.
grpc::Status Submit(TestStack& stack, const std::string& tenant, const std::string& integration,
                    const pb::OrderContent& order, const pb::Approval& approval, pb::Order* out,
                    const std::string& request_id = "", const std::string& principal = "platform");

// GetOrder as admin.
absl::StatusOr<pb::Order> GetOrder(TestStack& stack, const std::string& name);

// Waits (up to `timeout`) until the order is in `state`; returns it, or the
// last one seen with an error naming its state.
absl::StatusOr<pb::Order> WaitForState(TestStack& stack, const std::string& name,
                                       pb::OrderState state,
                                       absl::Duration timeout = absl::Seconds(20));

// The simulator's record of `po_number` (GET /admin/orders/<po>): how many
// OrderRequests it received and under which payloadIDs.
struct SimOrderRecord {
  int received = 0;
  std::map<std::string, int> payload_ids;
  std::vector<std::string> types;
  std::vector<std::string> versions;
  std::vector<std::string> document_references;
  std::string deployment_mode;
};
absl::StatusOr<SimOrderRecord> SimOrder(TestStack& stack, const std::string& po_number);

// Sets the simulator's faults on its `order` endpoint (JSON object body).
absl::Status SimOrderFaults(TestStack& stack, const std::string& json);

// Points the simulator's confirmation / ship notice posts at dispatch's
// edge with `settings` merged in (JSON members, e.g. R"("confirm":"accept")").
absl::Status SimFulfillment(TestStack& stack, const std::string& settings);

}  // namespace iob::dispatch::testing

#endif  // IOB_TESTS_INTEGRATION_DISPATCH_DISPATCH_TEST_UTIL_H_

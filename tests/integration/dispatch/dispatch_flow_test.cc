// Dispatch end to end through real processes: rules, SubmitOrder (both
// approval paths, a punchout cart, idempotency, PO uniqueness, supplier
// profile checks) and an order delivered, confirmed and shipped by the
// simulator, with its history, attempts and exchange log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "tests/integration/dispatch/dispatch_test_util.h"
#include "tests/integration/punchout/punchout_test_util.h"
#include "tests/support/wait.h"

namespace iob::dispatch::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class DispatchFlowTest : public DispatchStackTest<DispatchFlowTest> {};

TEST_F(DispatchFlowTest, RuleDefaultsAndRefusals) {
  auto in = CreateSimIntegration(stack(), "acme", "rules", Profile::kAmazon);
  ASSERT_TRUE(in.ok()) << in.status();
  const std::string rule_name = in->name + "/dispatchRule";
  pb::GetDispatchRuleRequest get;
  get.set_name(rule_name);
  pb::DispatchRule rule;
  ASSERT_TRUE(stack().Dispatch()->GetDispatchRule(stack().Ctx("admin").get(), get, &rule).ok());
  EXPECT_TRUE(rule.send_cxml());
  EXPECT_FALSE(rule.send_pdf());
  EXPECT_FALSE(rule.stored());

  pb::UpdateDispatchRuleRequest set;
  set.mutable_rule()->set_name(rule_name);
  set.mutable_rule()->set_send_cxml(true);
  set.mutable_rule()->set_send_pdf(true);
  grpc::Status st = stack().Dispatch()->UpdateDispatchRule(stack().Ctx("admin").get(), set, &rule);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("twice"));
  set.mutable_rule()->set_send_cxml(false);
  st = stack().Dispatch()->UpdateDispatchRule(stack().Ctx("admin").get(), set, &rule);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // The platform may not change rules.
  st = stack().Dispatch()->UpdateDispatchRule(stack().Ctx("platform").get(), set, &rule);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // Both off: stored, and orders for the integration are refused naming it.
  set.mutable_rule()->set_send_pdf(false);
  ASSERT_TRUE(stack().Dispatch()->UpdateDispatchRule(stack().Ctx("admin").get(), set, &rule).ok());
  EXPECT_TRUE(rule.stored());
  EXPECT_FALSE(rule.send_cxml());
  pb::Order order;
  st = Submit(stack(), "acme", in->name, MakeOrder("PO-RULE-1"), Approved(), &order);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr(rule_name));

  // The seed's setting: electronic on, PDF off.
  set.mutable_rule()->set_send_cxml(true);
  ASSERT_TRUE(stack().Dispatch()->UpdateDispatchRule(stack().Ctx("admin").get(), set, &rule).ok());
  EXPECT_TRUE(Submit(stack(), "acme", in->name, MakeOrder("PO-RULE-2"), Approved(), &order).ok());
}

TEST_F(DispatchFlowTest, OrderIsDeliveredConfirmedAndShipped) {
  auto in = CreateSimIntegration(stack(), "acme", "flow", Profile::kAmazon);
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_TRUE(SimFulfillment(stack(), R"("confirm":"accept","ship_notice":true)").ok());
  pb::Order order;
  grpc::Status st = Submit(stack(), "acme", in->name, MakeOrder("PO-FLOW-1"), Approved(), &order);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(order.test());
  EXPECT_EQ(order.version(), 1);
  EXPECT_EQ(order.total().amount(), "42.00");
  EXPECT_FALSE(order.payload_id().empty());

  auto shipped = WaitForState(stack(), order.name(), pb::ORDER_STATE_SHIPPED);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  std::vector<pb::OrderState> states;
  for (const auto& h : shipped->history()) states.push_back(h.state());
  EXPECT_THAT(states, ElementsAre(pb::ORDER_STATE_QUEUED, pb::ORDER_STATE_DELIVERED,
                                  pb::ORDER_STATE_CONFIRMED, pb::ORDER_STATE_SHIPPED));
  ASSERT_EQ(shipped->attempts_size(), 1);
  EXPECT_EQ(shipped->attempts(0).outcome(), "ok");
  EXPECT_EQ(shipped->attempts(0).cxml_code(), 200);
  ASSERT_EQ(shipped->confirmations_size(), 1);
  EXPECT_EQ(shipped->confirmations(0).type(), "accept");
  ASSERT_EQ(shipped->shipments_size(), 1);
  EXPECT_EQ(shipped->shipments(0).carrier(), "UPS");
  EXPECT_FALSE(shipped->shipments(0).tracking_number().empty());
  EXPECT_EQ(shipped->shipments(0).lines_size(), 2);

  // The exchange log: what went out and what came in, secrets masked.
  ASSERT_EQ(shipped->exchanges_size(), 3);
  EXPECT_EQ(shipped->exchanges(0).direction(), "out");
  EXPECT_EQ(shipped->exchanges(0).document_type(), "OrderRequest");
  EXPECT_EQ(shipped->exchanges(0).payload_id(), order.payload_id());
  // ... with the supplier's Response to it.
  EXPECT_THAT(shipped->exchanges(0).answer(), HasSubstr("<Status code=\"200\""));
  EXPECT_EQ(shipped->exchanges(1).document_type(), "ConfirmationRequest");
  EXPECT_EQ(shipped->exchanges(2).document_type(), "ShipNoticeRequest");
  for (const auto& e : shipped->exchanges()) {
    EXPECT_THAT(e.document(), HasSubstr("[redacted]"));
    EXPECT_THAT(e.document(), Not(HasSubstr(in->group.shared_secret)));
  }

  // What the supplier got: one OrderRequest, test mode, our payloadID, the
  // aux id byte for byte.
  auto sim = SimOrder(stack(), "PO-FLOW-1");
  ASSERT_TRUE(sim.ok()) << sim.status();
  EXPECT_EQ(sim->received, 1);
  EXPECT_EQ(sim->payload_ids.count(order.payload_id()), 1u);
  EXPECT_EQ(sim->deployment_mode, "test");
  auto bodies = stack().SimReceived("order");
  ASSERT_TRUE(bodies.ok());
  bool aux_exact = false;
  for (const auto& b : *bodies) {
    aux_exact |= absl::StrContains(b, R"(&lt;aux a="1"&gt;x,y&amp;z&lt;/aux&gt;)");
  }
  EXPECT_TRUE(aux_exact);

  const std::string metrics = stack().Metrics(Service::kDispatch);
  EXPECT_GE(SampleSum(metrics, "iob_dispatch_orders_submitted_total", {{"mode", "test"}}), 1);
  EXPECT_GE(SampleSum(metrics, "iob_dispatch_inbound_documents_total",
                      {{"type", "ShipNoticeRequest"}, {"code", "200"}}),
            1);
}

TEST_F(DispatchFlowTest, IdempotentByRequestIdAndUniqueByPoNumber) {
  auto in = CreateSimIntegration(stack(), "acme", "idem", Profile::kAmazon);
  ASSERT_TRUE(in.ok()) << in.status();
  pb::Order first, again, other;
  // A replay is the same request again, approval time included.
  const pb::Approval approval = Approved();
  grpc::Status st =
      Submit(stack(), "acme", in->name, MakeOrder("PO-IDEM-1"), approval, &first, "r-1");
  ASSERT_TRUE(st.ok()) << st.error_message();
  st = Submit(stack(), "acme", in->name, MakeOrder("PO-IDEM-1"), approval, &again, "r-1");
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(again.payload_id(), first.payload_id());
  st = Submit(stack(), "acme", in->name, MakeOrder("PO-IDEM-2"), approval, &other, "r-1");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  st = Submit(stack(), "acme", in->name, MakeOrder("PO-IDEM-1"), Approved(), &other, "r-2");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS) << st.error_message();
  EXPECT_THAT(st.error_message(), HasSubstr(first.name()));
  ASSERT_TRUE(WaitForState(stack(), first.name(), pb::ORDER_STATE_DELIVERED).ok());
  auto sim = SimOrder(stack(), "PO-IDEM-1");
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(sim->received, 1);
}

TEST_F(DispatchFlowTest, ApprovalEvidenceIsEnforcedOnTheServer) {
  auto strict = CreateSimIntegration(stack(), "acme", "strict", Profile::kAmazon, true);
  auto open = CreateSimIntegration(stack(), "acme", "open", Profile::kAmazon, false);
  ASSERT_TRUE(strict.ok() && open.ok());
  pb::Approval button;
  button.set_purchase_button(true);
  pb::Order order;
  grpc::Status st =
      Submit(stack(), "acme", strict->name, MakeOrder("PO-APPR-1"), pb::Approval(), &order);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("approval"));
  st = Submit(stack(), "acme", strict->name, MakeOrder("PO-APPR-1"), button, &order);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Nothing was stored: the PO number is still free.
  ASSERT_TRUE(Submit(stack(), "acme", open->name, MakeOrder("PO-APPR-1"), button, &order).ok());
  EXPECT_TRUE(order.approval().purchase_button());
  EXPECT_TRUE(WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED).ok());
}

TEST_F(DispatchFlowTest, AmazonRefusalsHappenBeforeSending) {
  auto in = CreateSimIntegration(stack(), "acme", "amzn", Profile::kAmazon);
  ASSERT_TRUE(in.ok());
  pb::OrderContent no_ship_to = MakeOrder("PO-AMZ-1");
  no_ship_to.clear_ship_to();
  pb::Order order;
  grpc::Status st = Submit(stack(), "acme", in->name, no_ship_to, Approved(), &order);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("001-005"));

  ASSERT_TRUE(Submit(stack(), "acme", in->name, MakeOrder("PO-AMZ-2"), Approved(), &order).ok());
  ASSERT_TRUE(WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED).ok());
  pb::UpdateOrderRequest update;
  update.set_name(order.name());
  *update.mutable_order() = MakeOrder("PO-AMZ-2", 3);
  pb::Order changed;
  st = stack().Dispatch()->UpdateOrder(stack().Ctx("platform").get(), update, &changed);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("cancel"));
  pb::CancelOrderRequest cancel;
  cancel.set_name(order.name());
  st = stack().Dispatch()->CancelOrder(stack().Ctx("platform").get(), cancel, &changed);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  auto sim = SimOrder(stack(), "PO-AMZ-2");
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(sim->received, 1);  // nothing but the order itself reached Amazon
}

TEST_F(DispatchFlowTest, UpdateAndCancelReachAGenericSupplierInOrder) {
  auto in = CreateSimIntegration(stack(), "acme", "generic", Profile::kGeneric);
  ASSERT_TRUE(in.ok()) << in.status();
  // The first delivery is slow, so the update and the cancel queue behind it.
  ASSERT_TRUE(SimOrderFaults(stack(), R"({"latency_ms":700})").ok());
  pb::Order order;
  ASSERT_TRUE(Submit(stack(), "acme", in->name, MakeOrder("PO-GEN-1"), Approved(), &order).ok());
  pb::UpdateOrderRequest update;
  update.set_name(order.name());
  *update.mutable_order() = MakeOrder("PO-GEN-1", 3);
  pb::Order changed;
  grpc::Status st =
      stack().Dispatch()->UpdateOrder(stack().Ctx("platform").get(), update, &changed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(changed.version(), 2);
  EXPECT_TRUE(changed.change_pending());
  pb::CancelOrderRequest cancel;
  cancel.set_name(order.name());
  cancel.set_reason("no longer needed");
  st = stack().Dispatch()->CancelOrder(stack().Ctx("platform").get(), cancel, &changed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(changed.version(), 3);

  auto done = WaitForState(stack(), order.name(), pb::ORDER_STATE_CANCELLED);
  ASSERT_TRUE(done.ok()) << done.status();
  auto sim = SimOrder(stack(), "PO-GEN-1");
  ASSERT_TRUE(sim.ok());
  EXPECT_THAT(sim->types, ElementsAre("new", "update", "delete"));
  EXPECT_THAT(sim->versions, ElementsAre("1", "2", "3"));
  ASSERT_EQ(sim->document_references.size(), 2u);
  EXPECT_EQ(sim->document_references[0], order.payload_id());
  std::vector<std::string> sent;
  for (const auto& e : done->exchanges()) {
    if (e.direction() == "out") sent.push_back(e.payload_id());
  }
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sim->document_references[1], sent[1]);
}

TEST_F(DispatchFlowTest, AnUpdateAfterConfirmationIsSentAndConfirmedAgain) {
  auto in = CreateSimIntegration(stack(), "acme", "reconfirm", Profile::kGeneric);
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_TRUE(SimFulfillment(stack(), R"("confirm":"accept","ship_notice":false)").ok());
  pb::Order order;
  ASSERT_TRUE(Submit(stack(), "acme", in->name, MakeOrder("PO-RECONF"), Approved(), &order).ok());
  ASSERT_TRUE(WaitForState(stack(), order.name(), pb::ORDER_STATE_CONFIRMED).ok());
  pb::UpdateOrderRequest update;
  update.set_name(order.name());
  *update.mutable_order() = MakeOrder("PO-RECONF", 3);
  pb::Order changed;
  grpc::Status st =
      stack().Dispatch()->UpdateOrder(stack().Ctx("platform").get(), update, &changed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ::iob::testing::WaitFor(
      [&] {
        auto o = GetOrder(stack(), order.name());
        return o.ok() && o->state() == pb::ORDER_STATE_CONFIRMED && o->confirmations_size() == 2;
      },
      "version 2 confirmed", absl::Seconds(20));
  auto done = GetOrder(stack(), order.name());
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->version(), 2);
  EXPECT_FALSE(done->change_pending());
  EXPECT_EQ(done->content().lines_size(), 3);
}

TEST_F(DispatchFlowTest, CartFromAPunchoutSessionBecomesTheOrder) {
  auto in = CreateSimIntegration(stack(), "acme", "cart", Profile::kAmazon);
  ASSERT_TRUE(in.ok()) << in.status();
  auto shopped = ::iob::punchout::testing::ShopAndReturnCart(
      stack(), "acme", in->name, "pat@acme.example", {{"B0SIMPEN12", 3}});
  ASSERT_TRUE(shopped.ok()) << shopped.status();
  const ::iob::punchout::v1::Session& session = *shopped;

  pb::SubmitOrderRequest req;
  req.set_parent("tenants/acme");
  req.set_integration(in->name);
  req.set_session(session.name());
  pb::OrderContent content = MakeOrder("PO-CART-1");
  content.clear_lines();
  *req.mutable_order() = content;
  *req.mutable_approval() = Approved();
  pb::Order order;
  // Not checked out yet: refused.
  grpc::Status st = stack().Dispatch()->SubmitOrder(stack().Ctx("platform").get(), req, &order);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  ::iob::punchout::v1::CheckoutCartRequest co;
  co.set_session(session.name());
  ::iob::punchout::v1::RequisitionDraft draft;
  ASSERT_TRUE(stack().Punchout()->CheckoutCart(stack().Ctx("platform").get(), co, &draft).ok());
  st = stack().Dispatch()->SubmitOrder(stack().Ctx("platform").get(), req, &order);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(order.content().lines_size(), draft.lines_size());
  EXPECT_EQ(order.content().lines(0).supplier_part_auxiliary_id(),
            draft.lines(0).supplier_part_auxiliary_id());
  EXPECT_EQ(order.total().amount(), draft.total().amount());
  EXPECT_EQ(order.session(), session.name());
  ASSERT_TRUE(WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED).ok());
}

}  // namespace
}  // namespace iob::dispatch::testing

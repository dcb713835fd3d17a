// Issue 8 findings on punchout, with real processes (iob-credentials, the
// simulated Amazon Business and iob-punchout): a cart cannot lie about its
// total (finding 2), and checkout applies the integration as it is now, not
// as it was when the session started (finding 3).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/punchout/punchout_test_util.h"

namespace iob::punchout::testing {
namespace {

using ::testing::HasSubstr;

class PunchoutIssue8Test : public PunchoutStackTest<PunchoutIssue8Test> {
 protected:
  // A simulator group and a TEST-mode integration of acme on it.
  std::string NewIntegration(const std::string& id) {
    auto group = stack().CreateSimGroup("{\"cart_encoding\":\"urlencoded\"}");
    EXPECT_TRUE(group.ok()) << group.status();
    if (!group.ok()) return "";
    auto in = CreateIntegration(stack(), "acme", id, *group);
    EXPECT_TRUE(in.ok()) << in.status();
    return in.ok() ? in->name() : "";
  }

  // As "admin": sets `field` (a mask path) of `integration` by `set`.
  void Update(const std::string& integration, const std::string& field,
              void (*set)(cpb::Integration*)) {
    cpb::GetIntegrationRequest get;
    get.set_name(integration);
    cpb::Integration current;
    ASSERT_TRUE(
        stack().Credentials()->GetIntegration(stack().Ctx("admin").get(), get, &current).ok());
    cpb::UpdateIntegrationRequest update;
    update.mutable_integration()->set_name(integration);
    update.mutable_integration()->set_etag(current.etag());
    set(update.mutable_integration());
    update.mutable_update_mask()->add_paths(field);
    cpb::Integration updated;
    const grpc::Status st =
        stack().Credentials()->UpdateIntegration(stack().Ctx("admin").get(), update, &updated);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // Starts a session of `email`, shops `items` and returns the checkout
  // page's auto-post form (not yet submitted).
  std::pair<pb::Session, AutoPostForm> ShopUntilCheckout(
      const std::string& integration, const std::string& email,
      const std::vector<std::pair<std::string, int>>& items) {
    pb::Session s;
    const grpc::Status st = StartCreate(stack(), "acme", integration, email, &s);
    EXPECT_TRUE(st.ok()) << st.error_message();
    auto page = ShopAndCheckout(s.start_page_url(), items);
    EXPECT_TRUE(page.ok()) << page.status();
    auto form = ParseAutoPostForm(page.value_or(""));
    EXPECT_TRUE(form.ok()) << form.status();
    return {s, form.value_or(AutoPostForm{})};
  }

  // Shops `items` and posts the cart back unchanged.
  pb::Session WithCart(const std::string& integration, const std::string& email) {
    auto [s, form] = ShopUntilCheckout(integration, email, {{"B0SIMCABLE", 3}});
    auto posted = SubmitAutoPost(form);
    EXPECT_TRUE(posted.ok()) << posted.status();
    if (posted.ok()) {
      EXPECT_EQ(posted->status, 200) << posted->body;
    }
    return s;
  }

  grpc::Status Checkout(const std::string& session, pb::RequisitionDraft* out) {
    pb::CheckoutCartRequest req;
    req.set_session(session);
    return stack().Punchout()->CheckoutCart(stack().Ctx("platform").get(), req, out);
  }

  pb::SessionState StateOf(const std::string& session) {
    pb::GetSessionRequest req;
    req.set_name(session);
    pb::Session out;
    EXPECT_TRUE(stack().Punchout()->GetSession(stack().Ctx("platform").get(), req, &out).ok());
    return out.state();
  }
};

TEST_F(PunchoutIssue8Test, Finding2_ABrowserEditedCartTotalIsRefusedOnThePage) {
  const std::string integration = NewIntegration("tampered-total");
  ASSERT_FALSE(integration.empty());
  auto [s, form] = ShopUntilCheckout(integration, "eve@acme.example", {{"B0SIMCABLE", 3}});
  // The user edits the form post: 3 x 11.20 = 33.60 stated as 0.01.
  const size_t total = form.value.find("<Total>");
  ASSERT_NE(total, std::string::npos) << form.value;
  const size_t amount = form.value.find("33.60", total);
  ASSERT_NE(amount, std::string::npos) << form.value;
  form.value.replace(amount, 5, "0.01");
  auto posted = SubmitAutoPost(form);
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_EQ(posted->status, 400) << posted->body;
  EXPECT_THAT(posted->body, HasSubstr("The cart was not accepted"));
  EXPECT_THAT(posted->body, HasSubstr("does not match its lines, which add up to 33.60 USD"));
  EXPECT_EQ(StateOf(s.name()), pb::SESSION_STATE_STARTED);
  pb::RequisitionDraft draft;
  EXPECT_EQ(Checkout(s.name(), &draft).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(PunchoutIssue8Test, Finding3_DisablingTheIntegrationStopsCheckoutOfOpenCarts) {
  const std::string integration = NewIntegration("disabled-later");
  ASSERT_FALSE(integration.empty());
  const pb::Session s = WithCart(integration, "dan@acme.example");
  Update(integration, "state",
         [](cpb::Integration* in) { in->set_state(cpb::INTEGRATION_STATE_DISABLED); });
  pb::RequisitionDraft draft;
  grpc::Status st = Checkout(s.name(), &draft);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_THAT(st.error_message(), HasSubstr("disabled"));
  EXPECT_EQ(StateOf(s.name()), pb::SESSION_STATE_CART_RECEIVED);

  Update(integration, "state",
         [](cpb::Integration* in) { in->set_state(cpb::INTEGRATION_STATE_ACTIVE); });
  st = Checkout(s.name(), &draft);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(draft.total().amount(), "33.60");
  EXPECT_EQ(StateOf(s.name()), pb::SESSION_STATE_CHECKED_OUT);
}

TEST_F(PunchoutIssue8Test, Finding3_TurningApprovalOnAppliesToOpenCarts) {
  const std::string integration = NewIntegration("approval-later");
  ASSERT_FALSE(integration.empty());
  Update(integration, "require_approval",
         [](cpb::Integration* in) { in->set_require_approval(false); });
  const pb::Session s = WithCart(integration, "ada@acme.example");
  EXPECT_FALSE(s.approval_required());
  Update(integration, "require_approval",
         [](cpb::Integration* in) { in->set_require_approval(true); });
  pb::RequisitionDraft draft;
  const grpc::Status st = Checkout(s.name(), &draft);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(draft.approval_required()) << "no Purchase button once approval is required";
}

}  // namespace
}  // namespace iob::punchout::testing

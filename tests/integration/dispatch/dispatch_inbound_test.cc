// The supplier-facing edge (POST /cxml/fulfill) against hand-made and
// hostile documents: each answered with the right cXML Status, and none
// changing an order it should not.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/timestamp.h"
#include "libs/cxml/writer.h"
#include "tests/integration/dispatch/dispatch_test_util.h"
#include "tests/support/http_client.h"

namespace iob::dispatch::testing {
namespace {

using ::testing::HasSubstr;

class DispatchInboundTest : public DispatchStackTest<DispatchInboundTest> {
 protected:
  // A ConfirmationRequest from `group` (To = the buyer's credential,
  // Sender = it with `secret`) about the OrderRequest `order_payload_id`.
  static std::string Confirmation(const SimGroup& group, const std::string& secret,
                                  const std::string& po, const std::string& order_payload_id,
                                  const std::string& payload_id, const std::string& type) {
    cxml::Document doc = cxml::ExampleDocument(cxml::DocumentType::kConfirmationRequest);
    doc.payload_id = payload_id;
    doc.timestamp = cxml::FormatTimestamp(absl::Now());
    doc.header.from = {{"NetworkId", "SIM-SUPPLIER", ""}};
    doc.header.to = {{"NetworkId", group.from_identity, ""}};
    doc.header.sender = {{"NetworkId", group.from_identity, secret}};
    auto& c = std::get<cxml::ConfirmationRequest>(doc.body);
    c.type = type;
    c.order_reference.order_id = po;
    c.order_reference.payload_id = order_payload_id;
    c.items.clear();
    auto xml = cxml::WriteDocument(doc);
    EXPECT_TRUE(xml.ok()) << xml.status();
    return xml.ok() ? *xml : "";
  }

  // POSTs `body` to dispatch's edge; returns the answered cXML Status code,
  // or minus the HTTP status when it is not 200 (-1: no answer).
  int Post(const std::string& body) {
    auto r = ::iob::testing::Http("POST", stack().http_url(Service::kDispatch) + "/cxml/fulfill",
                                  body, "text/xml");
    if (!r.ok()) return -1;
    if (r->status != 200) return -r->status;
    auto doc = cxml::ReadDocument(r->body);
    if (!doc.ok()) return -2;
    last_answer_ = std::get<cxml::Response>(doc->body).status;
    return last_answer_.code;
  }

  cxml::Status last_answer_;
};

TEST_F(DispatchInboundTest, EachBadDocumentGetsItsStatusAndChangesNothing) {
  auto acme = CreateSimIntegration(stack(), "acme", "inbound", Profile::kAmazon);
  auto globex = CreateSimIntegration(stack(), "globex", "inbound", Profile::kAmazon);
  ASSERT_TRUE(acme.ok() && globex.ok());
  pb::Order order;
  ASSERT_TRUE(Submit(stack(), "acme", acme->name, MakeOrder("PO-IN-1"), Approved(), &order).ok());
  ASSERT_TRUE(WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED).ok());
  const SimGroup& g = acme->group;

  // Wrong secret: 401.
  EXPECT_EQ(
      Post(Confirmation(g, "not-the-secret", "PO-IN-1", order.payload_id(), "in-1@s", "accept")),
      401);
  // An OrderRequest that is not ours: 409.
  EXPECT_EQ(Post(Confirmation(g, g.shared_secret, "PO-IN-1", "unknown@iob", "in-2@s", "accept")),
            409);
  // Another tenant's supplier credentials referring to acme's order: 409.
  EXPECT_EQ(Post(Confirmation(globex->group, globex->group.shared_secret, "PO-IN-1",
                              order.payload_id(), "in-3@s", "reject")),
            409);
  // Malformed: 406 with the reader's reason.
  EXPECT_EQ(Post("<cXML><Header>"), 406);
  EXPECT_FALSE(last_answer_.message.empty());
  // Hostile: an internal DTD subset (entity expansion) is refused unread.
  EXPECT_EQ(Post("<?xml version=\"1.0\"?><!DOCTYPE cXML [<!ENTITY a \"aaaa\">]><cXML>&a;</cXML>"),
            406);
  // Larger than the edge takes (4 MiB): refused before it is read.
  EXPECT_EQ(Post(std::string(5u << 20, ' ')), -413);

  auto unchanged = GetOrder(stack(), order.name());
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->state(), pb::ORDER_STATE_DELIVERED);
  EXPECT_EQ(unchanged->confirmations_size(), 0);

  // The real thing, then its replay: one confirmation.
  const std::string accept =
      Confirmation(g, g.shared_secret, "PO-IN-1", order.payload_id(), "in-4@s", "accept");
  EXPECT_EQ(Post(accept), 200);
  EXPECT_EQ(Post(accept), 200);
  auto confirmed = GetOrder(stack(), order.name());
  ASSERT_TRUE(confirmed.ok());
  EXPECT_EQ(confirmed->state(), pb::ORDER_STATE_CONFIRMED);
  EXPECT_EQ(confirmed->confirmations_size(), 1);

  const std::string metrics = stack().Metrics(Service::kDispatch);
  EXPECT_GE(SampleSum(metrics, "iob_dispatch_inbound_documents_total",
                      {{"type", "ConfirmationRequest"}, {"code", "409"}}),
            2);
  EXPECT_GE(SampleSum(metrics, "iob_dispatch_inbound_documents_total",
                      {{"type", "ConfirmationRequest"}, {"code", "401"}}),
            1);
  EXPECT_GE(SampleSum(metrics, "iob_dispatch_inbound_documents_total",
                      {{"type", "unreadable"}, {"code", "406"}}),
            2);
}

// A supplier may confirm an order before dispatch has recorded the answer
// to its OrderRequest: asked to send it again (560, transient), never
// refused for good, and taken once the delivery is recorded.
TEST_F(DispatchInboundTest, AConfirmationThatOvertakesTheDeliveryIsAskedForAgain) {
  auto acme = CreateSimIntegration(stack(), "acme", "overtake", Profile::kAmazon);
  ASSERT_TRUE(acme.ok());
  ASSERT_TRUE(SimOrderFaults(stack(), R"({"latency_ms":3000})").ok());
  pb::Order order;
  ASSERT_TRUE(Submit(stack(), "acme", acme->name, MakeOrder("PO-IN-9"), Approved(), &order).ok());
  ASSERT_TRUE(WaitForState(stack(), order.name(), pb::ORDER_STATE_SENDING).ok());
  const std::string accept = Confirmation(acme->group, acme->group.shared_secret, "PO-IN-9",
                                          order.payload_id(), "in-9@s", "accept");
  EXPECT_EQ(Post(accept), 560);
  EXPECT_THAT(last_answer_.message, HasSubstr("still being delivered"));
  ASSERT_TRUE(stack().SimPost("/admin/faults/clear", "").ok());
  ASSERT_TRUE(WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED).ok());
  EXPECT_EQ(Post(accept), 200);
  auto confirmed = GetOrder(stack(), order.name());
  ASSERT_TRUE(confirmed.ok());
  EXPECT_EQ(confirmed->state(), pb::ORDER_STATE_CONFIRMED);
  EXPECT_EQ(confirmed->confirmations_size(), 1);
}

}  // namespace
}  // namespace iob::dispatch::testing

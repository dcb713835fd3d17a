// The simulator's PO request URL (/order) and the fulfilment documents it
// posts back, over real HTTP: a buyer endpoint (libs/http HttpServer) in the
// test receives the ConfirmationRequests and ShipNoticeRequests.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/reader.h"
#include "nlohmann/json.hpp"
#include "tests/integration/sim/sim_harness.h"
#include "tests/support/wait.h"

namespace iob::sim::testing {
namespace {

using ::iob::testing::WaitFor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;
using Json = nlohmann::json;

class SimOrders : public ::testing::Test {
 protected:
  void SetUp() override { group_ = h_.CreateGroup(); }

  cxml::Document OrderDoc(const cxml::OrderRequest& order) {
    return BuyerDocument(group_.from_identity, group_.shared_secret, order);
  }

  Json GetJson(const std::string& path) {
    auto r = h_.Get(path);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    return Json::parse(r->body, nullptr, false);
  }

  void PostAdmin(const std::string& path, const std::string& json) {
    auto r = h_.Post(path, json, "application/json");
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body;
  }

  // The cXML Status of posting `xml` to /order; fails the test on a
  // transport or reader error.
  cxml::Status OrderStatus(const std::string& xml) {
    auto r = h_.Order(xml);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->status : cxml::Status{0, "", "", ""};
  }

  SimHarness h_;
  GroupCredentials group_;
};

TEST_F(SimOrders, AcceptedOrderIsCountedAndARepeatIsADuplicate) {
  const cxml::Document doc = OrderDoc(SampleOrder("PO-1"));
  const std::string xml = WriteOrDie(doc);
  auto first = h_.Post("/order", xml, "text/xml");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, 200);
  EXPECT_THAT(HeaderValue(*first, "Content-Type"), StartsWith("text/xml"));
  auto answer = cxml::ReadDocumentOfType(first->body, cxml::DocumentType::kResponse);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(std::get<cxml::Response>(answer->body).status.code, 200);

  Json po = GetJson("/admin/orders/PO-1");
  EXPECT_EQ(po["received"], 1);
  EXPECT_EQ(po["accepted"], 1);
  EXPECT_EQ(po["payload_ids"][doc.payload_id], 1);
  EXPECT_EQ(po["types"], Json({"new"}));
  EXPECT_EQ(po["versions"], Json({"1"}));
  EXPECT_EQ(po["last_payload_id"], doc.payload_id);
  EXPECT_EQ(po["deployment_mode"], "production");
  EXPECT_EQ(GetJson("/admin/orders")["duplicates"], 0);

  // The same payloadID again: answered 200 again (idempotent), counted.
  EXPECT_EQ(OrderStatus(xml).code, 200);
  Json all = GetJson("/admin/orders");
  EXPECT_EQ(all["total_received"], 2);
  EXPECT_EQ(all["duplicates"], 1);
  ASSERT_THAT(all["orders"], SizeIs(1));
  EXPECT_EQ(all["orders"][0]["payload_ids"][doc.payload_id], 2);

  EXPECT_THAT(GetJson("/admin/received?endpoint=order")["documents"], SizeIs(2));
  EXPECT_EQ(GetJson("/admin/stats")["endpoints"]["order"]["outcomes"]["ok"], 2);
  auto unknown = h_.Get("/admin/orders/PO-404");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);

  // Reset forgets the orders with the other counters.
  PostAdmin("/admin/stats/reset", "");
  EXPECT_THAT(GetJson("/admin/orders")["orders"], SizeIs(0));
  EXPECT_EQ(GetJson("/admin/orders")["total_received"], 0);
}

TEST_F(SimOrders, RejectionsAreCxmlStatusesInsideHttp200) {
  // Wrong secret.
  auto r = h_.Post(
      "/order",
      WriteOrDie(BuyerDocument(group_.from_identity, "not-the-secret", SampleOrder("PO-401"))),
      "text/xml");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  auto doc = cxml::ReadDocumentOfType(r->body, cxml::DocumentType::kResponse);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(std::get<cxml::Response>(doc->body).status.code, 401);

  // Not well-formed, and a well-formed document of another type.
  cxml::Status malformed = OrderStatus("<cXML><Request><OrderRequest>");
  EXPECT_EQ(malformed.code, 400);
  EXPECT_FALSE(malformed.message.empty());
  EXPECT_EQ(OrderStatus(SetupXml(group_.from_identity, group_.shared_secret,
                                 CreateRequest("c", "http://127.0.0.1:9/r")))
                .code,
            400);
  // A required part missing: the reader's path is the message.
  cxml::OrderRequest no_items = SampleOrder("PO-400");
  std::string xml = WriteOrDie(OrderDoc(no_items));
  const size_t open = xml.find("<ItemOut");
  const size_t close = xml.rfind("</ItemOut>");
  ASSERT_NE(open, std::string::npos);
  xml.erase(open, close + std::string("</ItemOut>").size() - open);
  cxml::Status missing = OrderStatus(xml);
  EXPECT_EQ(missing.code, 400);
  EXPECT_THAT(missing.message, HasSubstr("ItemOut"));

  // Amazon takes type="new" only.
  cxml::OrderRequest update = SampleOrder("PO-UPD");
  update.type = cxml::OrderType::kUpdate;
  update.order_version = "2";
  cxml::Status not_new = OrderStatus(WriteOrDie(OrderDoc(update)));
  EXPECT_EQ(not_new.code, 400);
  EXPECT_EQ(not_new.text, "Bad Request");
  EXPECT_THAT(not_new.message, StartsWith("001-001:"));
  EXPECT_THAT(not_new.message, HasSubstr("only type=\"new\""));

  // ShipTo is required, in the header or on every line.
  cxml::OrderRequest no_ship_to = SampleOrder("PO-NOSHIP");
  no_ship_to.ship_to.reset();
  no_ship_to.items[0].ship_to.reset();
  cxml::Status ship = OrderStatus(WriteOrDie(OrderDoc(no_ship_to)));
  EXPECT_EQ(ship.code, 400);
  EXPECT_THAT(ship.message, StartsWith("001-005:"));
  for (auto& item : no_ship_to.items) item.ship_to = SampleOrder("x").ship_to;
  EXPECT_EQ(OrderStatus(WriteOrDie(OrderDoc(no_ship_to))).code, 200);

  // Readable orders are counted whatever the answer; accepted ones apart.
  Json po = GetJson("/admin/orders/PO-NOSHIP");
  EXPECT_EQ(po["received"], 2);
  EXPECT_EQ(po["accepted"], 1);
  EXPECT_EQ(GetJson("/admin/orders/PO-401")["accepted"], 0);
  Json outcomes = GetJson("/admin/stats")["endpoints"]["order"]["outcomes"];
  EXPECT_EQ(outcomes["cxml_401"], 1);
  EXPECT_EQ(outcomes["cxml_400"], 5);
}

TEST_F(SimOrders, AGenericSupplierGroupAcceptsUpdateAndDelete) {
  GroupCredentials generic = h_.CreateGroup(R"({"accepts_changes": true})");
  bool listed = false;
  const Json groups = GetJson("/admin/groups");
  for (const Json& g : groups["groups"]) {
    if (g["from_identity"] == generic.from_identity) listed = g["accepts_changes"] == true;
    if (g["from_identity"] == group_.from_identity) {
      EXPECT_EQ(g["accepts_changes"], false);
    }
  }
  EXPECT_TRUE(listed);
  auto bad = h_.Post("/admin/groups", R"({"accepts_changes": "yes"})", "application/json");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("accepts_changes"));

  auto send = [&](const cxml::OrderRequest& o) {
    cxml::Document d = BuyerDocument(generic.from_identity, generic.shared_secret, o);
    d.deployment_mode = cxml::DeploymentMode::kTest;
    EXPECT_EQ(OrderStatus(WriteOrDie(d)).code, 200) << cxml::OrderTypeName(o.type);
    return d.payload_id;
  };
  cxml::OrderRequest order = SampleOrder("PO-G");
  const std::string v1 = send(order);
  order.type = cxml::OrderType::kUpdate;
  order.order_version = "2";
  order.document_reference = v1;
  const std::string v2 = send(order);
  order.type = cxml::OrderType::kDelete;
  order.order_version = "3";
  order.document_reference = v2;
  order.ship_to.reset();  // a cancellation needs no address
  for (auto& item : order.items) item.ship_to.reset();
  const std::string v3 = send(order);

  Json po = GetJson("/admin/orders/PO-G");
  EXPECT_EQ(po["received"], 3);
  EXPECT_EQ(po["types"], Json({"new", "update", "delete"}));
  EXPECT_EQ(po["versions"], Json({"1", "2", "3"}));
  EXPECT_EQ(po["document_references"], Json({v1, v2}));
  EXPECT_EQ(po["last_payload_id"], v3);
  EXPECT_EQ(po["deployment_mode"], "test");
}

TEST_F(SimOrders, Http503TwiceThenTheOrderGoesThrough) {
  PostAdmin("/admin/faults", R"({"order": {"http_503": 1.0, "times": 2}})");
  const std::string xml = WriteOrDie(OrderDoc(SampleOrder("PO-503")));
  for (int want : {503, 503, 200}) {
    auto r = h_.Post("/order", xml, "text/xml");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, want);
  }
  // Only the request that got through reached the order book.
  EXPECT_EQ(GetJson("/admin/orders/PO-503")["received"], 1);
  Json order = GetJson("/admin/stats")["endpoints"]["order"];
  EXPECT_EQ(order["received"], 3);
  EXPECT_EQ(order["outcomes"]["fault_http_503"], 2);
  EXPECT_EQ(order["outcomes"]["ok"], 1);
}

TEST_F(SimOrders, ResetAfterBodyCountsTheOrderButTheAnswerIsLost) {
  PostAdmin("/admin/faults", R"({"order": {"reset_after_body": 1.0, "times": 1}})");
  EXPECT_EQ(GetJson("/admin/faults")["order"]["reset_after_body"], 1.0);
  const std::string xml = WriteOrDie(OrderDoc(SampleOrder("PO-LOST")));
  // A fresh connection: on a reused one curl itself retries once after a
  // reset, which would count two.
  auto fresh = LoopbackClient();
  http::HttpRequest req;
  req.url = h_.base() + "/order";
  req.body = xml;
  req.content_type = "text/xml";
  auto lost = fresh->Send(req);
  ASSERT_FALSE(lost.ok()) << "got HTTP " << lost->status;
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kUnavailable) << lost.status();

  Json po = GetJson("/admin/orders/PO-LOST");
  EXPECT_EQ(po["received"], 1);
  EXPECT_EQ(po["accepted"], 1);
  EXPECT_EQ(GetJson("/admin/stats")["endpoints"]["order"]["outcomes"]["fault_reset_after_body"], 1);
  // The buyer's retry is a duplicate, answered 200.
  EXPECT_EQ(OrderStatus(xml).code, 200);
  EXPECT_EQ(GetJson("/admin/orders")["duplicates"], 1);
}

TEST_F(SimOrders, AcceptedOrderIsConfirmedThenShipped) {
  FulfillmentBuyer buyer;
  PostAdmin("/admin/fulfillment", Json{{"url", buyer.url()}, {"confirm", "accept"}}.dump());
  Json settings = GetJson("/admin/fulfillment");
  EXPECT_EQ(settings["url"], buyer.url());
  EXPECT_EQ(settings["ship_notice"], true);

  const cxml::Document order = OrderDoc(SampleOrder("PO-F1", 2));
  ASSERT_EQ(OrderStatus(WriteOrDie(order)).code, 200);
  std::vector<std::string> docs = buyer.WaitForDocuments(2);
  ASSERT_THAT(docs, SizeIs(2));

  auto confirmation = cxml::ReadDocumentOfType(docs[0], cxml::DocumentType::kConfirmationRequest);
  ASSERT_TRUE(confirmation.ok()) << confirmation.status() << "\n" << docs[0];
  const auto& c = std::get<cxml::ConfirmationRequest>(confirmation->body);
  EXPECT_EQ(c.type, "accept");
  EXPECT_EQ(c.order_reference.order_id, "PO-F1");
  EXPECT_EQ(c.order_reference.payload_id, order.payload_id);
  const cxml::Header& header = confirmation->header;
  ASSERT_THAT(header.sender, SizeIs(1));
  EXPECT_EQ(header.sender[0].identity, group_.from_identity);
  EXPECT_EQ(header.sender[0].shared_secret, group_.shared_secret);
  EXPECT_THAT(header.to, ElementsAre(cxml::Credential{"NetworkID", group_.from_identity, ""}));
  EXPECT_EQ(header.from[0].identity, "AmazonBusiness");

  auto notice = cxml::ReadDocumentOfType(docs[1], cxml::DocumentType::kShipNoticeRequest);
  ASSERT_TRUE(notice.ok()) << notice.status() << "\n" << docs[1];
  const auto& s = std::get<cxml::ShipNoticeRequest>(notice->body);
  EXPECT_EQ(s.shipment_id, "SHIP-PO-F1");
  ASSERT_THAT(s.ship_controls, SizeIs(1));
  EXPECT_EQ(s.ship_controls[0].carrier_identifiers[0],
            (cxml::CarrierIdentifier{"companyName", "UPS"}));
  const std::string tracking = s.ship_controls[0].shipment_identifiers[0].value;
  EXPECT_THAT(tracking, StartsWith("1Z"));
  EXPECT_EQ(tracking.size(), 18u);
  EXPECT_THAT(s.ship_controls[0].shipment_identifiers[0].tracking_url, HasSubstr(tracking));
  ASSERT_THAT(s.portions, SizeIs(1));
  EXPECT_EQ(s.portions[0].order_reference.payload_id, order.payload_id);
  EXPECT_THAT(s.portions[0].items, SizeIs(2));
  EXPECT_EQ(notice->header.sender[0].shared_secret, group_.shared_secret);

  // A repeated order is not fulfilled again: the next order's two documents
  // are the only ones that follow.
  ASSERT_EQ(OrderStatus(WriteOrDie(order)).code, 200);
  ASSERT_EQ(OrderStatus(WriteOrDie(OrderDoc(SampleOrder("PO-F2", 1)))).code, 200);
  docs = buyer.WaitForDocuments(4);
  ASSERT_THAT(docs, SizeIs(4));
  EXPECT_THAT(docs[2], HasSubstr("orderID=\"PO-F2\""));
  EXPECT_THAT(docs[3], HasSubstr("shipmentID=\"SHIP-PO-F2\""));

  EXPECT_THAT(GetJson("/admin/sent?endpoint=fulfill")["documents"], SizeIs(4));
  EXPECT_EQ(GetJson("/admin/stats")["endpoints"]["fulfill"]["outcomes"]["ok"], 4);
}

TEST_F(SimOrders, LateRejectFollowsADetailedConfirmation) {
  FulfillmentBuyer buyer;
  PostAdmin("/admin/fulfillment", Json{{"url", buyer.url()},
                                       {"confirm", "detail"},
                                       {"late_reject", true},
                                       {"late_reject_delay_ms", 50},
                                       {"ship_notice", false}}
                                      .dump());
  const cxml::Document order = OrderDoc(SampleOrder("PO-LR", 2));
  ASSERT_EQ(OrderStatus(WriteOrDie(order)).code, 200);
  std::vector<std::string> docs = buyer.WaitForDocuments(2);
  ASSERT_THAT(docs, SizeIs(2));
  auto first = cxml::ReadDocumentOfType(docs[0], cxml::DocumentType::kConfirmationRequest);
  auto second = cxml::ReadDocumentOfType(docs[1], cxml::DocumentType::kConfirmationRequest);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  const auto& detail = std::get<cxml::ConfirmationRequest>(first->body);
  EXPECT_EQ(detail.type, "detail");
  ASSERT_THAT(detail.items, SizeIs(2));
  EXPECT_EQ(detail.items[1].line_number, "2");
  EXPECT_EQ(detail.items[1].statuses[0].type, "accept");
  const auto& reject = std::get<cxml::ConfirmationRequest>(second->body);
  EXPECT_EQ(reject.type, "reject");
  EXPECT_EQ(reject.order_reference.payload_id, order.payload_id);
}

TEST_F(SimOrders, FulfilmentPostsAreRetriedOnCxml5xx) {
  FulfillmentBuyer buyer;
  buyer.AnswerNext({560, 500});
  PostAdmin("/admin/fulfillment",
            Json{{"url", buyer.url()}, {"confirm", "accept"}, {"ship_notice", false}}.dump());
  ASSERT_EQ(OrderStatus(WriteOrDie(OrderDoc(SampleOrder("PO-R")))).code, 200);
  std::vector<std::string> docs = buyer.WaitForDocuments(3);
  ASSERT_THAT(docs, SizeIs(3));
  EXPECT_EQ(docs[0], docs[2]);  // the same document, same payloadID
  WaitFor(
      [&] { return GetJson("/admin/stats")["endpoints"]["fulfill"]["outcomes"].contains("ok"); },
      "fulfill outcome ok", absl::Seconds(20));
  Json outcomes = GetJson("/admin/stats")["endpoints"]["fulfill"]["outcomes"];
  EXPECT_EQ(outcomes["cxml_560"], 1);
  EXPECT_EQ(outcomes["cxml_500"], 1);
  EXPECT_EQ(outcomes["ok"], 1);
  EXPECT_THAT(GetJson("/admin/sent?endpoint=fulfill")["documents"], SizeIs(1));
}

TEST_F(SimOrders, FulfilmentSettingsAreValidated) {
  for (const std::string bad :
       {R"({"confirm": "maybe"})", R"({"url": "ftp://x/y"})", R"({"ship_delay_ms": -1})",
        R"({"late_reject": 1})", R"({"speed": 1})", "[1]"}) {
    auto r = h_.Post("/admin/fulfillment", bad, "application/json");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400) << bad;
  }
  auto r = h_.Post("/admin/fulfillment", R"({"speed": 1})", "application/json");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->body, HasSubstr("speed"));
  // Nothing changed: no url, the defaults.
  Json settings = GetJson("/admin/fulfillment");
  EXPECT_EQ(settings["url"], "");
  EXPECT_EQ(settings["confirm"], "accept");
}

TEST(SimOrderDtd, AnswersAndFulfilmentDocumentsAreValid) {
  const std::string dtd_dir = DtdDir();
  if (dtd_dir.empty()) GTEST_SKIP() << DtdSkipReason();
  ASSERT_TRUE(HaveXmllint()) << "xmllint is required (Debian package libxml2-utils)";

  SimHarness h;
  GroupCredentials g = h.CreateGroup();
  FulfillmentBuyer buyer;
  auto set =
      h.Post("/admin/fulfillment",
             Json{{"url", buyer.url()}, {"confirm", "backordered"}, {"late_reject", true}}.dump(),
             "application/json");
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->status, 200) << set->body;

  for (const std::string& xml :
       {WriteOrDie(BuyerDocument(g.from_identity, g.shared_secret, SampleOrder("PO-DTD"))),
        std::string("<nope/>")}) {
    auto r = h.Post("/order", xml, "text/xml");
    ASSERT_TRUE(r.ok());
    auto [code, out] = XmllintValidate(r->body, dtd_dir + "/cXML.dtd");
    EXPECT_EQ(code, 0) << out << "\n" << r->body;
  }
  // backordered confirmation, late reject, ship notice.
  std::vector<std::string> docs = buyer.WaitForDocuments(3);
  ASSERT_THAT(docs, SizeIs(3));
  EXPECT_THAT(docs[0], HasSubstr("type=\"backordered\""));
  EXPECT_THAT(docs[1], HasSubstr("type=\"reject\""));
  for (const std::string& doc : docs) {
    auto [code, out] = XmllintValidate(doc, dtd_dir + "/Fulfill.dtd");
    EXPECT_EQ(code, 0) << out << "\n" << doc;
  }
}

}  // namespace
}  // namespace iob::sim::testing

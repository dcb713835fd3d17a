// The simulator's groups and PunchOutSetupRequest endpoint, over real HTTP.
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/writer.h"
#include "nlohmann/json.hpp"
#include "tests/integration/sim/sim_harness.h"

namespace iob::sim::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kPostUrl[] = "http://127.0.0.1:9/punchout/return?s=1&t=2";

nlohmann::json ShopSessionJson(SimHarness& h, const std::string& token) {
  auto r = h.Get("/admin/sessions/" + token);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  EXPECT_EQ(r->status, 200) << r->body;
  return nlohmann::json::parse(r->body);
}

TEST(SimGroups, CreateReturnsTheFourCredentials) {
  SimHarness h;
  GroupCredentials a = h.CreateGroup();
  GroupCredentials b = h.CreateGroup();
  EXPECT_THAT(a.from_identity, StartsWith("AmazonSim-"));
  EXPECT_EQ(a.shared_secret.size(), 24u);
  EXPECT_EQ(a.punchout_url, h.base() + "/punchout");
  EXPECT_EQ(a.order_url, h.base() + "/order");
  EXPECT_EQ(a.cart_encoding, "urlencoded");
  EXPECT_NE(a.from_identity, b.from_identity);
  EXPECT_NE(a.shared_secret, b.shared_secret);

  auto list = h.Get("/admin/groups");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(nlohmann::json::parse(list->body)["groups"].size(), 2u);
}

TEST(SimGroups, SeededAndChosenCredentialsAndDuplicates) {
  SimOptions o;
  o.seed_groups = {{"demo-buyer", "demo-secret", CartEncoding::kBase64}};
  SimHarness h(o);
  GroupCredentials chosen =
      h.CreateGroup(R"({"from_identity":"buyer-2","shared_secret":"s2","cart_encoding":"base64"})");
  EXPECT_EQ(chosen.from_identity, "buyer-2");
  EXPECT_EQ(chosen.shared_secret, "s2");
  EXPECT_EQ(chosen.cart_encoding, "base64");

  auto dup = h.Post("/admin/groups", R"({"from_identity":"demo-buyer"})", "application/json");
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->status, 409);
  auto bad = h.Post("/admin/groups", R"({"cart_encoding":"xml"})", "application/json");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  auto junk = h.Post("/admin/groups", "[1,", "application/json");
  ASSERT_TRUE(junk.ok());
  EXPECT_EQ(junk->status, 400);

  // The seeded group authenticates.
  GroupCredentials seeded;
  seeded.from_identity = "demo-buyer";
  seeded.shared_secret = "demo-secret";
  std::string token = h.StartSession(seeded, CreateRequest("c", kPostUrl));
  EXPECT_EQ(token.size(), 32u);
}

TEST(SimPunchOut, RightSecretStartsASessionThatKeepsTheRequest) {
  SimHarness h;
  GroupCredentials g = h.CreateGroup();
  auto r = h.Post("/punchout",
                  SetupXml(g.from_identity, g.shared_secret, CreateRequest("cookie-1", kPostUrl)),
                  "text/xml");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->content_type, HasSubstr("xml"));

  auto resp =
      h.PunchOut(SetupXml(g.from_identity, g.shared_secret, CreateRequest("cookie-1", kPostUrl)));
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status.code, 200);
  ASSERT_TRUE(resp->punch_out_setup_response.has_value());
  const std::string url = resp->punch_out_setup_response->start_page_url;
  EXPECT_THAT(url, StartsWith(h.base() + "/shop/"));

  nlohmann::json s = ShopSessionJson(h, TokenOf(url));
  EXPECT_EQ(s["operation"], "create");
  EXPECT_EQ(s["buyer_cookie"], "cookie-1");
  EXPECT_EQ(s["browser_form_post_url"], kPostUrl);
  EXPECT_EQ(s["from_identity"], g.from_identity);
  EXPECT_EQ(s["extrinsics"]["UserEmail"], "jane.doe@buyer.example");
  EXPECT_EQ(s["extrinsics"]["UniqueName"], "jdoe");
  EXPECT_EQ(s["extrinsics"]["UserBusinessUnit"], "Facilities & Ops");
  EXPECT_EQ(s["ship_to"]["name"], "Jane Doe");
  EXPECT_TRUE(s["cart"].empty());

  // The shop page shows who is shopping.
  auto page = h.Get("/shop/" + TokenOf(url));
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->body, HasSubstr("data-testid=\"user-email\">jane.doe@buyer.example<"));
}

TEST(SimPunchOut, AuthenticationFailuresAreCxml401) {
  SimHarness h;
  GroupCredentials g = h.CreateGroup();
  const auto req = CreateRequest("c", kPostUrl);

  auto wrong = h.PunchOut(SetupXml(g.from_identity, "not-the-secret", req));
  ASSERT_TRUE(wrong.ok()) << wrong.status();
  EXPECT_EQ(wrong->status.code, 401);
  EXPECT_FALSE(wrong->punch_out_setup_response.has_value());
  EXPECT_THAT(wrong->status.message, Not(HasSubstr(g.shared_secret)));

  auto unknown = h.PunchOut(SetupXml("nobody", g.shared_secret, req));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status.code, 401);

  // The secret in a Sender credential of another identity does not count.
  cxml::Document d = SetupDocument(g.from_identity, g.shared_secret, req);
  d.header.sender[0].identity = "someone-else";
  auto xml = cxml::WriteDocument(d);
  ASSERT_TRUE(xml.ok());
  auto other_sender = h.PunchOut(*xml);
  ASSERT_TRUE(other_sender.ok());
  EXPECT_EQ(other_sender->status.code, 401);

  // Still HTTP 200: the cXML Status carries the outcome.
  auto raw = h.Post("/punchout", SetupXml(g.from_identity, "nope", req), "text/xml");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->status, 200);
  EXPECT_THAT(raw->body, HasSubstr("code=\"401\""));
}

TEST(SimPunchOut, MalformedDocumentsAreCxml400WithTheReason) {
  SimHarness h;
  GroupCredentials g = h.CreateGroup();

  auto truncated = h.PunchOut("<?xml version=\"1.0\"?><cXML payloadID=\"x\"");
  ASSERT_TRUE(truncated.ok()) << truncated.status();
  EXPECT_EQ(truncated->status.code, 400);
  EXPECT_FALSE(truncated->status.message.empty());

  // A well-formed cXML document of the wrong type.
  auto order = cxml::WriteDocument(cxml::ExampleDocument(cxml::DocumentType::kOrderRequest));
  ASSERT_TRUE(order.ok());
  auto wrong_type = h.PunchOut(*order);
  ASSERT_TRUE(wrong_type.ok());
  EXPECT_EQ(wrong_type->status.code, 400);

  // Entity declarations are refused, not expanded.
  auto entity = h.PunchOut(
      "<?xml version=\"1.0\"?><!DOCTYPE cXML [<!ENTITY x \"y\">]><cXML payloadID=\"1\" "
      "timestamp=\"2024-01-01T00:00:00+00:00\"/>");
  ASSERT_TRUE(entity.ok());
  EXPECT_EQ(entity->status.code, 400);

  auto no_return_url = CreateRequest("c", "");
  auto missing = h.PunchOut(SetupXml(g.from_identity, g.shared_secret, no_return_url));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status.code, 400);
  EXPECT_THAT(missing->status.message, HasSubstr("BrowserFormPost"));

  auto js_url = CreateRequest("c", "javascript:alert(1)");
  auto refused = h.PunchOut(SetupXml(g.from_identity, g.shared_secret, js_url));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status.code, 400);
}

TEST(SimPunchOut, EditSessionPrefillsTheCartFromItemOut) {
  SimHarness h;
  GroupCredentials g = h.CreateGroup();
  cxml::PunchOutSetupRequest req = CreateRequest("edit-cookie", kPostUrl);
  req.operation = cxml::PunchOutOperation::kEdit;
  // A catalog SKU without ItemDetail, carrying its own auxiliary id.
  cxml::ItemOut pens;
  pens.quantity = "4";
  pens.line_number = "1";
  pens.item_id = {"B0SIMPEN12", cxml::RawXml{"prev&amp;session,&lt;x&gt;"}, ""};
  // An unknown SKU with full detail.
  cxml::ItemOut custom;
  custom.quantity = "2";
  custom.line_number = "2";
  custom.item_id = {"OLD-ITEM-9", std::nullopt, ""};
  cxml::ItemDetail d;
  d.unit_price = {"1.25", "USD"};
  d.descriptions = {{"en", "Legacy item", ""}};
  d.unit_of_measure = "EA";
  d.classifications = {{"UNSPSC", "", "44000000"}};
  custom.item_detail = d;
  // Neither in the catalog nor described: dropped with a note.
  cxml::ItemOut mystery;
  mystery.quantity = "1";
  mystery.item_id = {"NO-SUCH-THING", std::nullopt, ""};
  req.items = {pens, custom, mystery};

  std::string token = h.StartSession(g, req);
  ASSERT_FALSE(token.empty());
  nlohmann::json s = ShopSessionJson(h, token);
  EXPECT_EQ(s["operation"], "edit");
  ASSERT_EQ(s["request_items"].size(), 3u);
  ASSERT_EQ(s["cart"].size(), 2u);
  EXPECT_EQ(s["cart"][0]["key"], "B0SIMPEN12");
  EXPECT_EQ(s["cart"][0]["quantity"], "4");
  EXPECT_EQ(s["cart"][0]["supplier_part_auxiliary_id"], "prev&amp;session,&lt;x&gt;");
  EXPECT_EQ(s["cart"][1]["key"], "OLD-ITEM-9");

  auto page = h.Get("/shop/" + token);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->body, HasSubstr("data-testid=\"operation\">edit<"));
  EXPECT_THAT(page->body, HasSubstr("name=\"qty-B0SIMPEN12\" value=\"4\""));
  EXPECT_THAT(page->body, HasSubstr("name=\"qty-OLD-ITEM-9\" value=\"2\""));
  EXPECT_THAT(page->body, HasSubstr("NO-SUCH-THING"));  // the note
  // 4 x 8.99 + 2 x 1.25
  EXPECT_THAT(page->body, HasSubstr("data-testid=\"cart-total\">38.46 USD<"));
}

TEST(SimPunchOut, InspectSessionIsReadOnly) {
  SimHarness h;
  GroupCredentials g = h.CreateGroup();
  cxml::PunchOutSetupRequest req = CreateRequest("inspect-cookie", kPostUrl);
  req.operation = cxml::PunchOutOperation::kInspect;
  cxml::ItemOut pens;
  pens.quantity = "1";
  pens.item_id = {"B0SIMPEN12", std::nullopt, ""};
  req.items = {pens};
  std::string token = h.StartSession(g, req);
  ASSERT_FALSE(token.empty());

  auto page = h.Get("/shop/" + token);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->body, HasSubstr("data-testid=\"operation\">inspect<"));
  EXPECT_THAT(page->body, Not(HasSubstr("data-testid=\"add-")));
  EXPECT_THAT(page->body, Not(HasSubstr("data-testid=\"remove-")));
  EXPECT_THAT(page->body, HasSubstr("readonly"));

  auto change = h.PostForm("/shop/" + token + "/cart", {{"add", "B0SIMCABLE"}, {"qty", "1"}});
  ASSERT_TRUE(change.ok());
  EXPECT_EQ(change->status, 403);

  auto checkout = h.PostForm("/shop/" + token + "/checkout", {});
  ASSERT_TRUE(checkout.ok());
  auto doc = DecodeCheckoutPage(checkout->body);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const auto& m = std::get<cxml::PunchOutOrderMessage>(doc->body);
  EXPECT_EQ(m.operation_allowed, cxml::PunchOutOperation::kInspect);
  ASSERT_EQ(m.items.size(), 1u);
  EXPECT_EQ(m.items[0].item_id.supplier_part_id, "B0SIMPEN12");
}

}  // namespace
}  // namespace iob::sim::testing

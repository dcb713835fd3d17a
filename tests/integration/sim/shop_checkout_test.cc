// The shop page and checkout over real HTTP, driven with the form posts a
// browser sends; the returned cart is read back with libs/cxml exactly as
// iob reads a browser form post, and checked against the DTD.
#include <string>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/form.h"
#include "libs/cxml/reader.h"
#include "libs/http/server.h"
#include "nlohmann/json.hpp"
#include "tests/integration/sim/sim_harness.h"
#include "tools/supplier-sim/catalog.h"
#include "tools/supplier-sim/html.h"

namespace iob::sim::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPostUrl[] = "http://127.0.0.1:9/punchout/return?s=1&t=2";

// A stand-in for iob's cart endpoint: keeps the last form body posted to it.
class BuyerEndpoint {
 public:
  BuyerEndpoint() {
    server_.Post("/punchout/return", [this](const httplib::Request& req, httplib::Response& res) {
      absl::MutexLock lock(&mu_);
      body_ = req.body;
      res.set_content("thanks", "text/plain");
    });
    port_ = *server_.Start();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/punchout/return";
  }
  std::string body() {
    absl::MutexLock lock(&mu_);
    return body_;
  }

 private:
  http::HttpServer server_;
  int port_ = 0;
  absl::Mutex mu_;
  std::string body_;
};

std::string ShopPath(const std::string& token) { return "/shop/" + token; }

TEST(SimShop, PageListsProductsWithEscapedAuxiliaryIds) {
  SimHarness h;
  GroupCredentials g = h.CreateGroup();
  std::string token = h.StartSession(g, CreateRequest("c", kPostUrl));
  auto page = h.Get(ShopPath(token));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->content_type, HasSubstr("text/html"));
  const Catalog catalog = Catalog::Default();
  for (const Product& p : catalog.products()) {
    EXPECT_THAT(page->body, HasSubstr("data-testid=\"add-" + p.sku + "\""));
    EXPECT_THAT(page->body, HasSubstr("data-testid=\"add-qty-" + p.sku + "\""));
    EXPECT_THAT(page->body, HasSubstr(HtmlEscape(p.description.text)));
    EXPECT_THAT(page->body, HasSubstr(p.unit_price + " " + p.currency));
    if (p.auxiliary_id.has_value()) {
      EXPECT_THAT(page->body, HasSubstr(">" + HtmlEscape(p.auxiliary_id->xml) + "<"));
    }
  }
  // Markup inside auxiliary ids never reaches the page unescaped.
  EXPECT_THAT(page->body, Not(HasSubstr("<![CDATA[")));
  EXPECT_THAT(page->body, Not(HasSubstr("<aux")));
  EXPECT_THAT(page->body, HasSubstr("caf\xC3\xA9 cr\xC3\xA8me"));  // UTF-8 passes through
  EXPECT_THAT(page->body, HasSubstr("data-testid=\"cart-empty\""));
  EXPECT_THAT(page->body, HasSubstr("data-testid=\"checkout\""));

  auto unknown = h.Get("/shop/0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
}

TEST(SimShop, AddChangeRemoveAndCheckOutUrlEncoded) {
  SimHarness h;
  BuyerEndpoint buyer;
  GroupCredentials g = h.CreateGroup();
  const cxml::PunchOutSetupRequest req =
      CreateRequest("cookie-\xC3\xA9&<1>", buyer.url() + "?x=1&y=2");
  const std::string setup_xml = SetupXml(g.from_identity, g.shared_secret, req);
  auto setup = h.PunchOut(setup_xml);
  ASSERT_TRUE(setup.ok() && setup->punch_out_setup_response.has_value());
  const std::string token = TokenOf(setup->punch_out_setup_response->start_page_url);
  const std::string cart = ShopPath(token) + "/cart";

  for (const auto& [sku, qty] : std::vector<std::pair<std::string, std::string>>{
           {"B0SIMPEN12", "2"}, {"B0SIMCOFFE", "1"}, {"B0SIMPAPER", "1"}, {"B0SIMNOTE5", "2"}}) {
    auto r = h.PostForm(cart, {{"add", sku}, {"qty", qty}});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 303);
    EXPECT_EQ(HeaderValue(*r, "Location"), ShopPath(token));
  }
  // Adding again increases the line instead of adding one.
  ASSERT_TRUE(h.PostForm(cart, {{"add", "B0SIMNOTE5"}, {"qty", "1"}}).ok());
  // "Update cart" with the quantities as the page's form would send them.
  auto update = h.PostForm(cart, {{"qty-B0SIMPEN12", "3"},
                                  {"qty-B0SIMCOFFE", "1"},
                                  {"qty-B0SIMPAPER", "1"},
                                  {"qty-B0SIMNOTE5", "3"},
                                  {"update", "1"}});
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(update->status, 303);
  auto remove = h.PostForm(cart, {{"remove", "B0SIMPAPER"}});
  ASSERT_TRUE(remove.ok());
  EXPECT_EQ(remove->status, 303);

  auto page = h.Get(ShopPath(token));
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->body, HasSubstr("name=\"qty-B0SIMPEN12\" value=\"3\""));
  EXPECT_THAT(page->body, Not(HasSubstr("data-testid=\"line-B0SIMPAPER\"")));
  // 3 x 8.99 + 1 x 24.00 + 3 x 3.75
  EXPECT_THAT(page->body, HasSubstr("data-testid=\"cart-total\">62.22 USD<"));

  auto checkout = h.PostForm(ShopPath(token) + "/checkout", {});
  ASSERT_TRUE(checkout.ok());
  ASSERT_EQ(checkout->status, 200);
  const std::string& html = checkout->body;
  // A form posting to the BrowserFormPost URL, auto-submitted, with a button.
  EXPECT_EQ(AttributeOf(html, "id=\"cxml-return\"", "action"), req.browser_form_post_url);
  EXPECT_EQ(AttributeOf(html, "id=\"cxml-return\"", "method"), "post");
  EXPECT_THAT(html, HasSubstr("name=\"cxml-urlencoded\""));
  EXPECT_THAT(html, HasSubstr(".submit()"));
  EXPECT_THAT(html, HasSubstr("data-testid=\"return-to-procurement\""));

  auto doc = DecodeCheckoutPage(html);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const auto setup_doc = cxml::ReadDocument(setup_xml);
  ASSERT_TRUE(setup_doc.ok());
  EXPECT_EQ(doc->in_reply_to, setup_doc->payload_id);
  ASSERT_EQ(doc->header.to.size(), 1u);
  EXPECT_EQ(doc->header.to[0].identity, g.from_identity);
  const auto& m = std::get<cxml::PunchOutOrderMessage>(doc->body);
  EXPECT_EQ(m.buyer_cookie, req.buyer_cookie);
  EXPECT_EQ(m.operation_allowed, cxml::PunchOutOperation::kEdit);
  EXPECT_EQ(m.total.amount, "62.22");
  EXPECT_EQ(m.total.currency, "USD");
  ASSERT_TRUE(m.ship_to.has_value());
  EXPECT_EQ(*m.ship_to, *req.ship_to);
  ASSERT_EQ(m.items.size(), 3u);
  const Catalog catalog = Catalog::Default();
  const std::vector<std::pair<std::string, std::string>> want = {
      {"B0SIMPEN12", "3"}, {"B0SIMCOFFE", "1"}, {"B0SIMNOTE5", "3"}};
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(want[i].first);
    const cxml::ItemIn& in = m.items[i];
    const Product* p = catalog.Find(want[i].first);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(in.quantity, want[i].second);
    EXPECT_EQ(in.line_number, std::to_string(i + 1));
    EXPECT_EQ(in.item_id.supplier_part_id, p->sku);
    ASSERT_TRUE(in.item_id.supplier_part_auxiliary_id.has_value());
    EXPECT_EQ(in.item_id.supplier_part_auxiliary_id->xml, p->auxiliary_id->xml);  // byte-for-byte
    EXPECT_EQ(in.item_detail.unit_price.amount, p->unit_price);
    EXPECT_EQ(in.item_detail.unit_price.currency, "USD");
    ASSERT_EQ(in.item_detail.descriptions.size(), 1u);
    EXPECT_EQ(in.item_detail.descriptions[0].text, p->description.text);
    EXPECT_EQ(in.item_detail.descriptions[0].lang, p->description.lang);
    EXPECT_EQ(in.item_detail.unit_of_measure, p->unit_of_measure);
    ASSERT_EQ(in.item_detail.classifications.size(), 1u);
    EXPECT_EQ(in.item_detail.classifications[0].domain, "UNSPSC");
    EXPECT_EQ(in.item_detail.classifications[0].value, p->unspsc);
    EXPECT_EQ(in.item_detail.manufacturer_part_id, p->manufacturer_part_id);
    EXPECT_EQ(in.item_detail.manufacturer_name, p->manufacturer_name);
  }

  // The browser's post reaches the buyer, and iob's decoder gets the same XML.
  http::HttpRequest post;
  post.url = AttributeOf(html, "id=\"cxml-return\"", "action");
  post.body = BrowserFormBody(html);
  post.content_type = "application/x-www-form-urlencoded";
  auto posted = LoopbackClient()->Send(post);
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_EQ(posted->status, 200);
  auto received = cxml::ExtractCxml(buyer.body());
  ASSERT_TRUE(received.ok()) << received.status();
  auto sent = h.Get("/admin/sent?endpoint=checkout&format=raw");
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(*received, sent->body);
}

TEST(SimShop, Base64EncodingPerGroupAndByFlag) {
  SimHarness h;
  GroupCredentials g = h.CreateGroup(R"({"cart_encoding":"base64"})");
  std::string token = h.StartSession(g, CreateRequest("b64", kPostUrl));
  ASSERT_TRUE(h.PostForm(ShopPath(token) + "/cart", {{"add", "B0SIMCOFFE"}, {"qty", "2"}}).ok());
  auto checkout = h.PostForm(ShopPath(token) + "/checkout", {});
  ASSERT_TRUE(checkout.ok());
  EXPECT_THAT(checkout->body, HasSubstr("name=\"cxml-base64\""));
  EXPECT_THAT(checkout->body, Not(HasSubstr("name=\"cxml-urlencoded\"")));
  auto doc = DecodeCheckoutPage(checkout->body);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const auto& m = std::get<cxml::PunchOutOrderMessage>(doc->body);
  EXPECT_EQ(m.buyer_cookie, "b64");
  EXPECT_EQ(m.total.amount, "48.00");
  ASSERT_EQ(m.items.size(), 1u);
  EXPECT_EQ(m.items[0].item_id.supplier_part_auxiliary_id->xml, "<![CDATA[id<1>,\"pods\"&raw]]>");

  // Switching the group back applies to new sessions.
  auto update = h.Post("/admin/groups/" + g.from_identity, R"({"cart_encoding":"urlencoded"})",
                       "application/json");
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(update->status, 200);
  std::string token2 = h.StartSession(g, CreateRequest("url", kPostUrl));
  auto checkout2 = h.PostForm(ShopPath(token2) + "/checkout", {});
  ASSERT_TRUE(checkout2.ok());
  EXPECT_THAT(checkout2->body, HasSubstr("name=\"cxml-urlencoded\""));

  // --cart-encoding base64 is the default for new groups.
  SimOptions o;
  o.cart_encoding = CartEncoding::kBase64;
  SimHarness h2(o);
  EXPECT_EQ(h2.CreateGroup().cart_encoding, "base64");
}

TEST(SimShop, EmptyCartAfterEditIsReturned) {
  SimHarness h;
  GroupCredentials g = h.CreateGroup();
  cxml::PunchOutSetupRequest req = CreateRequest("empty", kPostUrl);
  req.operation = cxml::PunchOutOperation::kEdit;
  cxml::ItemOut cable;
  cable.quantity = "1";
  cable.item_id = {"B0SIMCABLE", std::nullopt, ""};
  req.items = {cable};
  std::string token = h.StartSession(g, req);
  auto zero = h.PostForm(ShopPath(token) + "/cart", {{"qty-B0SIMCABLE", "0"}, {"update", "1"}});
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->status, 303);
  auto checkout = h.PostForm(ShopPath(token) + "/checkout", {});
  ASSERT_TRUE(checkout.ok());
  auto doc = DecodeCheckoutPage(checkout->body);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const auto& m = std::get<cxml::PunchOutOrderMessage>(doc->body);
  EXPECT_TRUE(m.items.empty());
  EXPECT_EQ(m.total.amount, "0.00");
  EXPECT_EQ(m.buyer_cookie, "empty");
}

TEST(SimShop, BadCartInputIsRefused) {
  SimHarness h;
  GroupCredentials g = h.CreateGroup();
  std::string token = h.StartSession(g, CreateRequest("c", kPostUrl));
  const std::string cart = ShopPath(token) + "/cart";
  for (const std::string qty : {"0", "-1", "1.5", "1e3", "10000", "abc", ""}) {
    auto r = h.PostForm(cart, {{"add", "B0SIMPEN12"}, {"qty", qty}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400) << "qty=" << qty;
  }
  auto unknown = h.PostForm(cart, {{"add", "NOPE"}, {"qty", "1"}});
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  auto no_session =
      h.PostForm("/shop/0123456789abcdef0123456789abcdef/cart", {{"add", "B0SIMPEN12"}});
  ASSERT_TRUE(no_session.ok());
  EXPECT_EQ(no_session->status, 404);
  // Nothing was added by the refused posts.
  auto page = h.Get(ShopPath(token));
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->body, HasSubstr("data-testid=\"cart-empty\""));
}

TEST(SimShop, WrittenDocumentsAreValidAgainstTheDtd) {
  const std::string dtd_dir = DtdDir();
  if (dtd_dir.empty()) GTEST_SKIP() << DtdSkipReason();
  ASSERT_TRUE(HaveXmllint()) << "xmllint is required (Debian package libxml2-utils)";
  const std::string dtd = dtd_dir + "/cXML.dtd";

  SimHarness h;
  GroupCredentials g = h.CreateGroup();
  auto setup = h.Post("/punchout",
                      SetupXml(g.from_identity, g.shared_secret, CreateRequest("dtd", kPostUrl)),
                      "text/xml");
  ASSERT_TRUE(setup.ok());
  auto [code, out] = XmllintValidate(setup->body, dtd);
  EXPECT_EQ(code, 0) << out << "\n" << setup->body;

  auto failure = h.Post("/punchout", "<nope/>", "text/xml");
  ASSERT_TRUE(failure.ok());
  auto [fcode, fout] = XmllintValidate(failure->body, dtd);
  EXPECT_EQ(fcode, 0) << fout << "\n" << failure->body;

  // A full cart (every product) and an empty one.
  std::string token = h.StartSession(g, CreateRequest("dtd-full", kPostUrl));
  const Catalog catalog = Catalog::Default();
  for (const Product& p : catalog.products()) {
    ASSERT_TRUE(h.PostForm(ShopPath(token) + "/cart", {{"add", p.sku}, {"qty", "2"}}).ok());
  }
  std::string empty_token = h.StartSession(g, CreateRequest("dtd-empty", kPostUrl));
  for (const std::string& t : {token, empty_token}) {
    auto checkout = h.PostForm(ShopPath(t) + "/checkout", {});
    ASSERT_TRUE(checkout.ok());
    auto xml = cxml::ExtractCxml(BrowserFormBody(checkout->body));
    ASSERT_TRUE(xml.ok()) << xml.status();
    auto [c, o] = XmllintValidate(*xml, dtd);
    EXPECT_EQ(c, 0) << o << "\n" << *xml;
  }
}

}  // namespace
}  // namespace iob::sim::testing

// The punchout happy paths with real processes: iob-punchout asks the
// simulated Amazon Business for a session (PunchOutSetupRequest carrying the
// user's e-mail), a libcurl "browser" shops and checks out, the auto-post
// form returns the cart to iob, and the platform reads it over gRPC. Plus
// the cart endpoint's replay/conflict/unknown answers, listing, reading and
// authorisation.
#include <gmock/gmock.h>
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "iob/type/v1/line_item.pb.h"
#include "iob/type/v1/postal_address.pb.h"
#include "libs/cxml/reader.h"
#include "tests/integration/punchout/punchout_test_util.h"
#include "tools/supplier-sim/catalog.h"

namespace iob::punchout::testing {
namespace {

namespace typepb = ::iob::type::v1;

using ::testing::HasSubstr;
using ::testing::StartsWith;

const sim::Product& Product(const std::string& sku) {
  static const sim::Catalog* catalog = new sim::Catalog(sim::Catalog::Default());
  const sim::Product* p = catalog->Find(sku);
  if (p == nullptr) std::abort();
  return *p;
}

std::string Aux(const std::string& sku) {
  const auto& aux = Product(sku).auxiliary_id;
  return aux ? aux->xml : "";
}

std::string TokenOf(const std::string& start_page_url) {
  return start_page_url.substr(start_page_url.rfind('/') + 1);
}

class PunchoutFlowTest : public PunchoutStackTest<PunchoutFlowTest> {
 protected:
  // A simulator group (cart encoding `encoding`) and a TEST-mode integration
  // holding its values; returns the integration's name.
  std::string NewIntegration(const std::string& tenant, const std::string& id,
                             const std::string& encoding = "urlencoded",
                             SimGroup* group_out = nullptr) {
    auto group = stack().CreateSimGroup(absl::StrCat("{\"cart_encoding\":\"", encoding, "\"}"));
    EXPECT_TRUE(group.ok()) << group.status();
    if (!group.ok()) return "";
    auto in = CreateIntegration(stack(), tenant, id, *group);
    EXPECT_TRUE(in.ok()) << in.status();
    if (group_out != nullptr) *group_out = *group;
    return in.ok() ? in->name() : "";
  }

  pb::Session Start(const std::string& integration, const std::string& email,
                    const std::string& tenant = "acme") {
    pb::Session s;
    grpc::Status st = StartCreate(stack(), tenant, integration, email, &s);
    EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    return s;
  }

  // Shops `items` and posts the cart back; returns the auto-post form used.
  AutoPostForm ShopAndReturn(const pb::Session& s,
                             const std::vector<std::pair<std::string, int>>& items,
                             HttpResult* result = nullptr) {
    auto page = ShopAndCheckout(s.start_page_url(), items);
    EXPECT_TRUE(page.ok()) << page.status();
    auto form = ParseAutoPostForm(page.value_or(""));
    EXPECT_TRUE(form.ok()) << form.status();
    if (!form.ok()) return {};
    auto r = SubmitAutoPost(*form);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok() && result != nullptr) *result = *r;
    if (r.ok()) {
      EXPECT_EQ(r->status, 200) << r->body;
    }
    return *form;
  }

  grpc::Status GetCart(const std::string& session, pb::Cart* cart,
                       const std::string& principal = "platform") {
    pb::GetCartRequest req;
    req.set_session(session);
    return stack().Punchout()->GetCart(stack().Ctx(principal).get(), req, cart);
  }

  grpc::Status GetSession(const std::string& name, pb::Session* out,
                          const std::string& principal = "platform") {
    pb::GetSessionRequest req;
    req.set_name(name);
    return stack().Punchout()->GetSession(stack().Ctx(principal).get(), req, out);
  }

  grpc::Status Checkout(const std::string& session, pb::RequisitionDraft* out) {
    pb::CheckoutCartRequest req;
    req.set_session(session);
    return stack().Punchout()->CheckoutCart(stack().Ctx("platform").get(), req, out);
  }

  // The PunchOutSetupRequest the simulator received for `email`.
  std::optional<cxml::Document> SetupRequestFor(const std::string& email) {
    auto bodies = stack().SimReceived("punchout");
    EXPECT_TRUE(bodies.ok()) << bodies.status();
    if (!bodies.ok()) return std::nullopt;
    for (auto it = bodies->rbegin(); it != bodies->rend(); ++it) {
      auto doc = cxml::ReadDocumentOfType(*it, cxml::DocumentType::kPunchOutSetupRequest);
      if (!doc.ok()) continue;
      for (const auto& e : std::get<cxml::PunchOutSetupRequest>(doc->body).extrinsics) {
        if (e.name == "UserEmail" && e.value.Text() == email) return *doc;
      }
    }
    ADD_FAILURE() << "the simulator received no PunchOutSetupRequest for " << email;
    return std::nullopt;
  }
};

TEST_F(PunchoutFlowTest, CreateSessionShopCheckOutAndReadTheCart) {
  SimGroup group;
  const std::string integration = NewIntegration("acme", "flow", "urlencoded", &group);
  ASSERT_FALSE(integration.empty());
  const double ok_before = StartedTotal(stack(), "ok");

  // StartSession: the StartPage is the simulator's shop.
  pb::StartSessionRequest req;
  req.set_parent("tenants/acme");
  req.set_integration(integration);
  req.mutable_user()->set_id("u-ann");
  req.mutable_user()->set_email("ann.flow@acme.example");
  req.mutable_user()->set_name("Ann Flow");
  req.set_operation(pb::OPERATION_CREATE);
  typepb::PostalAddress* ship = req.mutable_ship_to();
  ship->set_name("Dock 4");
  ship->add_street("1 Main St");
  ship->set_city("Springfield");
  ship->set_postal_code("62701");
  ship->set_country_code("US");
  pb::Session s;
  grpc::Status st = stack().Punchout()->StartSession(stack().Ctx("platform").get(), req, &s);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_THAT(s.name(), StartsWith("tenants/acme/sessions/"));
  EXPECT_EQ(s.state(), pb::SESSION_STATE_STARTED);
  EXPECT_EQ(s.integration(), integration);
  EXPECT_EQ(s.supplier(), "amazon-business");
  EXPECT_EQ(s.user().email(), "ann.flow@acme.example");
  EXPECT_EQ(s.operation(), pb::OPERATION_CREATE);
  EXPECT_TRUE(s.approval_required());
  EXPECT_THAT(s.start_page_url(), StartsWith(stack().http_url(Service::kSupplierSim) + "/shop/"));
  EXPECT_GT(s.expire_time().seconds(), s.create_time().seconds());
  EXPECT_EQ(StartedTotal(stack(), "ok"), ok_before + 1);

  // What the simulator received: the user's e-mail wherever Amazon reads it.
  auto doc = SetupRequestFor("ann.flow@acme.example");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->deployment_mode, cxml::DeploymentMode::kTest);
  ASSERT_FALSE(doc->header.from.empty());
  EXPECT_EQ(doc->header.from[0].identity, group.from_identity);
  ASSERT_FALSE(doc->header.sender.empty());
  EXPECT_EQ(doc->header.sender[0].shared_secret, group.shared_secret);
  const auto& setup = std::get<cxml::PunchOutSetupRequest>(doc->body);
  std::map<std::string, std::string> extrinsics;
  for (const auto& e : setup.extrinsics) extrinsics[e.name] = e.value.Text();
  EXPECT_EQ(extrinsics["UniqueName"], "ann.flow@acme.example");
  EXPECT_EQ(extrinsics["UserFullName"], "Ann Flow");
  EXPECT_EQ(extrinsics.count("UserBusinessUnit"), 0u);
  ASSERT_EQ(setup.contacts.size(), 1u);
  EXPECT_EQ(setup.contacts[0].emails, std::vector<std::string>{"ann.flow@acme.example"});
  ASSERT_TRUE(setup.ship_to.has_value());
  EXPECT_EQ(setup.ship_to->email, "ann.flow@acme.example");
  EXPECT_THAT(setup.browser_form_post_url,
              StartsWith(absl::StrCat("http://127.0.0.1:", stack().http_port(Service::kPunchout),
                                      "/punchout/cart/")));
  EXPECT_FALSE(setup.buyer_cookie.empty());

  // The simulator's own view of the session agrees.
  auto sim_session = stack().SimGet("/admin/sessions/" + TokenOf(s.start_page_url()));
  ASSERT_TRUE(sim_session.ok()) << sim_session.status();
  EXPECT_EQ((*sim_session)["operation"], "create");
  EXPECT_EQ((*sim_session)["extrinsics"]["UserEmail"], "ann.flow@acme.example");
  EXPECT_EQ((*sim_session)["browser_form_post_url"], setup.browser_form_post_url);
  EXPECT_GE(stack().SimOutcomeCount("punchout", "ok"), 1);

  // The browser: shop two products, check out, the form posts the cart to iob.
  HttpResult page;
  const AutoPostForm form = ShopAndReturn(s, {{"B0SIMPEN12", 2}, {"B0SIMCOFFE", 1}}, &page);
  EXPECT_EQ(form.field, "cxml-urlencoded");
  EXPECT_EQ(form.action, setup.browser_form_post_url);
  EXPECT_THAT(page.content_type, StartsWith("text/html"));
  EXPECT_THAT(page.body, HasSubstr("data-testid=\"cart-title\">Your cart is back in procurement"));
  EXPECT_THAT(page.body, HasSubstr("B0SIMPEN12"));
  EXPECT_THAT(page.body, HasSubstr("41.98 USD"));
  EXPECT_THAT(
      page.body,
      HasSubstr("https://p2p.example/punchout/return?session=tenants%2Facme%2Fsessions%2F"));

  // GetCart: the lines as the supplier sent them, aux ids byte-for-byte.
  pb::Cart cart;
  st = GetCart(s.name(), &cart);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(cart.session(), s.name());
  ASSERT_EQ(cart.lines_size(), 2);
  const std::vector<std::pair<std::string, std::string>> want = {{"B0SIMPEN12", "2"},
                                                                 {"B0SIMCOFFE", "1"}};
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(want[i].first);
    const typepb::LineItem& l = cart.lines(i);
    const sim::Product& p = Product(want[i].first);
    EXPECT_EQ(l.line_number(), i + 1);
    EXPECT_EQ(l.supplier_part_id(), p.sku);
    EXPECT_EQ(l.supplier_part_auxiliary_id(), Aux(p.sku));
    EXPECT_EQ(l.quantity(), want[i].second);
    EXPECT_EQ(l.description(), p.description.text);
    EXPECT_EQ(l.unit_price().amount(), p.unit_price);
    EXPECT_EQ(l.unit_price().currency(), "USD");
    EXPECT_EQ(l.unit_of_measure(), p.unit_of_measure);
    ASSERT_EQ(l.classifications_size(), 1);
    EXPECT_EQ(l.classifications(0).domain(), "UNSPSC");
    EXPECT_EQ(l.classifications(0).code(), p.unspsc);
    EXPECT_EQ(l.manufacturer_part_id(), p.manufacturer_part_id);
    EXPECT_EQ(l.manufacturer_name(), p.manufacturer_name);
  }
  EXPECT_EQ(cart.total().amount(), "41.98");
  EXPECT_EQ(cart.total().currency(), "USD");
  EXPECT_EQ(cart.operation_allowed(), "edit");

  // ... and equal to what the simulator says it sent.
  auto sent = stack().SimGet("/admin/sent?endpoint=checkout");
  ASSERT_TRUE(sent.ok()) << sent.status();
  ASSERT_FALSE((*sent)["documents"].empty());
  auto sent_doc = cxml::ReadDocumentOfType((*sent)["documents"].back()["body"].get<std::string>(),
                                           cxml::DocumentType::kPunchOutOrderMessage);
  ASSERT_TRUE(sent_doc.ok()) << sent_doc.status();
  const auto& sent_items = std::get<cxml::PunchOutOrderMessage>(sent_doc->body).items;
  ASSERT_EQ(sent_items.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(cart.lines(i).supplier_part_auxiliary_id(),
              sent_items[i].item_id.supplier_part_auxiliary_id->xml);
  }

  pb::Session now;
  ASSERT_TRUE(GetSession(s.name(), &now).ok());
  EXPECT_EQ(now.state(), pb::SESSION_STATE_CART_RECEIVED);

  // CheckoutCart: a requisition draft that needs approval (the default).
  pb::RequisitionDraft draft;
  st = Checkout(s.name(), &draft);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(draft.approval_required());
  EXPECT_EQ(draft.session(), s.name());
  EXPECT_EQ(draft.integration(), integration);
  EXPECT_EQ(draft.requester().email(), "ann.flow@acme.example");
  ASSERT_EQ(draft.lines_size(), 2);
  EXPECT_EQ(draft.lines(0).supplier_part_auxiliary_id(), Aux("B0SIMPEN12"));
  EXPECT_EQ(draft.lines(1).supplier_part_auxiliary_id(), Aux("B0SIMCOFFE"));
  EXPECT_EQ(draft.total().amount(), "41.98");
  pb::RequisitionDraft again;
  ASSERT_TRUE(Checkout(s.name(), &again).ok()) << "CheckoutCart is idempotent";
  EXPECT_EQ(again.SerializeAsString(), draft.SerializeAsString());
  ASSERT_TRUE(GetSession(s.name(), &now).ok());
  EXPECT_EQ(now.state(), pb::SESSION_STATE_CHECKED_OUT);

  // The same post again (a browser resubmitting): 200, nothing changes.
  auto replay = SubmitAutoPost(form);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->status, 200) << replay->body;
  EXPECT_THAT(replay->body, HasSubstr("already received"));

  // A different cart for the same session: 409, and the stored cart stays.
  auto page2 = ShopAndCheckout(s.start_page_url(), {{"B0SIMCABLE", 1}});
  ASSERT_TRUE(page2.ok()) << page2.status();
  auto form2 = ParseAutoPostForm(*page2);
  ASSERT_TRUE(form2.ok()) << form2.status();
  EXPECT_EQ(form2->action, form.action);
  auto conflict = SubmitAutoPost(*form2);
  ASSERT_TRUE(conflict.ok()) << conflict.status();
  EXPECT_EQ(conflict->status, 409) << conflict->body;
  EXPECT_THAT(conflict->body, HasSubstr("different cart"));
  pb::Cart after;
  ASSERT_TRUE(GetCart(s.name(), &after).ok());
  EXPECT_EQ(after.SerializeAsString(), cart.SerializeAsString());
}

TEST_F(PunchoutFlowTest, ApprovalSwitchedOffLetsTheOrderCreatorPurchase) {
  const std::string integration = NewIntegration("acme", "no-approval");
  ASSERT_FALSE(integration.empty());
  cpb::GetIntegrationRequest get;
  get.set_name(integration);
  cpb::Integration current;
  ASSERT_TRUE(
      stack().Credentials()->GetIntegration(stack().Ctx("admin").get(), get, &current).ok());
  EXPECT_TRUE(current.require_approval());
  cpb::UpdateIntegrationRequest update;
  update.mutable_integration()->set_name(integration);
  update.mutable_integration()->set_etag(current.etag());
  update.mutable_integration()->set_require_approval(false);
  update.mutable_update_mask()->add_paths("require_approval");
  cpb::Integration updated;
  grpc::Status st =
      stack().Credentials()->UpdateIntegration(stack().Ctx("admin").get(), update, &updated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_FALSE(updated.require_approval());

  const pb::Session s = Start(integration, "bob.buyer@acme.example");
  EXPECT_FALSE(s.approval_required());
  ShopAndReturn(s, {{"B0SIMCABLE", 3}});
  pb::RequisitionDraft draft;
  st = Checkout(s.name(), &draft);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_FALSE(draft.approval_required());
  ASSERT_EQ(draft.lines_size(), 1);
  EXPECT_EQ(draft.lines(0).supplier_part_auxiliary_id(), "");
  EXPECT_EQ(draft.total().amount(), "33.60");

  // The supplier tiles show the switch too.
  pb::ListSuppliersRequest list;
  list.set_parent("tenants/acme");
  pb::ListSuppliersResponse tiles;
  ASSERT_TRUE(stack().Punchout()->ListSuppliers(stack().Ctx("platform").get(), list, &tiles).ok());
  bool found = false;
  for (const auto& t : tiles.suppliers()) {
    if (t.integration() == integration) {
      found = true;
      EXPECT_FALSE(t.approval_required());
      EXPECT_EQ(t.supplier(), "amazon-business");
    }
  }
  EXPECT_TRUE(found);
}

// How the cart comes back: the simulator's two encodings, the field name in
// another letter case, and a raw XML body.
struct PostVariant {
  std::string name;
  std::string group_encoding;
  std::string field;  // "" = as the page has it
  bool raw = false;   // POST the XML itself
};

class CartEncodingTest : public PunchoutFlowTest,
                         public ::testing::WithParamInterface<PostVariant> {};

TEST_P(CartEncodingTest, CartIsReceived) {
  const PostVariant& v = GetParam();
  const std::string integration = NewIntegration("acme", "enc-" + v.name, v.group_encoding);
  ASSERT_FALSE(integration.empty());
  const pb::Session s = Start(integration, absl::StrCat("enc.", v.name, "@acme.example"));
  auto page = ShopAndCheckout(s.start_page_url(), {{"B0SIMPAPER", 4}});
  ASSERT_TRUE(page.ok()) << page.status();
  auto form = ParseAutoPostForm(*page);
  ASSERT_TRUE(form.ok()) << form.status();
  EXPECT_EQ(form->field, v.group_encoding == "base64" ? "cxml-base64" : "cxml-urlencoded");
  absl::StatusOr<HttpResult> r;
  if (v.raw) {
    ASSERT_EQ(form->field, "cxml-urlencoded");
    r = Http("POST", form->action, form->value, "text/xml; charset=UTF-8");
  } else {
    r = Http("POST", form->action, FormBody(v.field.empty() ? form->field : v.field, form->value),
             "application/x-www-form-urlencoded");
  }
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200) << r->body;
  pb::Cart cart;
  grpc::Status st = GetCart(s.name(), &cart);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(cart.lines_size(), 1);
  EXPECT_EQ(cart.lines(0).supplier_part_id(), "B0SIMPAPER");
  EXPECT_EQ(cart.lines(0).supplier_part_auxiliary_id(), Aux("B0SIMPAPER"));
  EXPECT_EQ(cart.lines(0).description(), Product("B0SIMPAPER").description.text);
  EXPECT_EQ(cart.lines(0).quantity(), "4");
  EXPECT_EQ(cart.total().amount(), "21.96");
}

INSTANTIATE_TEST_SUITE_P(
    Encodings, CartEncodingTest,
    ::testing::Values(PostVariant{"urlencoded", "urlencoded", "", false},
                      PostVariant{"base64", "base64", "", false},
                      PostVariant{"upper", "urlencoded", "CXML-URLENCODED", false},
                      PostVariant{"mixed64", "base64", "cXML-Base64", false},
                      PostVariant{"raw", "urlencoded", "", true}),
    [](const ::testing::TestParamInfo<PostVariant>& info) { return info.param.name; });

TEST_F(PunchoutFlowTest, EditSessionCarriesPriorLinesAndAnEmptyCartClearsThem) {
  const std::string integration = NewIntegration("acme", "edit");
  ASSERT_FALSE(integration.empty());
  pb::StartSessionRequest req;
  req.set_parent("tenants/acme");
  req.set_integration(integration);
  req.mutable_user()->set_id("u-eve");
  req.mutable_user()->set_email("eve.edit@acme.example");
  req.set_operation(pb::OPERATION_EDIT);
  for (const std::string sku : {"B0SIMPEN12", "B0SIMNOTE5"}) {
    const sim::Product& p = Product(sku);
    typepb::LineItem* l = req.add_lines();
    l->set_line_number(req.lines_size());
    l->set_quantity("3");
    l->set_supplier_part_id(sku);
    l->set_supplier_part_auxiliary_id(Aux(sku));
    l->set_description(p.description.text);
    l->mutable_unit_price()->set_amount(p.unit_price);
    l->mutable_unit_price()->set_currency(p.currency);
    l->set_unit_of_measure(p.unit_of_measure);
    auto* c = l->add_classifications();
    c->set_domain("UNSPSC");
    c->set_code(p.unspsc);
  }
  pb::Session s;
  grpc::Status st = stack().Punchout()->StartSession(stack().Ctx("platform").get(), req, &s);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(s.operation(), pb::OPERATION_EDIT);

  // The supplier got the prior lines, aux ids byte-for-byte.
  auto sim_session = stack().SimGet("/admin/sessions/" + TokenOf(s.start_page_url()));
  ASSERT_TRUE(sim_session.ok()) << sim_session.status();
  EXPECT_EQ((*sim_session)["operation"], "edit");
  const auto& items = (*sim_session)["request_items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["supplier_part_auxiliary_id"], Aux("B0SIMPEN12"));
  EXPECT_EQ(items[1]["supplier_part_auxiliary_id"], Aux("B0SIMNOTE5"));
  EXPECT_EQ(items[0]["quantity"], "3");
  EXPECT_EQ((*sim_session)["cart"].size(), 2u);

  // The user removes everything and returns: the cart comes back empty.
  auto page = EmptyCartAndCheckout(s.start_page_url());
  ASSERT_TRUE(page.ok()) << page.status();
  auto form = ParseAutoPostForm(*page);
  ASSERT_TRUE(form.ok()) << form.status();
  auto r = SubmitAutoPost(*form);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, HasSubstr("data-testid=\"cart-empty\""));
  pb::Cart cart;
  st = GetCart(s.name(), &cart);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(cart.lines_size(), 0);
  EXPECT_EQ(cart.total().currency(), "USD");
  EXPECT_EQ(cart.total().amount(), "0.00");
}

TEST_F(PunchoutFlowTest, InspectSessionShowsTheLinesReadOnly) {
  const std::string integration = NewIntegration("acme", "inspect");
  ASSERT_FALSE(integration.empty());
  pb::StartSessionRequest req;
  req.set_parent("tenants/acme");
  req.set_integration(integration);
  req.mutable_user()->set_id("u-ivy");
  req.mutable_user()->set_email("ivy.inspect@acme.example");
  req.set_operation(pb::OPERATION_INSPECT);
  const sim::Product& p = Product("B0SIMCOFFE");
  typepb::LineItem* l = req.add_lines();
  l->set_line_number(1);
  l->set_quantity("2");
  l->set_supplier_part_id(p.sku);
  l->set_supplier_part_auxiliary_id(Aux(p.sku));
  l->mutable_unit_price()->set_amount(p.unit_price);
  l->mutable_unit_price()->set_currency("USD");
  l->set_unit_of_measure(p.unit_of_measure);
  pb::Session s;
  grpc::Status st = stack().Punchout()->StartSession(stack().Ctx("platform").get(), req, &s);
  ASSERT_TRUE(st.ok()) << st.error_message();

  auto shop = Http("GET", s.start_page_url());
  ASSERT_TRUE(shop.ok()) << shop.status();
  EXPECT_THAT(shop->body, HasSubstr("data-testid=\"operation\">inspect<"));
  EXPECT_THAT(shop->body, ::testing::Not(HasSubstr("data-testid=\"add-")));
  auto add = Http("POST", s.start_page_url() + "/cart", "add=B0SIMPEN12&qty=1",
                  "application/x-www-form-urlencoded");
  ASSERT_TRUE(add.ok());
  EXPECT_EQ(add->status, 403);

  auto page = ShopAndCheckout(s.start_page_url(), {});
  ASSERT_TRUE(page.ok()) << page.status();
  auto form = ParseAutoPostForm(*page);
  ASSERT_TRUE(form.ok()) << form.status();
  auto r = SubmitAutoPost(*form);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200) << r->body;
  pb::Cart cart;
  ASSERT_TRUE(GetCart(s.name(), &cart).ok());
  ASSERT_EQ(cart.lines_size(), 1);
  EXPECT_EQ(cart.lines(0).supplier_part_auxiliary_id(), Aux("B0SIMCOFFE"));
  EXPECT_EQ(cart.operation_allowed(), "inspect");
  EXPECT_EQ(cart.total().amount(), "48.00");
}

TEST_F(PunchoutFlowTest, CartEndpointRefusesUnknownTokensWrongSessionsAndGarbage) {
  const std::string base = absl::StrCat("http://127.0.0.1:", stack().http_port(Service::kPunchout));
  auto unknown = Http("POST", base + "/punchout/cart/AAAAunknownTokenAAAA",
                      FormBody("cxml-urlencoded", "<cXML/>"), "application/x-www-form-urlencoded");
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_EQ(unknown->status, 404) << unknown->body;
  EXPECT_THAT(unknown->body, HasSubstr("does not exist"));
  auto get = Http("GET", base + "/punchout/cart/AAAAunknownTokenAAAA");
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->status, 405);

  // Session A's cart posted to session B's URL: the BuyerCookie gives it away.
  const std::string integration = NewIntegration("acme", "cross");
  ASSERT_FALSE(integration.empty());
  const pb::Session a = Start(integration, "a.cross@acme.example");
  const pb::Session b = Start(integration, "b.cross@acme.example");
  auto page_a = ShopAndCheckout(a.start_page_url(), {{"B0SIMPEN12", 1}});
  auto page_b = ShopAndCheckout(b.start_page_url(), {});
  ASSERT_TRUE(page_a.ok() && page_b.ok());
  auto form_a = ParseAutoPostForm(*page_a);
  auto form_b = ParseAutoPostForm(*page_b);
  ASSERT_TRUE(form_a.ok() && form_b.ok());
  ASSERT_NE(form_a->action, form_b->action);
  auto wrong = Http("POST", form_b->action, FormBody(form_a->field, form_a->value),
                    "application/x-www-form-urlencoded");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 400) << wrong->body;
  EXPECT_THAT(wrong->body, HasSubstr("BuyerCookie"));
  auto garbage = Http("POST", form_b->action, FormBody("cxml-urlencoded", "<cXML><oops"),
                      "application/x-www-form-urlencoded");
  ASSERT_TRUE(garbage.ok());
  EXPECT_EQ(garbage->status, 400) << garbage->body;
  auto no_field = Http("POST", form_b->action, "foo=bar", "application/x-www-form-urlencoded");
  ASSERT_TRUE(no_field.ok());
  EXPECT_EQ(no_field->status, 400) << no_field->body;

  // None of that spent session B: its own cart is still accepted.
  pb::Session still;
  ASSERT_TRUE(GetSession(b.name(), &still).ok());
  EXPECT_EQ(still.state(), pb::SESSION_STATE_STARTED);
  pb::Cart none;
  EXPECT_EQ(GetCart(b.name(), &none).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  auto right = SubmitAutoPost(*form_b);
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(right->status, 200) << right->body;
}

TEST_F(PunchoutFlowTest, ListSessionsFiltersByStateAndPaginates) {
  const std::string integration = NewIntegration("listco", "lister");
  ASSERT_FALSE(integration.empty());
  std::vector<pb::Session> started;
  for (int i = 0; i < 5; ++i) {
    started.push_back(Start(integration, absl::StrCat("list", i, "@listco.example"), "listco"));
  }
  ShopAndReturn(started[2], {{"B0SIMCABLE", 1}});

  auto list = [&](pb::SessionState state, int page_size, const std::string& token,
                  pb::ListSessionsResponse* out) {
    pb::ListSessionsRequest req;
    req.set_parent("tenants/listco");
    req.set_state(state);
    req.set_page_size(page_size);
    req.set_page_token(token);
    return stack().Punchout()->ListSessions(stack().Ctx("platform").get(), req, out);
  };
  pb::ListSessionsResponse received;
  ASSERT_TRUE(list(pb::SESSION_STATE_CART_RECEIVED, 0, "", &received).ok());
  ASSERT_EQ(received.sessions_size(), 1);
  EXPECT_EQ(received.sessions(0).name(), started[2].name());
  EXPECT_TRUE(received.next_page_token().empty());
  pb::ListSessionsResponse waiting;
  ASSERT_TRUE(list(pb::SESSION_STATE_STARTED, 0, "", &waiting).ok());
  EXPECT_EQ(waiting.sessions_size(), 4);
  pb::ListSessionsResponse failed;
  ASSERT_TRUE(list(pb::SESSION_STATE_FAILED, 0, "", &failed).ok());
  EXPECT_EQ(failed.sessions_size(), 0);

  // All five over pages of two: 2 + 2 + 1, newest first, no repeats.
  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  int64_t last_create = INT64_MAX;
  do {
    pb::ListSessionsResponse page;
    grpc::Status st = list(pb::SESSION_STATE_UNSPECIFIED, 2, token, &page);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ++pages;
    EXPECT_LE(page.sessions_size(), 2);
    for (const auto& s : page.sessions()) {
      names.push_back(s.name());
      const int64_t t = google::protobuf::util::TimeUtil::TimestampToMicroseconds(s.create_time());
      EXPECT_LE(t, last_create);
      last_create = t;
    }
    token = page.next_page_token();
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), 5u);
  std::set<std::string> want;
  for (const auto& s : started) want.insert(s.name());
  EXPECT_EQ(unique, want);

  pb::ListSessionsResponse bad;
  EXPECT_EQ(list(pb::SESSION_STATE_UNSPECIFIED, 2, "not-a-token", &bad).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(list(pb::SESSION_STATE_UNSPECIFIED, -1, "", &bad).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PunchoutFlowTest, GetSessionReturnsTheSessionAndNotFoundOtherwise) {
  const std::string integration = NewIntegration("acme", "getter");
  ASSERT_FALSE(integration.empty());
  const pb::Session s = Start(integration, "gina.get@acme.example");
  pb::Session got;
  grpc::Status st = GetSession(s.name(), &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(got.name(), s.name());
  EXPECT_EQ(got.user().email(), "gina.get@acme.example");
  EXPECT_EQ(got.start_page_url(), s.start_page_url());
  EXPECT_EQ(got.state(), pb::SESSION_STATE_STARTED);
  EXPECT_EQ(got.integration(), integration);
  // Read scope is enough to read.
  ASSERT_TRUE(GetSession(s.name(), &got, "acme-reader").ok());

  EXPECT_EQ(GetSession("tenants/acme/sessions/doesnotexist", &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetSession("sessions/x", &got).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  pb::Cart cart;
  EXPECT_EQ(GetCart(s.name(), &cart).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  pb::RequisitionDraft draft;
  EXPECT_EQ(Checkout(s.name(), &draft).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(PunchoutFlowTest, RepeatedRequestIdReturnsTheSameSessionWithoutASecondSetup) {
  const std::string integration = NewIntegration("acme", "idem");
  ASSERT_FALSE(integration.empty());
  auto before = stack().SimReceived("punchout");
  ASSERT_TRUE(before.ok());
  pb::StartSessionRequest req;
  req.set_parent("tenants/acme");
  req.set_integration(integration);
  req.mutable_user()->set_id("u-ida");
  req.mutable_user()->set_email("ida.idem@acme.example");
  req.set_request_id("req-idem-1");
  pb::Session first, second;
  ASSERT_TRUE(stack().Punchout()->StartSession(stack().Ctx("platform").get(), req, &first).ok());
  ASSERT_TRUE(stack().Punchout()->StartSession(stack().Ctx("platform").get(), req, &second).ok());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(first.start_page_url(), second.start_page_url());
  auto after = stack().SimReceived("punchout");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), before->size() + 1);
}

TEST_F(PunchoutFlowTest, BadInputIsRefusedBeforeTheSupplierIsCalled) {
  const std::string integration = NewIntegration("acme", "badinput");
  ASSERT_FALSE(integration.empty());
  auto before = stack().SimReceived("punchout");
  ASSERT_TRUE(before.ok());
  pb::Session s;
  grpc::Status st = StartCreate(stack(), "acme", integration, "not-an-email", &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("user.email"));
  // An integration of another tenant is not a name this caller may use.
  st = StartCreate(stack(), "acme", "tenants/globex/integrations/badinput", "x@acme.example", &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  st = StartCreate(stack(), "acme", "tenants/acme/integrations/missing", "x@acme.example", &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  auto after = stack().SimReceived("punchout");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), before->size());
}

TEST_F(PunchoutFlowTest, CallsNeedATokenWithTheScopeAndTheTenant) {
  const std::string integration = NewIntegration("acme", "authz");
  ASSERT_FALSE(integration.empty());
  const pb::Session s = Start(integration, "zed.auth@acme.example");
  auto stub = stack().Punchout();

  // No token, or a token nobody issued.
  for (const std::string header : {"", "Bearer not-a-token"}) {
    SCOPED_TRACE(header);
    auto ctx = [&] {
      auto c = stack().Ctx("");
      if (!header.empty()) c->AddMetadata("authorization", header);
      return c;
    };
    pb::Session out;
    pb::StartSessionRequest start;
    start.set_parent("tenants/acme");
    start.set_integration(integration);
    start.mutable_user()->set_id("u");
    start.mutable_user()->set_email("u@acme.example");
    EXPECT_EQ(stub->StartSession(ctx().get(), start, &out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    pb::GetSessionRequest get;
    get.set_name(s.name());
    EXPECT_EQ(stub->GetSession(ctx().get(), get, &out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    pb::ListSessionsRequest list;
    list.set_parent("tenants/acme");
    pb::ListSessionsResponse sessions;
    EXPECT_EQ(stub->ListSessions(ctx().get(), list, &sessions).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    pb::GetCartRequest cart_req;
    cart_req.set_session(s.name());
    pb::Cart cart;
    EXPECT_EQ(stub->GetCart(ctx().get(), cart_req, &cart).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }

  // Another tenant's principal.
  pb::Session out;
  EXPECT_EQ(GetSession(s.name(), &out, "globex-platform").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::Cart cart;
  EXPECT_EQ(GetCart(s.name(), &cart, "globex-platform").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(StartCreate(stack(), "acme", integration, "g@globex.example", &out, "globex-platform")
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::ListSessionsRequest list;
  list.set_parent("tenants/acme");
  pb::ListSessionsResponse sessions;
  EXPECT_EQ(stub->ListSessions(stack().Ctx("globex-platform").get(), list, &sessions).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // ... and under its own tenant the acme session id names nothing.
  const std::string id = s.name().substr(s.name().rfind('/') + 1);
  EXPECT_EQ(GetSession("tenants/globex/sessions/" + id, &out, "globex-platform").error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Read scope cannot start or check out.
  EXPECT_EQ(
      StartCreate(stack(), "acme", integration, "r@acme.example", &out, "acme-reader").error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  pb::CheckoutCartRequest checkout;
  checkout.set_session(s.name());
  pb::RequisitionDraft draft;
  EXPECT_EQ(stub->CheckoutCart(stack().Ctx("acme-reader").get(), checkout, &draft).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace iob::punchout::testing

// services/punchout/session.{h,cc}: StartSession validation and the
// PunchOutSetupRequest built for the supplier, checked as a model, as
// written XML, and against the cXML DTD with xmllint.
#include "services/punchout/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"
#include "tests/support/cxml_dtd.h"

namespace iob::punchout {
namespace {

using ::iob::testing::DtdDir;
using ::iob::testing::DtdDirTried;
using ::iob::testing::HaveXmllint;
using ::iob::testing::XmllintValidate;
using ::testing::HasSubstr;

// ---- helpers ----------------------------------------------------------------

User Ann() { return {"u-1", "ann@example.com", "Ann O'Neil & Co"}; }

ShipTo Dock() {
  ShipTo s;
  s.name = "Receiving dock 4";
  s.street = {"1 Main St", "Building <B>"};
  s.city = "Springfield";
  s.state = "IL";
  s.postal_code = "62701";
  s.country_code = "US";
  s.country = "United States";
  return s;
}

CartLine Line(int n, const std::string& sku, const std::string& aux) {
  CartLine l;
  l.line_number = n;
  l.quantity = "2";
  l.supplier_part_id = sku;
  l.supplier_part_auxiliary_id = aux;
  l.description = "Pens & pencils";
  l.unit_price = {"8.99", "USD"};
  l.unit_of_measure = "EA";
  l.classifications = {{"UNSPSC", "44121701"}};
  return l;
}

Session MakeSession(Operation op) {
  Session s;
  s.tenant = "acme";
  s.id = "abc123";
  s.user = Ann();
  s.operation = op;
  s.buyer_cookie = "cookie-0123456789abcdef";
  return s;
}

SupplierEndpoint Endpoint() {
  SupplierEndpoint e;
  e.integration = "tenants/acme/integrations/amazon";
  e.supplier = "amazon-business";
  e.punchout_url = "https://abintegrations.amazon.com/punchout";
  e.from = {"NetworkId", "ACME-BUYER", ""};
  e.to = {"NetworkId", "Amazon", ""};
  e.sender = {"NetworkId", "ACME-BUYER", "s3cret-value"};
  e.production = false;
  return e;
}

constexpr char kPostUrl[] = "http://127.0.0.1:8102/punchout/cart/tok_EN-123";

cxml::Document Build(const Session& s, const SupplierEndpoint& e,
                     const std::optional<ShipTo>& ship_to = std::nullopt,
                     const std::vector<CartLine>& lines = {}) {
  return BuildSetupRequest(s, e, kPostUrl, ship_to, lines, "1700000000.1.1@iob.test",
                           absl::FromUnixSeconds(1700000000));
}

const cxml::PunchOutSetupRequest& Body(const cxml::Document& d) {
  return std::get<cxml::PunchOutSetupRequest>(d.body);
}

const cxml::Extrinsic* FindExtrinsic(const cxml::PunchOutSetupRequest& r, const std::string& n) {
  for (const auto& e : r.extrinsics) {
    if (e.name == n) return &e;
  }
  return nullptr;
}

// ---- ValidateStart ------------------------------------------------------------

void ExpectInvalid(const absl::Status& st, const std::string& field) {
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_TRUE(absl::StartsWith(st.message(), field + ":")) << st;
}

TEST(ValidateStartTest, AcceptsAPlainCreate) {
  EXPECT_TRUE(ValidateStart(Ann(), Operation::kCreate, std::nullopt, {}).ok());
  EXPECT_TRUE(ValidateStart(Ann(), Operation::kCreate, Dock(), {}).ok());
  User no_name = Ann();
  no_name.name = "";
  EXPECT_TRUE(ValidateStart(no_name, Operation::kCreate, std::nullopt, {}).ok());
}

TEST(ValidateStartTest, UserIdIsRequiredAndBounded) {
  User u = Ann();
  u.id = "";
  ExpectInvalid(ValidateStart(u, Operation::kCreate, std::nullopt, {}), "user.id");
  u.id = std::string(257, 'x');
  ExpectInvalid(ValidateStart(u, Operation::kCreate, std::nullopt, {}), "user.id");
  u.id = "a\nb";
  ExpectInvalid(ValidateStart(u, Operation::kCreate, std::nullopt, {}), "user.id");
}

TEST(ValidateStartTest, EmailMustBeOneAddress) {
  for (const std::string bad : {"", "ann", "@example.com", "ann@", "a@b@c", "ann @example.com",
                                "ann@exa\tmple.com", "ann@example.com\x7f"}) {
    User u = Ann();
    u.email = bad;
    ExpectInvalid(ValidateStart(u, Operation::kCreate, std::nullopt, {}), "user.email");
  }
  User u = Ann();
  u.email = std::string(250, 'a') + "@b.co";  // 255 bytes
  ExpectInvalid(ValidateStart(u, Operation::kCreate, std::nullopt, {}), "user.email");
}

TEST(ValidateStartTest, NameIsOptionalButBounded) {
  User u = Ann();
  u.name = std::string(257, 'n');
  ExpectInvalid(ValidateStart(u, Operation::kCreate, std::nullopt, {}), "user.name");
  u.name = "Ann\r";
  ExpectInvalid(ValidateStart(u, Operation::kCreate, std::nullopt, {}), "user.name");
}

TEST(ValidateStartTest, ShipToFields) {
  ShipTo s = Dock();
  s.street.clear();
  ExpectInvalid(ValidateStart(Ann(), Operation::kCreate, s, {}), "ship_to.street");
  s = Dock();
  s.street.push_back("");
  ExpectInvalid(ValidateStart(Ann(), Operation::kCreate, s, {}), "ship_to.street");
  s = Dock();
  s.city = "";
  ExpectInvalid(ValidateStart(Ann(), Operation::kCreate, s, {}), "ship_to.city");
  for (const std::string cc : {"", "us", "USA", "U1"}) {
    s = Dock();
    s.country_code = cc;
    ExpectInvalid(ValidateStart(Ann(), Operation::kCreate, s, {}), "ship_to.country_code");
  }
  s = Dock();
  s.postal_code = std::string(33, '1');
  ExpectInvalid(ValidateStart(Ann(), Operation::kCreate, s, {}), "ship_to.postal_code");
}

TEST(ValidateStartTest, OnlyEditAndInspectCarryLines) {
  const std::vector<CartLine> lines = {Line(1, "SKU-1", "")};
  ExpectInvalid(ValidateStart(Ann(), Operation::kCreate, std::nullopt, lines), "lines");
  EXPECT_TRUE(ValidateStart(Ann(), Operation::kEdit, std::nullopt, lines).ok());
  EXPECT_TRUE(ValidateStart(Ann(), Operation::kInspect, std::nullopt, lines).ok());
  EXPECT_TRUE(ValidateStart(Ann(), Operation::kEdit, std::nullopt, {}).ok());
}

TEST(ValidateStartTest, LineFieldsNameTheirIndex) {
  std::vector<CartLine> lines = {Line(1, "SKU-1", ""), Line(2, "SKU-2", "")};
  lines[1].quantity = "1e3";
  ExpectInvalid(ValidateStart(Ann(), Operation::kEdit, std::nullopt, lines), "lines[1].quantity");
  lines[1] = Line(2, "SKU-2", "");
  lines[1].supplier_part_id = "";
  ExpectInvalid(ValidateStart(Ann(), Operation::kEdit, std::nullopt, lines),
                "lines[1].supplier_part_id");
  lines[1] = Line(2, "SKU-2", "");
  lines[1].unit_price.amount = "ten";
  ExpectInvalid(ValidateStart(Ann(), Operation::kEdit, std::nullopt, lines),
                "lines[1].unit_price.amount");
  lines[1] = Line(2, "SKU-2", "");
  lines[1].unit_price.currency = "usd";
  ExpectInvalid(ValidateStart(Ann(), Operation::kEdit, std::nullopt, lines),
                "lines[1].unit_price.currency");
  lines[0].unit_of_measure = "";
  ExpectInvalid(ValidateStart(Ann(), Operation::kEdit, std::nullopt, lines),
                "lines[0].unit_of_measure");
}

TEST(ValidateStartTest, AtMostAThousandLines) {
  std::vector<CartLine> lines(1000, Line(1, "SKU-1", ""));
  EXPECT_TRUE(ValidateStart(Ann(), Operation::kEdit, std::nullopt, lines).ok());
  lines.push_back(Line(1, "SKU-1", ""));
  ExpectInvalid(ValidateStart(Ann(), Operation::kEdit, std::nullopt, lines), "lines");
}

TEST(ValidateStartTest, Finding13_DescriptionAuxIdAndClassificationsAreChecked) {
  std::vector<CartLine> lines = {Line(1, "SKU-1", "<![CDATA[id<1>]]>"), Line(2, "SKU-2", "")};
  lines[1].description = "Two lines\nof text\tare fine";
  EXPECT_TRUE(ValidateStart(Ann(), Operation::kEdit, std::nullopt, lines).ok());
  auto expect_invalid = [&](const std::function<void(CartLine&)>& spoil, const std::string& field) {
    SCOPED_TRACE(field);
    std::vector<CartLine> bad = lines;
    spoil(bad[1]);
    ExpectInvalid(ValidateStart(Ann(), Operation::kEdit, std::nullopt, bad), field);
  };
  expect_invalid([](CartLine& l) { l.description = std::string(2001, 'd'); },
                 "lines[1].description");
  expect_invalid([](CartLine& l) { l.description = "bell\a"; }, "lines[1].description");
  expect_invalid([](CartLine& l) { l.supplier_part_auxiliary_id = std::string(4097, 'a'); },
                 "lines[1].supplier_part_auxiliary_id");
  expect_invalid(
      [](CartLine& l) { l.supplier_part_auxiliary_id = "</SupplierPartAuxiliaryID><Evil>"; },
      "lines[1].supplier_part_auxiliary_id");
  expect_invalid([](CartLine& l) { l.supplier_part_auxiliary_id = "<?xml version=\"1.0\"?>"; },
                 "lines[1].supplier_part_auxiliary_id");
  expect_invalid(
      [](CartLine& l) {
        l.classifications = {{"", "1"}};
      },
      "lines[1].classifications[0].domain");
  expect_invalid(
      [](CartLine& l) {
        l.classifications = {{"UNSPSC", std::string(65, '1')}};
      },
      "lines[1].classifications[0].code");
  expect_invalid(
      [](CartLine& l) {
        l.classifications.assign(33, {"UNSPSC", "1"});
      },
      "lines[1].classifications");
  expect_invalid([](CartLine& l) { l.manufacturer_name = "Maker\r\n"; },
                 "lines[1].manufacturer_name");
  expect_invalid([](CartLine& l) { l.manufacturer_part_id = std::string(257, 'm'); },
                 "lines[1].manufacturer_part_id");
  expect_invalid([](CartLine& l) { l.quantity = "-2"; }, "lines[1].quantity");
  expect_invalid([](CartLine& l) { l.unit_price.amount = "-8.99"; }, "lines[1].unit_price.amount");
  expect_invalid([](CartLine& l) { l.unit_price.currency = "EUR"; },
                 "lines[1].unit_price.currency");
  expect_invalid([](CartLine& l) { l.line_number = -1; }, "lines[1].line_number");
}

TEST(CheckStartPageUrlTest, Finding13_StartPageHostMustBeAllowedAndHttps) {
  const std::vector<std::string> allowed = {"*.amazon.com"};
  EXPECT_TRUE(CheckStartPageUrl("https://www.amazon.com/punchout?s=1", allowed, {}).ok());
  EXPECT_TRUE(CheckStartPageUrl("https://anything.example/", {}, {}).ok()) << "no allow-list";
  auto refused = [&](const std::string& url, const std::vector<std::string>& plain,
                     const std::string& why) {
    SCOPED_TRACE(url);
    const absl::Status st = CheckStartPageUrl(url, allowed, plain);
    EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
    EXPECT_TRUE(absl::StartsWith(st.message(), "supplier StartPage URL refused: ")) << st;
    EXPECT_THAT(std::string(st.message()), HasSubstr(why));
    EXPECT_THAT(std::string(st.message()), Not(HasSubstr("/login"))) << "no path quoted";
  };
  refused("https://amazon.com.evil.io/login", {}, "host 'amazon.com.evil.io' is not in");
  refused("https://evilamazon.com/login", {}, "host 'evilamazon.com'");
  refused("http://www.amazon.com/login", {}, "https required");
  refused("http://www.amazon.com:8080/login", {"www.amazon.com:80"}, "https required");
  refused("javascript://www.amazon.com/login", {}, "scheme 'javascript'");
  refused("https://user:pw@www.amazon.com/login", {}, "user information");
  refused("https://www.amazon.com/login" + std::string(5000, 'x'), {}, "longer than 4096");
  // http only for the egress policy's plain-http hosts.
  EXPECT_TRUE(CheckStartPageUrl("http://www.amazon.com/shop", allowed, {"www.amazon.com"}).ok());
  EXPECT_TRUE(
      CheckStartPageUrl("http://www.amazon.com:8200/shop", allowed, {"www.amazon.com:8200"}).ok());
  EXPECT_TRUE(CheckStartPageUrl("http://127.0.0.1:8200/shop/t", {"127.0.0.1"}, {"127.0.0.1"}).ok());
}

// ---- BuildSetupRequest --------------------------------------------------------

TEST(BuildSetupRequestTest, UserEmailEverywhereAmazonReadsIt) {
  const cxml::Document d = Build(MakeSession(Operation::kCreate), Endpoint(), Dock());
  const auto& r = Body(d);
  ASSERT_NE(FindExtrinsic(r, "UserEmail"), nullptr);
  EXPECT_EQ(FindExtrinsic(r, "UserEmail")->value.Text(), "ann@example.com");
  ASSERT_NE(FindExtrinsic(r, "UniqueName"), nullptr);
  EXPECT_EQ(FindExtrinsic(r, "UniqueName")->value.Text(), "ann@example.com");
  ASSERT_NE(FindExtrinsic(r, "UserFullName"), nullptr);
  EXPECT_EQ(FindExtrinsic(r, "UserFullName")->value.Text(), "Ann O'Neil & Co");
  ASSERT_EQ(r.contacts.size(), 1u);
  EXPECT_EQ(r.contacts[0].role, "endUser");
  EXPECT_EQ(r.contacts[0].name, "Ann O'Neil & Co");
  EXPECT_EQ(r.contacts[0].emails, std::vector<std::string>{"ann@example.com"});
  ASSERT_TRUE(r.ship_to.has_value());
  EXPECT_EQ(r.ship_to->email, "ann@example.com");
  EXPECT_EQ(r.ship_to->name, "Receiving dock 4");
  ASSERT_TRUE(r.ship_to->postal_address.has_value());
  EXPECT_EQ(r.ship_to->postal_address->street, Dock().street);
  EXPECT_EQ(r.ship_to->postal_address->iso_country_code, "US");
  EXPECT_EQ(r.operation, cxml::PunchOutOperation::kCreate);
  EXPECT_EQ(r.buyer_cookie, "cookie-0123456789abcdef");
  EXPECT_EQ(r.browser_form_post_url, kPostUrl);
  EXPECT_TRUE(r.items.empty());
}

TEST(BuildSetupRequestTest, HeaderCarriesTheIntegrationsCredentials) {
  const cxml::Document d = Build(MakeSession(Operation::kCreate), Endpoint());
  ASSERT_EQ(d.header.from.size(), 1u);
  EXPECT_EQ(d.header.from[0].identity, "ACME-BUYER");
  ASSERT_EQ(d.header.to.size(), 1u);
  EXPECT_EQ(d.header.to[0].identity, "Amazon");
  ASSERT_EQ(d.header.sender.size(), 1u);
  EXPECT_EQ(d.header.sender[0].shared_secret, "s3cret-value");
  EXPECT_EQ(d.payload_id, "1700000000.1.1@iob.test");
  EXPECT_FALSE(Body(d).ship_to.has_value()) << "no ShipTo unless the caller gave one";
}

TEST(BuildSetupRequestTest, UserBusinessUnitOnlyWhenConfigured) {
  SupplierEndpoint e = Endpoint();
  EXPECT_EQ(FindExtrinsic(Body(Build(MakeSession(Operation::kCreate), e)), "UserBusinessUnit"),
            nullptr);
  e.user_business_unit = "Finance <EU>";
  const cxml::Document d = Build(MakeSession(Operation::kCreate), e);
  const cxml::Extrinsic* unit = FindExtrinsic(Body(d), "UserBusinessUnit");
  ASSERT_NE(unit, nullptr);
  EXPECT_EQ(unit->value.Text(), "Finance <EU>");
  auto xml = cxml::WriteDocument(d);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_THAT(*xml,
              HasSubstr("<Extrinsic name=\"UserBusinessUnit\">Finance &lt;EU&gt;</Extrinsic>"));
}

TEST(BuildSetupRequestTest, NoUserFullNameWithoutAName) {
  Session s = MakeSession(Operation::kCreate);
  s.user.name = "";
  const cxml::Document d = Build(s, Endpoint());
  EXPECT_EQ(FindExtrinsic(Body(d), "UserFullName"), nullptr);
  ASSERT_EQ(Body(d).contacts.size(), 1u);
  EXPECT_EQ(Body(d).contacts[0].name, "ann@example.com");
}

TEST(BuildSetupRequestTest, DeploymentModeFollowsTheIntegrationsMode) {
  SupplierEndpoint e = Endpoint();
  e.production = false;
  cxml::Document d = Build(MakeSession(Operation::kCreate), e);
  EXPECT_EQ(d.deployment_mode, cxml::DeploymentMode::kTest);
  auto xml = cxml::WriteDocument(d);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_THAT(*xml, HasSubstr("deploymentMode=\"test\""));

  e.production = true;
  d = Build(MakeSession(Operation::kCreate), e);
  EXPECT_EQ(d.deployment_mode, cxml::DeploymentMode::kProduction);
  xml = cxml::WriteDocument(d);
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_THAT(*xml, ::testing::Not(HasSubstr("deploymentMode=\"test\"")));
}

TEST(BuildSetupRequestTest, EditCarriesItemOutLinesWithAuxIdsVerbatim) {
  const std::vector<std::string> aux = {
      "&lt;aux a=\"1\"&gt;x,y&amp;z&lt;/aux&gt;",
      "<![CDATA[id<1>,\"pods\"&raw]]>",
      "caf&#233;,&#x2C;2,\xE6\x97\xA5",
      "",
  };
  std::vector<CartLine> lines;
  for (size_t i = 0; i < aux.size(); ++i) {
    lines.push_back(Line(static_cast<int>(i) + 1, "SKU-" + std::to_string(i), aux[i]));
  }
  lines[3].description = "";
  lines[3].classifications.clear();
  const cxml::Document d = Build(MakeSession(Operation::kEdit), Endpoint(), std::nullopt, lines);
  const auto& r = Body(d);
  EXPECT_EQ(r.operation, cxml::PunchOutOperation::kEdit);
  ASSERT_EQ(r.items.size(), aux.size());
  for (size_t i = 0; i < aux.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(r.items[i].line_number, std::to_string(i + 1));
    EXPECT_EQ(r.items[i].quantity, "2");
    EXPECT_EQ(r.items[i].item_id.supplier_part_id, lines[i].supplier_part_id);
    if (aux[i].empty()) {
      EXPECT_FALSE(r.items[i].item_id.supplier_part_auxiliary_id.has_value());
    } else {
      ASSERT_TRUE(r.items[i].item_id.supplier_part_auxiliary_id.has_value());
      EXPECT_EQ(r.items[i].item_id.supplier_part_auxiliary_id->xml, aux[i]);
    }
    ASSERT_TRUE(r.items[i].item_detail.has_value());
    EXPECT_EQ(r.items[i].item_detail->unit_price.amount, "8.99");
    EXPECT_FALSE(r.items[i].item_detail->descriptions.empty());
    EXPECT_FALSE(r.items[i].item_detail->classifications.empty());
  }
  // In the XML the aux ids appear byte-for-byte, and read back unchanged.
  auto xml = cxml::WriteDocument(d);
  ASSERT_TRUE(xml.ok()) << xml.status();
  for (size_t i = 0; i + 1 < aux.size(); ++i) {
    EXPECT_THAT(*xml,
                HasSubstr("<SupplierPartAuxiliaryID>" + aux[i] + "</SupplierPartAuxiliaryID>"));
  }
  auto back = cxml::ReadDocumentOfType(*xml, cxml::DocumentType::kPunchOutSetupRequest);
  ASSERT_TRUE(back.ok()) << back.status();
  const auto& items = std::get<cxml::PunchOutSetupRequest>(back->body).items;
  ASSERT_EQ(items.size(), aux.size());
  for (size_t i = 0; i + 1 < aux.size(); ++i) {
    ASSERT_TRUE(items[i].item_id.supplier_part_auxiliary_id.has_value());
    EXPECT_EQ(items[i].item_id.supplier_part_auxiliary_id->xml, aux[i]);
  }
}

TEST(BuildSetupRequestTest, WritesForAUserWithoutAName) {
  // Neither the user nor the ShipTo has a name: the Address still needs one.
  Session s = MakeSession(Operation::kCreate);
  s.user.name = "";
  ShipTo ship = Dock();
  ship.name = "";
  ASSERT_TRUE(ValidateStart(s.user, s.operation, ship, {}).ok());
  const cxml::Document d = Build(s, Endpoint(), ship);
  ASSERT_TRUE(Body(d).ship_to.has_value());
  EXPECT_EQ(Body(d).ship_to->name, "ann@example.com");
  auto xml = cxml::WriteDocument(d);
  EXPECT_TRUE(xml.ok()) << xml.status();
}

// ---- DTD validation -------------------------------------------------------------

class SetupRequestDtdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dtd_dir_ = DtdDir();
    if (dtd_dir_.empty()) {
      GTEST_SKIP() << "cXML DTDs not found at " << DtdDirTried()
                   << " (set IOB_CXML_DTD_DIR to the directory holding cXML.dtd 1.2.071)";
    }
    if (!HaveXmllint()) GTEST_SKIP() << "xmllint not installed (apt-get install libxml2-utils)";
  }

  void ExpectValid(const cxml::Document& d) {
    auto xml = cxml::WriteDocument(d);
    ASSERT_TRUE(xml.ok()) << xml.status();
    const auto lint = XmllintValidate(*xml, dtd_dir_ + "/cXML.dtd");
    EXPECT_EQ(lint.exit_code, 0) << lint.output << "\n" << *xml;
  }

  std::string dtd_dir_;
};

TEST_F(SetupRequestDtdTest, CreateWithShipToAndBusinessUnit) {
  SupplierEndpoint e = Endpoint();
  e.user_business_unit = "Finance";
  ExpectValid(Build(MakeSession(Operation::kCreate), e, Dock()));
}

TEST_F(SetupRequestDtdTest, CreateMinimalProduction) {
  SupplierEndpoint e = Endpoint();
  e.production = true;
  Session s = MakeSession(Operation::kCreate);
  s.user.name = "";
  ExpectValid(Build(s, e));
}

TEST_F(SetupRequestDtdTest, ShipToOfAUserWithoutAName) {
  Session s = MakeSession(Operation::kCreate);
  s.user.name = "";
  ShipTo ship = Dock();
  ship.name = "";
  ExpectValid(Build(s, Endpoint(), ship));
}

TEST_F(SetupRequestDtdTest, EditAndInspectWithLines) {
  std::vector<CartLine> lines = {Line(1, "B0SIMPEN12", "&lt;aux a=\"1\"&gt;x&lt;/aux&gt;"),
                                 Line(2, "B0SIMCOFFE", "<![CDATA[id<1>&raw]]>"),
                                 Line(3, "B0SIMCABLE", "")};
  lines[2].classifications.clear();
  lines[2].manufacturer_part_id = "USBC-2M";
  lines[2].manufacturer_name = "Cablers Inc.";
  ExpectValid(Build(MakeSession(Operation::kEdit), Endpoint(), Dock(), lines));
  ExpectValid(Build(MakeSession(Operation::kInspect), Endpoint(), std::nullopt, lines));
}

// ---- names --------------------------------------------------------------------

TEST(SessionTest, TextsRoundTrip) {
  for (Operation op : {Operation::kCreate, Operation::kEdit, Operation::kInspect}) {
    auto parsed = ParseOperation(OperationText(op));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, op);
  }
  for (int i = 0; i < 6; ++i) {
    const auto state = static_cast<SessionState>(i);
    auto parsed = ParseState(StateText(state));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, state);
  }
  EXPECT_EQ(ParseOperation("CREATE").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseState("done").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StateText(SessionState::kCartReceived), "cart_received");
}

TEST(SessionTest, ExpiredOnlyWhileWaitingForACart) {
  Session s = MakeSession(Operation::kCreate);
  const absl::Time t = absl::FromUnixSeconds(1700000000);
  s.expire_time = t;
  s.state = SessionState::kStarted;
  EXPECT_FALSE(s.ExpiredAt(t));
  EXPECT_TRUE(s.ExpiredAt(t + absl::Seconds(1)));
  s.state = SessionState::kCreated;
  EXPECT_TRUE(s.ExpiredAt(t + absl::Seconds(1)));
  s.state = SessionState::kCartReceived;
  EXPECT_FALSE(s.ExpiredAt(t + absl::Hours(1)));
  EXPECT_EQ(s.Name(), "tenants/acme/sessions/abc123");
}

}  // namespace
}  // namespace iob::punchout

// The simulator's pure rules: cart edits, fault draws, flag parsing. No I/O.
// (Its decimal arithmetic is libs/cxml's, tested in tests/unit/cxml.)
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/supplier-sim/cart.h"
#include "tools/supplier-sim/catalog.h"
#include "tools/supplier-sim/faults.h"
#include "tools/supplier-sim/supplier_sim.h"

namespace iob::sim {
namespace {

TEST(SimCart, AddMergesSetQuantityRemovesAndTotals) {
  const Catalog catalog = Catalog::Default();
  std::vector<ShopLine> cart;
  ASSERT_TRUE(AddToCart(cart, *catalog.Find("B0SIMPEN12"), "2").ok());
  ASSERT_TRUE(AddToCart(cart, *catalog.Find("B0SIMPEN12"), "1").ok());
  ASSERT_TRUE(AddToCart(cart, *catalog.Find("B0SIMCABLE"), "1").ok());
  ASSERT_EQ(cart.size(), 2u);
  EXPECT_EQ(cart[0].quantity, "3");
  EXPECT_EQ(cart[0].key, "B0SIMPEN12");
  EXPECT_EQ(CartTotal(cart, "USD")->amount, "38.17");  // 26.97 + 11.20

  EXPECT_TRUE(SetQuantity(cart, "B0SIMCABLE", "007").ok());
  EXPECT_EQ(cart[1].quantity, "7");
  EXPECT_FALSE(SetQuantity(cart, "B0SIMCABLE", "-1").ok());
  EXPECT_EQ(SetQuantity(cart, "nope", "1").code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(SetQuantity(cart, "B0SIMCABLE", "0").ok());
  ASSERT_EQ(cart.size(), 1u);
  EXPECT_TRUE(RemoveLine(cart, "B0SIMPEN12").ok());
  EXPECT_TRUE(cart.empty());
  EXPECT_EQ(CartTotal(cart, "EUR")->amount, "0.00");
  EXPECT_EQ(CartTotal(cart, "EUR")->currency, "EUR");

  // Same SKU with a different auxiliary id (from an edit request) is another
  // line with its own key.
  cxml::ItemOut prior;
  prior.quantity = "1";
  prior.item_id = {"B0SIMPEN12", cxml::RawXml{"older"}, ""};
  std::vector<std::string> notes;
  cart = CartFromItems({prior}, catalog, &notes);
  ASSERT_TRUE(AddToCart(cart, *catalog.Find("B0SIMPEN12"), "1").ok());
  ASSERT_EQ(cart.size(), 2u);
  EXPECT_EQ(cart[0].key, "B0SIMPEN12");
  EXPECT_EQ(cart[1].key, "line-2");

  // Mixed currencies cannot be totalled.
  cart[1].item_detail.unit_price.currency = "EUR";
  EXPECT_EQ(CartTotal(cart, "USD").status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SimFaultInjector, ProbabilityOneAlwaysZeroNeverAndOrder) {
  FaultInjector f({"punchout", "shop"}, 7);
  EXPECT_EQ(f.Decide("punchout").kind, FaultKind::kNone);
  ASSERT_TRUE(f.SetFromJson(R"({"punchout": {"http_500": 1.0, "reset": 1.0}})").ok());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(f.Decide("punchout").kind, FaultKind::kReset);
  EXPECT_EQ(f.Decide("shop").kind, FaultKind::kNone);

  ASSERT_TRUE(f.SetFromJson(R"({"shop": {"http_503": 0.0, "latency_ms": 10}})").ok());
  EXPECT_EQ(f.Decide("punchout").kind, FaultKind::kNone);  // replaced, not merged
  FaultDecision d = f.Decide("shop");
  EXPECT_EQ(d.kind, FaultKind::kNone);
  EXPECT_EQ(d.latency, absl::Milliseconds(10));

  // A fractional probability fires sometimes, reproducibly for a seed.
  auto count = [](uint64_t seed) {
    FaultInjector g({"punchout"}, seed);
    EXPECT_TRUE(g.SetFromJson(R"({"punchout": {"http_500": 0.5}})").ok());
    int n = 0;
    for (int i = 0; i < 400; ++i) n += g.Decide("punchout").kind == FaultKind::kHttp500;
    return n;
  };
  int n = count(42);
  EXPECT_GT(n, 100);
  EXPECT_LT(n, 300);
  EXPECT_EQ(count(42), n);
}

TEST(SimFlags, ListenAndSeedGroups) {
  EXPECT_EQ(*ParseListenAddress("127.0.0.1:8200"), std::make_pair(std::string("127.0.0.1"), 8200));
  EXPECT_EQ(*ParseListenAddress("[::1]:0"), std::make_pair(std::string("::1"), 0));
  EXPECT_EQ(*ParseListenAddress(":9"), std::make_pair(std::string("127.0.0.1"), 9));
  EXPECT_FALSE(ParseListenAddress("localhost").ok());
  EXPECT_FALSE(ParseListenAddress("h:99999").ok());

  auto g = ParseSeedGroups("a:s1,b:s:2", CartEncoding::kBase64);
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->size(), 2u);
  EXPECT_EQ((*g)[1].from_identity, "b");
  EXPECT_EQ((*g)[1].shared_secret, "s:2");
  EXPECT_EQ((*g)[1].cart_encoding, CartEncoding::kBase64);
  EXPECT_TRUE(ParseSeedGroups("", CartEncoding::kBase64)->empty());
  EXPECT_FALSE(ParseSeedGroups("nosecret", CartEncoding::kBase64).ok());
  EXPECT_FALSE(ParseSeedGroups(":x", CartEncoding::kBase64).ok());
}

}  // namespace
}  // namespace iob::sim

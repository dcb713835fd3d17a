// services/punchout/cart_page.{h,cc}: the HTML page shown after a cart
// post escapes everything the supplier (or anyone) sent.
#include "services/punchout/cart_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"

namespace iob::punchout {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

CartPageView Received(const std::string& description) {
  CartPageView r;
  r.http_status = 200;
  r.message = "Cart <b>received</b>";
  Cart cart;
  CartLine l;
  l.line_number = 1;
  l.quantity = "2";
  l.supplier_part_id = "\"><img src=x onerror=alert(1)>";
  l.supplier_part_auxiliary_id = "<![CDATA[x]]>";
  l.description = description;
  l.unit_price = {"8.99", "US<D"};
  l.unit_of_measure = "E'A";
  cart.lines.push_back(l);
  cart.total = {"17.98&", "USD"};
  r.cart = cart;
  return r;
}

TEST(RenderCartPageTest, ScriptInADescriptionIsEscaped) {
  const std::string html = RenderCartPage(Received("Pens <script>alert('x')</script>"),
                                          "https://p2p.example/return?s=\"x\"&t=<y>");
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("Pens &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<b>received")));
  EXPECT_THAT(html, HasSubstr("Cart &lt;b&gt;received&lt;/b&gt;"));
  EXPECT_THAT(html, HasSubstr("US&lt;D"));
  EXPECT_THAT(html, HasSubstr("E&#39;A"));
  EXPECT_THAT(html, HasSubstr("17.98&amp;"));
  EXPECT_THAT(html,
              HasSubstr("href=\"https://p2p.example/return?s=&quot;x&quot;&amp;t=&lt;y&gt;\""));
  EXPECT_THAT(html, HasSubstr("data-testid=\"cart-title\""));
  EXPECT_THAT(html, HasSubstr("data-testid=\"cart-lines\""));
}

TEST(RenderCartPageTest, ErrorPagesEscapeTheMessageAndShowNoCart) {
  CartPageView r;
  r.http_status = 410;
  r.message = "expired <i>now</i>";
  const std::string html = RenderCartPage(r, "");
  EXPECT_THAT(html, HasSubstr("The cart was not accepted"));
  EXPECT_THAT(html, HasSubstr("class=\"error\""));
  EXPECT_THAT(html, HasSubstr("expired &lt;i&gt;now&lt;/i&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("cart-lines")));
  EXPECT_THAT(html, Not(HasSubstr("data-testid=\"return\"")));
}

TEST(RenderCartPageTest, AnEmptyCartSaysSo) {
  CartPageView r;
  r.cart = Cart{};
  r.cart->total = {"0.00", "USD"};
  const std::string html = RenderCartPage(r, "");
  EXPECT_THAT(html, HasSubstr("data-testid=\"cart-empty\""));
  EXPECT_THAT(html, Not(HasSubstr("cart-lines")));
  EXPECT_THAT(html, HasSubstr("0.00 USD"));
}

TEST(ViewOfTest, EachRefusalHasItsHttpStatusAndMessage) {
  const struct {
    absl::Status status;
    int http_status;
  } cases[] = {
      {absl::NotFoundError("This punchout session does not exist."), 404},
      {absl::FailedPreconditionError("This punchout session has expired."), 410},
      {absl::AlreadyExistsError("This punchout session already received a different cart."), 409},
      {absl::InvalidArgumentError("The cart is not valid cXML: x"), 400},
      {absl::UnavailableError("The cart could not be stored; try again."), 503},
      {absl::InternalError("bug"), 500},
  };
  for (const auto& c : cases) {
    CartPostResult r;
    r.status = c.status;
    r.session = Session{};
    const CartPageView view = ViewOf(r);
    EXPECT_EQ(view.http_status, c.http_status) << c.status;
    EXPECT_EQ(view.message, c.status.message());
    EXPECT_FALSE(view.cart.has_value());
  }
}

TEST(ViewOfTest, StoredAndRepeatedCartsAre200WithTheCart) {
  CartPostResult stored;
  stored.cart = Cart{};
  stored.cart->total = {"1.00", "USD"};
  const CartPageView first = ViewOf(stored);
  EXPECT_EQ(first.http_status, 200);
  EXPECT_EQ(first.message, "");
  ASSERT_TRUE(first.cart.has_value());
  EXPECT_EQ(first.cart->total.amount, "1.00");

  CartPostResult repeat = stored;
  repeat.repeat = true;
  const CartPageView again = ViewOf(repeat);
  EXPECT_EQ(again.http_status, 200);
  EXPECT_EQ(again.message, "This cart was already received.");
  EXPECT_TRUE(again.cart.has_value());
}

}  // namespace
}  // namespace iob::punchout

// Exact decimal arithmetic (cxml::Decimal): products, sums, scales, and the
// text it refuses. The shape checks (IsDecimal) are in primitives_test.cc.
#include "libs/cxml/decimal.h"

#include <string>

#include "gtest/gtest.h"

namespace iob::cxml {
namespace {

std::string Mul(const std::string& a, const std::string& b) {
  auto x = Decimal::Parse(a);
  auto y = Decimal::Parse(b);
  if (!x.ok() || !y.ok()) return "parse error";
  auto p = x->Times(*y);
  return p.ok() ? p->ToString() : "overflow";
}

std::string Add(const std::string& a, const std::string& b) {
  auto s = Decimal::Parse(a)->Plus(*Decimal::Parse(b));
  return s.ok() ? s->ToString() : "overflow";
}

TEST(DecimalArithmeticTest, ExactProductsAndSums) {
  EXPECT_EQ(Mul("3", "8.99"), "26.97");
  EXPECT_EQ(Mul("1.5", "8.99"), "13.485");
  EXPECT_EQ(Mul("0.1", "0.2"), "0.02");
  EXPECT_EQ(Mul("-2", "0.50"), "-1.00");
  EXPECT_EQ(Mul("0.001", "0.01"), "0.00001");
  EXPECT_EQ(Add("26.97", "24.00"), "50.97");
  EXPECT_EQ(Add("0.1", "0.2"), "0.3");  // no binary floating point here
  EXPECT_EQ(Add("-1.25", "1"), "-0.25");
  EXPECT_EQ(Mul("9223372036854775807", "2"), "overflow");
  EXPECT_EQ(Decimal::Parse("5")->WithMinScale(2)->ToString(), "5.00");
  EXPECT_EQ(Decimal::Parse("5.123")->WithMinScale(2)->ToString(), "5.123");
  for (const char* bad : {"", "1e2", ".5", "5.", "1,000", "NaN", " 1", "0.1234567891"}) {
    EXPECT_FALSE(Decimal::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace iob::cxml

// Exact arithmetic on the decimal strings cXML carries ("12.50", "3",
// "-0.125"): line totals (quantity x unit price) and cart totals. Values are
// held as a 64-bit integer of units plus a scale (digits after the point), so
// no double ever touches money.
#ifndef IOB_TOOLS_SUPPLIER_SIM_DECIMAL_MATH_H_
#define IOB_TOOLS_SUPPLIER_SIM_DECIMAL_MATH_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace iob::sim {

// A value type; thread-compatible.
class Decimal {
 public:
  Decimal() = default;

  // Parses a plain decimal (cxml::IsDecimal shape) with at most 9 fraction
  // digits. INVALID_ARGUMENT for any other text; OUT_OF_RANGE when the value
  // does not fit.
  static absl::StatusOr<Decimal> Parse(std::string_view text);

  // Exact product / sum; OUT_OF_RANGE on overflow. The product's scale is the
  // sum of the scales, the sum's the larger of the two.
  absl::StatusOr<Decimal> Times(const Decimal& other) const;
  absl::StatusOr<Decimal> Plus(const Decimal& other) const;

  // Returns a copy with at least `scale` fraction digits (never fewer than
  // it has): Parse("5").WithMinScale(2) prints "5.00". OUT_OF_RANGE on
  // overflow.
  absl::StatusOr<Decimal> WithMinScale(int scale) const;

  // -1, 0 or 1.
  int Sign() const { return units_ < 0 ? -1 : (units_ > 0 ? 1 : 0); }
  int scale() const { return scale_; }

  // Plain decimal text, e.g. "26.97", "-0.50", "3".
  std::string ToString() const;

 private:
  Decimal(int64_t units, int scale) : units_(units), scale_(scale) {}

  int64_t units_ = 0;  // value * 10^scale_
  int scale_ = 0;
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_DECIMAL_MATH_H_

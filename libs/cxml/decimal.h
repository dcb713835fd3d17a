// Decimal strings for money and quantities. cXML carries amounts as text;
// we keep them as text (never double): shape checks for the text, and
// `Decimal` for exact arithmetic on it (line totals, cart and invoice sums).
#ifndef IOB_LIBS_CXML_DECIMAL_H_
#define IOB_LIBS_CXML_DECIMAL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace iob::cxml {

// Returns true when `s` is a plain decimal: optional sign, digits, optional
// '.' followed by digits ("12", "-0.50", "+3.0", "100.00"). Rejects empty,
// exponents ("1e2"), "NaN", "Inf", thousands separators, spaces, ".5", "5.".
// Thread-safe.
bool IsDecimal(std::string_view s);

// OK when IsDecimal(s); otherwise INVALID_ARGUMENT naming `path` and the value
// (truncated). Thread-safe.
absl::Status ValidateDecimal(std::string_view s, std::string_view path);

// Returns true when `s` looks like an ISO 4217 currency code (three ASCII
// upper-case letters). Thread-safe.
bool IsCurrencyCode(std::string_view s);

// An exact decimal number ("12.50", "3", "-0.125"), held as a 64-bit integer
// of units plus a scale (digits after the point), so no double ever touches
// money. A value type; thread-compatible.
class Decimal {
 public:
  // Zero, scale 0.
  Decimal() = default;

  // Parses a plain decimal (IsDecimal shape) with at most 9 fraction digits.
  // INVALID_ARGUMENT for any other text; OUT_OF_RANGE when the value does not
  // fit.
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
  // Digits after the point.
  int scale() const { return scale_; }

  // Plain decimal text, e.g. "26.97", "-0.50", "3".
  std::string ToString() const;

 private:
  Decimal(int64_t units, int scale) : units_(units), scale_(scale) {}

  int64_t units_ = 0;  // value * 10^scale_
  int scale_ = 0;
};

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_DECIMAL_H_

// Shape checks for decimal strings and currency codes; exact decimal
// arithmetic.
#include "libs/cxml/decimal.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "libs/cxml/strings_internal.h"

namespace iob::cxml {

using internal::Cat;
using internal::Contains;
using internal::EqualsIgnoreCase;
using internal::Trim;
using internal::TrimLeft;
using internal::View;

namespace {

constexpr int kMaxScale = 18;
constexpr size_t kMaxParseScale = 9;

bool MulOverflows(int64_t a, int64_t b, int64_t* out) { return __builtin_mul_overflow(a, b, out); }
bool AddOverflows(int64_t a, int64_t b, int64_t* out) { return __builtin_add_overflow(a, b, out); }

// units * 10^n; false on overflow.
bool Rescale(int64_t units, int n, int64_t* out) {
  int64_t v = units;
  for (int i = 0; i < n; ++i) {
    if (MulOverflows(v, 10, &v)) return false;
  }
  *out = v;
  return true;
}

}  // namespace

bool IsDecimal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (digits == 0) return false;
  if (i == s.size()) return true;
  if (s[i] != '.') return false;
  ++i;
  size_t frac = 0;
  while (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac;
  return frac > 0 && i == s.size();
}

absl::Status ValidateDecimal(std::string_view s, std::string_view path) {
  if (IsDecimal(s)) return absl::OkStatus();
  std::string shown(s.substr(0, 40));
  return absl::InvalidArgumentError(
      Cat("not a decimal at ", path, ": \"", shown, s.size() > 40 ? "...\"" : "\""));
}

bool IsCurrencyCode(std::string_view s) {
  if (s.size() != 3) return false;
  for (char c : s) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

absl::StatusOr<Decimal> Decimal::Parse(std::string_view text) {
  if (!IsDecimal(text)) {
    return absl::InvalidArgumentError(Cat("not a decimal: \"", text.substr(0, 32), "\""));
  }
  std::string_view s = text;
  const bool negative = s[0] == '-';
  if (s[0] == '+' || s[0] == '-') s.remove_prefix(1);
  const size_t dot = s.find('.');
  const std::string_view int_part = s.substr(0, dot);
  const std::string_view frac_part = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (frac_part.size() > kMaxParseScale) {
    return absl::InvalidArgumentError("more than 9 fraction digits");
  }
  int64_t units = 0;
  for (std::string_view part : {int_part, frac_part}) {
    for (char c : part) {
      if (MulOverflows(units, 10, &units) || AddOverflows(units, c - '0', &units)) {
        return absl::OutOfRangeError("decimal too large");
      }
    }
  }
  return Decimal(negative ? -units : units, static_cast<int>(frac_part.size()));
}

absl::StatusOr<Decimal> Decimal::Times(const Decimal& other) const {
  int64_t units;
  if (MulOverflows(units_, other.units_, &units) || scale_ + other.scale_ > kMaxScale) {
    return absl::OutOfRangeError("decimal product too large");
  }
  return Decimal(units, scale_ + other.scale_);
}

absl::StatusOr<Decimal> Decimal::Plus(const Decimal& other) const {
  const int scale = std::max(scale_, other.scale_);
  int64_t a, b, sum;
  if (!Rescale(units_, scale - scale_, &a) || !Rescale(other.units_, scale - other.scale_, &b) ||
      AddOverflows(a, b, &sum)) {
    return absl::OutOfRangeError("decimal sum too large");
  }
  return Decimal(sum, scale);
}

absl::StatusOr<Decimal> Decimal::WithMinScale(int scale) const {
  if (scale <= scale_) return *this;
  if (scale > kMaxScale) return absl::OutOfRangeError("scale too large");
  int64_t units;
  if (!Rescale(units_, scale - scale_, &units)) return absl::OutOfRangeError("decimal too large");
  return Decimal(units, scale);
}

std::string Decimal::ToString() const {
  // |INT64_MIN| does not fit in int64_t: work on the unsigned magnitude.
  const uint64_t mag =
      units_ < 0 ? 0 - static_cast<uint64_t>(units_) : static_cast<uint64_t>(units_);
  std::string digits = std::to_string(mag);
  const size_t scale = static_cast<size_t>(scale_);
  if (digits.size() <= scale) digits = std::string(scale + 1 - digits.size(), '0') + digits;
  std::string out;
  if (units_ < 0) out.push_back('-');
  out.append(digits, 0, digits.size() - scale);
  if (scale > 0) {
    out.push_back('.');
    out.append(digits, digits.size() - scale, scale);
  }
  return out;
}

}  // namespace iob::cxml

#include "tools/supplier-sim/decimal_math.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace iob::sim {
namespace {

constexpr int kMaxScale = 18;

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

absl::StatusOr<Decimal> Decimal::Parse(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  size_t dot = s.find('.');
  std::string_view int_part = s.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  auto all_digits = [](std::string_view d) {
    if (d.empty()) return false;
    for (char c : d) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (!all_digits(int_part) || (dot != std::string_view::npos && !all_digits(frac_part))) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a decimal: \"", std::string(text.substr(0, 32)), "\""));
  }
  if (frac_part.size() > 9) {
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
  int scale = std::max(scale_, other.scale_);
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
  uint64_t mag = units_ < 0 ? 0 - static_cast<uint64_t>(units_) : static_cast<uint64_t>(units_);
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

}  // namespace iob::sim

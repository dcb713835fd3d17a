// Shape checks for decimal strings and currency codes.
#include "libs/cxml/decimal.h"

#include "absl/strings/ascii.h"
#include "libs/cxml/strings_internal.h"

namespace iob::cxml {

using internal::Cat;
using internal::Contains;
using internal::EqualsIgnoreCase;
using internal::Trim;
using internal::TrimLeft;
using internal::View;

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

}  // namespace iob::cxml

// Decimal strings for money and quantities. cXML carries amounts as text;
// we keep them as text (never double) and only check their shape.
#ifndef IOB_LIBS_CXML_DECIMAL_H_
#define IOB_LIBS_CXML_DECIMAL_H_

#include <string_view>

#include "absl/status/status.h"

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

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_DECIMAL_H_

// The one way a bad request field becomes an error: INVALID_ARGUMENT with a
// message that starts with the field's path ("integration.mode: unknown
// value"), so clients can tell which field to fix; and the checks every
// free-text and e-mail field gets.
#ifndef IOB_LIBS_COMMON_INVALID_FIELD_H_
#define IOB_LIBS_COMMON_INVALID_FIELD_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace iob::common {

// INVALID_ARGUMENT "<field>: <what>". `what` must be safe to show a client.
inline absl::Status InvalidField(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

// A free-text field: "is required" when empty and `required`, at most
// `max_bytes`, no control characters (C0 or DEL). Thread-safe.
inline absl::Status CheckText(absl::string_view value, absl::string_view field, size_t max_bytes,
                              bool required) {
  if (value.empty()) return required ? InvalidField(field, "is required") : absl::OkStatus();
  if (value.size() > max_bytes) {
    return InvalidField(field, absl::StrCat("longer than ", max_bytes, " bytes"));
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return InvalidField(field, "contains control characters");
  }
  return absl::OkStatus();
}

// RFC 5322 dot-atom text: runs of letters, digits and
// !#$%&'*+/=?^_`{|}~- separated by single dots (no leading or trailing dot).
// Thread-safe.
bool IsDotAtom(absl::string_view s);

// An e-mail address as a plain addr-spec ("orders@supplier.example"): a
// local part of letters, digits, dots and !#$%&'*+/=?^_`{|}~- (no leading,
// trailing or double dot), one '@', a domain of at least two DNS labels, at
// most 254 bytes. Nothing that could end a header or hide a second address
// (spaces, commas, quotes, brackets, control characters). "is required" when
// empty and `required`. Thread-safe.
absl::Status CheckEmailAddress(absl::string_view value, absl::string_view field, bool required);

}  // namespace iob::common

#endif  // IOB_LIBS_COMMON_INVALID_FIELD_H_

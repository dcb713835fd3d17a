// Extracts the cXML document from an inbound HTTP body: the browser form post
// of a PunchOutOrderMessage (application/x-www-form-urlencoded with a
// `cxml-urlencoded` or `cxml-base64` field, name in any letter case) or a raw
// XML body.
#ifndef IOB_LIBS_CXML_FORM_H_
#define IOB_LIBS_CXML_FORM_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace iob::cxml {

// Returns the XML bytes carried by `body`. A body whose first non-blank
// character is '<' (after an optional UTF-8 BOM) is returned as-is. Otherwise
// it is decoded as a form: `cxml-urlencoded` values are percent-decoded
// ('+' = space); `cxml-base64` values are percent-decoded, then base64-decoded
// (whitespace ignored, a space taken as '+', as sloppy senders forget to
// escape it). Errors: INVALID_ARGUMENT when no such field exists, a field is
// empty, or an escape / base64 is malformed; RESOURCE_EXHAUSTED when `body`
// exceeds `max_bytes`. Thread-safe.
absl::StatusOr<std::string> ExtractCxml(std::string_view body, size_t max_bytes = 4u << 20);

// Percent-decodes one form value ('+' = space). INVALID_ARGUMENT on a bad
// escape. Thread-safe.
absl::StatusOr<std::string> FormUrlDecode(std::string_view s);

// Percent-encodes `s` for a form value (unreserved characters kept, space as
// '+'). Thread-safe.
std::string FormUrlEncode(std::string_view s);

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_FORM_H_

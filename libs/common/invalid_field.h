// The one way a bad request field becomes an error: INVALID_ARGUMENT with a
// message that starts with the field's path ("integration.mode: unknown
// value"), so clients can tell which field to fix.
#ifndef IOB_LIBS_COMMON_INVALID_FIELD_H_
#define IOB_LIBS_COMMON_INVALID_FIELD_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace iob::common {

// INVALID_ARGUMENT "<field>: <what>". `what` must be safe to show a client.
inline absl::Status InvalidField(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

}  // namespace iob::common

#endif  // IOB_LIBS_COMMON_INVALID_FIELD_H_

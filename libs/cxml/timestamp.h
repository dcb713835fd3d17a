// cXML timestamps (ISO 8601). We write "2024-05-01T09:30:00+02:00"; we read
// what suppliers send: with "+hh:mm", "+hhmm", "Z", no zone at all (taken as
// UTC), fractional seconds, or a bare date.
#ifndef IOB_LIBS_CXML_TIMESTAMP_H_
#define IOB_LIBS_CXML_TIMESTAMP_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace iob::cxml {

// Returns `t` as "YYYY-MM-DDThh:mm:ss+hh:mm" in `tz` (UTC gives "+00:00").
// Thread-safe.
std::string FormatTimestamp(absl::Time t, absl::TimeZone tz = absl::UTCTimeZone());

// Parses a timestamp leniently (see the file comment). Returns
// INVALID_ARGUMENT when `s` is none of the accepted shapes. Thread-safe.
absl::StatusOr<absl::Time> ParseTimestamp(std::string_view s);

// True when `s` is exactly the shape FormatTimestamp writes (with optional
// fractional seconds): what our writer insists on. Thread-safe.
bool IsStrictTimestamp(std::string_view s);

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_TIMESTAMP_H_

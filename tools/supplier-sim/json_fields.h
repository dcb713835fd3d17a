// Reading the admin API's JSON settings objects field by field, with errors
// that start with the key ("ship_delay_ms: must be an integer in [0,
// 3600000]") so a 400 names what to fix.
#ifndef IOB_TOOLS_SUPPLIER_SIM_JSON_FIELDS_H_
#define IOB_TOOLS_SUPPLIER_SIM_JSON_FIELDS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace iob::sim {

// The longest delay a setting takes: one hour.
inline constexpr int64_t kMaxDelayMs = 3600000;

// `body` as a JSON object ("" or blanks = {}); INVALID_ARGUMENT
// "<what>: expected a JSON object" otherwise. Thread-safe.
absl::StatusOr<nlohmann::json> ParseJsonObject(std::string_view body, absl::string_view what);

// A delay in whole milliseconds in [0, kMaxDelayMs]. Thread-safe.
absl::Status ReadDelayMs(const nlohmann::json& v, absl::string_view key, absl::Duration* out);
// A JSON boolean. Thread-safe.
absl::Status ReadBool(const nlohmann::json& v, absl::string_view key, bool* out);
// A JSON string. Thread-safe.
absl::Status ReadString(const nlohmann::json& v, absl::string_view key, std::string* out);

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_JSON_FIELDS_H_

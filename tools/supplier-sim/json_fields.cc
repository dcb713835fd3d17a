// Admin JSON fields; see json_fields.h.
#include "tools/supplier-sim/json_fields.h"

#include "absl/strings/str_cat.h"

namespace iob::sim {

absl::StatusOr<nlohmann::json> ParseJsonObject(std::string_view body, absl::string_view what) {
  nlohmann::json j =
      body.find_first_not_of(" \t\r\n") == std::string_view::npos
          ? nlohmann::json::object()
          : nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": expected a JSON object"));
  }
  return j;
}

absl::Status ReadDelayMs(const nlohmann::json& v, absl::string_view key, absl::Duration* out) {
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > kMaxDelayMs) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": must be an integer in [0, ", kMaxDelayMs, "]"));
  }
  *out = absl::Milliseconds(v.get<int64_t>());
  return absl::OkStatus();
}

absl::Status ReadBool(const nlohmann::json& v, absl::string_view key, bool* out) {
  if (!v.is_boolean()) return absl::InvalidArgumentError(absl::StrCat(key, ": must be a boolean"));
  *out = v.get<bool>();
  return absl::OkStatus();
}

absl::Status ReadString(const nlohmann::json& v, absl::string_view key, std::string* out) {
  if (!v.is_string()) return absl::InvalidArgumentError(absl::StrCat(key, ": must be a string"));
  *out = v.get<std::string>();
  return absl::OkStatus();
}

}  // namespace iob::sim

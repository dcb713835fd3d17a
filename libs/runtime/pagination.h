// AIP-158 pagination shared by every List RPC: page_size bounds and opaque
// page tokens (URL-safe base64 of "v1:<list kind>:<last key>").
#ifndef IOB_LIBS_RUNTIME_PAGINATION_H_
#define IOB_LIBS_RUNTIME_PAGINATION_H_

#include <algorithm>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace iob::runtime {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// 0 -> kDefaultPageSize, larger than kMaxPageSize -> kMaxPageSize;
// INVALID_ARGUMENT "page_size: must not be negative".
inline absl::StatusOr<int> PageSize(int requested) {
  if (requested < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  if (requested == 0) return kDefaultPageSize;
  return std::min(requested, kMaxPageSize);
}

// The token continuing a list of `kind` after the item whose key is `last`.
inline std::string EncodePageToken(absl::string_view kind, absl::string_view last) {
  return absl::WebSafeBase64Escape(absl::StrCat("v1:", kind, ":", last));
}

// The `last` key inside a token of `kind` ("" for the first page);
// INVALID_ARGUMENT "page_token: ..." for anything this list did not return.
inline absl::StatusOr<std::string> DecodePageToken(const std::string& token,
                                                   absl::string_view kind) {
  if (token.empty()) return std::string();
  std::string raw;
  const std::string prefix = absl::StrCat("v1:", kind, ":");
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.rfind(prefix, 0) != 0) {
    return absl::InvalidArgumentError("page_token: is not a token this list returned");
  }
  return raw.substr(prefix.size());
}

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_PAGINATION_H_

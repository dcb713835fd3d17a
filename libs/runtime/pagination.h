// AIP-158 pagination shared by every List RPC: page_size bounds and opaque
// page tokens (URL-safe base64 of "v1:<list kind>:<last key>").
#ifndef IOB_LIBS_RUNTIME_PAGINATION_H_
#define IOB_LIBS_RUNTIME_PAGINATION_H_

#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/common/status_macros.h"

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

// One page of a List RPC.
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;  // "" on the last page
};

// The whole AIP-158 dance for a list of `kind`: bounds `page_size`, decodes
// `page_token`, asks `fetch(after, limit)` (returning absl::StatusOr of a
// vector of T, ordered by key, with keys after `after`) for one item more
// than the page holds, and when that extra item exists makes the token that
// continues after `key_of(last item on the page)`. Errors from the bounds,
// the token or `fetch` are returned as they are.
template <typename Fetch, typename KeyOf>
auto Paginate(int page_size, const std::string& page_token, absl::string_view kind, Fetch fetch,
              KeyOf key_of)
    -> absl::StatusOr<Page<
        typename std::invoke_result_t<Fetch&, const std::string&, int>::value_type::value_type>> {
  using T = typename std::invoke_result_t<Fetch&, const std::string&, int>::value_type::value_type;
  IOB_ASSIGN_OR_RETURN(const int limit, PageSize(page_size));
  IOB_ASSIGN_OR_RETURN(const std::string after, DecodePageToken(page_token, kind));
  IOB_ASSIGN_OR_RETURN(std::vector<T> items, fetch(after, limit + 1));
  Page<T> page;
  if (static_cast<int>(items.size()) > limit) {
    items.resize(limit);
    page.next_page_token = EncodePageToken(kind, key_of(items.back()));
  }
  page.items = std::move(items);
  return page;
}

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_PAGINATION_H_

#include "libs/runtime/resource_name.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/invalid_field.h"
#include "libs/crypto/key_ring.h"

namespace iob::runtime {

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 63 || !absl::ascii_islower(id[0]) || id.back() == '-') {
    return false;
  }
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') return false;
  }
  return true;
}

absl::StatusOr<ResourceName> ParseName(absl::string_view pattern, absl::string_view name,
                                       absl::string_view field) {
  const std::vector<absl::string_view> want = absl::StrSplit(pattern, '/');
  const std::vector<absl::string_view> got = absl::StrSplit(name, '/');
  const absl::Status bad = common::InvalidField(field, absl::StrCat("must be ", pattern));
  if (want.size() != got.size()) return bad;
  ResourceName out;
  int variables = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!absl::StartsWith(want[i], "{")) {
      if (got[i] != want[i]) return bad;
      continue;
    }
    if (!IsValidId(got[i])) return bad;
    (variables++ == 0 ? out.tenant : out.id) = std::string(got[i]);
  }
  return out;
}

std::string NewId(char prefix) {
  return absl::StrCat(std::string(1, prefix), absl::BytesToHexString(crypto::RandomBytes(10)));
}

}  // namespace iob::runtime

#include "libs/common/invalid_field.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace iob::common {
namespace {

constexpr size_t kMaxAddress = 254;
constexpr size_t kMaxLocalPart = 64;
constexpr size_t kMaxLabel = 63;

bool IsAtext(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != absl::string_view::npos;
}

bool IsDomain(absl::string_view s) {
  std::vector<absl::string_view> labels = absl::StrSplit(s, '.');
  if (labels.size() < 2) return false;
  for (absl::string_view label : labels) {
    if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
  }
  return true;
}

}  // namespace

bool IsDotAtom(absl::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.' ? prev == '.' : !IsAtext(c)) return false;
    prev = c;
  }
  return true;
}

absl::Status CheckEmailAddress(absl::string_view value, absl::string_view field, bool required) {
  if (value.empty()) return required ? InvalidField(field, "is required") : absl::OkStatus();
  if (value.size() > kMaxAddress) {
    return InvalidField(field, absl::StrCat("longer than ", kMaxAddress, " bytes"));
  }
  const size_t at = value.rfind('@');
  if (at == absl::string_view::npos)
    return InvalidField(field, "must be an address like name@example.com");
  const absl::string_view local = value.substr(0, at);
  const absl::string_view domain = value.substr(at + 1);
  if (local.size() > kMaxLocalPart || !IsDotAtom(local)) {
    return InvalidField(field, "the part before '@' is not a plain mailbox name");
  }
  if (!IsDomain(domain)) {
    return InvalidField(field, "the part after '@' is not a domain name like example.com");
  }
  return absl::OkStatus();
}

}  // namespace iob::common

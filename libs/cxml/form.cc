// Decoding of cXML form posts.
#include "libs/cxml/form.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "libs/cxml/strings_internal.h"

namespace iob::cxml {

using internal::Cat;
using internal::Contains;
using internal::EqualsIgnoreCase;
using internal::Trim;
using internal::TrimLeft;
using internal::View;
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<std::string> FormUrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      int hi = i + 1 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(Cat("bad percent escape at offset ", i));
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormUrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

absl::StatusOr<std::string> ExtractCxml(std::string_view body, size_t max_bytes) {
  if (body.size() > max_bytes) {
    return absl::ResourceExhaustedError(
        Cat("body of ", body.size(), " bytes exceeds the limit of ", max_bytes));
  }
  std::string_view probe = body;
  if (probe.substr(0, 3) == "\xEF\xBB\xBF") probe.remove_prefix(3);
  probe = TrimLeft(probe);
  if (!probe.empty() && probe.front() == '<') return std::string(body);

  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    auto name = FormUrlDecode(Trim(raw_name));
    if (!name.ok()) continue;  // some other, broken field: not ours
    bool urlencoded = EqualsIgnoreCase(*name, "cxml-urlencoded");
    bool base64 = EqualsIgnoreCase(*name, "cxml-base64");
    if (!urlencoded && !base64) continue;
    auto value = FormUrlDecode(raw_value);
    if (!value.ok()) {
      return absl::InvalidArgumentError(
          Cat("form field ", *name, ": ", View(value.status().message())));
    }
    if (urlencoded) {
      if (Trim(*value).empty()) {
        return absl::InvalidArgumentError(Cat("form field ", *name, " is empty"));
      }
      return *std::move(value);
    }
    std::string cleaned;
    cleaned.reserve(value->size());
    for (char c : *value) {
      if (c == ' ') {
        cleaned += '+';
      } else if (c != '\r' && c != '\n' && c != '\t') {
        cleaned += c;
      }
    }
    std::string decoded;
    if (cleaned.empty() || !absl::Base64Unescape(cleaned, &decoded)) {
      return absl::InvalidArgumentError(Cat("form field ", *name, " is not valid base64"));
    }
    return decoded;
  }
  return absl::InvalidArgumentError(
      "body is neither XML nor a form with a cxml-urlencoded or cxml-base64 field");
}

}  // namespace iob::cxml

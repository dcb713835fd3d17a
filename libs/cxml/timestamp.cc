// Formatting and lenient parsing of cXML timestamps.
#include "libs/cxml/timestamp.h"

#include "absl/strings/ascii.h"
#include "libs/cxml/strings_internal.h"

namespace iob::cxml {

using internal::Cat;
using internal::Contains;
using internal::EqualsIgnoreCase;
using internal::Trim;
using internal::TrimLeft;
using internal::View;
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

struct Parsed {
  absl::CivilSecond civil;
  absl::Duration frac;
  bool has_zone = false;
  bool colon_zone = false;
  int offset_seconds = 0;
};

bool ParseParts(std::string_view s, Parsed* p) {
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d)) {
    return false;
  }
  size_t i = 10;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
    if (!Digits(s, i + 1, 2, &h) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !Digits(s, i + 4, 2, &mi)) {
      return false;
    }
    i += 6;
    if (i < s.size() && s[i] == ':') {
      if (!Digits(s, i + 1, 2, &se)) return false;
      i += 3;
      if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
        ++i;
        int64_t nanos = 0;
        int64_t scale = 100000000;
        size_t start = i;
        while (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
          nanos += (s[i] - '0') * scale;
          scale /= 10;
          ++i;
        }
        if (i == start) return false;
        p->frac = absl::Nanoseconds(nanos);
      }
    }
    if (i < s.size()) {
      if (s[i] == 'Z' || s[i] == 'z') {
        p->has_zone = true;
        ++i;
      } else if (s[i] == '+' || s[i] == '-') {
        int sign = s[i] == '-' ? -1 : 1;
        int oh, om = 0;
        if (!Digits(s, i + 1, 2, &oh)) return false;
        i += 3;
        if (i < s.size() && s[i] == ':') {
          p->colon_zone = true;
          ++i;
        }
        if (i < s.size() && !Digits(s, i, 2, &om)) return false;
        if (i < s.size()) i += 2;
        if (oh > 23 || om > 59) return false;
        p->has_zone = true;
        p->offset_seconds = sign * (oh * 3600 + om * 60);
      }
    }
  }
  if (i != s.size()) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  absl::CivilSecond c(y, mo, d, h, mi, se);
  if (c.day() != d) return false;  // e.g. 2024-02-31 normalised to March
  p->civil = c;
  return true;
}

}  // namespace

std::string FormatTimestamp(absl::Time t, absl::TimeZone tz) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, tz);
}

absl::StatusOr<absl::Time> ParseTimestamp(std::string_view raw) {
  std::string_view s = Trim(raw);
  Parsed p;
  if (!ParseParts(s, &p)) {
    return absl::InvalidArgumentError(Cat("not a cXML timestamp: \"", s.substr(0, 40), "\""));
  }
  absl::Time t = absl::FromCivil(p.civil, absl::UTCTimeZone());
  return t - absl::Seconds(p.offset_seconds) + p.frac;
}

bool IsStrictTimestamp(std::string_view s) {
  Parsed p;
  return s.size() >= 25 && ParseParts(s, &p) && p.colon_zone && s[10] == 'T';
}

}  // namespace iob::cxml

// Small string helpers used inside libs/cxml only. Debian's Abseil is built
// with its own absl::string_view (not std::string_view), so absl::StrCat and
// friends do not accept std::string_view; these do.
#ifndef IOB_LIBS_CXML_STRINGS_INTERNAL_H_
#define IOB_LIBS_CXML_STRINGS_INTERNAL_H_

#include <string>
#include <string_view>
#include <type_traits>

namespace iob::cxml::internal {

inline void AppendOne(std::string& out, const char* s) { out += s; }
inline void AppendOne(std::string& out, char c) { out += c; }
template <typename T>
void AppendOne(std::string& out, const T& v) {
  if constexpr (std::is_integral_v<T>) {
    out += std::to_string(v);
  } else {
    out.append(v.data(), v.size());  // std::string, std::string_view, absl::string_view
  }
}

// Concatenates strings, string views (std or absl), characters and integers.
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (AppendOne(out, args), ...);
  return out;
}

// ' ', or one of '\t' '\n' '\v' '\f' '\r' (contiguous from 0x09 to 0x0D).
inline bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

inline std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

inline std::string_view Trim(std::string_view s) {
  s = TrimLeft(s);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

inline bool Contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

// absl::string_view -> std::string_view.
template <typename T>
std::string_view View(const T& s) {
  return std::string_view(s.data(), s.size());
}

}  // namespace iob::cxml::internal

#endif  // IOB_LIBS_CXML_STRINGS_INTERNAL_H_

// Structured JSON logs on stdout: one object per line with time, level,
// service, message and any fields (request_id, tenant, ...).
//
// Redaction: a field whose key names a secret (secret, password, token,
// authorization, key, credential...) is always written as "[redacted]", and
// values wrapped in Secret print as "[redacted]" wherever they go, so a
// secret cannot be logged by accident.
#ifndef IOB_LIBS_COMMON_LOGGING_H_
#define IOB_LIBS_COMMON_LOGGING_H_

#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/strings/string_view.h"

namespace iob::common {

// A string that must never be printed. Read it with `reveal()` only where it
// is sent to its one legitimate destination.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "[redacted]"; }

 private:
  std::string value_;
};

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// One key/value of a log line. Numbers are written unquoted.
struct LogField {
  LogField(absl::string_view k, absl::string_view v) : key(k), value(v) {}
  LogField(absl::string_view k, const char* v) : key(k), value(v) {}
  LogField(absl::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(absl::string_view k, const Secret&) : key(k), value("[redacted]") {}
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  LogField(absl::string_view k, T v) : key(k), value(std::to_string(v)), raw(true) {}
  absl::string_view key;
  std::string value;
  bool raw = false;
};

// Process-wide settings; call once from main before logging. Not thread-safe
// with concurrent Log calls.
void InitLogging(std::string service, LogLevel min_level = LogLevel::kInfo,
                 std::ostream* out = nullptr);

// Writes one JSON line. Thread-safe (lines never interleave).
void Log(LogLevel level, absl::string_view message, std::initializer_list<LogField> fields = {});

inline void LogInfo(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarn(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarn, m, f);
}
inline void LogError(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, m, f);
}

// True when a field named `key` is always redacted.
bool IsSecretKey(absl::string_view key);

// Appends `s` to `out` as a JSON string body (without quotes), escaping
// quotes, backslashes, control characters and invalid UTF-8 bytes.
void AppendJsonEscaped(std::string& out, absl::string_view s);

}  // namespace iob::common

#endif  // IOB_LIBS_COMMON_LOGGING_H_

#include "libs/common/logging.h"

#include <iostream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace iob::common {
namespace {

struct LogState {
  absl::Mutex mu;
  std::string service = "iob";
  LogLevel min_level = LogLevel::kInfo;
  std::ostream* out = &std::cout;
};

LogState& State() {
  static LogState* state = new LogState();
  return *state;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// Length of the well-formed UTF-8 sequence (RFC 3629) that starts `s` with
// a non-ASCII byte, or 0: rejects overlong forms, UTF-16 surrogates, code
// points above U+10FFFF and truncated sequences, which JSON parsers refuse.
size_t Utf8SequenceLength(absl::string_view s) {
  auto byte = [&](size_t i) -> unsigned {
    return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u;
  };
  auto cont = [&](size_t i, unsigned lo = 0x80, unsigned hi = 0xbf) {
    return i < s.size() && byte(i) >= lo && byte(i) <= hi;
  };
  const unsigned char c = byte(0);
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c == 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c == 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

void AppendString(std::string& out, absl::string_view key, absl::string_view value) {
  out += ",\"";
  AppendJsonEscaped(out, key);
  out += "\":\"";
  AppendJsonEscaped(out, value);
  out += '"';
}

}  // namespace

void InitLogging(std::string service, LogLevel min_level, std::ostream* out) {
  LogState& s = State();
  absl::MutexLock lock(&s.mu);
  s.service = std::move(service);
  s.min_level = min_level;
  if (out != nullptr) s.out = out;
}

bool IsSecretKey(absl::string_view key) {
  const std::string lower = absl::AsciiStrToLower(key);
  for (const char* word : {"secret", "password", "passwd", "token", "authorization", "credential",
                           "private", "apikey", "api_key", "cookie"}) {
    if (absl::StrContains(lower, word)) return true;
  }
  return lower == "key" || absl::EndsWith(lower, "_key");
}

void AppendJsonEscaped(std::string& out, absl::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // Copy a well-formed UTF-8 sequence; replace anything else.
      const size_t len = Utf8SequenceLength(s.substr(i));
      if (len > 0) {
        out.append(s.data() + i, len);
        i += len - 1;
      } else {
        out += "\\ufffd";
      }
    }
  }
}

void Log(LogLevel level, absl::string_view message, std::initializer_list<LogField> fields) {
  LogState& s = State();
  if (level < s.min_level) return;
  std::string line = "{\"time\":\"";
  line += absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line += "\",\"level\":\"";
  line += LevelName(level);
  line += '"';
  {
    absl::MutexLock lock(&s.mu);
    AppendString(line, "service", s.service);
  }
  AppendString(line, "message", message);
  for (const LogField& f : fields) {
    if (IsSecretKey(f.key)) {
      AppendString(line, f.key, "[redacted]");
    } else if (f.raw) {
      line += ",\"";
      AppendJsonEscaped(line, f.key);
      line += "\":";
      line += f.value;
    } else {
      AppendString(line, f.key, f.value);
    }
  }
  line += "}\n";
  absl::MutexLock lock(&s.mu);
  s.out->write(line.data(), static_cast<std::streamsize>(line.size()));
  s.out->flush();
}

}  // namespace iob::common

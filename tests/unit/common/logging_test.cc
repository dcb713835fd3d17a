// JSON logging: every line parses, secrets never reach the output, and
// hostile strings (control characters, broken UTF-8) are escaped.
#include "libs/common/logging.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iob::common {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Logging is process-wide: every test writes to one stream and reads what it
// wrote since it cleared the stream.
class LoggingTest : public ::testing::Test {
 protected:
  static std::ostringstream& Out() {
    static auto* out = new std::ostringstream();
    return *out;
  }
  void SetUp() override {
    Out().str("");
    InitLogging("unit", LogLevel::kInfo, &Out());
  }

  // Every line parsed as JSON; fails the test for a line that is not.
  std::vector<nlohmann::json> Lines() {
    std::vector<nlohmann::json> out;
    for (absl::string_view line : absl::StrSplit(Out().str(), '\n', absl::SkipEmpty())) {
      auto doc = nlohmann::json::parse(std::string(line), nullptr, /*allow_exceptions=*/false);
      EXPECT_FALSE(doc.is_discarded()) << "not JSON: " << line;
      out.push_back(doc);
    }
    return out;
  }

  nlohmann::json OnlyLine() {
    auto lines = Lines();
    EXPECT_EQ(lines.size(), 1u) << Out().str();
    return lines.empty() ? nlohmann::json() : lines[0];
  }
};

TEST_F(LoggingTest, OneObjectPerLineWithStandardFields) {
  LogInfo("hello", {{"tenant", "acme"}, {"count", 3}, {"ratio", 0.5}, {"ok", true}});
  LogWarn("second");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  const auto& l = lines[0];
  EXPECT_EQ(l["level"], "info");
  EXPECT_EQ(l["service"], "unit");
  EXPECT_EQ(l["message"], "hello");
  EXPECT_EQ(l["tenant"], "acme");
  EXPECT_TRUE(l["count"].is_number());
  EXPECT_EQ(l["count"], 3);
  EXPECT_TRUE(l["ratio"].is_number());
  EXPECT_TRUE(l["time"].is_string());
  EXPECT_EQ(lines[1]["level"], "warn");
}

TEST_F(LoggingTest, BelowMinimumLevelIsDropped) {
  Log(LogLevel::kDebug, "noise");
  LogError("kept");
  auto line = OnlyLine();
  EXPECT_EQ(line["message"], "kept");
  EXPECT_EQ(line["level"], "error");
}

TEST_F(LoggingTest, SecretNamedKeysAreRedacted) {
  const std::string value = "hunter2-canary";
  LogInfo("login", {{"password", value},
                    {"shared_secret", value},
                    {"Authorization", value},
                    {"api_key", value},
                    {"apikey", value},
                    {"key", value},
                    {"signing_key", value},
                    {"access_token", value},
                    {"Cookie", value},
                    {"private_pem", value},
                    {"db_credential", value}});
  EXPECT_THAT(Out().str(), Not(HasSubstr("hunter2")));
  auto line = OnlyLine();
  for (const char* key : {"password", "shared_secret", "Authorization", "api_key", "key",
                          "signing_key", "access_token", "Cookie", "db_credential"}) {
    EXPECT_EQ(line[key], "[redacted]") << key;
  }
}

TEST_F(LoggingTest, OrdinaryKeysAreKept) {
  for (const char* key : {"tenant", "keyboard", "monkey", "request_id", "key_id_count"}) {
    EXPECT_FALSE(IsSecretKey(key)) << key;
  }
  LogInfo("ok", {{"keyboard", "qwerty"}, {"tenant", "acme"}});
  auto line = OnlyLine();
  EXPECT_EQ(line["keyboard"], "qwerty");
  EXPECT_EQ(line["tenant"], "acme");
}

TEST_F(LoggingTest, SecretValuesAreRedactedUnderAnyKey) {
  const Secret secret("s3cr3t-canary-value");
  LogInfo("resolved", {{"value", secret}, {"detail", secret}});
  std::ostringstream streamed;
  streamed << secret;
  EXPECT_EQ(streamed.str(), "[redacted]");
  EXPECT_THAT(Out().str(), Not(HasSubstr("s3cr3t")));
  auto line = OnlyLine();
  EXPECT_EQ(line["value"], "[redacted]");
  EXPECT_EQ(secret.reveal(), "s3cr3t-canary-value");
}

TEST_F(LoggingTest, ControlCharactersAreEscapedAndRoundTrip) {
  std::string hostile = "line1\nline2\r\t\"quoted\" back\\slash \x01\x1f\x7f end";
  hostile.push_back('\0');
  hostile += "after-nul";
  LogInfo(hostile, {{"field", hostile}, {"k\"ey\n", "v"}});
  const std::string raw = Out().str();
  // Exactly one physical line: no raw newline or control byte escaped the encoder.
  ASSERT_EQ(std::count(raw.begin(), raw.end(), '\n'), 1);
  for (char c : raw.substr(0, raw.size() - 1)) {
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << int(c);
  }
  auto line = OnlyLine();
  EXPECT_EQ(line["message"], hostile);
  EXPECT_EQ(line["field"], hostile);
  EXPECT_EQ(line["k\"ey\n"], "v");
}

TEST_F(LoggingTest, ValidUtf8IsKept) {
  const std::string text = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";  // café € 😀
  LogInfo(text);
  EXPECT_EQ(OnlyLine()["message"], text);
}

TEST_F(LoggingTest, InvalidUtf8IsReplacedAndLineStaysValidJson) {
  const std::vector<std::string> bad = {
      "\xff",                  // never valid
      "\xfe\xfe",              // never valid
      "\xc3",                  // truncated 2-byte sequence
      "\xe2\x82",              // truncated 3-byte sequence
      "\x80",                  // lone continuation byte
      "\xc0\xaf",              // overlong '/'
      "\xe0\x80\xaf",          // overlong '/'
      "\xed\xa0\x80",          // UTF-16 surrogate
      "\xf4\x90\x80\x80",      // above U+10FFFF
      "\xf8\x88\x80\x80\x80",  // 5-byte form
  };
  for (const std::string& b : bad) {
    Out().str("");
    const std::string text = "a" + b + "z";
    LogInfo("bad", {{"field", text}});
    auto lines = Lines();
    ASSERT_EQ(lines.size(), 1u) << "input bytes: " << testing::PrintToString(b);
    const std::string field = lines[0]["field"];
    EXPECT_EQ(field.front(), 'a');
    EXPECT_EQ(field.back(), 'z');
    EXPECT_THAT(field, HasSubstr("\xef\xbf\xbd")) << testing::PrintToString(b);  // U+FFFD
  }
}

TEST_F(LoggingTest, AppendJsonEscapedDirectly) {
  std::string out;
  AppendJsonEscaped(out, "a\"b\\c\n\x02");
  EXPECT_EQ(out, "a\\\"b\\\\c\\n\\u0002");
}

TEST_F(LoggingTest, ConcurrentLinesNeverInterleave) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) {
        LogInfo("concurrent", {{"thread", t}, {"i", i}, {"pad", std::string(100, 'x')}});
      }
    });
  }
  for (auto& th : threads) th.join();
  auto lines = Lines();
  EXPECT_EQ(lines.size(), 800u);
  for (const auto& l : lines) EXPECT_EQ(l["message"], "concurrent");
}

}  // namespace
}  // namespace iob::common

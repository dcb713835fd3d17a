// Flags: command line beats environment beats default; the accepted
// spellings; and the errors for unknown flags and bad values.
#include "libs/common/flags.h"

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iob::common {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A fixture with one flag of each type and a fake environment.
class FlagsTest : public ::testing::Test {
 protected:
  FlagsTest() : flags_("prog", "a test program") {
    flags_.Add("db-url", &url_, "database");
    flags_.Add("port", &port_, "port");
    flags_.Add("verbose", &verbose_, "more logs");
    flags_.Add("migrate", &migrate_, "migrate first");
    flags_.Add("timeout", &timeout_, "timeout");
  }

  absl::StatusOr<std::vector<std::string>> Parse(const std::vector<std::string>& args) {
    return flags_.Parse(args, [this](const std::string& name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    });
  }

  Flags flags_;
  std::map<std::string, std::string> env_;
  std::string url_ = "default-url";
  int port_ = 7101;
  bool verbose_ = false;
  bool migrate_ = true;
  absl::Duration timeout_ = absl::Seconds(10);
};

TEST_F(FlagsTest, DefaultsStayWhenNothingIsGiven) {
  auto rest = Parse({});
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_THAT(*rest, IsEmpty());
  EXPECT_EQ(url_, "default-url");
  EXPECT_EQ(port_, 7101);
  EXPECT_FALSE(verbose_);
  EXPECT_TRUE(migrate_);
  EXPECT_EQ(timeout_, absl::Seconds(10));
  EXPECT_FALSE(flags_.Given("db-url"));
  EXPECT_FALSE(flags_.Given("port"));
}

TEST_F(FlagsTest, EnvironmentOverridesDefault) {
  env_["IOB_DB_URL"] = "from-env";
  env_["IOB_PORT"] = "9000";
  env_["IOB_VERBOSE"] = "true";
  env_["IOB_TIMEOUT"] = "250ms";
  ASSERT_TRUE(Parse({}).ok());
  EXPECT_EQ(url_, "from-env");
  EXPECT_EQ(port_, 9000);
  EXPECT_TRUE(verbose_);
  EXPECT_EQ(timeout_, absl::Milliseconds(250));
  EXPECT_TRUE(flags_.Given("db-url"));
  EXPECT_TRUE(flags_.Given("timeout"));
  EXPECT_FALSE(flags_.Given("migrate"));
}

TEST_F(FlagsTest, CommandLineOverridesEnvironment) {
  env_["IOB_DB_URL"] = "from-env";
  env_["IOB_PORT"] = "9000";
  ASSERT_TRUE(Parse({"--db-url=from-flag", "--port", "9100"}).ok());
  EXPECT_EQ(url_, "from-flag");
  EXPECT_EQ(port_, 9100);
  EXPECT_TRUE(flags_.Given("db-url"));
}

TEST_F(FlagsTest, BothValueSpellingsAndPositionals) {
  auto rest = Parse({"migrate", "--db-url", "a b", "--port=1", "extra"});
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_THAT(*rest, ElementsAre("migrate", "extra"));
  EXPECT_EQ(url_, "a b");
  EXPECT_EQ(port_, 1);
}

TEST_F(FlagsTest, ValueMayContainEqualsSign) {
  ASSERT_TRUE(Parse({"--db-url=postgresql://u@h/db?sslmode=require"}).ok());
  EXPECT_EQ(url_, "postgresql://u@h/db?sslmode=require");
}

TEST_F(FlagsTest, BoolSpellings) {
  ASSERT_TRUE(Parse({"--verbose", "--no-migrate"}).ok());
  EXPECT_TRUE(verbose_);
  EXPECT_FALSE(migrate_);
  EXPECT_TRUE(flags_.Given("migrate"));

  Flags other("p", "s");
  bool b = true;
  other.Add("migrate", &b, "");
  ASSERT_TRUE(other.Parse({"--migrate=false"}, [](const std::string&) { return nullptr; }).ok());
  EXPECT_FALSE(b);
}

TEST_F(FlagsTest, NoPrefixBeatsEnvironment) {
  env_["IOB_MIGRATE"] = "true";
  ASSERT_TRUE(Parse({"--no-migrate"}).ok());
  EXPECT_FALSE(migrate_);
}

TEST_F(FlagsTest, NoPrefixOnlyForBools) {
  auto rest = Parse({"--no-port"});
  ASSERT_FALSE(rest.ok());
  EXPECT_EQ(rest.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(rest.status().message()), HasSubstr("--no-port"));
  EXPECT_EQ(port_, 7101);
}

TEST_F(FlagsTest, UnknownFlagIsNamed) {
  auto rest = Parse({"--db-url=x", "--colour=red"});
  ASSERT_FALSE(rest.ok());
  EXPECT_EQ(rest.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(rest.status().message()), HasSubstr("unknown flag --colour"));
}

TEST_F(FlagsTest, BadIntIsNamed) {
  for (const char* bad : {"--port=abc", "--port=12x", "--port=99999999999", "--port="}) {
    SCOPED_TRACE(bad);
    Flags f("p", "s");
    int port = 1;
    f.Add("port", &port, "");
    auto rest = f.Parse({bad}, [](const std::string&) { return nullptr; });
    ASSERT_FALSE(rest.ok());
    EXPECT_EQ(rest.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(rest.status().message()), HasSubstr("--port"));
  }
}

TEST_F(FlagsTest, BadEnvironmentValueNamesVariableAndFlag) {
  env_["IOB_PORT"] = "seven";
  auto rest = Parse({});
  ASSERT_FALSE(rest.ok());
  EXPECT_EQ(rest.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(rest.status().message()), HasSubstr("IOB_PORT"));
  EXPECT_THAT(std::string(rest.status().message()), HasSubstr("--port"));
}

TEST_F(FlagsTest, BadBoolAndDuration) {
  auto bad_bool = Parse({"--verbose=maybe"});
  ASSERT_FALSE(bad_bool.ok());
  EXPECT_THAT(std::string(bad_bool.status().message()), HasSubstr("--verbose"));
  Flags f("p", "s");
  absl::Duration d;
  f.Add("timeout", &d, "");
  auto bad_duration = f.Parse({"--timeout=10"}, [](const std::string&) { return nullptr; });
  ASSERT_FALSE(bad_duration.ok());
  EXPECT_THAT(std::string(bad_duration.status().message()), HasSubstr("--timeout"));
}

TEST_F(FlagsTest, MissingValueIsAnError) {
  auto rest = Parse({"--db-url"});
  ASSERT_FALSE(rest.ok());
  EXPECT_EQ(rest.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(rest.status().message()), HasSubstr("--db-url needs a value"));
}

TEST_F(FlagsTest, HelpIsCancelled) {
  auto rest = Parse({"--port=1", "--help"});
  ASSERT_FALSE(rest.ok());
  EXPECT_EQ(rest.status().code(), absl::StatusCode::kCancelled);
}

TEST_F(FlagsTest, UsageListsFlagsWithVariablesAndDefaults) {
  const std::string usage = flags_.Usage();
  EXPECT_THAT(usage, HasSubstr("--db-url"));
  EXPECT_THAT(usage, HasSubstr("IOB_DB_URL"));
  EXPECT_THAT(usage, HasSubstr("default \"7101\""));
  EXPECT_THAT(usage, HasSubstr("a test program"));
}

TEST(FlagsEnvNameTest, UpperCaseWithUnderscores) {
  EXPECT_EQ(Flags::EnvName("db-url"), "IOB_DB_URL");
  EXPECT_EQ(Flags::EnvName("tls-client-ca-file"), "IOB_TLS_CLIENT_CA_FILE");
}

}  // namespace
}  // namespace iob::common

// The DTD test support itself (tests/support/cxml_dtd.h): a DTD folder named
// explicitly but missing fails the test instead of skipping it, and the DTD
// control check only counts a real validation failure.
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "tests/unit/cxml/test_util.h"

namespace iob::cxml {
namespace {

// Sets (or with nullopt unsets) an environment variable for one scope and
// restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(CxmlDtdSupport, Finding16_DtdDirSetButMissingFailsTheTest) {
  ScopedEnv dtd("IOB_CXML_DTD_DIR", "/nonexistent/iob/cxml/dtd/1.2.071");
  EXPECT_NONFATAL_FAILURE(EXPECT_EQ(testing::DtdDir(), ""), "IOB_CXML_DTD_DIR is set");
}

TEST(CxmlDtdSupport, Finding16_DtdDirUnsetAndMissingSkipsWithReason) {
  ScopedEnv dtd("IOB_CXML_DTD_DIR", std::nullopt);
  ScopedEnv src("IOB_SOURCE_DIR", "/nonexistent/iob");
  EXPECT_EQ(testing::DtdDir(), "");  // no failure recorded: the caller skips
  EXPECT_NE(testing::DtdSkipReason().find("cXML DTD at /nonexistent/iob/../shared/cxml/dtd"),
            std::string::npos)
      << testing::DtdSkipReason();
}

TEST(CxmlDtdSupport, Finding18_MissingXmllintIsNotAValidationFailure) {
  char empty_dir[] = "/tmp/iob_no_xmllint_XXXXXX";
  ASSERT_NE(mkdtemp(empty_dir), nullptr);
  testing::LintResult lint;
  {
    ScopedEnv path("PATH", std::string(empty_dir));
    EXPECT_FALSE(testing::HaveXmllint());
    lint = testing::XmllintValidate("<cXML><NotInTheDtd/></cXML>", "/nonexistent/cXML.dtd");
  }
  rmdir(empty_dir);
  EXPECT_NE(lint.exit_code, 0);  // what the old control test accepted
  EXPECT_FALSE(testing::IsValidationFailure(lint)) << lint.exit_code << ": " << lint.output;
}

TEST(CxmlDtdSupport, Finding18_ControlDocumentFailsAsValidationFailure) {
  const std::string dir = testing::DtdDir();
  if (dir.empty()) GTEST_SKIP() << testing::DtdSkipReason();
  ASSERT_TRUE(testing::HaveXmllint()) << "xmllint is required (Debian package libxml2-utils)";
  const testing::LintResult bad =
      testing::XmllintValidate("<cXML><NotInTheDtd/></cXML>", dir + "/cXML.dtd");
  EXPECT_TRUE(testing::IsValidationFailure(bad)) << bad.exit_code << ": " << bad.output;
  const testing::LintResult missing_dtd =
      testing::XmllintValidate("<cXML/>", dir + "/NoSuchFile.dtd");
  EXPECT_FALSE(testing::IsValidationFailure(missing_dtd))
      << missing_dtd.exit_code << ": " << missing_dtd.output;
}

}  // namespace
}  // namespace iob::cxml

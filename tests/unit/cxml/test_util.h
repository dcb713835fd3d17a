// Shared helpers for the libs/cxml tests: data paths, file I/O, xmllint.
#ifndef IOB_TESTS_UNIT_CXML_TEST_UTIL_H_
#define IOB_TESTS_UNIT_CXML_TEST_UTIL_H_

#include <string>

#include "tests/support/cxml_dtd.h"

namespace iob::cxml::testing {

// $IOB_SOURCE_DIR/tests/data/cxml (or the relative path when unset).
std::string DataDir();
// Whole file; aborts the test binary on failure.
std::string ReadFileOrDie(const std::string& path);

// xmllint DTD validation (tests/support/cxml_dtd.h).
using ::iob::testing::DtdDir;
using ::iob::testing::DtdDirTried;
using ::iob::testing::DtdSkipReason;
using ::iob::testing::HaveXmllint;
using ::iob::testing::IsValidationFailure;
using ::iob::testing::XmllintValidate;
using LintResult = ::iob::testing::XmllintResult;

}  // namespace iob::cxml::testing

#endif  // IOB_TESTS_UNIT_CXML_TEST_UTIL_H_

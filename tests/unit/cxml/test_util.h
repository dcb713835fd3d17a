// Shared helpers for the libs/cxml tests: data paths, file I/O, xmllint.
#ifndef IOB_TESTS_UNIT_CXML_TEST_UTIL_H_
#define IOB_TESTS_UNIT_CXML_TEST_UTIL_H_

#include <string>

namespace iob::cxml::testing {

// $IOB_SOURCE_DIR/tests/data/cxml (or the relative path when unset).
std::string DataDir();
// IOB_CXML_DTD_DIR, else $IOB_SOURCE_DIR/../shared/cxml/dtd/1.2.071; "" when
// that directory has no cXML.dtd.
std::string DtdDir();
// The path tests report when DtdDir() is empty.
std::string DtdDirTried();
// Whole file; aborts the test binary on failure.
std::string ReadFileOrDie(const std::string& path);

struct LintResult {
  int exit_code = -1;
  std::string output;
};
// Runs `xmllint --noout --nonet --dtdvalid DTD` over `xml` (via a temp file).
LintResult XmllintValidate(const std::string& xml, const std::string& dtd_path);

}  // namespace iob::cxml::testing

#endif  // IOB_TESTS_UNIT_CXML_TEST_UTIL_H_

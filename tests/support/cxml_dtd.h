// Validation of written cXML against the official DTDs with xmllint, for
// tests (the DTDs live outside the repository, in ../shared/cxml/dtd).
// Tests skip DTD checks when DtdDir() is empty or HaveXmllint() is false.
#ifndef IOB_TESTS_SUPPORT_CXML_DTD_H_
#define IOB_TESTS_SUPPORT_CXML_DTD_H_

#include <string>

namespace iob::testing {

// The directory that should hold cXML.dtd: IOB_CXML_DTD_DIR, else
// $IOB_SOURCE_DIR/../shared/cxml/dtd/1.2.071 (tests report it when missing).
std::string DtdDirTried();
// DtdDirTried(), or "" when it has no cXML.dtd.
std::string DtdDir();
// True when `xmllint` (Debian package libxml2-utils) runs.
bool HaveXmllint();

struct XmllintResult {
  int exit_code = -1;  // 0 = valid; -1 = xmllint could not be run
  std::string output;  // its stdout and stderr
};
// Runs `xmllint --noout --nonet --dtdvalid <dtd_path>` over `xml` (written to
// a temporary file, removed afterwards). Thread-safe.
XmllintResult XmllintValidate(const std::string& xml, const std::string& dtd_path);

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_CXML_DTD_H_

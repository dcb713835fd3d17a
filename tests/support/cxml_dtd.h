// Validation of written cXML against the official DTDs with xmllint, for
// tests (the DTDs live outside the repository, in ../shared/cxml/dtd).
// IOB_CXML_DTD_DIR names the DTD folder explicitly (CI sets it): when it is
// set and the folder has no cXML.dtd, DtdDir() fails the running test, so
// DTD conformance cannot be turned off unnoticed. When it is unset (a clone
// without ../shared), tests skip the DTD checks and print DtdSkipReason().
#ifndef IOB_TESTS_SUPPORT_CXML_DTD_H_
#define IOB_TESTS_SUPPORT_CXML_DTD_H_

#include <string>

namespace iob::testing {

// The directory that should hold cXML.dtd: IOB_CXML_DTD_DIR, else
// $IOB_SOURCE_DIR/../shared/cxml/dtd/1.2.071 (tests report it when missing).
std::string DtdDirTried();
// DtdDirTried(), or "" when it has no cXML.dtd. When IOB_CXML_DTD_DIR is set
// and the folder has no cXML.dtd, also records a non-fatal GoogleTest failure
// naming the variable, so the caller's test fails even though it then skips.
// Call only from a running test (or its fixture).
std::string DtdDir();
// Why DTD checks are skipped: names the folder tried and IOB_CXML_DTD_DIR.
// Every DTD skip message contains "cXML DTD" (./iob test allows only those
// skips, and only when IOB_CXML_DTD_DIR is unset).
std::string DtdSkipReason();
// True when `xmllint` (Debian package libxml2-utils) runs.
bool HaveXmllint();

struct XmllintResult {
  int exit_code = -1;  // 0 = valid; -1 = xmllint could not be run
  std::string output;  // its stdout and stderr
};
// Runs `xmllint --noout --nonet --dtdvalid <dtd_path>` over `xml` (written to
// a temporary file, removed afterwards). Thread-safe.
XmllintResult XmllintValidate(const std::string& xml, const std::string& dtd_path);

// True only when xmllint ran and rejected the document as invalid against the
// DTD (exit code 3 or 4 and a "validity error" in its output); false for a
// valid document and for a tool that could not run (e.g. exit 127, not
// installed) or could not load the DTD.
bool IsValidationFailure(const XmllintResult& result);

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_CXML_DTD_H_

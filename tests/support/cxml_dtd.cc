// xmllint DTD validation for tests (see cxml_dtd.h).
#include "tests/support/cxml_dtd.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"

namespace iob::testing {

std::string DtdDirTried() {
  if (const char* env = std::getenv("IOB_CXML_DTD_DIR")) return env;
  const char* src = std::getenv("IOB_SOURCE_DIR");
  return std::string(src != nullptr ? src : ".") + "/../shared/cxml/dtd/1.2.071";
}

std::string DtdDir() {
  const std::string dir = DtdDirTried();
  std::ifstream probe(dir + "/cXML.dtd");
  if (probe.good()) return dir;
  if (std::getenv("IOB_CXML_DTD_DIR") != nullptr) {
    ADD_FAILURE() << "IOB_CXML_DTD_DIR is set to " << dir
                  << " but it has no cXML.dtd: DTD conformance cannot be checked";
  }
  return "";
}

std::string DtdSkipReason() {
  return "no cXML DTD at " + DtdDirTried() +
         " (IOB_CXML_DTD_DIR unset; set it to the folder holding cXML.dtd 1.2.071)";
}

bool HaveXmllint() { return std::system("xmllint --version >/dev/null 2>&1") == 0; }

XmllintResult XmllintValidate(const std::string& xml, const std::string& dtd_path) {
  XmllintResult r;
  char path[] = "/tmp/iob_dtd_lint_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    r.output = "mkstemp failed";
    return r;
  }
  const bool written = write(fd, xml.data(), xml.size()) == static_cast<ssize_t>(xml.size());
  close(fd);
  if (!written) {
    unlink(path);
    r.output = "write failed";
    return r;
  }
  const std::string cmd =
      "xmllint --noout --nonet --dtdvalid '" + dtd_path + "' '" + path + "' 2>&1";
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    const int st = pclose(p);
    r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  unlink(path);
  return r;
}

bool IsValidationFailure(const XmllintResult& result) {
  return (result.exit_code == 3 || result.exit_code == 4) &&
         result.output.find("validity error") != std::string::npos;
}

}  // namespace iob::testing

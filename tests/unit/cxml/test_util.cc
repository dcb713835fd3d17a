// Helpers for the libs/cxml tests.
#include "tests/unit/cxml/test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace iob::cxml::testing {

namespace {
std::string SourceDir() {
  const char* s = std::getenv("IOB_SOURCE_DIR");
  return s ? s : ".";
}
}  // namespace

std::string DataDir() { return SourceDir() + "/tests/data/cxml"; }

std::string DtdDirTried() {
  const char* env = std::getenv("IOB_CXML_DTD_DIR");
  return env ? env : SourceDir() + "/../shared/cxml/dtd/1.2.071";
}

std::string DtdDir() {
  std::string dir = DtdDirTried();
  std::ifstream probe(dir + "/cXML.dtd");
  return probe.good() ? dir : "";
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

LintResult XmllintValidate(const std::string& xml, const std::string& dtd_path) {
  char tmpl[] = "/tmp/iob_cxml_lint_XXXXXX";
  int fd = mkstemp(tmpl);
  LintResult r;
  if (fd < 0) return r;
  if (write(fd, xml.data(), xml.size()) != static_cast<ssize_t>(xml.size())) {
    close(fd);
    unlink(tmpl);
    return r;
  }
  close(fd);
  std::string cmd = "xmllint --noout --nonet --dtdvalid '" + dtd_path + "' '" + tmpl + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    int st = pclose(p);
    r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  unlink(tmpl);
  return r;
}

}  // namespace iob::cxml::testing

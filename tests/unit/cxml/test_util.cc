// Helpers for the libs/cxml tests.
#include "tests/unit/cxml/test_util.h"

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

}  // namespace iob::cxml::testing

#include "tools/iobctl/cxml_command.h"

namespace iob::iobctl {

int RunCxmlCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  (void)args;
  (void)out;
  err << "iobctl cxml: not built yet\n";
  return 2;
}

}  // namespace iob::iobctl

// `iobctl cxml decode|validate|example`: offline cXML tools over libs/cxml.
#ifndef IOB_TOOLS_IOBCTL_CXML_COMMAND_H_
#define IOB_TOOLS_IOBCTL_CXML_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace iob::iobctl {

// Runs `iobctl cxml ARGS...` (args excludes "cxml"). Returns the process exit
// code; output to `out`, diagnostics to `err`.
int RunCxmlCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace iob::iobctl

#endif  // IOB_TOOLS_IOBCTL_CXML_COMMAND_H_

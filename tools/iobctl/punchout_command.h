// `iobctl punchout suppliers|start|get|sessions|cart|checkout`: the punchout
// service from the command line, as the platform's web app would call it.
#ifndef IOB_TOOLS_IOBCTL_PUNCHOUT_COMMAND_H_
#define IOB_TOOLS_IOBCTL_PUNCHOUT_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace iob::iobctl {

// Runs `iobctl punchout ARGS...`; returns the exit code (0 ok, 1 the service
// refused, 2 usage).
int RunPunchoutCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace iob::iobctl

#endif  // IOB_TOOLS_IOBCTL_PUNCHOUT_COMMAND_H_

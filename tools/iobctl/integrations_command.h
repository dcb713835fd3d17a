// `iobctl integrations create|get|list|update|delete|rotate-secret|audit`:
// the credential vault from the command line. Secrets are read only from a
// file or stdin, never from argv.
#ifndef IOB_TOOLS_IOBCTL_INTEGRATIONS_COMMAND_H_
#define IOB_TOOLS_IOBCTL_INTEGRATIONS_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace iob::iobctl {

// Runs `iobctl integrations ARGS...`; returns the exit code (0 ok, 1 the
// service refused, 2 usage).
int RunIntegrationsCommand(const std::vector<std::string>& args, std::ostream& out,
                           std::ostream& err);

}  // namespace iob::iobctl

#endif  // IOB_TOOLS_IOBCTL_INTEGRATIONS_COMMAND_H_

// `iobctl rules get|set`: a tenant's dispatch rule for an integration (what
// "order fully approved" sends: the cXML OrderRequest, the PDF by e-mail)
// and how long a delivered order may wait for its confirmation.
#ifndef IOB_TOOLS_IOBCTL_RULES_COMMAND_H_
#define IOB_TOOLS_IOBCTL_RULES_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace iob::iobctl {

// Runs `iobctl rules ARGS...`; returns the exit code (0 ok, 1 the service
// refused, 2 usage). Not thread-safe.
int RunRulesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace iob::iobctl

#endif  // IOB_TOOLS_IOBCTL_RULES_COMMAND_H_

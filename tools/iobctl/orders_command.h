// `iobctl orders submit|get|list|retry|cancel|update`: the dispatch service's
// orders from the command line, as the platform's workflow engine would send
// them once an order is fully approved.
#ifndef IOB_TOOLS_IOBCTL_ORDERS_COMMAND_H_
#define IOB_TOOLS_IOBCTL_ORDERS_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace iob::iobctl {

// Runs `iobctl orders ARGS...`; returns the exit code (0 ok, 1 the service
// refused, 2 usage or unreadable input). Human output marks test orders
// (sent with deploymentMode="test") with TEST; --json prints the proto as
// JSON. Not thread-safe (reads stdin for "-" files).
int RunOrdersCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace iob::iobctl

#endif  // IOB_TOOLS_IOBCTL_ORDERS_COMMAND_H_

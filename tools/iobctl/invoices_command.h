// `iobctl invoices ...`: the invoice intake service.
#ifndef IOB_TOOLS_IOBCTL_INVOICES_COMMAND_H_
#define IOB_TOOLS_IOBCTL_INVOICES_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace iob::iobctl {

// Runs `iobctl invoices ARGS...`; returns the exit code (0 ok, 1 the service
// refused, 2 usage). Not thread-safe.
int RunInvoicesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace iob::iobctl

#endif  // IOB_TOOLS_IOBCTL_INVOICES_COMMAND_H_

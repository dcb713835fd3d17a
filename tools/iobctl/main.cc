// iobctl: the command-line client. Dispatches to one command file per area.
#include <iostream>
#include <string>
#include <vector>

#include "tools/iobctl/cxml_command.h"
#include "tools/iobctl/integrations_command.h"
#include "tools/iobctl/invoices_command.h"
#include "tools/iobctl/orders_command.h"
#include "tools/iobctl/punchout_command.h"
#include "tools/iobctl/rules_command.h"

namespace {

constexpr char kUsage[] =
    "usage: iobctl <command> [args]\n"
    "  integrations create|get|list|update|delete|rotate-secret|audit ...\n"
    "                                      supplier integrations (credentials service)\n"
    "  punchout suppliers|start|get|sessions|cart|checkout ...\n"
    "                                      punchout sessions (punchout service)\n"
    "  orders submit|get|list|retry|cancel|update ...\n"
    "                                      orders to suppliers (dispatch service)\n"
    "  rules get|set ...                   what an approved order sends (dispatch service)\n"
    "  invoices address|list|get|resolve|ingest|message|reprocess ...\n"
    "                                      supplier invoices and their matches (invoice intake)\n"
    "  cxml decode|validate|example ...   offline cXML tools\n"
    "run `iobctl <command> --help` for flags\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "integrations") {
    return iob::iobctl::RunIntegrationsCommand(args, std::cout, std::cerr);
  }
  if (command == "punchout") return iob::iobctl::RunPunchoutCommand(args, std::cout, std::cerr);
  if (command == "orders") return iob::iobctl::RunOrdersCommand(args, std::cout, std::cerr);
  if (command == "invoices") return iob::iobctl::RunInvoicesCommand(args, std::cout, std::cerr);
  if (command == "rules") return iob::iobctl::RunRulesCommand(args, std::cout, std::cerr);
  if (command == "cxml") return iob::iobctl::RunCxmlCommand(args, std::cout, std::cerr);
  std::cerr << "iobctl: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

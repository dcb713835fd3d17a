// What every service's main() shares: the common flags, the command word
// (serve / migrate / ...), logging, and opening the database with its
// migrations. A main() builds one ServiceMain, adds its own flags, parses,
// and then wires its own pieces.
#ifndef IOB_LIBS_RUNTIME_SERVICE_MAIN_H_
#define IOB_LIBS_RUNTIME_SERVICE_MAIN_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/db/migrate.h"
#include "libs/db/pool.h"
#include "libs/runtime/auth.h"
#include "libs/common/flags.h"
#include "libs/runtime/service_host.h"

namespace iob::runtime {

struct ServiceDefaults {
  std::string name;     // "credentials": log field and default schema
  std::string summary;  // one line for --help
  std::vector<std::string> commands = {"serve", "migrate"};  // first is the default
  std::string grpc_listen;                                   // "127.0.0.1:7101"
  std::string metrics_listen;
};

// Not thread-safe; lives in main().
class ServiceMain {
 public:
  explicit ServiceMain(ServiceDefaults defaults);

  // Add service-specific flags here before Parse.
  common::Flags& flags() { return flags_; }

  // Parses argv (flags, IOB_* variables, the command) and starts logging.
  // Returns an exit code when the process should stop now (0 after --help,
  // 2 for bad usage, with the usage printed), nullopt to go on.
  std::optional<int> Parse(int argc, char** argv);

  const std::string& command() const { return command_; }
  const HostOptions& host() const { return host_; }

  // Opens the pool (--db-url, --db-schema, --db-pool-size) and applies
  // `migrations` under their advisory lock when the command is "migrate" or
  // when serving with --migrate-on-start.
  absl::StatusOr<std::unique_ptr<db::Pool>> OpenDatabase(
      const std::vector<db::Migration>& migrations);

  // The --tokens-file authenticator.
  absl::StatusOr<std::unique_ptr<Authenticator>> LoadTokens() const;

  // Logs `what` with the status and returns exit code 1.
  static int Fail(absl::string_view what, const absl::Status& status);

 private:
  ServiceDefaults defaults_;
  common::Flags flags_;
  std::string command_;
  std::string db_url_;
  std::string db_schema_;
  int db_pool_size_ = 16;
  std::string tokens_file_;
  bool migrate_on_start_ = true;
  bool debug_ = false;
  HostOptions host_;
};

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_SERVICE_MAIN_H_

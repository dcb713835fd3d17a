// Command-line flags with IOB_* environment fallbacks.
//
//   Flags flags("iob-credentials", "the credential vault");
//   int port = 7101;
//   flags.Add("grpc-port", &port, "gRPC listen port");   // --grpc-port / IOB_GRPC_PORT
//   auto rest = flags.Parse(argc, argv);                  // positional args left
//
// Precedence: command line, then environment, then the default. `--help`
// prints every flag with its variable and default.
#ifndef IOB_LIBS_COMMON_FLAGS_H_
#define IOB_LIBS_COMMON_FLAGS_H_

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace iob::common {

// Not thread-safe; used from main only.
class Flags {
 public:
  Flags(std::string program, std::string summary);

  // Registers a flag bound to `target`, whose current value is the default.
  void Add(const std::string& name, std::string* target, const std::string& help);
  void Add(const std::string& name, int* target, const std::string& help);
  void Add(const std::string& name, bool* target, const std::string& help);
  void Add(const std::string& name, absl::Duration* target, const std::string& help);

  // Parses argv (and the environment). Returns the positional arguments.
  // INVALID_ARGUMENT naming the flag for an unknown flag or a bad value.
  // Returns a status with code CANCELLED after printing help for --help.
  absl::StatusOr<std::vector<std::string>> Parse(int argc, const char* const* argv);

  // As Parse, but from explicit args and an environment lookup (for tests).
  absl::StatusOr<std::vector<std::string>> Parse(
      const std::vector<std::string>& args,
      const std::function<const char*(const std::string&)>& getenv);

  // True when `name` was set on the command line or from the environment.
  bool Given(const std::string& name) const { return given_.count(name) > 0; }

  // The help text.
  std::string Usage() const;

  // IOB_<NAME> with '-' replaced by '_', upper case.
  static std::string EnvName(const std::string& flag);

 private:
  struct Flag {
    std::string help;
    std::string default_text;
    bool is_bool = false;
    std::function<bool(const std::string&)> set;
  };
  std::string program_;
  std::string summary_;
  std::map<std::string, Flag> flags_;
  std::set<std::string> given_;
};

}  // namespace iob::common

#endif  // IOB_LIBS_COMMON_FLAGS_H_

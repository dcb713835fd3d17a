// Runs a real service binary as a child process for integration tests, and
// writes the secrets files (key ring, bearer tokens) such a service reads.
//
//   auto secrets = WriteTestSecrets(dir, "k1", {{"admin", {"integrations.read"}, {"acme"}}});
//   auto svc = ServiceProcess::Start({.binary = path, .args = {...}, .log_path = dir +
//   "/svc.log"}); ASSERT_TRUE((*svc)->WaitServing().ok()) << (*svc)->ReadLog();
//   ... grpc::CreateChannel((*svc)->grpc_address(), ...) ...
//
// The child's stdout and stderr go to the log file. It gets SIGKILL if the
// test process dies (PR_SET_PDEATHSIG), so a crashed test leaks nothing.
#ifndef IOB_TESTS_SUPPORT_SERVICE_PROCESS_H_
#define IOB_TESTS_SUPPORT_SERVICE_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace iob::testing {

struct ServiceProcessOptions {
  std::string binary;                                    // absolute path
  std::vector<std::string> args;                         // argv[1..]
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing) ours
  std::string log_path;                                  // stdout+stderr, appended
};

// One child process. Not thread-safe except ReadLog/LogContains, which only
// read the file. The destructor sends SIGTERM, waits up to 15 s, then SIGKILL.
class ServiceProcess {
 public:
  // Forks and execs. INTERNAL when fork or opening the log fails; a failed
  // exec shows up as exit code 127 and a message in the log.
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Start(ServiceProcessOptions options);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // Waits until the log holds the JSON "serving" line (which gives the
  // ports) and a "health SERVING" line. FAILED_PRECONDITION (with the log's
  // tail) when the process exits first, DEADLINE_EXCEEDED after `timeout`.
  absl::Status WaitServing(absl::Duration timeout = absl::Seconds(30));

  // Waits until a log line's "message" equals `message`, counting only lines
  // after the first `skip` such lines. Same errors as WaitServing.
  absl::Status WaitForLogMessage(const std::string& message, absl::Duration timeout, int skip = 0);

  // Ports from the "serving" line (0 before WaitServing succeeded).
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  std::string grpc_address() const;  // "127.0.0.1:<port>"

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return options_.log_path; }
  std::string ReadLog() const;
  // How many lines' "message" equals `message`.
  int CountLogMessages(const std::string& message) const;
  // The integer field `key` of the first log line whose "message" equals
  // `message` (e.g. "http serving" / "http_port" for a second listener, or
  // "serving" / "http_port" for a process without gRPC). NOT_FOUND when no
  // such line carries an integer `key` yet.
  absl::StatusOr<int> LogIntField(const std::string& message, const std::string& key) const;

  // Sends `sig` unless the process has been reaped.
  void Signal(int sig);

  // Waits for exit. Returns the exit code, or 128 + signal number when the
  // process was killed by a signal. After `timeout` sends SIGKILL and returns
  // DEADLINE_EXCEEDED.
  absl::StatusOr<int> WaitExit(absl::Duration timeout);

  // True while the process has not been reaped and is running.
  bool Running();

 private:
  explicit ServiceProcess(ServiceProcessOptions options) : options_(std::move(options)) {}
  // Reaps without blocking; true when the process has exited.
  bool Poll();
  std::string LogTail() const;

  ServiceProcessOptions options_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = 0;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

// Runs `binary args...` to completion with `env` added, output (stdout and
// stderr) captured. Returns the exit code (128 + signal when killed);
// DEADLINE_EXCEEDED after `timeout` (the child is killed).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
absl::StatusOr<CommandResult> RunCommand(
    const std::string& binary, const std::vector<std::string>& args,
    const std::vector<std::pair<std::string, std::string>>& env = {},
    absl::Duration timeout = absl::Seconds(120));

// A fresh directory under $TMPDIR (or /tmp) whose name starts with `prefix`;
// mode 0700. Aborts the test binary when it cannot be created. The caller
// removes it (RemoveTree) when done.
std::string MakeTempDir(const std::string& prefix);
// rm -rf `path`; errors ignored.
void RemoveTree(const std::string& path);
// Writes `content` to `path` (mode 0600), replacing it atomically (write to a
// temporary name, then rename). Aborts the test binary on failure.
void WriteFileAtomically(const std::string& path, const std::string& content);
std::string ReadFileOrEmpty(const std::string& path);

// A principal for WriteTestSecrets.
struct TestPrincipal {
  std::string name;
  std::set<std::string> scopes;
  std::set<std::string> tenants;  // "*" = every tenant
};

struct TestSecrets {
  std::string key_ring_file;                  // <dir>/keyring.json
  std::string tokens_file;                    // <dir>/tokens.json
  std::map<std::string, std::string> tokens;  // principal -> bearer token
};

// Writes a fresh key ring with one primary key `key_id`
// (crypto::KeyRing::GenerateJson) and a tokens file with one random token per
// principal into `dir`.
TestSecrets WriteTestSecrets(const std::string& dir, const std::string& key_id,
                             const std::vector<TestPrincipal>& principals);

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_SERVICE_PROCESS_H_

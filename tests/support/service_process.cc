// Child processes for integration tests: fork/exec with the output in a log
// file, readiness from the service's JSON log, and the secrets files.
#include "tests/support/service_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/crypto/key_ring.h"
#include "libs/runtime/auth.h"

extern char** environ;

namespace iob::testing {
namespace {

constexpr absl::Duration kPollInterval = absl::Milliseconds(25);

[[noreturn]] void Fatal(const std::string& what) {
  std::fprintf(stderr, "service_process: %s: %s\n", what.c_str(), std::strerror(errno));
  std::abort();
}

// argv/envp storage that outlives fork (built before it: the child may only
// call async-signal-safe functions).
struct ExecArgs {
  std::vector<std::string> strings_argv, strings_env;
  std::vector<char*> argv, envp;

  ExecArgs(const std::string& binary, const std::vector<std::string>& args,
           const std::vector<std::pair<std::string, std::string>>& env) {
    strings_argv.push_back(binary);
    strings_argv.insert(strings_argv.end(), args.begin(), args.end());
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      const std::string entry(*e);
      const std::string key = entry.substr(0, entry.find('='));
      bool replaced = false;
      for (const auto& [k, v] : env) replaced = replaced || k == key;
      if (!replaced) strings_env.push_back(entry);
    }
    for (const auto& [k, v] : env) strings_env.push_back(absl::StrCat(k, "=", v));
    for (auto& s : strings_argv) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : strings_env) envp.push_back(s.data());
    envp.push_back(nullptr);
  }
};

// Forks and execs with stdout+stderr on `out_fd`. Returns the pid.
pid_t Spawn(const ExecArgs& exec, int out_fd) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return pid;
  if (pid == 0) {
    // Die with the test (the forking thread, which is the test's main thread).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execve(exec.argv[0], exec.argv.data(), exec.envp.data());
    static const char kMsg[] = "service_process: execve failed\n";
    (void)!write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
    _exit(127);
  }
  return pid;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceProcess>> ServiceProcess::Start(
    ServiceProcessOptions options) {
  std::unique_ptr<ServiceProcess> p(new ServiceProcess(std::move(options)));
  const int fd =
      open(p->options_.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError("cannot open log " + p->options_.log_path);
  ExecArgs exec(p->options_.binary, p->options_.args, p->options_.env);
  p->pid_ = Spawn(exec, fd);
  close(fd);
  if (p->pid_ < 0) return absl::InternalError("fork failed");
  return p;
}

ServiceProcess::~ServiceProcess() {
  if (pid_ <= 0 || exited_) return;
  Signal(SIGTERM);
  (void)WaitExit(absl::Seconds(15));
}

std::string ServiceProcess::grpc_address() const { return absl::StrCat("127.0.0.1:", grpc_port_); }

std::string ServiceProcess::ReadLog() const { return ReadFileOrEmpty(options_.log_path); }

std::string ServiceProcess::LogTail() const {
  const std::string log = ReadLog();
  return log.size() > 4000 ? "..." + log.substr(log.size() - 4000) : log;
}

int ServiceProcess::CountLogMessages(const std::string& message) const {
  int n = 0;
  for (absl::string_view line : absl::StrSplit(ReadLog(), '\n', absl::SkipEmpty())) {
    auto doc = nlohmann::json::parse(std::string(line), nullptr, false);
    if (doc.is_object() && doc.value("message", "") == message) ++n;
  }
  return n;
}

absl::StatusOr<int> ServiceProcess::LogIntField(const std::string& message,
                                                const std::string& key) const {
  for (absl::string_view line : absl::StrSplit(ReadLog(), '\n', absl::SkipEmpty())) {
    auto doc = nlohmann::json::parse(std::string(line), nullptr, false);
    if (!doc.is_object() || doc.value("message", "") != message) continue;
    auto it = doc.find(key);
    if (it != doc.end() && it->is_number_integer()) return it->get<int>();
  }
  return absl::NotFoundError(absl::StrCat("no '", message, "' log line with ", key));
}

bool ServiceProcess::Poll() {
  if (exited_) return true;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exited_ = true;
    exit_code_ = DecodeWaitStatus(status);
  }
  return exited_;
}

bool ServiceProcess::Running() { return !Poll(); }

void ServiceProcess::Signal(int sig) {
  if (!Poll()) kill(pid_, sig);
}

absl::StatusOr<int> ServiceProcess::WaitExit(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!Poll()) {
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
      exited_ = true;
      exit_code_ = DecodeWaitStatus(status);
      return absl::DeadlineExceededError("process did not exit in time; killed");
    }
    absl::SleepFor(kPollInterval);
  }
  return exit_code_;
}

absl::Status ServiceProcess::WaitServing(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    bool healthy = false;
    for (absl::string_view line : absl::StrSplit(ReadLog(), '\n', absl::SkipEmpty())) {
      auto doc = nlohmann::json::parse(std::string(line), nullptr, false);
      if (!doc.is_object()) continue;
      const std::string message = doc.value("message", "");
      if (message == "serving") {
        grpc_port_ = doc.value("grpc_port", 0);
        metrics_port_ = doc.value("metrics_port", 0);
      } else if (message == "health SERVING") {
        healthy = true;
      }
    }
    if (healthy && grpc_port_ > 0 && metrics_port_ > 0) return absl::OkStatus();
    if (Poll()) {
      return absl::FailedPreconditionError(
          absl::StrCat("process exited with ", exit_code_, " before serving; log:\n", LogTail()));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat("not serving in time; log:\n", LogTail()));
    }
    absl::SleepFor(kPollInterval);
  }
}

absl::Status ServiceProcess::WaitForLogMessage(const std::string& message, absl::Duration timeout,
                                               int skip) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (CountLogMessages(message) > skip) return absl::OkStatus();
    if (Poll()) {
      return absl::FailedPreconditionError(absl::StrCat("process exited with ", exit_code_,
                                                        " before logging '", message, "'; log:\n",
                                                        LogTail()));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("no '", message, "' in time; log:\n", LogTail()));
    }
    absl::SleepFor(kPollInterval);
  }
}

absl::StatusOr<CommandResult> RunCommand(
    const std::string& binary, const std::vector<std::string>& args,
    const std::vector<std::pair<std::string, std::string>>& env, absl::Duration timeout) {
  char path[] = "/tmp/iob-cmd-XXXXXX";
  const int fd = mkostemp(path, O_CLOEXEC);
  if (fd < 0) return absl::InternalError("mkstemp failed");
  ExecArgs exec(binary, args, env);
  const pid_t pid = Spawn(exec, fd);
  close(fd);
  if (pid < 0) {
    unlink(path);
    return absl::InternalError("fork failed");
  }
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  bool timed_out = false;
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (absl::Now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    absl::SleepFor(kPollInterval);
  }
  CommandResult result;
  result.output = ReadFileOrEmpty(path);
  unlink(path);
  if (timed_out) {
    return absl::DeadlineExceededError(
        absl::StrCat(binary, " did not finish in time; output:\n", result.output));
  }
  result.exit_code = DecodeWaitStatus(status);
  return result;
}

std::string MakeTempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp", "/", prefix, "XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) Fatal("mkdtemp " + templ);
  return templ;
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

void WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) Fatal("open " + tmp);
    size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = write(fd, content.data() + done, content.size() - done);
      if (n <= 0) Fatal("write " + tmp);
      done += static_cast<size_t>(n);
    }
    close(fd);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) Fatal("rename " + tmp);
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

TestSecrets WriteTestSecrets(const std::string& dir, const std::string& key_id,
                             const std::vector<TestPrincipal>& principals) {
  TestSecrets s;
  s.key_ring_file = dir + "/keyring.json";
  s.tokens_file = dir + "/tokens.json";
  WriteFileAtomically(s.key_ring_file, crypto::KeyRing::GenerateJson(key_id));
  std::vector<std::string> entries;
  for (const TestPrincipal& p : principals) {
    const std::string token = crypto::Sha256Hex(crypto::RandomBytes(32));
    s.tokens[p.name] = token;
    entries.push_back(runtime::TokenEntryJson(p.name, token, p.scopes, p.tenants));
  }
  WriteFileAtomically(s.tokens_file,
                      absl::StrCat("{\"tokens\":[", absl::StrJoin(entries, ","), "]}\n"));
  return s;
}

}  // namespace iob::testing

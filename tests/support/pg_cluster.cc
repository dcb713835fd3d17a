// A throwaway Postgres cluster: initdb, pg_ctl start / stop through
// RunCommand (tests/support/service_process.h).
#include "tests/support/pg_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/service_process.h"

namespace iob::testing {
namespace {

constexpr char kRunuser[] = "/usr/sbin/runuser";

// The newest /usr/lib/postgresql/<version>/bin holding initdb; "" when none.
std::string FindServerBinaries() {
  const std::string configured = TestEnv("IOB_PGBIN", "");
  if (!configured.empty()) return configured;
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = 0;
    const std::string bin = entry.path().string() + "/bin";
    if (absl::SimpleAtoi(entry.path().filename().string(), &version) && version > best_version &&
        std::filesystem::exists(bin + "/initdb")) {
      best = bin;
      best_version = version;
    }
  }
  return best;
}

// A loopback port nobody listens on right now.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgCluster>> PgCluster::Start() {
  std::unique_ptr<PgCluster> c(new PgCluster());
  c->bin_ = FindServerBinaries();
  if (c->bin_.empty()) {
    return absl::FailedPreconditionError(
        "no Postgres server binaries (/usr/lib/postgresql/*/bin): apt-get install postgresql");
  }
  c->port_ = FreePort();
  if (c->port_ == 0) return absl::InternalError("no free loopback port");
  c->dir_ = MakeTempDir("iob-pg-");
  c->as_postgres_ = geteuid() == 0;
  if (c->as_postgres_) {
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) return absl::FailedPreconditionError("running as root but no postgres user");
    if (chown(c->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return absl::InternalError(absl::StrCat("cannot chown ", c->dir_, " to postgres"));
    }
  }
  if (absl::Status st =
          c->RunPg("initdb", {"-D", c->dir_ + "/data", "-U", "postgres", "-A", "trust", "-E",
                              "UTF8", "--locale=C.UTF-8", "--no-sync"});
      !st.ok()) {
    return st;
  }
  if (absl::Status st = c->Restart(); !st.ok()) return st;
  return c;
}

PgCluster::~PgCluster() {
  if (!dir_.empty() && std::filesystem::exists(dir_ + "/data/postmaster.pid")) {
    if (absl::Status st = RunPg("pg_ctl", {"-D", dir_ + "/data", "-m", "immediate", "-w", "stop"});
        !st.ok()) {
      std::fprintf(stderr, "PgCluster: %s\n", st.ToString().c_str());
    }
  }
  if (!dir_.empty() && std::getenv("IOB_KEEP_TEST_DIRS") == nullptr) RemoveTree(dir_);
}

std::string PgCluster::url() const {
  return absl::StrCat("postgresql://postgres@127.0.0.1:", port_, "/postgres");
}

absl::Status PgCluster::Stop() {
  return RunPg("pg_ctl", {"-D", dir_ + "/data", "-m", "fast", "-w", "stop"});
}

absl::Status PgCluster::Restart() {
  return RunPg("pg_ctl", {"-D", dir_ + "/data", "-l", dir_ + "/log", "-w", "start", "-o",
                          absl::StrCat("-c listen_addresses=127.0.0.1 -p ", port_, " -k ", dir_,
                                       " -c fsync=off -c max_connections=200")});
}

absl::Status PgCluster::RunPg(const std::string& program,
                              const std::vector<std::string>& args) const {
  const std::string path = absl::StrCat(bin_, "/", program);
  std::vector<std::string> argv = args;
  std::string binary = path;
  if (as_postgres_) {
    argv = {"-u", "postgres", "--", path};
    argv.insert(argv.end(), args.begin(), args.end());
    binary = kRunuser;
  }
  absl::StatusOr<CommandResult> r = RunCommand(binary, argv, {}, absl::Seconds(60));
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return absl::InternalError(absl::StrCat(program, " exited with ", r->exit_code, ": ", r->output,
                                            ReadFileOrEmpty(dir_ + "/log")));
  }
  return absl::OkStatus();
}

}  // namespace iob::testing

// The iob-supplier-sim binary as a process: flags, the "serving" log line
// with http_port, seeded groups, and a graceful stop on SIGTERM even while
// an injected timeout holds a request.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/reader.h"
#include "nlohmann/json.hpp"
#include "tests/integration/sim/sim_harness.h"

namespace iob::sim::testing {
namespace {

using ::testing::HasSubstr;

// A child process with its stdout captured line by line.
class SimProcess {
 public:
  explicit SimProcess(const std::vector<std::string>& args) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    fd_ = out[0];
  }
  ~SimProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }

  // Returns the next stdout line containing `needle`, or "" after `max`.
  std::string WaitForLine(const std::string& needle, absl::Duration max) {
    const absl::Time deadline = absl::Now() + max;
    while (absl::Now() < deadline) {
      size_t nl;
      while ((nl = buffer_.find('\n')) != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        if (line.find(needle) != std::string::npos) return line;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) > 0) {
        char buf[4096];
        ssize_t n = read(fd_, buf, sizeof buf);
        if (n <= 0) return "";
        buffer_.append(buf, static_cast<size_t>(n));
      }
    }
    return "";
  }

  // Sends `sig` and waits up to `max` for the exit; returns the exit status
  // (-1 when still running, -2 when killed by a signal).
  int SignalAndWait(int sig, absl::Duration max) {
    kill(pid_, sig);
    const absl::Time deadline = absl::Now() + max;
    while (absl::Now() < deadline) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -2;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return -1;
  }

  bool started() const { return pid_ > 0 && fd_ >= 0; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  bool exited_ = false;
  std::string buffer_;
};

std::string Binary() {
  const char* b = std::getenv("IOB_SUPPLIER_SIM_BIN");
  return b ? b : "";
}

TEST(SimProcess, Finding20_ServesSeededGroupsAndStopsOnSigtermCuttingTheHeldRequest) {
  if (Binary().empty()) GTEST_SKIP() << "IOB_SUPPLIER_SIM_BIN not set";
  SimProcess p({Binary(), "--listen=127.0.0.1:0", "--seed-group=demo-buyer:demo:secret",
                "--cart-encoding=base64"});
  ASSERT_TRUE(p.started());
  std::string serving = p.WaitForLine("\"serving\"", absl::Seconds(10));
  ASSERT_FALSE(serving.empty());
  auto j = nlohmann::json::parse(serving);
  const int port = j["http_port"].get<int>();
  ASSERT_GT(port, 0);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(j["public_url"], base);
  EXPECT_THAT(serving, ::testing::Not(HasSubstr("demo:secret")));

  auto client = LoopbackClient();
  http::HttpRequest groups;
  groups.method = "GET";
  groups.url = base + "/admin/groups";
  auto g = client->Send(groups);
  ASSERT_TRUE(g.ok()) << g.status();
  auto list = nlohmann::json::parse(g->body)["groups"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["from_identity"], "demo-buyer");
  EXPECT_EQ(list[0]["shared_secret"], "demo:secret");  // split at the first ':'
  EXPECT_EQ(list[0]["cart_encoding"], "base64");
  EXPECT_EQ(list[0]["punchout_url"], base + "/punchout");

  http::HttpRequest setup;
  setup.url = base + "/punchout";
  setup.body = SetupXml("demo-buyer", "demo:secret", CreateRequest("p", "http://127.0.0.1:9/r"));
  setup.content_type = "text/xml";
  auto r = client->Send(setup);
  ASSERT_TRUE(r.ok()) << r.status();
  auto doc = cxml::ReadDocument(r->body);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(std::get<cxml::Response>(doc->body).status.code, 200);

  // A request held by an injected 30 s timeout must not delay the stop.
  http::HttpRequest faults;
  faults.url = base + "/admin/faults";
  faults.body = R"({"punchout": {"timeout": 1.0, "timeout_ms": 30000}})";
  faults.content_type = "application/json";
  ASSERT_TRUE(client->Send(faults).ok());
  auto punchout_received = [&]() -> int64_t {
    http::HttpRequest stats;
    stats.method = "GET";
    stats.url = base + "/admin/stats";
    auto st = client->Send(stats);
    if (!st.ok()) return -1;
    return nlohmann::json::parse(st->body)["endpoints"]["punchout"].value("received", int64_t{-1});
  };
  const int64_t received_before = punchout_received();
  ASSERT_GE(received_before, 1);
  absl::StatusOr<http::HttpResponse> held_result = absl::UnknownError("not sent");
  std::thread held([&] { held_result = LoopbackClient(absl::Seconds(60))->Send(setup); });
  // Wait (bounded, generously) until the simulator has the request in hand.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (punchout_received() <= received_before && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));  // poll interval, not a guess
  }
  EXPECT_GT(punchout_received(), received_before) << "the held request never arrived";

  EXPECT_EQ(p.SignalAndWait(SIGTERM, absl::Seconds(15)), 0);
  held.join();
  // The held request is cut off (connection reset), not answered late.
  EXPECT_FALSE(held_result.ok()) << held_result->status << " " << held_result->body;
  EXPECT_FALSE(p.WaitForLine("\"stopped\"", absl::Seconds(2)).empty());
}

TEST(SimProcess, BadFlagsExitWithUsage) {
  if (Binary().empty()) GTEST_SKIP() << "IOB_SUPPLIER_SIM_BIN not set";
  for (const std::string flag :
       {"--cart-encoding=xml", "--listen=nonsense", "--seed-group=nosecret", "--no-such-flag=1"}) {
    SimProcess p({Binary(), "--listen=127.0.0.1:0", flag});
    ASSERT_TRUE(p.started());
    EXPECT_EQ(p.SignalAndWait(0, absl::Seconds(10)), 2) << flag;
  }
}

}  // namespace
}  // namespace iob::sim::testing

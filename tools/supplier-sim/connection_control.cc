#include "tools/supplier-sim/connection_control.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "absl/time/clock.h"

namespace iob::sim {
namespace {

// Port and numeric address of a socket address.
bool Describe(const sockaddr_storage& ss, int* port, std::string* addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    *port = ntohs(a->sin_port);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    *port = ntohs(a->sin6_port);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
  } else {
    return false;
  }
  *addr = buf;
  return true;
}

// True when `ours` (from inet_ntop) names the same address as httplib's text
// (getnameinfo NI_NUMERICHOST, which may add a zone or use the v4-mapped form).
bool SameAddress(const std::string& ours, const std::string& theirs) {
  if (ours == theirs) return true;
  auto strip = [](std::string s) {
    if (s.rfind("::ffff:", 0) == 0) s = s.substr(7);
    size_t pct = s.find('%');
    return pct == std::string::npos ? s : s.substr(0, pct);
  };
  return strip(ours) == strip(theirs);
}

}  // namespace

int FindRequestSocket(const httplib::Request& req) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int found = -1;
  const int self = dirfd(dir);
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long n = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    int fd = static_cast<int>(n);
    if (fd == self) continue;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t llen = sizeof local, plen = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) != 0) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) != 0) continue;
    int lport, pport;
    std::string laddr, paddr;
    if (!Describe(local, &lport, &laddr) || !Describe(peer, &pport, &paddr)) continue;
    if (lport == req.local_port && pport == req.remote_port &&
        SameAddress(paddr, req.remote_addr)) {
      found = fd;
      break;
    }
  }
  closedir(dir);
  return found;
}

bool ResetConnection(const httplib::Request& req) {
  int fd = FindRequestSocket(req);
  if (fd < 0) return false;
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  // connect(AF_UNSPEC) disconnects a TCP socket: Linux sends RST for an
  // established connection, and the descriptor stays valid for httplib.
  sockaddr sa{};
  sa.sa_family = AF_UNSPEC;
  connect(fd, &sa, sizeof sa);
  return true;
}

bool WaitForClientClose(const httplib::Request& req, absl::Duration max,
                        const absl::Notification* stop) {
  const absl::Time deadline = absl::Now() + max;
  int fd = FindRequestSocket(req);
  while (absl::Now() < deadline) {
    if (stop != nullptr && stop->HasBeenNotified()) return false;
    absl::Duration step = std::min(absl::Milliseconds(100), deadline - absl::Now());
    if (fd < 0) {
      absl::SleepFor(step);
      continue;
    }
    pollfd p{fd, POLLRDHUP, 0};
    int r = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(step)) + 1);
    if (r > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) return true;
  }
  return false;
}

}  // namespace iob::sim

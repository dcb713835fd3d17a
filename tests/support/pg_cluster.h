// A Postgres cluster of the test's own, for tests that stop and start the
// database under running services ("Postgres down while polling"): the
// shared server behind IOB_TEST_PG_URL serves every test at once and must
// never be stopped. initdb into a temporary directory, then pg_ctl on a free
// loopback port, as ./iob test does (tools/dev/lib.sh pg_start); as root the
// server programs run as the `postgres` user (Postgres refuses root).
//
//   auto cluster = PgCluster::Start();
//   ASSERT_TRUE(cluster.ok()) << cluster.status();
//   ... TestStack on (*cluster)->url() ...
//   ASSERT_TRUE((*cluster)->Stop().ok());     // connections are cut
//   ASSERT_TRUE((*cluster)->Restart().ok());  // same data, same port
#ifndef IOB_TESTS_SUPPORT_PG_CLUSTER_H_
#define IOB_TESTS_SUPPORT_PG_CLUSTER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace iob::testing {

// Owns the cluster's directory and server. Not thread-safe.
class PgCluster {
 public:
  // Creates the cluster (about a second) and starts it. The server binaries
  // come from $IOB_PGBIN, else the newest /usr/lib/postgresql/*/bin.
  // FAILED_PRECONDITION when there are none (or, as root, no `postgres`
  // user); INTERNAL with initdb's or pg_ctl's output when they fail.
  static absl::StatusOr<std::unique_ptr<PgCluster>> Start();

  // Stops the server (immediate shutdown) and removes the directory unless
  // IOB_KEEP_TEST_DIRS is set. Errors are printed, never thrown.
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // postgresql://postgres@127.0.0.1:<port>/postgres: the superuser on the
  // maintenance database, what IOB_TEST_PG_URL holds.
  std::string url() const;
  int port() const { return port_; }

  // Stops the server the way an operator does (pg_ctl stop -m fast: open
  // connections are terminated) and waits until it is down. INTERNAL with
  // pg_ctl's output when it fails.
  absl::Status Stop();
  // Starts the stopped server again, same data, same port, and waits until
  // it accepts connections. INTERNAL with pg_ctl's output when it fails.
  absl::Status Restart();

 private:
  PgCluster() = default;
  // Runs `program` (from the server binaries) with `args`, as `postgres`
  // when we are root. INTERNAL with its output when it fails.
  absl::Status RunPg(const std::string& program, const std::vector<std::string>& args) const;

  std::string bin_;  // the server binaries
  std::string dir_;  // data/, the socket, the log
  int port_ = 0;
  bool as_postgres_ = false;
};

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_PG_CLUSTER_H_

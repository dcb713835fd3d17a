// libs/runtime ProcessMetrics: the process_* series follow what the process
// does (threads started, files opened, memory touched).
#include "libs/runtime/process_metrics.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace iob::runtime {
namespace {

std::map<std::string, double> Values() {
  std::map<std::string, double> out;
  for (const prometheus::MetricFamily& f : ProcessMetrics().Collect()) {
    EXPECT_EQ(f.metric.size(), 1u) << f.name;
    out[f.name] = f.type == prometheus::MetricType::Counter ? f.metric[0].counter.value
                                                            : f.metric[0].gauge.value;
  }
  return out;
}

TEST(ProcessMetricsTest, EverySeriesIsThere) {
  const std::map<std::string, double> v = Values();
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_threads", "process_open_fds",
                           "process_max_fds", "process_start_time_seconds"}) {
    EXPECT_TRUE(v.contains(name)) << name;
  }
  EXPECT_GE(v.at("process_virtual_memory_bytes"), v.at("process_resident_memory_bytes"));
  EXPECT_GE(v.at("process_max_fds"), v.at("process_open_fds"));
  // Started in the last hour, not in 1970.
  const double now = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  EXPECT_LE(v.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(v.at("process_start_time_seconds"), now - 3600);
}

TEST(ProcessMetricsTest, ThreadsFilesAndMemoryAreCounted) {
  const std::map<std::string, double> before = Values();
  absl::Notification started, done;
  std::thread t([&] {
    started.Notify();
    done.WaitForNotification();
  });
  started.WaitForNotification();
  const int fd = open("/proc/self/stat", O_RDONLY);
  ASSERT_GE(fd, 0);
  constexpr size_t kBytes = 64 << 20;
  std::unique_ptr<char[]> block(new char[kBytes]);
  std::memset(block.get(), 1, kBytes);  // resident once touched
  const std::map<std::string, double> after = Values();
  done.Notify();
  t.join();
  close(fd);
  EXPECT_EQ(after.at("process_threads"), before.at("process_threads") + 1);
  EXPECT_EQ(after.at("process_open_fds"), before.at("process_open_fds") + 1);
  EXPECT_GE(after.at("process_resident_memory_bytes"),
            before.at("process_resident_memory_bytes") + kBytes / 2);
  EXPECT_GE(after.at("process_cpu_seconds_total"), before.at("process_cpu_seconds_total"));
  EXPECT_EQ(block[kBytes - 1], 1);
}

}  // namespace
}  // namespace iob::runtime

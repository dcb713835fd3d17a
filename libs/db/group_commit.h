// Group commit for rows each caller must see committed before it goes on
// (an audit trail): concurrent callers' rows are written by one writer
// thread, many to one statement (Pool::WriteOne: it commits on its own),
// instead of a transaction per caller. Each caller still returns only after
// the statement holding its row has committed, so what is durable is
// unchanged; what is saved is the round trips (BEGIN, INSERT, COMMIT) and
// the Postgres commit work per row.
#ifndef IOB_LIBS_DB_GROUP_COMMIT_H_
#define IOB_LIBS_DB_GROUP_COMMIT_H_

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/db/pool.h"

namespace iob::db {

// Thread-safe. `Row` is what one caller appends (copied into the queue).
template <typename Row>
class GroupCommit {
 public:
  // Writes `rows` (1..max_batch of them, in the order they were appended)
  // with ONE statement on `tx` (a pqxx::nontransaction: the statement is
  // its own transaction); runs on the writer thread only.
  using WriteFn =
      std::function<absl::Status(pqxx::transaction_base& tx, const std::vector<const Row*>& rows)>;

  // Starts the writer thread. `pool` (not owned) must outlive this object.
  GroupCommit(Pool* pool, WriteFn write, int max_batch)
      : pool_(pool), write_(std::move(write)), max_batch_(std::max(1, max_batch)) {
    writer_ = std::thread([this] { Run(); });
  }

  // Writes what is queued, then stops the writer. Every Append must have
  // returned.
  ~GroupCommit() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    writer_.join();
  }

  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues `row` and returns once the statement holding it has committed:
  // OK, or that statement's error (Pool::WriteOne's codes; every row of a
  // failed batch gets the error, so use it for rows that cannot fail on
  // their own, e.g. no unique keys). DEADLINE_EXCEEDED when the calling
  // thread's ScopedDeadline passes first; the row may still be written
  // afterwards. UNAVAILABLE while shutting down. Never call it inside a
  // transaction on the same pool: the writer needs a connection of its own.
  absl::Status Append(Row row) {
    const absl::Time deadline = ScopedDeadline::Current();
    auto pending = std::make_shared<Pending>(std::move(row), deadline);
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::UnavailableError("shutting down");
    queue_.push_back(pending);
    if (!mu_.AwaitWithDeadline(absl::Condition(&pending->done), deadline)) {
      return absl::DeadlineExceededError("deadline passed waiting for the write to commit");
    }
    return pending->status;
  }

  // Rows queued and not yet taken into a statement (tests, metrics).
  size_t queued() {
    absl::MutexLock lock(&mu_);
    return queue_.size();
  }

 private:
  struct Pending {
    Pending(Row r, absl::Time d) : row(std::move(r)), deadline(d) {}
    const Row row;
    const absl::Time deadline;  // the caller's
    bool done = false;          // guarded by mu_
    absl::Status status;
  };

  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stopping_; }

  // The writer: takes what is queued (up to max_batch), writes it in one
  // statement under the latest deadline of those callers (no caller's row
  // fails for another's shorter deadline), wakes them; rows queued
  // meanwhile make the next batch.
  void Run() {
    for (;;) {
      std::vector<std::shared_ptr<Pending>> batch;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(this, &GroupCommit::HasWork));
        if (queue_.empty()) return;  // stopping, nothing left
        const size_t n = std::min(queue_.size(), static_cast<size_t>(max_batch_));
        batch.assign(queue_.begin(), queue_.begin() + n);
        queue_.erase(queue_.begin(), queue_.begin() + n);
      }
      std::vector<const Row*> rows;
      rows.reserve(batch.size());
      absl::Time latest = absl::InfinitePast();
      for (const auto& p : batch) {
        rows.push_back(&p->row);
        latest = std::max(latest, p->deadline);
      }
      absl::Status status;
      {
        ScopedDeadline deadline(latest);
        status = pool_->WriteOne([&](pqxx::transaction_base& tx) { return write_(tx, rows); });
      }
      absl::MutexLock lock(&mu_);
      for (const auto& p : batch) {
        p->status = status;
        p->done = true;
      }
    }
  }

  Pool* const pool_;
  const WriteFn write_;
  const int max_batch_;
  absl::Mutex mu_;
  std::deque<std::shared_ptr<Pending>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread writer_;
};

}  // namespace iob::db

#endif  // IOB_LIBS_DB_GROUP_COMMIT_H_

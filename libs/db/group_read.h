// Group read: concurrent lookups by key answered by one query. A caller
// arriving while `max_in_flight` queries are running waits, and the next
// query answers every caller then waiting, so under load a round trip to
// Postgres serves many calls instead of one. Nothing is cached: every
// caller's answer comes from a query that started after it called, so it
// sees every commit made before its call, as its own query would.
#ifndef IOB_LIBS_DB_GROUP_READ_H_
#define IOB_LIBS_DB_GROUP_READ_H_

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/db/pool.h"

namespace iob::db {

// Thread-safe. Queries run on the callers' threads (one caller leads each
// query), under that caller's ScopedDeadline.
template <typename Key, typename Value>
class GroupRead {
 public:
  // Looks `keys` up (1..max_batch of them, possibly repeated) with one
  // statement on `tx` (a pqxx::nontransaction) and returns one result per
  // key, in order (NOT_FOUND, say, for a key with no row). libpqxx
  // exceptions propagate to the Pool.
  using ReadFn = std::function<std::vector<absl::StatusOr<Value>>(
      pqxx::transaction_base& tx, const std::vector<const Key*>& keys)>;

  // `pool` (not owned) must outlive this object. At most `max_in_flight`
  // queries (connections) at once, each for at most `max_batch` keys.
  GroupRead(Pool* pool, ReadFn read, int max_batch, int max_in_flight)
      : pool_(pool),
        read_(std::move(read)),
        max_batch_(std::max(1, max_batch)),
        max_in_flight_(std::max(1, max_in_flight)) {}

  GroupRead(const GroupRead&) = delete;
  GroupRead& operator=(const GroupRead&) = delete;

  // The value of `key`: ReadFn's result for it, or the query's error
  // (Pool::ReadOne's codes) for every key of a failed query.
  // DEADLINE_EXCEEDED when the calling thread's ScopedDeadline passes first.
  absl::StatusOr<Value> Read(const Key& key) {
    const absl::Time deadline = ScopedDeadline::Current();
    for (;;) {
      bool from_query = false;
      absl::StatusOr<Value> result = Wait(std::make_shared<Pending>(key), deadline, &from_query);
      // A query led by a caller with an earlier deadline may have been
      // cancelled at that deadline: ours has not passed, so ask again.
      if (from_query && absl::IsDeadlineExceeded(result.status()) && absl::Now() < deadline) {
        continue;
      }
      return result;
    }
  }

  // Callers waiting for a query to take their key (tests, metrics).
  size_t queued() {
    absl::MutexLock lock(&mu_);
    return queue_.size();
  }

 private:
  struct Pending {
    explicit Pending(const Key& k) : key(k) {}
    static bool Woken(Pending* p) { return p->done || p->lead; }
    const Key key;
    // Guarded by mu_ (absl::Condition cannot name the lock of a pointee).
    bool lead = false;  // holds a query slot: takes the next batch
    bool done = false;  // result is set
    absl::StatusOr<Value> result = absl::UnknownError("not read");
  };

  // Queues `mine` and waits for its result, leading queries while it holds
  // a slot. `from_query`: the result is a query's, not our deadline's.
  absl::StatusOr<Value> Wait(const std::shared_ptr<Pending>& mine, absl::Time deadline,
                             bool* from_query) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(mine);
    if (in_flight_ < max_in_flight_) {
      ++in_flight_;
      mine->lead = true;
    }
    for (;;) {
      mu_.AwaitWithDeadline(absl::Condition(&Pending::Woken, mine.get()), deadline);
      if (mine->lead) {
        mine->lead = false;
        LeadQuery();
        continue;
      }
      if (mine->done) {
        *from_query = true;
        return mine->result;
      }
      // The deadline passed first; a query already under way finishes
      // without us.
      if (auto it = std::find(queue_.begin(), queue_.end(), mine); it != queue_.end()) {
        queue_.erase(it);
      }
      return absl::DeadlineExceededError("deadline passed waiting for the database");
    }
  }

  // Holding a query slot: reads the oldest waiting keys in one query, hands
  // out the results, then passes the slot to the oldest caller still
  // waiting without one (or frees it).
  void LeadQuery() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const size_t n = std::min(queue_.size(), static_cast<size_t>(max_batch_));
    std::vector<std::shared_ptr<Pending>> batch(queue_.begin(), queue_.begin() + n);
    queue_.erase(queue_.begin(), queue_.begin() + n);
    if (!batch.empty()) {
      std::vector<const Key*> keys;
      for (const auto& p : batch) keys.push_back(&p->key);
      mu_.Unlock();
      absl::StatusOr<std::vector<absl::StatusOr<Value>>> results = pool_->ReadOne(
          [&](pqxx::transaction_base& tx) -> absl::StatusOr<std::vector<absl::StatusOr<Value>>> {
            std::vector<absl::StatusOr<Value>> out = read_(tx, keys);
            if (out.size() != keys.size()) return absl::InternalError("group read: result count");
            return out;
          });
      mu_.Lock();
      for (size_t i = 0; i < batch.size(); ++i) {
        batch[i]->result =
            results.ok() ? std::move((*results)[i]) : absl::StatusOr<Value>(results.status());
        batch[i]->done = true;
      }
    }
    auto next = std::find_if(queue_.begin(), queue_.end(), [](const auto& p) { return !p->lead; });
    if (next != queue_.end()) {
      (*next)->lead = true;
    } else {
      --in_flight_;
    }
  }

  Pool* const pool_;
  const ReadFn read_;
  const int max_batch_;
  const int max_in_flight_;
  absl::Mutex mu_;
  std::deque<std::shared_ptr<Pending>> queue_ ABSL_GUARDED_BY(mu_);  // waiting, oldest first
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;  // query slots held (leading or handed on)
};

}  // namespace iob::db

#endif  // IOB_LIBS_DB_GROUP_READ_H_

// WorkQueue: the capacity of a test node. K workers serve one job each; jobs that find every
// worker busy wait in a bounded FIFO queue; a job that finds the queue full is rejected (the
// server answers 503). Pure accounting with no clock and no threads: the server's event-loop
// thread owns it and starts the service of whatever Admit or Finish hands back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include "core/check.h"

namespace ebb::testserver {

enum class Admission { kStarted, kQueued, kRejected };

struct WorkQueueCounters {
  std::uint64_t admitted = 0;  // started at once or queued
  std::uint64_t rejected = 0;  // queue full
  std::uint64_t finished = 0;
  std::size_t max_queued = 0;  // the deepest the queue has been
};

template <typename Job>
class WorkQueue {
 public:
  WorkQueue(int workers, std::size_t queue_capacity)
      : workers_(workers), queue_capacity_(queue_capacity) {
    EBB_CHECK(workers >= 1);
  }

  // kStarted: a worker is now busy with `job` and the caller starts its service.
  // kQueued: the queue keeps `job` until a Finish hands it back.
  // kRejected: nothing changed; `job` stays with the caller.
  Admission Admit(Job& job) {
    if (busy_ < workers_) {
      ++busy_;
      ++counters_.admitted;
      return Admission::kStarted;
    }
    if (queue_.size() >= queue_capacity_) {
      ++counters_.rejected;
      return Admission::kRejected;
    }
    queue_.push_back(std::move(job));
    ++counters_.admitted;
    if (queue_.size() > counters_.max_queued) counters_.max_queued = queue_.size();
    return Admission::kQueued;
  }

  // A worker finished its job. Returns the oldest queued job, which that worker now serves.
  std::optional<Job> Finish() {
    EBB_CHECK(busy_ > 0);
    ++counters_.finished;
    if (queue_.empty()) {
      --busy_;
      return std::nullopt;
    }
    std::optional<Job> next(std::move(queue_.front()));
    queue_.pop_front();
    return next;
  }

  int busy() const { return busy_; }
  int workers() const { return workers_; }
  std::size_t queued() const { return queue_.size(); }
  bool idle() const { return busy_ == 0 && queue_.empty(); }
  const WorkQueueCounters& counters() const { return counters_; }

 private:
  int workers_;
  std::size_t queue_capacity_;
  int busy_ = 0;
  std::deque<Job> queue_;
  WorkQueueCounters counters_;
};

}  // namespace ebb::testserver

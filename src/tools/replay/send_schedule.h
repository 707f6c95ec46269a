// SendSchedule: when each request of a replay leaves, in seconds from the start of the replay, in
// non-decreasing order. ArrivalsSchedule reuses the simulator's workload::Arrivals (per-second and
// per-minute counts spread as Poisson or exact, per-request times, scale, speedup), so `ebb
// replay` and `ebb simulate` see the same arrivals from the same trace and seed; it stops at
// `duration_s` of replay time. ListSchedule plays a fixed list (tests). Owned and read by the
// replay loop's thread.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "core/status.h"
#include "workload/arrivals.h"

namespace ebb::replay {

class SendSchedule {
 public:
  virtual ~SendSchedule() = default;
  // The next send time, +infinity when there are no more.
  virtual double Peek() const = 0;
  virtual void Pop() = 0;
  // OK, or the error (a malformed trace line) that ended the schedule early.
  virtual core::Status status() const { return core::Status::Ok(); }
};

class ArrivalsSchedule : public SendSchedule {
 public:
  // `workload.duration_s` is ignored: `duration_s` is in replay seconds (after speedup). The
  // whole trace is read once first: a malformed line anywhere fails Open, before any send.
  static core::Result<std::unique_ptr<ArrivalsSchedule>> Open(
      workload::WorkloadOptions workload, std::uint64_t seed,
      std::optional<double> duration_s = std::nullopt);

  double Peek() const override;
  void Pop() override { arrivals_->Pop(); }
  core::Status status() const override { return arrivals_->status(); }

 private:
  ArrivalsSchedule(std::unique_ptr<workload::Arrivals> arrivals, double end)
      : arrivals_(std::move(arrivals)), end_(end) {}
  std::unique_ptr<workload::Arrivals> arrivals_;
  double end_;
};

class ListSchedule : public SendSchedule {
 public:
  explicit ListSchedule(std::vector<double> times) : times_(std::move(times)) {}
  double Peek() const override {
    return next_ < times_.size() ? times_[next_] : std::numeric_limits<double>::infinity();
  }
  void Pop() override { ++next_; }

 private:
  std::vector<double> times_;
  std::size_t next_ = 0;
};

}  // namespace ebb::replay

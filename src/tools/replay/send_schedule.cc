#include "tools/replay/send_schedule.h"

#include <cmath>

#include "workload/trace_reader.h"

namespace ebb::replay {

core::Result<std::unique_ptr<ArrivalsSchedule>> ArrivalsSchedule::Open(
    workload::WorkloadOptions workload, std::uint64_t seed, std::optional<double> duration_s) {
  if (duration_s && !(*duration_s > 0)) {
    return core::InvalidArgumentError("--duration must be > 0 seconds");
  }
  if (workload.trace.empty()) return core::InvalidArgumentError("no trace given");
  // Every line is checked before the first request leaves, so that a malformed line late in
  // the trace cannot stop a replay half-way. Reading is cheap next to replaying (the 2.4-million
  // line NASA trace reads in about 0.1 s).
  {
    EBB_ASSIGN_OR_RETURN(std::unique_ptr<workload::TraceReader> reader,
                         workload::TraceReader::Open(workload.trace, workload.format));
    workload::TraceRecord record;
    for (;;) {
      EBB_ASSIGN_OR_RETURN(const bool more, reader->Next(record));
      if (!more) break;
    }
  }
  // The window is cut here, in replay time, rather than by Arrivals in trace time: the same
  // thing (replay = trace / speedup) without depending on when Arrivals learns its end.
  workload.duration_s.reset();
  EBB_ASSIGN_OR_RETURN(std::unique_ptr<workload::Arrivals> arrivals,
                       workload::Arrivals::Open(workload, seed));
  const double end = duration_s.value_or(std::numeric_limits<double>::infinity());
  return std::unique_ptr<ArrivalsSchedule>(new ArrivalsSchedule(std::move(arrivals), end));
}

double ArrivalsSchedule::Peek() const {
  const double next = arrivals_->Peek();
  return next < end_ ? next : std::numeric_limits<double>::infinity();
}

}  // namespace ebb::replay

// LoadHistory: the last N load samples (time, arrival rate in requests/s), oldest first, in a
// fixed ring buffer so that memory never grows with the length of a run. The controller appends
// one sample per tick; forecasts read windows of it.
#pragma once

#include <cstddef>
#include <vector>

#include "core/time.h"

namespace ebb::core {

struct LoadSample {
  Seconds at = 0;
  double rate_rps = 0;  // requests that arrived per second over the last interval
};

class LoadHistory {
 public:
  explicit LoadHistory(std::size_t capacity);

  void Add(LoadSample sample);
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return buffer_.size(); }
  bool empty() const { return size_ == 0; }
  // i = 0 is the oldest sample kept, size() - 1 the newest.
  const LoadSample& operator[](std::size_t i) const;
  const LoadSample& Latest() const { return (*this)[size_ - 1]; }
  // The samples with `at` in (now - window, now], oldest first, copied out.
  std::vector<LoadSample> Window(Seconds now, Seconds window) const;

 private:
  std::vector<LoadSample> buffer_;
  std::size_t head_ = 0;  // where the next sample goes
  std::size_t size_ = 0;
};

}  // namespace ebb::core

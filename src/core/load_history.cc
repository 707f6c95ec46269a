#include "core/load_history.h"

#include "core/check.h"

namespace ebb::core {

LoadHistory::LoadHistory(std::size_t capacity) : buffer_(capacity) { EBB_CHECK(capacity > 0); }

void LoadHistory::Add(LoadSample sample) {
  buffer_[head_] = sample;
  head_ = (head_ + 1) % buffer_.size();
  if (size_ < buffer_.size()) ++size_;
}

const LoadSample& LoadHistory::operator[](std::size_t i) const {
  EBB_DCHECK(i < size_);
  const std::size_t oldest = (head_ + buffer_.size() - size_) % buffer_.size();
  return buffer_[(oldest + i) % buffer_.size()];
}

std::vector<LoadSample> LoadHistory::Window(Seconds now, Seconds window) const {
  std::vector<LoadSample> out;
  for (std::size_t i = 0; i < size_; ++i) {
    const LoadSample& s = (*this)[i];
    if (s.at > now - window && s.at <= now) out.push_back(s);
  }
  return out;
}

}  // namespace ebb::core

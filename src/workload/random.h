// Random numbers for the simulator, written out so that a seed gives the same run on every
// compiler and standard library (std::*_distribution are implementation-defined).
// xoshiro256** seeded through SplitMix64.
#pragma once

#include <cmath>
#include <cstdint>

namespace ebb::workload {

class Random {
 public:
  explicit Random(std::uint64_t seed) {
    for (auto& word : state_) word = SplitMix64(seed);
  }

  std::uint64_t NextU64() {
    const std::uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }
  // Uniform in (0, 1): never 0, so that log() is finite.
  double Uniform01() { return (static_cast<double>(NextU64() >> 11) + 0.5) * 0x1.0p-53; }
  double Exponential(double rate) { return -std::log(Uniform01()) / rate; }
  // Standard normal (Box-Muller, one value per call, the second is kept).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(Uniform01()));
    const double angle = 2.0 * 3.14159265358979323846 * Uniform01();
    spare_ = r * std::sin(angle);
    has_spare_ = true;
    return r * std::cos(angle);
  }
  // Poisson-distributed count with the given mean (inversion for small means, normal
  // approximation with continuity correction above 500 where inversion gets slow).
  std::uint64_t Poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 500) {
      const double x = std::floor(mean + std::sqrt(mean) * Normal() + 0.5);
      return x < 0 ? 0 : static_cast<std::uint64_t>(x);
    }
    const double limit = std::exp(-mean);
    std::uint64_t k = 0;
    double p = Uniform01();
    while (p > limit) {
      ++k;
      p *= Uniform01();
    }
    return k;
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t SplitMix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::uint64_t state_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace ebb::workload

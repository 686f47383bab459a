#pragma once
// Exponential back-off with jitter, shared by the connect and lock loops.
#include <chrono>
#include <random>

namespace sg {

class Backoff {
  public:
    Backoff(std::chrono::milliseconds first, std::chrono::milliseconds max)
        : m_next(first), m_max(max), m_rng(std::random_device{}()) {}
    /// The next delay: the current step scaled by a random factor in
    /// [0.5, 1.0] (so runners started together spread out), then doubled up
    /// to the maximum.
    std::chrono::milliseconds next() {
        std::uniform_real_distribution<double> jitter(0.5, 1.0);
        auto d = std::chrono::milliseconds(
            static_cast<long long>(static_cast<double>(m_next.count()) * jitter(m_rng)));
        m_next = std::min(m_max, m_next * 2);
        return std::max(d, std::chrono::milliseconds(1));
    }

  private:
    std::chrono::milliseconds m_next, m_max;
    std::mt19937 m_rng;
};

}  // namespace sg

#pragma once
// Saturating time arithmetic for user-given durations. Durations are parsed
// up to LLONG_MAX milliseconds, but steady_clock::now() + such a duration
// overflows (undefined behaviour; in practice the wait expires at once), and
// library APIs take timeouts as int.
#include <chrono>
#include <climits>

namespace sg {

/// now + d, or the largest time point when that would overflow ("no deadline").
inline std::chrono::steady_clock::time_point deadline_after(
    std::chrono::milliseconds d,
    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) {
    using Clock = std::chrono::steady_clock;
    if (d.count() <= 0) return now;
    auto room = Clock::time_point::max() - now;
    if (std::chrono::duration_cast<std::chrono::milliseconds>(room) <= d) {
        return Clock::time_point::max();
    }
    return now + d;
}

/// `v` clamped into [lo, INT_MAX].
inline int clamp_to_int(long long v, int lo = INT_MIN) {
    if (v < lo) return lo;
    return v > INT_MAX ? INT_MAX : static_cast<int>(v);
}

/// Whole seconds, rounded up, at least 1, at most INT_MAX (libpq, MySQL and
/// SQLite take int timeouts).
inline int timeout_seconds(std::chrono::milliseconds d) {
    long long ms = d.count();
    return clamp_to_int(ms / 1000 + (ms % 1000 > 0 ? 1 : 0), 1);
}

/// Seconds as int milliseconds, clamped (SQLite's busy timeout).
inline int seconds_to_ms(int seconds) { return clamp_to_int(1000LL * seconds, 0); }

}  // namespace sg

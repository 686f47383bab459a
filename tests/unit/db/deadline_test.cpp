// Saturating deadlines and int timeouts (durations go up to LLONG_MAX ms).
#include "db/deadline.hpp"

#include <catch2/catch.hpp>

using namespace sg;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TEST_CASE("deadline_after saturates instead of overflowing", "[deadline]") {
    Clock::time_point now = Clock::now();
    CHECK(deadline_after(milliseconds(1500), now) == now + milliseconds(1500));
    CHECK(deadline_after(milliseconds(0), now) == now);
    // About 2.6 million hours: now + d overflows the nanosecond clock.
    CHECK(deadline_after(milliseconds(9'400'000'000'000LL), now) == Clock::time_point::max());
    CHECK(deadline_after(milliseconds(LLONG_MAX), now) == Clock::time_point::max());
    CHECK(deadline_after(milliseconds(LLONG_MAX), now) > now);
}

TEST_CASE("timeouts passed as int are clamped, not truncated", "[deadline]") {
    CHECK(timeout_seconds(milliseconds(1)) == 1);
    CHECK(timeout_seconds(milliseconds(0)) == 1);
    CHECK(timeout_seconds(milliseconds(1000)) == 1);
    CHECK(timeout_seconds(milliseconds(1001)) == 2);
    CHECK(timeout_seconds(milliseconds(LLONG_MAX)) == INT_MAX);
    CHECK(timeout_seconds(milliseconds(3'600'000LL * 600)) == 2'160'000);
    CHECK(seconds_to_ms(10) == 10'000);
    CHECK(seconds_to_ms(600 * 3600) == INT_MAX);  // 600 h: * 1000 overflows an int
    CHECK(seconds_to_ms(INT_MAX) == INT_MAX);
}

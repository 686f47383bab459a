#include "run/wait.hpp"

#include <algorithm>

#include "db/deadline.hpp"
#include "log/log.hpp"
#include "run/backoff.hpp"
#include "run/signals.hpp"

namespace sg {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

long long ms_since(Clock::time_point t) {
    return duration_cast<milliseconds>(Clock::now() - t).count();
}

bool retryable(const DbError& e) {
    return e.kind() == DbErrorKind::unreachable || e.kind() == DbErrorKind::lost;
}

// libpq reads connect_timeout in whole seconds (and treats < 2 as 2).
int attempt_timeout_s(const WaitOptions& opts, milliseconds remaining) {
    milliseconds limit = opts.connect_timeout;
    if (opts.timeout.count() > 0) limit = std::min(limit, remaining);
    return timeout_seconds(limit);
}

}  // namespace

WaitResult wait_for_database(const DbUrl& url, const WaitOptions& opts) {
    Connector connector = opts.connector ? opts.connector : Connector(&sg::connect);
    Backoff backoff(opts.first_delay, opts.max_delay);
    auto start = Clock::now();
    auto deadline = deadline_after(opts.timeout, start);
    auto next_progress = start + opts.progress_every;
    WaitResult result;
    std::string last_error;
    for (;;) {
        throw_if_interrupted(opts.interrupted, "while waiting for the database");
        ++result.attempts;
        auto remaining = duration_cast<milliseconds>(deadline - Clock::now());
        try {
            ConnectOptions co;
            co.connect_timeout_s = attempt_timeout_s(opts, remaining);
            co.busy_timeout_ms = opts.busy_timeout.count();
            result.conn = connector(url, co);
            result.waited_ms = ms_since(start);
            log::debug("connected",
                       {{"attempt", result.attempts}, {"waited_ms", result.waited_ms}});
            return result;
        } catch (const DbError& e) {
            if (!retryable(e)) throw;
            last_error = e.what();
            log::debug("database not reachable yet",
                       {{"attempt", result.attempts}, {"error", last_error}});
        }
        throw_if_interrupted(opts.interrupted, "while waiting for the database");
        auto now = Clock::now();
        if (now >= deadline) break;
        if (now >= next_progress) {
            log::info("waiting for the database",
                      {{"waited_ms", ms_since(start)},
                       {"attempt", result.attempts},
                       {"timeout_ms", static_cast<long long>(opts.timeout.count())},
                       {"error", last_error}});
            next_progress = now + opts.progress_every;
        }
        auto delay = std::min(backoff.next(), duration_cast<milliseconds>(deadline - now));
        sleep_unless_interrupted(delay, opts.interrupted);
    }
    throw Error(ExitCode::unreachable,
                "database not reachable after " + std::to_string(ms_since(start) / 1000) + " s (" +
                    std::to_string(result.attempts) + " attempts): " + last_error,
                "check the host and port of the URL and that the database is running; "
                "raise --wait-timeout if it starts slowly");
}

}  // namespace sg

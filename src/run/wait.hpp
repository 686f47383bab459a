#pragma once
// Waiting for the database (docs/run.md step 2).
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "db/connection.hpp"

namespace sg {

using Connector = std::function<std::unique_ptr<Connection>(const DbUrl&, const ConnectOptions&)>;

struct WaitOptions {
    std::chrono::milliseconds timeout{60000};          // 0: one attempt
    std::chrono::milliseconds connect_timeout{10000};  // per attempt
    std::chrono::milliseconds busy_timeout{0};         // SQLite busy timeout; 0: connect_timeout
    std::chrono::milliseconds first_delay{250};
    std::chrono::milliseconds max_delay{5000};
    std::chrono::milliseconds progress_every{5000};  // info line while waiting
    const std::atomic<int>* interrupted = nullptr;
    Connector connector;  // empty: sg::connect
};

struct WaitResult {
    std::unique_ptr<Connection> conn;
    int attempts = 0;
    long long waited_ms = 0;
};

/// Connects, retrying what time can fix (DbErrorKind::unreachable, lost) with
/// back-off until opts.timeout. Throws Error(unreachable) with the last
/// error when the time is up, the DbError itself for auth (exit 5) and other
/// non-retryable errors, Error(usage) as the driver threw it, and
/// Error(130/143) when interrupted.
WaitResult wait_for_database(const DbUrl& url, const WaitOptions& opts);

}  // namespace sg

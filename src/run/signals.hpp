#pragma once
// SIGTERM/SIGINT for the run flow (docs/run.md step 8). The handler only
// stores the signal number in an atomic and writes a byte to a pipe
// (async-signal-safe); a watcher thread then cancels the statement running on
// the registered connection. Loops that wait (connect, lock) poll the flag.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "core/exit_code.hpp"
#include "core/util.hpp"  // exit_for_signal
#include "db/connection.hpp"

namespace sg {

/// Sleeps up to `d` in short slices; false when `interrupted` became non-zero.
bool sleep_unless_interrupted(std::chrono::milliseconds d, const std::atomic<int>* interrupted);

/// Throws Error(130/143) when `interrupted` is set.
void throw_if_interrupted(const std::atomic<int>* interrupted, const char* during);

/// Installs the handlers for its lifetime (one instance at a time). A second
/// signal exits at once; if the flow has not finished `grace` after the first
/// signal, on_stuck (if set) runs and the process exits with 130/143.
class SignalWatch {
  public:
    explicit SignalWatch(std::chrono::milliseconds grace = std::chrono::seconds(10));
    ~SignalWatch();
    SignalWatch(const SignalWatch&) = delete;
    SignalWatch& operator=(const SignalWatch&) = delete;

    /// The signal number once one arrived, else 0 (MigrateOptions::interrupted).
    const std::atomic<int>* flag() const;
    int signal() const { return flag()->load(); }
    /// The connection to cancel on a signal (nullptr: none). Cancels at once
    /// when a signal already arrived.
    void watch(Connection* conn);
    /// Last words when the flow hangs past the grace period (e.g. write the
    /// termination message). Runs on the watcher thread.
    void on_stuck(std::function<void(int sig)> fn);

  private:
    void loop();

    std::chrono::milliseconds m_grace;
    std::mutex m_mutex;
    Connection* m_conn = nullptr;
    bool m_cancelled = false;
    std::function<void(int)> m_on_stuck;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace sg

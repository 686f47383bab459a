#pragma once
// The migration lock (docs/run.md step 4): a non-blocking try-lock polled
// with back-off, never a blocking lock call (which CREATE INDEX CONCURRENTLY
// in the holder would wait on).
#include <atomic>
#include <chrono>
#include <string>

#include "db/connection.hpp"

namespace sg {

/// "schemagate:<database>:<schema>:<version table>", or for names longer than
/// MySQL's 64 characters a prefix plus a hash of the whole. Two runners
/// share a lock exactly when they migrate the same version table.
std::string lock_name(const std::string& database, const std::string& schema,
                      const std::string& version_table);

struct LockOptions {
    std::chrono::milliseconds timeout{300000};  // 0: one attempt
    std::chrono::milliseconds first_delay{100};
    std::chrono::milliseconds max_delay{1000};
    std::chrono::milliseconds progress_every{5000};
    const std::atomic<int>* interrupted = nullptr;
};

/// Holds the lock from acquire() until release() or destruction.
class MigrationLock {
  public:
    MigrationLock(Connection& conn, std::string name) : m_conn(conn), m_name(std::move(name)) {}
    ~MigrationLock() { release(); }
    MigrationLock(const MigrationLock&) = delete;
    MigrationLock& operator=(const MigrationLock&) = delete;

    /// Polls try_lock until it succeeds. Throws Error(lock_timeout) naming the
    /// holder, Error(130/143) when interrupted.
    void acquire(const LockOptions& opts);
    /// Never throws (the session ending frees the lock anyway).
    void release() noexcept;
    bool held() const { return m_held; }
    long long waited_ms() const { return m_waited_ms; }
    const std::string& name() const { return m_name; }

  private:
    std::string holder_text();

    Connection& m_conn;
    std::string m_name;
    bool m_held = false;
    long long m_waited_ms = 0;
};

}  // namespace sg

#include "run/lock.hpp"

#include <cstdio>

#include "core/hash.hpp"
#include "db/deadline.hpp"
#include "log/log.hpp"
#include "run/backoff.hpp"
#include "run/signals.hpp"

namespace sg {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxLockName = 64;  // MySQL GET_LOCK

}  // namespace

std::string lock_name(const std::string& database, const std::string& schema,
                      const std::string& version_table) {
    std::string name = "schemagate:" + database + ":" + schema + ":" + version_table;
    if (name.size() <= kMaxLockName) return name;
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a64(name)));
    return name.substr(0, kMaxLockName - 17) + "#" + hash;
}

std::string MigrationLock::holder_text() {
    try {
        std::string h = m_conn.lock_holder(m_name);
        return h.empty() ? "unknown holder" : h;
    } catch (const std::exception& e) {
        return "unknown holder";
    }
}

void MigrationLock::acquire(const LockOptions& opts) {
    Backoff backoff(opts.first_delay, opts.max_delay);
    auto start = Clock::now();
    auto deadline = deadline_after(opts.timeout, start);
    auto next_progress = start + opts.progress_every;
    bool announced = false;
    for (;;) {
        throw_if_interrupted(opts.interrupted, "while waiting for the migration lock");
        if (m_conn.try_lock(m_name)) {
            m_held = true;
            m_waited_ms = duration_cast<milliseconds>(Clock::now() - start).count();
            log::info("migration lock acquired", {{"lock", m_name}, {"waited_ms", m_waited_ms}});
            return;
        }
        auto now = Clock::now();
        long long waited = duration_cast<milliseconds>(now - start).count();
        if (!announced || now >= next_progress) {
            log::info("waiting for the migration lock",
                      {{"lock", m_name}, {"waited_ms", waited}, {"holder", holder_text()}});
            announced = true;
            next_progress = now + opts.progress_every;
        }
        if (now >= deadline) {
            m_waited_ms = waited;
            throw Error(ExitCode::lock_timeout,
                        "migration lock " + m_name + " not acquired within " +
                            std::to_string(waited / 1000) + " s; held by " + holder_text(),
                        "another runner is migrating this database; wait for it or raise "
                        "--lock-timeout");
        }
        auto delay = std::min(backoff.next(), duration_cast<milliseconds>(deadline - now));
        sleep_unless_interrupted(delay, opts.interrupted);
    }
}

void MigrationLock::release() noexcept {
    if (!m_held) return;
    m_held = false;
    try {
        m_conn.unlock(m_name);
        log::debug("migration lock released", {{"lock", m_name}});
    } catch (const std::exception& e) {
        // The lock belongs to the session: closing the connection frees it.
        log::debug("unlock failed; the lock ends with the session",
                   {{"lock", m_name}, {"error", std::string(e.what())}});
    }
}

}  // namespace sg

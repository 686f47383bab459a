#pragma once
#if !defined(SG_ENGINE_INTERNAL)
#error "engine/ddl_lock.hpp is private to src/engine"
#endif
// Waiting for table locks (docs/zero-downtime.md, "DDL lock timeout"): what
// the Migrator needs to retry a revision or a statement whose lock wait hit
// --ddl-lock-timeout, and to name the session that held the lock.
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "core/dialect.hpp"
#include "db/connection.hpp"
#include "log/log.hpp"

namespace sg::engine_detail {

/// "pid 4242 (user app, application 'billing', client 10.0.0.5, transaction
/// open 14 s, idle in transaction): SELECT ..." per blocker, joined by "; ";
/// "an unknown session" when there is none.
std::string describe_blockers(const std::vector<LockBlocker>& blockers);

/// The first blocker as structured fields (blocker_pid, blocker_user,
/// blocker_application, blocker_client, blocker_xact_age_s, blocker_state,
/// blocker_query) and how many there are (blockers).
void add_blocker_fields(log::Fields& fields, const std::vector<LockBlocker>& blockers);

/// The names a statement mentions outside strings and comments (words and
/// quoted identifiers, lower case unless quoted): the candidates for the
/// tables it waits for.
std::vector<std::string> statement_names(const std::string& sql, Dialect d);

/// PostgreSQL `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ...`:
/// the index name; "" for any other statement (or an unnamed index).
std::string concurrent_index_name(const std::string& sql, Dialect d);

/// Exponential back-off with jitter between lock-wait retries: 200 ms
/// doubling up to 5 s, each scaled by a random factor in [0.5, 1].
class RetryDelay {
  public:
    RetryDelay() : m_rng(std::random_device{}()) {}
    std::chrono::milliseconds next() {
        std::uniform_real_distribution<double> jitter(0.5, 1.0);
        auto d = std::chrono::milliseconds(
            static_cast<long long>(static_cast<double>(m_next.count()) * jitter(m_rng)));
        m_next = std::min(std::chrono::milliseconds(5000), m_next * 2);
        return std::max(d, std::chrono::milliseconds(1));
    }

  private:
    std::chrono::milliseconds m_next{200};
    std::mt19937 m_rng;
};

}  // namespace sg::engine_detail

#pragma once
#if !defined(SG_ENGINE_INTERNAL)
#error "engine/runner.hpp is private to src/engine"
#endif
// Internal to the engine: executing one revision's statements and the small
// helpers the Migrator and the repair commands share.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/util.hpp"
#include "engine/migrator.hpp"

namespace sg::engine_detail {

/// A step with everything needed to run it, computed before anything runs.
struct Prepared {
    const Step* step = nullptr;
    const Migration* migration = nullptr;
    Direction direction = Direction::upgrade;
    std::vector<Statement> statements;
    std::string checksum;  // upgrades only
};

/// A statement failed or the run was interrupted. Thrown by run_statements.
struct StatementFailure {
    int done = 0;            // statements that succeeded before the failure
    std::string location;    // file:line of the failing statement (or the file)
    std::string error;       // the server's message with SQLSTATE / errno
    int signal = 0;          // the signal when interrupted, else 0
    bool lost = false;       // the connection was lost while the statement ran
    bool lock_wait = false;  // the statement's wait for a lock timed out (is_lock_wait)
};

/// The signal number received so far (0: none).
int pending_signal(const MigrateOptions& opts);
const char* signal_name(int signal);

/// Runs statements [start, n) of `p`; after each one calls progress(done).
/// Checks for a signal between statements. Throws StatementFailure.
void run_statements(Connection& conn, const MigrateOptions& opts, const Prepared& p, int start,
                    const std::function<void(int)>& progress);

/// Whether a statement's error is a lock wait that timed out (--ddl-lock-timeout).
bool is_lock_wait(const DbError& e);
/// "file:line" of statement `index` (the file alone past the end).
std::string location(const Prepared& p, int index);
/// An exception's text for history rows and messages: the server message and
/// its SQLSTATE / error number when it is a DbError.
std::string describe_error(const std::exception& e);

/// The history table's time stamps: "YYYY-MM-DD HH:MM:SS" UTC.
inline std::string history_time() { return utc_now(kSqlTime); }
long long elapsed_ms(std::chrono::steady_clock::time_point since);
/// Heads as the history table stores them: "a,b".
inline std::string join_heads(const std::vector<std::string>& heads) { return join(heads, ","); }
std::vector<std::string> split_heads(const std::string& heads);  // sorted

}  // namespace sg::engine_detail

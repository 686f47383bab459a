#pragma once
// What the database commands share: loading the directory, opening a
// connection, reading the state without creating a SQLite file, the checks
// before a change (dirty step, unknown revisions, drift), and the lock.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "engine/migrator.hpp"
#include "engine/state.hpp"
#include "run/lock.hpp"
#include "run/settings.hpp"
#include "script/migration.hpp"

namespace sg::cli {

/// An open connection and the state tables on it.
struct Session {
    DbUrl url;
    std::unique_ptr<Connection> conn;
    std::unique_ptr<StateStore> state;
};

ScriptDirectory load_scripts(const Settings& s);
/// Connects (one attempt; `run` and `wait` are the commands that wait).
Session open_session(const Settings& s);
/// Like open_session, but nullopt for a SQLite file that does not exist yet:
/// reading the state must not create the database file.
std::optional<Session> open_existing(const Settings& s);
/// The version-table rows; empty for a database that does not exist yet.
std::vector<std::string> current_rows(std::optional<Session>& db);

/// The dialect of offline SQL: --dialect, else the URL's.
Dialect offline_dialect(const Settings& s);

MigrateOptions migrate_options(const Settings& s, const std::atomic<int>* interrupted);

/// Refuses to change a database that is dirty (exit 9), holds revisions the
/// directory does not know (exit 10 unless --allow-unknown) or, when
/// `checksums`, whose applied files changed (exit 10 unless --allow-drift).
void check_state(const Settings& s, const ScriptDirectory& scripts, StateStore& state,
                 const std::vector<std::string>& rows, bool checksums);

/// Takes the migration lock of `run` (same name, so `upgrade` and a `run`
/// never migrate at once), polling up to --lock-timeout (exit 6).
std::unique_ptr<MigrationLock> take_lock(const Settings& s, Connection& conn,
                                         const std::atomic<int>* interrupted);

}  // namespace sg::cli

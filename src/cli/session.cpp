#include "cli/session.hpp"

#include <filesystem>

#include "log/log.hpp"
#include "run/checks.hpp"

namespace sg::cli {
namespace {

void check_dirty(const ScriptDirectory& scripts, StateStore& state) {
    auto dirty = state.dirty_step();
    if (dirty) throw Error(ExitCode::dirty, dirty_message(scripts, *dirty), repair_hint(""));
}

void check_unknown(const Settings& s, const ScriptDirectory& scripts,
                   const std::vector<std::string>& rows) {
    auto unknown = unknown_revisions(scripts, rows);
    if (unknown.empty()) return;
    if (!s.allow_unknown) {
        throw Error(ExitCode::drift, unknown_message(unknown),
                    "deploy the migrations that include them, or pass --allow-unknown");
    }
    log::warn(unknown_message(unknown) + " (--allow-unknown)");
}

void check_checksums(const Settings& s, const ScriptDirectory& scripts, StateStore& state,
                     const std::vector<std::string>& rows, Dialect d) {
    DbSnapshot snap;
    for (const auto& r : rows) {
        if (scripts.graph.find(r)) snap.rows.push_back(r);
    }
    snap.checksums = state.applied_checksums();
    auto mismatches = checksum_mismatches(scripts, d, snap);
    if (mismatches.empty()) return;
    if (!s.allow_drift) {
        throw Error(ExitCode::drift, drift_message(mismatches),
                    "restore the files as they were applied, or pass --allow-drift");
    }
    log::warn(drift_message(mismatches) + " (--allow-drift)");
}

}  // namespace

ScriptDirectory load_scripts(const Settings& s) {
    auto scripts = load_directory(s.migrations, offline_dialect(s));
    log::debug(
        "loaded migrations",
        {{"dir", s.migrations}, {"revisions", static_cast<long long>(scripts.migrations.size())}});
    return scripts;
}

Session open_session(const Settings& s) {
    Session session;
    session.url = parse_url(s.url);
    ConnectOptions opts;
    opts.connect_timeout_s =
        static_cast<int>(std::max<long long>(1, (s.connect_timeout.count() + 999) / 1000));
    session.conn = connect(session.url, opts);
    session.state = std::make_unique<StateStore>(*session.conn, s.tables);
    log::debug("connected", {{"url", session.url.masked()}});
    return session;
}

std::optional<Session> open_existing(const Settings& s) {
    DbUrl url = parse_url(s.url);
    if (url.dialect == Dialect::sqlite && url.database != ":memory:" &&
        !std::filesystem::exists(url.database)) {
        log::debug("database file does not exist yet", {{"path", url.database}});
        return std::nullopt;
    }
    return open_session(s);
}

std::vector<std::string> current_rows(std::optional<Session>& db) {
    return db ? db->state->versions() : std::vector<std::string>{};
}

Dialect offline_dialect(const Settings& s) {
    return s.dialect ? *s.dialect : parse_url(s.url).dialect;
}

MigrateOptions migrate_options(const Settings& s, const std::atomic<int>* interrupted) {
    MigrateOptions o;
    o.atomic = s.atomic;
    o.applied_by = s.applied_by;
    o.tool_version = SCHEMAGATE_VERSION;
    o.interrupted = interrupted;
    return o;
}

void check_state(const Settings& s, const ScriptDirectory& scripts, StateStore& state,
                 const std::vector<std::string>& rows, bool checksums) {
    check_dirty(scripts, state);
    check_unknown(s, scripts, rows);
    if (checksums) check_checksums(s, scripts, state, rows, parse_url(s.url).dialect);
}

std::unique_ptr<MigrationLock> take_lock(const Settings& s, Connection& conn,
                                         const std::atomic<int>* interrupted) {
    auto lock = std::make_unique<MigrationLock>(
        conn, lock_name(conn.database_name(), conn.current_schema(), s.tables.version));
    LockOptions opts;
    opts.timeout = s.lock_timeout;
    opts.interrupted = interrupted;
    lock->acquire(opts);
    return lock;
}

}  // namespace sg::cli

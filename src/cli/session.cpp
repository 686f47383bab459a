#include "cli/session.hpp"

#include <chrono>
#include <csignal>
#include <filesystem>

#include "log/log.hpp"

namespace sg::cli {
namespace {

std::atomic<int> g_signal{0};

extern "C" void on_signal(int sig) { g_signal.store(sig); }

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

void check_dirty(StateStore& state) {
    auto dirty = state.dirty_step();
    if (!dirty) return;
    std::string msg = "revision " + dirty->revision + " failed part-way (" + dirty->operation +
                      ", statement " + std::to_string(dirty->statements_done + 1) + " of " +
                      std::to_string(dirty->statements_total) + ")";
    if (!dirty->error.empty()) msg += ": " + dirty->error;
    throw Error(ExitCode::dirty, msg,
                "look at the database, then run 'schemagate repair' with --mark-applied (the "
                "rest was done by hand), --mark-reverted (the partial changes were undone) or "
                "--resume (run the remaining statements)");
}

void check_unknown(const Settings& s, const ScriptDirectory& scripts,
                   const std::vector<std::string>& rows) {
    std::vector<std::string> unknown;
    for (const auto& r : rows) {
        if (!scripts.graph.find(r)) unknown.push_back(r);
    }
    if (unknown.empty()) return;
    if (s.allow_unknown) {
        log::warn("the database has revisions the migrations directory does not know",
                  {{"revisions", join(unknown)}});
        return;
    }
    throw Error(ExitCode::drift,
                "the database is at revision(s) " + join(unknown) +
                    " that the migrations directory does not have: the database is ahead of "
                    "these migrations",
                "deploy the migrations that include them, or pass --allow-unknown");
}

void check_checksums(const Settings& s, const ScriptDirectory& scripts, StateStore& state,
                     const std::vector<std::string>& rows, Dialect d) {
    std::vector<std::string> known;
    for (const auto& r : rows) {
        if (scripts.graph.find(r)) known.push_back(r);
    }
    auto applied = scripts.graph.applied(known);
    std::vector<std::string> changed;
    for (const auto& [rev, sum] : state.applied_checksums()) {
        if (sum.empty() || !applied.count(rev) || !scripts.graph.find(rev)) continue;
        const Migration& m = scripts.get(rev);
        if (m.checksum(d) != sum) changed.push_back(m.rev.file + " (" + rev + ")");
    }
    if (changed.empty()) return;
    if (s.allow_drift) {
        log::warn("applied migrations changed since they ran", {{"files", join(changed)}});
        return;
    }
    throw Error(ExitCode::drift, "applied migrations changed since they ran: " + join(changed),
                "restore the files as they were applied, or pass --allow-drift");
}

}  // namespace

ScriptDirectory load_scripts(const Settings& s) {
    auto scripts = load_directory(s.migrations);
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
    check_dirty(state);
    check_unknown(s, scripts, rows);
    if (checksums) check_checksums(s, scripts, state, rows, parse_url(s.url).dialect);
}

InterruptGuard::InterruptGuard(Connection& conn) : m_conn(conn) {
    g_signal.store(0);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    // A signal handler may not call into the driver; this thread does.
    m_watcher = std::thread([this] {
        while (!m_stop.load()) {
            if (g_signal.load() != 0) {
                m_conn.cancel();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
}

InterruptGuard::~InterruptGuard() {
    m_stop.store(true);
    m_watcher.join();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

const std::atomic<int>* InterruptGuard::flag() const { return &g_signal; }

}  // namespace sg::cli

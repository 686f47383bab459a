#include "run/session.hpp"

#include <unistd.h>

#include <filesystem>

#include "engine/migrator.hpp"
#include "log/log.hpp"
#include "run/boundary.hpp"
#include "run/lock.hpp"
#include "script/migration.hpp"

namespace sg {
namespace {

bool is_signal_code(ExitCode c) { return c == ExitCode::sigint || c == ExitCode::sigterm; }

// The schema part of the lock name (see Session::lock_name).
std::string lock_schema(Connection& conn, const std::string& version_table) {
    auto dot = version_table.find('.');
    if (dot != std::string::npos) return version_table.substr(0, dot);
    return conn.current_schema();
}

}  // namespace

Session::Session(const Settings& settings, std::string command, Connector connector, bool wait)
    : m_settings(settings), m_connector(std::move(connector)), m_wait(wait) {
    m_report.command = std::move(command);
    m_report.tool_version = settings.tool_version;
    m_report.target = settings.target;
    m_report.started_at = utc_now();
    m_report.database = settings.db.masked();
    m_report.dialect = dialect_name(settings.db.dialect);
    if (settings.db.password.size() >= 4) log::add_secret(settings.db.password);
    m_signals.on_stuck([this](int sig) {
        // Last words from the watcher thread: the flow hangs in a call that
        // cannot be cancelled (e.g. a connect attempt).
        RunReport r;
        r.command = m_report.command;
        r.code = exit_for_signal(sig);
        r.error = "interrupted; the flow did not stop in time and was ended";
        write_outputs(r, m_settings.termination_log, "");
    });
}

Session::~Session() {
    m_signals.watch(nullptr);  // before the connection goes away
    m_state.reset();
    m_conn.reset();
}

Connection& Session::connect() {
    if (m_conn) return *m_conn;
    const DbUrl& u = url();
    WaitOptions opts;
    opts.timeout = m_wait ? m_settings.wait_timeout : std::chrono::milliseconds(0);
    opts.connect_timeout = m_settings.connect_timeout;
    // SQLite waits behind another writer for its busy timeout: never longer
    // than the lock timeout either.
    opts.busy_timeout = std::min(m_settings.connect_timeout, m_settings.lock_timeout);
    opts.interrupted = interrupted();
    opts.connector = m_connector;
    WaitResult w = phase("wait", [&] { return wait_for_database(u, opts); });
    m_report.wait_attempts = w.attempts;
    m_conn = std::move(w.conn);
    m_state = std::make_unique<StateStore>(*m_conn, m_settings.tables);
    m_signals.watch(m_conn.get());
    log::info("connected",
              {{"database", u.masked()}, {"attempts", w.attempts}, {"waited_ms", w.waited_ms}});
    return *m_conn;
}

std::unique_ptr<Connection> Session::open_another() const {
    ConnectOptions opts;
    opts.connect_timeout_s = static_cast<int>(std::max<long long>(
        1, std::chrono::duration_cast<std::chrono::seconds>(m_settings.connect_timeout).count()));
    return m_connector ? m_connector(url(), opts) : sg::connect(url(), opts);
}

Connection* Session::connect_existing() {
    const DbUrl& u = url();
    if (!m_conn && !m_connector && database(u.dialect).file_missing(u)) {
        log::debug("database file does not exist yet", {{"path", u.database}});
        return nullptr;
    }
    return &connect();
}

std::string Session::lock_name() {
    return sg::lock_name(m_conn->database_name(), lock_schema(*m_conn, m_settings.tables.version),
                         m_settings.tables.version);
}

void Session::throw_if_interrupted(const char* during) const {
    sg::throw_if_interrupted(interrupted(), during);
}

std::string Session::applied_by() const {
    if (!m_settings.applied_by.empty()) return m_settings.applied_by;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) return "unknown";
    return host;
}

void Session::warn(const std::string& message) {
    log::warn(message);
    m_report.warnings.push_back(message);
}

BackupResult Session::backup(const std::vector<std::string>& heads) {
    BackupOptions opts;
    opts.dir = m_settings.backup_dir;
    opts.keep = m_settings.backup_keep;
    opts.pg_dump = m_settings.pg_dump;
    opts.pg_restore = m_settings.pg_restore;
    opts.mysqldump = m_settings.mysqldump;
    opts.interrupted = interrupted();
    BackupResult r = phase("backup", [&] {
        return take_backup(url(), conn().database_name(), backup_from_label(heads), opts);
    });
    m_report.backup = r;
    return r;
}

std::string Session::newest_backup() {
    if (m_report.backup) return m_report.backup->path;
    if (!m_conn) return {};
    try {
        return sg::newest_backup(m_settings.backup_dir, url(), m_conn->database_name());
    } catch (const std::exception&) {
        return {};
    }
}

void Session::fail_with(ExitCode code, const std::string& error, const std::string& hint) {
    m_report.code = code;
    m_report.error = log::redact(error);
    m_report.hint = hint;
}

ExitCode Session::run(const std::function<ExitCode(Session&)>& body) {
    Failure f;
    m_report.code = guard([&] { return body(*this); }, f);
    if (f.kind != Failure::Kind::none) {
        fail_with(f.code, f.error, f.hint);
        m_report.details.insert(m_report.details.end(), f.details.begin(), f.details.end());
        m_problems_logged = f.kind == Failure::Kind::problems;
    }
    if (f.kind == Failure::Kind::migration) {
        m_report.revision = f.revision;
        m_report.location = f.location;
        m_report.db_error = log::redact(f.db_error);
        m_report.applied = f.applied;
    }
    int sig = interrupted()->load();
    // A statement cancelled by our own signal handling surfaces as some
    // error: report the interruption (a dirty step stays 9: it needs repair).
    if (sig != 0 && m_report.code != ExitCode::ok && m_report.code != ExitCode::pending &&
        m_report.code != ExitCode::dirty && !is_signal_code(m_report.code)) {
        m_report.error = "interrupted: " + m_report.error;
        m_report.code = exit_for_signal(sig);
    }
    // An interruption needs no fix, only another run.
    if (m_report.hint.empty() || is_signal_code(m_report.code)) {
        m_report.hint = default_hint(m_report.code);
    }
    m_report.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - m_report.start)
                               .count();
    log_outcome();
    write_outputs(m_report, m_settings.termination_log, m_settings.report);
    return m_report.code;
}

void Session::log_outcome() {
    const RunReport& r = m_report;
    if (r.code == ExitCode::ok || r.code == ExitCode::pending) {
        log::info(r.command + " finished", {{"exit_code", to_int(r.code)},
                                            {"applied", static_cast<int>(r.applied.size())},
                                            {"duration_ms", r.duration_ms}});
        return;
    }
    if (!m_problems_logged) {
        log::Fields fields = {{"exit_code", to_int(r.code)}, {"meaning", exit_meaning(r.code)}};
        if (!r.revision.empty()) fields.emplace_back("revision", r.revision);
        if (!r.location.empty()) fields.emplace_back("location", r.location);
        if (!r.db_error.empty()) fields.emplace_back("db_error", r.db_error);
        if (r.backup) fields.emplace_back("backup", r.backup->path);
        log::error(r.error, fields);
        for (const auto& d : r.details) {
            if (r.error.find(d) == std::string::npos) log::error(d);
        }
    }
    if (!r.hint.empty()) log::info("next: " + r.hint);
}

}  // namespace sg

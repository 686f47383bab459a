#pragma once
// The one session of every command that touches a database: the signal
// watch, waiting for (or opening) the connection, the state tables, the
// migration lock's name, the report, and the one place that maps errors to
// exit codes, logs the outcome and writes the termination message and the
// report. docs/architecture.md shows where it sits.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "backup/backup.hpp"
#include "engine/state.hpp"
#include "run/boundary.hpp"  // hint_for
#include "run/report.hpp"
#include "run/settings.hpp"
#include "run/signals.hpp"
#include "run/wait.hpp"

namespace sg {

class Session {
  public:
    /// `wait`: retry the connection up to --wait-timeout (run, wait, backup);
    /// otherwise one attempt, so an interactive command fails at once.
    Session(const Settings& settings, std::string command, Connector connector, bool wait);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Runs `body` (which returns ok, or pending for `check`), maps what it
    /// throws to an exit code, logs the outcome, writes the outputs. Never
    /// throws.
    ExitCode run(const std::function<ExitCode(Session&)>& body);

    const DbUrl& url() const { return m_settings.db; }
    /// Connects (the `wait` phase, creating a SQLite file); registers the
    /// connection with the signal watch. Returns the open one if any.
    Connection& connect();
    /// Like connect(), but nullptr for a SQLite file that does not exist
    /// yet: reading must not create the database.
    Connection* connect_existing();
    bool connected() const { return m_conn != nullptr; }
    /// A second connection to the database, one attempt, not registered with
    /// the signal watch (the migrator records a failure on it when the
    /// session's connection was lost).
    std::unique_ptr<Connection> open_another() const;
    Connection& conn() { return *m_conn; }
    StateStore& state() { return *m_state; }
    const Settings& settings() const { return m_settings; }
    RunReport& report() { return m_report; }
    const std::atomic<int>* interrupted() const { return m_signals.flag(); }
    void throw_if_interrupted(const char* during) const;

    /// The migration lock's name: one per database, schema and version table,
    /// the schema taken from a qualified --version-table, else the session's.
    std::string lock_name();

    /// Times `fn` as a phase of the report.
    template <typename F>
    auto phase(const char* name, F&& fn) {
        struct Timer {
            RunReport& report;
            const char* name;
            std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
            ~Timer() {
                report.phases.push_back(
                    {name, std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - start)
                               .count()});
            }
        } timer{m_report, name};
        return fn();
    }

    /// Takes a backup (§6) of the connected database; records it in the report.
    BackupResult backup(const std::vector<std::string>& heads);
    /// The newest of schemagate's backups of this database ("" if none).
    std::string newest_backup();
    /// applied_by for the history table: the setting, else the host name.
    std::string applied_by() const;
    /// Logs a warning and keeps it for the report.
    void warn(const std::string& message);

  private:
    void fail_with(ExitCode code, const std::string& error, const std::string& hint);
    void log_outcome();

    const Settings& m_settings;
    Connector m_connector;
    bool m_wait;
    RunReport m_report;
    SignalWatch m_signals;
    std::unique_ptr<Connection> m_conn;
    std::unique_ptr<StateStore> m_state;
    bool m_problems_logged = false;  // details already logged with file:line
};

}  // namespace sg

#pragma once
// What `run`, `wait` and `backup` share: the signal watch, the URL, waiting
// for the connection, the report, and the one place that maps errors to exit
// codes and writes the termination message and the report.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "backup/backup.hpp"
#include "run/report.hpp"
#include "run/settings.hpp"
#include "run/signals.hpp"
#include "run/wait.hpp"

namespace sg {

class Session {
  public:
    Session(const Settings& settings, std::string command, Connector connector = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Runs `body`, maps what it throws to an exit code, logs the outcome,
    /// writes the outputs. Never throws.
    ExitCode run(const std::function<void(Session&)>& body);

    /// Parses the URL (Error(usage)).
    const DbUrl& url();
    /// Waits for the database (the `wait` phase); registers the connection
    /// with the signal watch.
    Connection& connect();
    Connection& conn() { return *m_conn; }
    const Settings& settings() const { return m_settings; }
    RunReport& report() { return m_report; }
    const std::atomic<int>* interrupted() const { return m_signals.flag(); }
    void throw_if_interrupted(const char* during) const;

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

  private:
    void fail_with(ExitCode code, const std::string& error, const std::string& hint);
    void log_outcome();

    const Settings& m_settings;
    Connector m_connector;
    RunReport m_report;
    SignalWatch m_signals;
    std::optional<DbUrl> m_url;
    std::unique_ptr<Connection> m_conn;
};

}  // namespace sg

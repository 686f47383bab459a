#pragma once
// Executes plans from the graph against a Connection: statements, the
// transaction rules per dialect, the version and history tables, progress.
#include <atomic>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/graph.hpp"
#include "db/connection.hpp"
#include "engine/state.hpp"
#include "script/migration.hpp"

namespace sg {

namespace engine_detail {
struct Prepared;
struct StatementFailure;
}  // namespace engine_detail

struct MigrateOptions {
    bool atomic = false;     // all steps in one transaction (PostgreSQL, SQLite)
    std::string applied_by;  // host or pod name
    std::string tool_version;
    const std::atomic<int>* interrupted = nullptr;  // signal number once a signal arrived
};

struct StepResult {
    std::string revision;
    Direction direction;
    long long duration_ms = 0;
    int statements = 0;
};

/// A step failed. code(): rolled_back (8) when the transaction was rolled back,
/// dirty (9) when statements ran outside a transaction, sigint/sigterm when
/// interrupted. Knows exactly what was applied before the failure.
class MigrationFailure : public Error {
  public:
    MigrationFailure(ExitCode code, const std::string& message, std::string hint,
                     std::vector<StepResult> done, std::string revision, std::string location,
                     std::string db_error);
    const std::vector<StepResult>& done() const { return m_done; }
    const std::string& revision() const { return m_revision; }
    const std::string& location() const { return m_location; }  // file:line
    const std::string& db_error() const { return m_db_error; }

  private:
    std::vector<StepResult> m_done;
    std::string m_revision, m_location, m_db_error;
};

class Migrator {
  public:
    Migrator(const ScriptDirectory& scripts, Connection& conn, StateStore& state,
             MigrateOptions opts);
    /// Runs the steps in order. Logs `[n/total] rev message … N ms`. Throws
    /// MigrationFailure. Before anything runs, fails (exit 3) when a
    /// downgrade step has no downgrade section.
    std::vector<StepResult> run(const std::vector<Step>& steps);
    /// Sets the version table to `rows` without running SQL; records a stamp row.
    void stamp(const std::vector<std::string>& rows);
    /// repair of the dirty step (docs/run.md): each records a history row.
    void repair_mark_applied();
    void repair_mark_reverted();
    void repair_resume();  // runs the remaining statements from the failed one

  private:
    using Prepared = engine_detail::Prepared;
    std::vector<Prepared> prepare(const std::vector<Step>& steps) const;
    /// `from`: the version-table rows before the step (for messages). A set,
    /// kept current by each step's row changes: no copy of all rows per step.
    StepResult run_transactional(const Prepared& p, const std::set<std::string>& from);
    StepResult run_outside_transaction(const Prepared& p, const std::set<std::string>& from);
    std::vector<StepResult> run_atomic(const std::vector<Prepared>& steps,
                                       std::vector<std::string> from);
    /// The step's history row; from_heads / to_heads are the rows the step
    /// changes (step_rows), not the whole version table.
    HistoryRow base_row(const Prepared& p) const;
    void record_failed_row(HistoryRow row);
    /// Throws MigrationFailure(dirty) when a statement ended the transaction.
    void require_open_transaction(const Prepared& p, int done,
                                  std::chrono::steady_clock::time_point t0);
    /// `own_code`: the exit code of a database error in schemagate's own
    /// writes (4, 5, 6), which replaces 8 when nothing is dirty.
    [[noreturn]] void fail(const Prepared& p, const engine_detail::StatementFailure& f, bool dirty,
                           const std::set<std::string>& heads,
                           std::optional<ExitCode> own_code = std::nullopt);
    void log_step(const Prepared& p, const StepResult& r, const std::string& note = "") const;
    HistoryRow require_dirty();
    HistoryRow repair_row(const HistoryRow& dirty, const std::string& what,
                          const std::vector<std::string>& from,
                          const std::vector<std::string>& to) const;

    const ScriptDirectory& m_scripts;
    Connection& m_conn;
    StateStore& m_state;
    MigrateOptions m_opts;
    std::vector<StepResult> m_done;   // steps committed in this run
    int m_position = 0, m_total = 0;  // progress [n/total]
};

/// The exit-9 hint: the three `schemagate repair` choices, resuming after
/// statement `done`.
std::string repair_choices(int done);

/// The offline `--sql` script for `steps` (DDL first when `create_tables`),
/// written to `out` once every step is known to render (else it throws and
/// writes nothing).
void write_offline(std::ostream& out, const ScriptDirectory& scripts, Dialect d,
                   const TableNames& names, const std::vector<Step>& steps,
                   const std::vector<std::string>& from, bool create_tables);
/// write_offline into a string.
std::string render_offline(const ScriptDirectory& scripts, Dialect d, const TableNames& names,
                           const std::vector<Step>& steps, const std::vector<std::string>& from,
                           bool create_tables);

}  // namespace sg

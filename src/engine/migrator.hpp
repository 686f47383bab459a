#pragma once
// Executes plans from the graph against a Connection: statements, the
// transaction rules per dialect, the version and history tables, progress.
#include <atomic>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/graph.hpp"
#include "db/connection.hpp"
#include "engine/offline.hpp"  // write_offline, for the callers of the migrator
#include "engine/state.hpp"
#include "script/migration.hpp"

namespace sg {

namespace engine_detail {
struct Prepared;
struct StatementFailure;
class RetryDelay;
}  // namespace engine_detail

struct MigrateOptions {
    bool atomic = false;     // all steps in one transaction (PostgreSQL, SQLite)
    std::string applied_by;  // host or pod name
    std::string tool_version;
    const std::atomic<int>* interrupted = nullptr;  // signal number once a signal arrived
    /// A new connection to the same database, to record a step's failure
    /// when the connection it ran on was lost (empty: not tried).
    std::function<std::unique_ptr<Connection>()> reconnect;
    // DDL lock timeout (docs/zero-downtime.md): how long one statement may
    // wait for a table lock (0: no bound), how often a revision (a statement
    // outside a transaction) is retried after such a wait, and the time all
    // waits and back-offs of one run may take together (--lock-timeout).
    std::chrono::milliseconds ddl_lock_timeout{5000};
    int ddl_lock_retries = 10;
    std::chrono::milliseconds ddl_lock_budget{300000};
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
    ~Migrator();
    /// Runs the steps in order. Logs `[n/total] rev message … N ms`. Throws
    /// MigrationFailure. Before anything runs, fails (exit 3) when a
    /// downgrade step has no downgrade section.
    std::vector<StepResult> run(const std::vector<Step>& steps);
    /// Every refusal run(steps) would make before anything runs (exit 2 or 3:
    /// --atomic on MySQL or with a `transaction: false` revision, a section
    /// missing for the dialect, a statement that does not split), with no
    /// database statement. The `run` flow calls it before the backup
    /// (docs/run.md step 6); run() then reuses the statements built here.
    void check(const std::vector<Step>& steps);
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
    /// One attempt; throws StatementFailure (rolled back) only for a lock wait.
    StepResult attempt_transactional(const Prepared& p, const std::set<std::string>& from);
    /// After a statement's lock wait timed out (rolled back): logs the attempt
    /// and the session holding the lock, waits the back-off, and returns
    /// true to retry; false (f.error naming the blocker, or f.signal) when
    /// the retries or --lock-timeout are used up or a signal arrived.
    bool retry_lock_wait(const Prepared& p, engine_detail::StatementFailure& f, int attempt,
                         engine_detail::RetryDelay& delay);
    void set_lock_timeout();
    /// PostgreSQL: drops the INVALID index a timed-out CREATE INDEX
    /// CONCURRENTLY (statement `index`) left, unless it existed before.
    /// False when the drop itself timed out waiting for a lock.
    bool drop_invalid_index(const Prepared& p, int index, const std::vector<std::string>& existed);
    StepResult run_outside_transaction(const Prepared& p, const std::set<std::string>& from);
    std::vector<StepResult> run_atomic(const std::vector<Prepared>& steps,
                                       std::vector<std::string> from);
    /// The step's history row; from_heads / to_heads are the rows the step
    /// changes (step_rows), not the whole version table.
    HistoryRow base_row(const Prepared& p) const;
    void record_failed_row(HistoryRow row);
    /// Writes the dirty row of a step whose connection was lost, through
    /// MigrateOptions::reconnect; false when that is not possible.
    bool record_on_new_connection(const HistoryRow& row);
    /// Where a step outside a transaction records its rows. MySQL (with
    /// MigrateOptions::reconnect): a second session of schemagate's own, so a
    /// revision's `USE`, `XA START` or open transaction cannot carry the
    /// dirty row and its statement count with it; elsewhere m_state.
    StateStore& bookkeeping();
    /// After a step outside a transaction: a transaction of the revision's
    /// own is still open on the session (or the session cannot tell).
    bool left_transaction_open();
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
    std::vector<Prepared> m_checked;                   // check()'s result
    const std::vector<Step>* m_checked_for = nullptr;  // the steps it was for
    std::unique_ptr<Connection> m_book_conn;           // bookkeeping(): MySQL's second session
    std::unique_ptr<StateStore> m_book_state;
    std::vector<StepResult> m_done;                   // steps committed in this run
    int m_position = 0, m_total = 0;                  // progress [n/total]
    std::chrono::steady_clock::time_point m_started;  // run(): the DDL lock budget starts here
};

/// The exit-9 hint: the three `schemagate repair` choices, resuming after
/// statement `done`.
std::string repair_choices(int done);

}  // namespace sg

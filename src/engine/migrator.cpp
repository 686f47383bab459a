// Migrator::run: the transaction rules of docs/run.md step 7 per dialect.
//
// - PostgreSQL/SQLite, transactional revision: one transaction holds the
//   statements, the version-table change and the history row. A failure rolls
//   it all back (exit 8) and records a failed history row in a transaction of
//   its own.
// - `transaction: false` revisions and every revision on MySQL/MariaDB (DDL
//   commits implicitly): a history row marked dirty is committed before the
//   first statement and its statements_done kept current after each one. On
//   failure it stays dirty (exit 9) unless no statement had succeeded: then the
//   database is unchanged, the row is not dirty and the exit code is 8.
// - --atomic (PostgreSQL/SQLite only): every step in one transaction. A
//   `transaction: false` revision cannot run inside it, so such a plan is
//   refused up front with exit 2 rather than silently splitting the
//   transaction; --atomic on MySQL/MariaDB is refused the same way.
#include <chrono>
#include <set>
#include <thread>

#include "db/database.hpp"
#include "engine/ddl_lock.hpp"
#include "engine/runner.hpp"
#include "engine/transaction.hpp"
#include "log/log.hpp"

namespace sg {

using namespace engine_detail;

MigrationFailure::MigrationFailure(ExitCode code, const std::string& message, std::string hint,
                                   std::vector<StepResult> done, std::string revision,
                                   std::string location, std::string db_error)
    : Error(code, message, std::move(hint)),
      m_done(std::move(done)),
      m_revision(std::move(revision)),
      m_location(std::move(location)),
      m_db_error(std::move(db_error)) {}

Migrator::Migrator(const ScriptDirectory& scripts, Connection& conn, StateStore& state,
                   MigrateOptions opts)
    : m_scripts(scripts), m_conn(conn), m_state(state), m_opts(std::move(opts)) {}

Migrator::~Migrator() = default;

namespace {

bool in_transaction(const Migration& m, Dialect d) {
    return m.rev.transactional && database(d).transactional_ddl();
}

const char* word(Direction d) { return d == Direction::upgrade ? "upgrade" : "downgrade"; }

// schemagate's own writes around a revision's statements (creating the state
// tables, the version and history rows, COMMIT) failed.
StatementFailure bookkeeping_failure(int done, const std::string& file, const std::exception& e) {
    return {done, file,
            "schemagate's own writes (the version and history tables, or COMMIT) failed: " +
                describe_error(e),
            0};
}

// A database error with an exit code of its own keeps it: a role that may
// not create or write the state tables is a permission error (5), not a
// failed revision (8); a lost connection is 4, a lock wait 6.
std::optional<ExitCode> own_exit_code(const std::exception& e) {
    if (const auto* db = dynamic_cast<const DbError*>(&e)) {
        ExitCode c = db->code();
        if (c == ExitCode::auth || c == ExitCode::unreachable || c == ExitCode::lock_timeout)
            return c;
    }
    return std::nullopt;
}

}  // namespace

std::vector<Migrator::Prepared> Migrator::prepare(const std::vector<Step>& steps) const {
    Dialect d = m_conn.dialect();
    if (m_opts.atomic && !database(d).transactional_ddl())
        throw Error(ExitCode::usage,
                    "--atomic is not possible on MySQL/MariaDB: DDL statements commit implicitly",
                    "run without --atomic; a failure then leaves a dirty step to repair");
    std::vector<Prepared> out;
    for (auto& s : steps) {
        Prepared p;
        p.step = &s;
        p.migration = &m_scripts.get(s.revision);
        p.direction = s.direction;
        const auto& rev = p.migration->rev;
        if (s.direction == Direction::downgrade && !p.migration->downgrade_for(d))
            throw Error(ExitCode::invalid, "cannot downgrade through revision " + rev.id + " (" +
                                               rev.file + "): it has no downgrade section for " +
                                               dialect_name(d));
        if (m_opts.atomic && !rev.transactional)
            throw Error(ExitCode::usage,
                        "--atomic cannot include revision " + rev.id + " (" + rev.file +
                            "): it is marked `transaction: false`",
                        "run without --atomic, or upgrade to the revision before it first");
        p.statements = s.direction == Direction::upgrade ? p.migration->upgrade_statements(d)
                                                         : p.migration->downgrade_statements(d);
        if (s.direction == Direction::upgrade) p.checksum = p.migration->checksum(d);
        out.push_back(std::move(p));
    }
    return out;
}

void Migrator::check(const std::vector<Step>& steps) {
    m_checked = prepare(steps);
    m_checked_for = &steps;
}

std::vector<StepResult> Migrator::run(const std::vector<Step>& steps) {
    // Every error that needs no database first (check() may have found them).
    auto prepared = m_checked_for == &steps ? std::move(m_checked) : prepare(steps);
    m_checked_for = nullptr;
    m_done.clear();
    m_started = std::chrono::steady_clock::now();
    m_position = 0;
    m_total = static_cast<int>(prepared.size());
    if (prepared.empty()) return {};
    auto rows = m_state.versions();
    // For the session first (SQLite's BEGIN IMMEDIATE waits with it), then
    // SET LOCAL in each transaction (PostgreSQL).
    set_lock_timeout();
    if (m_opts.atomic) return run_atomic(prepared, rows);
    std::set<std::string> heads(rows.begin(), rows.end());
    for (auto& p : prepared) {
        ++m_position;
        StepResult r = in_transaction(*p.migration, m_conn.dialect())
                           ? run_transactional(p, heads)
                           : run_outside_transaction(p, heads);
        for (const auto& op : p.step->row_ops) {  // O(log rows) per change
            if (op.kind != RowOp::insert) heads.erase(op.from);
            if (op.kind != RowOp::remove) heads.insert(op.to);
        }
        m_done.push_back(r);
        log_step(p, r);
    }
    return m_done;
}

HistoryRow Migrator::base_row(const Prepared& p) const {
    HistoryRow row;
    row.revision = p.migration->rev.id;
    row.operation = p.direction == Direction::upgrade ? Operation::upgrade : Operation::downgrade;
    auto [from, to] = step_rows(*p.step);
    row.from_heads = join_heads(from);
    row.to_heads = join_heads(to);
    row.checksum = p.checksum;
    row.message = p.migration->rev.message;
    row.started_at = history_time();
    row.statements_total = static_cast<int>(p.statements.size());
    row.applied_by = m_opts.applied_by;
    row.tool_version = m_opts.tool_version;
    return row;
}

StepResult Migrator::run_transactional(const Prepared& p, const std::set<std::string>& from) {
    RetryDelay delay;
    for (int attempt = 1;; ++attempt) {
        try {
            return attempt_transactional(p, from);
        } catch (StatementFailure& f) {  // a lock wait, rolled back
            if (!retry_lock_wait(p, f, attempt, delay))
                fail(p, f, false, from,
                     f.signal ? std::nullopt : std::optional<ExitCode>(ExitCode::lock_timeout));
        }
    }
}

StepResult Migrator::attempt_transactional(const Prepared& p, const std::set<std::string>& from) {
    auto t0 = std::chrono::steady_clock::now();
    HistoryRow row = base_row(p);
    int done = 0;
    // A lost database at BEGIN throws a DbError: nothing ran, and the run
    // layer maps it (4). A busy one (SQLite BEGIN IMMEDIATE behind another
    // writer) is a lock wait like any other.
    std::optional<Transaction> tx;
    try {
        tx.emplace(m_conn);
    } catch (const DbError& e) {
        if (!is_lock_wait(e)) throw;
        throw StatementFailure{0, p.migration->rev.file, describe_error(e), 0, false, true};
    }
    try {
        set_lock_timeout();
        m_state.ensure_tables();
        run_statements(m_conn, m_opts, p, 0, [&](int n) { done = n; });
        require_open_transaction(p, done, t0);
        m_state.apply(p.step->row_ops);
        row.finished_at = history_time();
        row.duration_ms = elapsed_ms(t0);
        row.success = true;
        row.statements_done = done;
        m_state.history_insert(row);
        tx->commit();
        m_state.tables_committed();
    } catch (const StatementFailure& f) {
        tx->rollback();
        if (f.lock_wait && !f.signal) throw;
        fail(p, f, false, from);
    } catch (const MigrationFailure&) {
        throw;
    } catch (const std::exception& e) {
        // The bookkeeping (state tables) or COMMIT failed: still rolled back.
        tx->rollback();
        fail(p, bookkeeping_failure(done, p.migration->rev.file, e), false, from, own_exit_code(e));
    }
    return {p.migration->rev.id, p.direction, row.duration_ms, done};
}

void Migrator::set_lock_timeout() {
    if (m_opts.ddl_lock_timeout.count() > 0) m_conn.set_ddl_lock_timeout(m_opts.ddl_lock_timeout);
}

bool Migrator::retry_lock_wait(const Prepared& p, StatementFailure& f, int attempt,
                               RetryDelay& delay) {
    using namespace std::chrono;
    std::vector<LockBlocker> blockers;
    if (f.done < static_cast<int>(p.statements.size())) {
        try {
            blockers =
                m_conn.lock_blockers(statement_names(p.statements[f.done].sql, m_conn.dialect()));
        } catch (const std::exception& e) {
            log::debug(std::string("cannot read who holds the lock: ") + e.what());
        }
    }
    std::string who = describe_blockers(blockers);
    milliseconds next = delay.next();
    auto spent = duration_cast<milliseconds>(steady_clock::now() - m_started);
    bool budget = spent + next + m_opts.ddl_lock_timeout <= m_opts.ddl_lock_budget;
    int sig = pending_signal(m_opts);
    bool retry = attempt <= m_opts.ddl_lock_retries && budget && !sig;
    log::Fields fields{
        {"revision", p.migration->rev.id},
        {"location", f.location},
        {"attempt", attempt},
        {"retries", m_opts.ddl_lock_retries},
        {"ddl_lock_timeout_ms", static_cast<long long>(m_opts.ddl_lock_timeout.count())}};
    add_blocker_fields(fields, blockers);
    if (retry) fields.emplace_back("retry_in_ms", static_cast<long long>(next.count()));
    log::warn("lock wait timed out at " + f.location + " (attempt " + std::to_string(attempt) +
                  "): the lock is held by " + who +
                  (retry ? "; rolled back, retrying" : "; giving up"),
              fields);
    if (!retry) {
        if (sig) {
            f.signal = sig;
            f.error = std::string("interrupted by ") + signal_name(sig);
            return false;
        }
        f.error =
            "waited for a table lock " + std::to_string(attempt) + " time(s) (--ddl-lock-timeout " +
            std::to_string(m_opts.ddl_lock_timeout.count()) + "ms, --ddl-lock-retries " +
            std::to_string(m_opts.ddl_lock_retries) + (budget ? "" : "; --lock-timeout used up") +
            "); the lock is held by " + who + "; last error: " + f.error;
        return false;
    }
    auto until = steady_clock::now() + next;
    while (steady_clock::now() < until) {
        if (int s = pending_signal(m_opts)) {
            f.signal = s;
            f.error = std::string("interrupted by ") + signal_name(s);
            return false;
        }
        std::this_thread::sleep_for(
            std::min<steady_clock::duration>(milliseconds(50), until - steady_clock::now()));
    }
    return true;
}

bool Migrator::drop_invalid_index(const Prepared& p, int index,
                                  const std::vector<std::string>& existed) {
    if (index >= static_cast<int>(p.statements.size())) return true;
    std::string name = concurrent_index_name(p.statements[index].sql, m_conn.dialect());
    if (name.empty() || std::find(existed.begin(), existed.end(), name) != existed.end())
        return true;
    try {
        auto valid = m_conn.index_valid(name);
        if (!valid || *valid) return true;
        m_conn.drop_index(name);
        log::info("dropped the invalid index the timed-out CREATE INDEX CONCURRENTLY left",
                  {{"index", name}, {"location", location(p, index)}});
    } catch (const DbError& e) {
        log::warn("could not drop the invalid index " + name + ": " + e.what(),
                  {{"index", name}, {"location", location(p, index)}});
        return !is_lock_wait(e);
    }
    return true;
}

void Migrator::require_open_transaction(const Prepared& p, int done,
                                        std::chrono::steady_clock::time_point t0) {
    if (m_conn.in_transaction()) return;
    // A statement of the file ended our transaction (COMMIT, ROLLBACK, END,
    // ...): what ran before it is committed without the version-table change.
    // Record the step dirty in a transaction of its own, so the next run
    // stops at exit 9 and `repair` can finish or undo it.
    const auto& rev = p.migration->rev;
    std::string error =
        "a statement of the revision ended the transaction schemagate opened (COMMIT, "
        "ROLLBACK, BEGIN or END in a transactional section?)";
    HistoryRow row = base_row(p);
    row.dirty = true;
    row.statements_done = done;
    row.finished_at = history_time();
    row.duration_ms = elapsed_ms(t0);
    row.error = rev.file + ": " + error;
    try {
        Transaction tx(m_conn);
        m_state.history_insert(row);
        tx.commit();
    } catch (const std::exception& e) {
        log::error("could not record the dirty step in the history table: " +
                   std::string(e.what()));
    }
    std::vector<StepResult> done_steps = m_opts.atomic ? std::vector<StepResult>{} : m_done;
    throw MigrationFailure(ExitCode::dirty,
                           std::string(word(p.direction)) + " of revision " + rev.id + " (" +
                               rev.file + ") is half applied: " + error +
                               "; its changes up to that statement are committed and the "
                               "version table was not updated: the database is dirty",
                           repair_choices(done), done_steps, rev.id, rev.file, error);
}

StateStore& Migrator::bookkeeping() {
    if (database(m_conn.dialect()).transactional_ddl() || !m_opts.reconnect) return m_state;
    if (!m_book_state) {
        m_book_conn = m_opts.reconnect();
        m_book_state = std::make_unique<StateStore>(*m_book_conn, m_state.names());
    }
    return *m_book_state;
}

bool Migrator::left_transaction_open() {
    try {
        return m_conn.in_transaction();
    } catch (const std::exception&) {
        return true;  // e.g. MySQL refuses statements in an XA transaction's IDLE state
    }
}

StepResult Migrator::run_outside_transaction(const Prepared& p, const std::set<std::string>& from) {
    auto t0 = std::chrono::steady_clock::now();
    StateStore& state = bookkeeping();
    bool separate = &state != &m_state;  // the rows survive the revision's session
    state.ensure_tables();
    // Before the dirty row is written (a failure here leaves nothing dirty):
    // the lock timeout for the session, so each statement of the step is
    // bounded, and the indexes a CREATE INDEX CONCURRENTLY of it names that
    // exist already (never dropped as its leftover).
    set_lock_timeout();
    std::vector<std::string> existed;
    for (const auto& st : p.statements) {
        std::string name = concurrent_index_name(st.sql, m_conn.dialect());
        if (!name.empty() && m_conn.index_valid(name)) existed.push_back(name);
    }
    HistoryRow row = base_row(p);
    row.dirty = true;  // committed before the first statement: a crash leaves it dirty
    row.id = state.history_insert(row);
    RetryDelay delay;
    int start = 0;
    try {
        for (int attempt = 1;; ++attempt) {
            try {
                run_statements(m_conn, m_opts, p, start, [&](int n) {
                    row.statements_done = n;  // exact even when the update below fails
                    state.history_update(row);
                });
                break;
            } catch (StatementFailure& f) {
                // A lock wait: the statement alone is retried, from where it stopped.
                if (!f.lock_wait || f.signal) throw;
                // After the back-off, the index a timed-out CREATE INDEX
                // CONCURRENTLY left goes first; a drop that waits too long
                // itself is one more attempt.
                for (;;) {
                    if (!retry_lock_wait(p, f, attempt, delay)) throw;
                    if (drop_invalid_index(p, f.done, existed)) break;
                    ++attempt;
                }
                start = f.done;
            }
        }
    } catch (const StatementFailure& f) {
        row.statements_done = f.done;
        // Nothing ran: the database is unchanged and the row is not dirty.
        // A connection lost while the first statement ran leaves that
        // statement's effect unknown (a server-side commit may have beaten
        // the loss): dirty, exit 9 (docs/run.md).
        row.dirty = f.done > 0 || f.lost;
        row.error = f.location + ": " + f.error;
        row.finished_at = history_time();
        row.duration_ms = elapsed_ms(t0);
        bool recorded = false;
        if (!f.lost || separate) {
            try {
                state.history_update(row);
                recorded = true;
            } catch (const std::exception& e) {
                log::error("could not record the failure in the history table: " +
                           std::string(e.what()));
            }
        }
        if (!recorded && !record_on_new_connection(row)) {
            // The row stays as last written: dirty. The exit code says so.
            row.dirty = true;
        }
        fail(p, f, row.dirty, from,
             f.lock_wait && !f.signal ? std::optional<ExitCode>(ExitCode::lock_timeout)
                                      : std::nullopt);
    } catch (const MigrationFailure&) {
        throw;
    } catch (const std::exception& e) {
        // The statement ran, but recording its count failed (the bookkeeping
        // lost its connection, or its table): the row stays dirty with the
        // count before it, so say exactly how many ran.
        row.dirty = true;
        auto f = bookkeeping_failure(row.statements_done, p.migration->rev.file, e);
        row.error = f.location + ": " + f.error;
        row.finished_at = history_time();
        row.duration_ms = elapsed_ms(t0);
        bool recorded = false;
        try {
            state.history_update(row);
            recorded = true;
        } catch (const std::exception&) {
        }
        if (!recorded && !record_on_new_connection(row))
            log::error("could not record the failure in the history table: " + describe_error(e));
        fail(p, f, true, from);
    }
    if (left_transaction_open()) {
        // BEGIN or XA START without its COMMIT: what the last statements did
        // is not committed and ends with the session. Not a success.
        StatementFailure f{row.statements_done, p.migration->rev.file,
                           "the revision left a transaction open (BEGIN, START TRANSACTION or XA "
                           "START without its COMMIT): its uncommitted changes are lost when the "
                           "session ends",
                           0};
        row.error = f.location + ": " + f.error;
        row.finished_at = history_time();
        row.duration_ms = elapsed_ms(t0);
        try {
            state.history_update(row);
        } catch (const std::exception& e) {
            if (!record_on_new_connection(row))
                log::error("could not record the failure in the history table: " +
                           std::string(e.what()));
        }
        fail(p, f, true, from);
    }
    Transaction tx(separate ? *m_book_conn : m_conn);
    try {
        state.apply(p.step->row_ops);
        row.success = true;
        row.dirty = false;
        row.finished_at = history_time();
        row.duration_ms = elapsed_ms(t0);
        state.history_update(row);
        tx.commit();
    } catch (const std::exception& e) {
        tx.rollback();
        fail(p, bookkeeping_failure(row.statements_done, p.migration->rev.file, e), true, from);
    }
    return {p.migration->rev.id, p.direction, row.duration_ms, row.statements_done};
}

std::vector<StepResult> Migrator::run_atomic(const std::vector<Prepared>& steps,
                                             std::vector<std::string> from) {
    const Prepared* current = nullptr;
    std::vector<StepResult> results;
    std::set<std::string> start_heads(from.begin(), from.end());
    Transaction tx(m_conn);
    try {
        set_lock_timeout();
        m_state.ensure_tables();
        for (auto& p : steps) {
            current = &p;
            ++m_position;
            auto t0 = std::chrono::steady_clock::now();
            HistoryRow row = base_row(p);
            run_statements(m_conn, m_opts, p, 0, nullptr);
            require_open_transaction(p, row.statements_total, t0);
            m_state.apply(p.step->row_ops);
            row.finished_at = history_time();
            row.duration_ms = elapsed_ms(t0);
            row.success = true;
            row.statements_done = row.statements_total;
            m_state.history_insert(row);
            results.push_back(
                {p.migration->rev.id, p.direction, row.duration_ms, row.statements_total});
            log_step(p, results.back(), " (not yet committed)");
        }
        tx.commit();
        m_state.tables_committed();
    } catch (const StatementFailure& f) {
        tx.rollback();
        fail(*current, f, false, start_heads,
             f.lock_wait && !f.signal ? std::optional<ExitCode>(ExitCode::lock_timeout)
                                      : std::nullopt);
    } catch (const MigrationFailure&) {
        throw;
    } catch (const std::exception& e) {
        tx.rollback();
        if (!current) throw;
        fail(*current, bookkeeping_failure(0, current->migration->rev.file, e), false, start_heads,
             own_exit_code(e));
    }
    m_done = results;
    log::info("committed " + std::to_string(results.size()) + " revisions in one transaction");
    return results;
}

void Migrator::record_failed_row(HistoryRow row) {
    // Its own small transaction: the step's transaction is already rolled back.
    try {
        if (!database(m_conn.dialect()).transactional_ddl())
            m_state.ensure_tables();  // implicit commit
        Transaction tx(m_conn);
        m_state.ensure_tables();
        m_state.history_insert(row);
        tx.commit();
    } catch (const std::exception& e) {
        log::error("could not record the failure in the history table: " + std::string(e.what()));
    }
}

bool Migrator::record_on_new_connection(const HistoryRow& row) {
    if (!m_opts.reconnect) return false;
    try {
        std::unique_ptr<Connection> conn = m_opts.reconnect();
        // The row may be locked by a transaction the revision left open on
        // the old session: wait a little, never for ever.
        std::string bound = database(conn->dialect()).bounded_lock_wait_sql();
        if (!bound.empty()) conn->execute(bound);
        StateStore state(*conn, m_state.names());
        state.history_update(row);
        return true;
    } catch (const std::exception& e) {
        log::error("could not record the failure in the history table on a new connection: " +
                   std::string(e.what()));
        return false;
    }
}

std::string repair_choices(int done) {
    return "inspect the database, then run `schemagate repair --mark-applied` (the rest was "
           "finished by hand), `schemagate repair --mark-reverted` (the partial changes were "
           "undone) or `schemagate repair --resume` (run the remaining statements from "
           "statement " +
           std::to_string(done + 1) + ")";
}

void Migrator::fail(const Prepared& p, const StatementFailure& f, bool dirty,
                    const std::set<std::string>& rows, std::optional<ExitCode> own_code) {
    const auto& rev = p.migration->rev;
    const std::vector<std::string> heads(rows.begin(), rows.end());
    if (!dirty && in_transaction(*p.migration, m_conn.dialect())) {
        HistoryRow row = base_row(p);
        row.to_heads = row.from_heads;  // nothing changed
        row.finished_at = history_time();
        row.statements_done = m_opts.atomic ? 0 : f.done;
        row.error = f.location + ": " + f.error;
        record_failed_row(row);
    }
    std::vector<StepResult> done = m_opts.atomic ? std::vector<StepResult>{} : m_done;
    std::vector<std::string> applied;
    for (auto& s : done) applied.push_back(s.revision);
    std::string what = std::string(word(p.direction)) + " of revision " + rev.id +
                       (rev.message.empty() ? "" : " (" + rev.message + ")") + " failed at " +
                       f.location + ": " + f.error;
    ExitCode code = f.signal ? exit_for_signal(f.signal) : ExitCode::rolled_back;
    if (!f.signal && own_code) code = *own_code;
    std::string hint;
    if (dirty) {
        // Interrupted or not, statements ran outside a transaction: only a
        // repair helps, so the exit code is 9 and not 130/143 ("run again").
        code = ExitCode::dirty;
        if (f.lost)
            what += "; the connection was lost while statement " + std::to_string(f.done + 1) +
                    " of " + std::to_string(p.statements.size()) +
                    " ran outside a transaction, so whether it took effect is unknown (" +
                    std::to_string(f.done) + " ran before it): the database is dirty";
        else
            what += "; " + std::to_string(f.done) + " of " + std::to_string(p.statements.size()) +
                    " statements ran outside a transaction: the database is dirty";
        hint = repair_choices(f.done);
    } else if (code == ExitCode::unreachable) {
        // Lost during the bookkeeping or COMMIT: the server rolls an open
        // transaction back, but a COMMIT in flight may have taken effect.
        what += "; the connection was lost before the transaction was confirmed";
        hint =
            "check the database server and run again: the next run reads where the "
            "database is (" +
            heads_text(heads) + " before this run)";
    } else {
        what += m_opts.atomic ? "; all revisions of this run were rolled back"
                              : "; the revision was rolled back";
        hint = "the database is at " + heads_text(heads) + "; ";
        if (code == ExitCode::auth)
            hint +=
                "the migration role lacks a privilege schemagate's own tables need: CREATE "
                "on the schema (or the tables created by an owner) and INSERT, UPDATE, "
                "DELETE on the version and history tables";
        else if (code == ExitCode::lock_timeout && f.lock_wait)
            hint +=
                "the session named above holds a lock on a table this revision changes: let "
                "it finish (or end it) and run again; --ddl-lock-timeout and "
                "--ddl-lock-retries set how long schemagate waits (never past --lock-timeout)";
        else if (code == ExitCode::lock_timeout)
            hint +=
                "another session holds a lock on the version or history table; run again "
                "when it has finished";
        else
            hint += "fix the revision and run again";
    }
    if (!applied.empty()) what += "; applied before it: " + join(applied);
    // Not logged here: the command that catches it logs it once, with its exit code.
    throw MigrationFailure(code, what, hint, done, rev.id, f.location, f.error);
}

void Migrator::log_step(const Prepared& p, const StepResult& r, const std::string& note) const {
    const auto& rev = p.migration->rev;
    std::string msg = "[" + std::to_string(m_position) + "/" + std::to_string(m_total) + "] " +
                      word(p.direction) + " " + rev.id + " " + rev.message + " ... " +
                      std::to_string(r.duration_ms) + " ms" + note;
    log::info(msg, {{"revision", rev.id},
                    {"direction", word(p.direction)},
                    {"duration_ms", r.duration_ms},
                    {"statements", r.statements}});
}

}  // namespace sg

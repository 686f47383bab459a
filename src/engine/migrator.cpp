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

namespace {

bool in_transaction(const Migration& m, Dialect d) {
    return m.rev.transactional && d != Dialect::mysql;
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
    if (m_opts.atomic && d == Dialect::mysql)
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

std::vector<StepResult> Migrator::run(const std::vector<Step>& steps) {
    auto prepared = prepare(steps);  // every error that needs no database, first
    m_done.clear();
    m_position = 0;
    m_total = static_cast<int>(prepared.size());
    if (prepared.empty()) return {};
    auto rows = m_state.versions();
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
    row.operation = word(p.direction);
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
    auto t0 = std::chrono::steady_clock::now();
    HistoryRow row = base_row(p);
    int done = 0;
    // A busy or lost database at BEGIN throws a DbError: nothing ran, and the
    // run layer maps it (6 / 4).
    Transaction tx(m_conn);
    try {
        m_state.ensure_tables();
        run_statements(m_conn, m_opts, p, 0, [&](int n) { done = n; });
        require_open_transaction(p, done, t0);
        m_state.apply(p.step->row_ops);
        row.finished_at = history_time();
        row.duration_ms = elapsed_ms(t0);
        row.success = true;
        row.statements_done = done;
        m_state.history_insert(row);
        tx.commit();
        m_state.tables_committed();
    } catch (const StatementFailure& f) {
        tx.rollback();
        fail(p, f, false, from);
    } catch (const MigrationFailure&) {
        throw;
    } catch (const std::exception& e) {
        // The bookkeeping (state tables) or COMMIT failed: still rolled back.
        tx.rollback();
        fail(p, bookkeeping_failure(done, p.migration->rev.file, e), false, from, own_exit_code(e));
    }
    return {p.migration->rev.id, p.direction, row.duration_ms, done};
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

StepResult Migrator::run_outside_transaction(const Prepared& p, const std::set<std::string>& from) {
    auto t0 = std::chrono::steady_clock::now();
    m_state.ensure_tables();
    HistoryRow row = base_row(p);
    row.dirty = true;  // committed before the first statement: a crash leaves it dirty
    row.id = m_state.history_insert(row);
    try {
        run_statements(m_conn, m_opts, p, 0, [&](int n) {
            row.statements_done = n;
            m_state.history_update(row);
        });
    } catch (const StatementFailure& f) {
        row.statements_done = f.done;
        row.dirty = f.done > 0;  // nothing ran: the database is unchanged
        row.error = f.location + ": " + f.error;
        row.finished_at = history_time();
        row.duration_ms = elapsed_ms(t0);
        try {
            m_state.history_update(row);
        } catch (const std::exception& e) {
            log::error("could not record the failure in the history table: " +
                       std::string(e.what()));
        }
        fail(p, f, row.dirty, from);
    }
    Transaction tx(m_conn);
    try {
        m_state.apply(p.step->row_ops);
        row.success = true;
        row.dirty = false;
        row.finished_at = history_time();
        row.duration_ms = elapsed_ms(t0);
        m_state.history_update(row);
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
        fail(*current, f, false, start_heads);
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
        if (m_conn.dialect() == Dialect::mysql) m_state.ensure_tables();  // implicit commit
        Transaction tx(m_conn);
        m_state.ensure_tables();
        m_state.history_insert(row);
        tx.commit();
    } catch (const std::exception& e) {
        log::error("could not record the failure in the history table: " + std::string(e.what()));
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

// stamp and the three ways out of a dirty step (README.md "Recovering a
// dirty database"). The dirty history row holds what they need: the revision,
// the direction, the version-table rows before (from_heads) and after
// (to_heads) the step, and how many statements ran.
#include <chrono>
#include <set>

#include "engine/runner.hpp"
#include "engine/transaction.hpp"
#include "log/log.hpp"

namespace sg {

using namespace engine_detail;

namespace {

// Runs `body` in a transaction; rolls back and rethrows on any error.
template <class F>
void in_transaction(Connection& conn, F body) {
    Transaction tx(conn);
    body();
    tx.commit();
}

// The rows after the dirty step: the version table with the rows the step
// takes away (from_heads) replaced by those it puts (to_heads). A history
// row holds only the rows its step changes; rows written before that held
// the whole table, for which this gives their to_heads all the same.
std::vector<std::string> rows_after_step(const std::vector<std::string>& current,
                                         const HistoryRow& dirty) {
    std::set<std::string> rows(current.begin(), current.end());
    for (const auto& r : split_heads(dirty.from_heads)) rows.erase(r);
    for (const auto& r : split_heads(dirty.to_heads)) rows.insert(r);
    return {rows.begin(), rows.end()};
}

// Whether the version table still holds every row the step started from.
bool holds_step_start(const std::vector<std::string>& current, const HistoryRow& dirty) {
    std::set<std::string> rows(current.begin(), current.end());
    for (const auto& r : split_heads(dirty.from_heads))
        if (!rows.count(r)) return false;
    return true;
}

}  // namespace

void Migrator::stamp(const std::vector<std::string>& rows) {
    std::vector<std::string> sorted = split_heads(join_heads(rows));
    // MySQL commits implicitly on CREATE TABLE: create before the transaction.
    if (!database(m_conn.dialect()).transactional_ddl()) m_state.ensure_tables();
    in_transaction(m_conn, [&] {
        m_state.ensure_tables();
        auto from = m_state.versions();
        m_state.set_versions(sorted);
        HistoryRow row;
        row.revision = sorted.empty() ? "base" : join_heads(sorted).substr(0, 255);
        row.operation = Operation::stamp;
        row.from_heads = join_heads(from);
        row.to_heads = join_heads(sorted);
        row.message = "stamp " + heads_text(from) + " -> " + heads_text(sorted);
        row.started_at = row.finished_at = history_time();
        row.success = true;
        row.applied_by = m_opts.applied_by;
        row.tool_version = m_opts.tool_version;
        m_state.history_insert(row);
    });
    log::info("stamped " + heads_text(sorted), {{"revision", join_heads(sorted)}});
}

HistoryRow Migrator::require_dirty() {
    auto dirty = m_state.dirty_step();
    if (!dirty)
        throw Error(ExitCode::usage,
                    "nothing to repair: no dirty step is recorded in " + m_state.names().history);
    return *dirty;
}

HistoryRow Migrator::repair_row(const HistoryRow& dirty, const std::string& what,
                                const std::vector<std::string>& from,
                                const std::vector<std::string>& to) const {
    HistoryRow row;
    row.revision = dirty.revision;
    row.operation = Operation::repair;
    row.from_heads = join_heads(from);
    row.to_heads = join_heads(to);
    row.message = what + " (" + dirty.operation + " of " + dirty.revision + ", history row " +
                  std::to_string(dirty.id) + ")";
    row.started_at = row.finished_at = history_time();
    row.success = true;
    row.statements_done = dirty.statements_done;
    row.statements_total = dirty.statements_total;
    row.applied_by = m_opts.applied_by;
    row.tool_version = m_opts.tool_version;
    return row;
}

void Migrator::repair_mark_applied() {
    HistoryRow dirty = require_dirty();
    std::vector<std::string> to;
    in_transaction(m_conn, [&] {
        auto from = m_state.versions();
        // The step's row changes assume the rows it started from: anything
        // else (a stamp since, a hand edit) would be overwritten blindly.
        if (!holds_step_start(from, dirty)) {
            throw Error(ExitCode::dirty,
                        "cannot mark " + dirty.operation + " of " + dirty.revision +
                            " as applied: the version table holds " + heads_text(from) +
                            ", but the dirty step started from " +
                            heads_text(split_heads(dirty.from_heads)),
                        "set the version table to what the step started from (`schemagate "
                        "stamp`), or finish by hand and `schemagate repair --mark-reverted` "
                        "then stamp the revision");
        }
        to = rows_after_step(from, dirty);
        m_state.set_versions(to);
        dirty.dirty = false;
        m_state.history_update(dirty);
        HistoryRow row = repair_row(dirty, "mark-applied", from, to);
        // The file's checksum counts as applied (drift checks compare it later).
        if (dirty.operation == Operation::upgrade) row.checksum = dirty.checksum;
        m_state.history_insert(row);
    });
    log::info("repair: marked " + dirty.operation + " of " + dirty.revision +
                  " as applied; version table now " + heads_text(to),
              {{"revision", dirty.revision}});
}

void Migrator::repair_mark_reverted() {
    HistoryRow dirty = require_dirty();
    std::vector<std::string> heads;
    in_transaction(m_conn, [&] {
        heads = m_state.versions();
        dirty.dirty = false;
        m_state.history_update(dirty);
        m_state.history_insert(repair_row(dirty, "mark-reverted", heads, heads));
    });
    log::info("repair: marked " + dirty.operation + " of " + dirty.revision +
                  " as reverted; version table unchanged at " + heads_text(heads),
              {{"revision", dirty.revision}});
}

void Migrator::repair_resume() {
    HistoryRow dirty = require_dirty();
    Dialect d = m_conn.dialect();
    const Migration& m = m_scripts.get(dirty.revision);
    Step step{dirty.revision,
              dirty.operation == Operation::downgrade ? Direction::downgrade : Direction::upgrade,
              {},
              {}};
    Prepared p;
    p.step = &step;
    p.migration = &m;
    p.direction = step.direction;
    p.statements =
        p.direction == Direction::upgrade ? m.upgrade_statements(d) : m.downgrade_statements(d);
    if (p.direction == Direction::upgrade) p.checksum = m.checksum(d);
    // Counting statements only means something in the file that was run.
    if ((p.direction == Direction::upgrade && !dirty.checksum.empty() &&
         dirty.checksum != p.checksum) ||
        (dirty.statements_total && dirty.statements_total != int(p.statements.size())))
        throw Error(ExitCode::drift,
                    "cannot resume revision " + dirty.revision + ": " + m.rev.file +
                        " changed since the failed run",
                    "finish or undo the revision by hand, then `schemagate repair "
                    "--mark-applied` or `--mark-reverted`");
    auto t0 = std::chrono::steady_clock::now();
    int first = dirty.statements_done;
    log::info("repair: resuming " + dirty.operation + " of " + dirty.revision + " from statement " +
                  std::to_string(first + 1) + " of " + std::to_string(p.statements.size()),
              {{"revision", dirty.revision}});
    try {
        run_statements(m_conn, m_opts, p, first, [&](int n) {
            dirty.statements_done = n;
            m_state.history_update(dirty);
        });
    } catch (const StatementFailure& f) {
        dirty.statements_done = f.done;
        dirty.error = f.location + ": " + f.error;
        m_state.history_update(dirty);
        std::string what = "resume of revision " + dirty.revision + " failed at " + f.location +
                           ": " + f.error + "; the database is still dirty";
        throw MigrationFailure(
            ExitCode::dirty, what,
            "fix the cause, then `schemagate repair --resume` again, or finish/undo by hand and "
            "`schemagate repair --mark-applied` / `--mark-reverted`",
            {}, dirty.revision, f.location, f.error);
    }
    in_transaction(m_conn, [&] {
        auto from = m_state.versions();
        auto to = rows_after_step(from, dirty);
        m_state.set_versions(to);
        dirty.dirty = false;
        dirty.success = true;
        dirty.finished_at = history_time();
        m_state.history_update(dirty);
        HistoryRow row =
            repair_row(dirty, "resume from statement " + std::to_string(first + 1), from, to);
        row.duration_ms = elapsed_ms(t0);
        m_state.history_insert(row);
    });
    log::info(
        "repair: resumed " + dirty.revision + " ... " + std::to_string(elapsed_ms(t0)) + " ms",
        {{"revision", dirty.revision}, {"duration_ms", elapsed_ms(t0)}});
}

}  // namespace sg

#pragma once
// StateStore: the version table (alembic_version) and the history table
// (schemagate_history), docs/reference.md §3, on any Connection. The names
// are in engine/table_names.hpp, the history row in engine/history_row.hpp,
// the offline `--sql` text in engine/offline.hpp.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/graph.hpp"
#include "db/connection.hpp"
#include "db/database.hpp"
#include "engine/history_row.hpp"
#include "engine/table_names.hpp"

namespace sg {

/// Everything the run flow reads before deciding (StateStore::read_state).
struct StoredState {
    std::vector<std::string> versions;             // version-table rows, sorted
    std::optional<HistoryRow> dirty;               // the newest dirty step
    std::map<std::string, std::string> checksums;  // as applied_checksums()
};

class StateStore {
  public:
    StateStore(Connection& conn, TableNames names);
    /// versions(), dirty_step() and applied_checksums() in one statement
    /// (a UNION ALL over both tables; a second one only when a dirty step
    /// is recorded). When it fails (a table missing, a foreign shape) it
    /// falls back to those three, which look the tables up first, so the
    /// result and the errors are theirs. Call outside a transaction: on
    /// PostgreSQL the failed statement would abort it.
    StoredState read_state();
    /// Forgets what is known about the tables' existence, and from now on
    /// also trusts a lookup that found a table missing: call once the
    /// migration lock is held (another runner may have created them while
    /// this one waited; none can from now on).
    void forget_tables();
    /// The transaction in which ensure_tables() created the tables has
    /// committed: they exist for the rest of the session.
    void tables_committed();
    bool version_table_exists();
    bool history_table_exists();
    /// Creates both tables if missing (call inside the first transaction).
    void ensure_tables();
    /// The version-table rows, sorted; empty when the table does not exist.
    std::vector<std::string> versions();
    void apply(const std::vector<RowOp>& ops);
    /// Replaces all rows (stamp).
    void set_versions(const std::vector<std::string>& rows);
    /// Inserts a history row; returns its id. Works without the table existing? no:
    /// call ensure_tables() first.
    long long history_insert(const HistoryRow& row);
    void history_update(const HistoryRow& row);  // by row.id
    std::vector<HistoryRow> history();           // oldest first; empty if no table
    /// The newest row still marked dirty, if any.
    std::optional<HistoryRow> dirty_step();
    /// revision -> checksum of its newest successful upgrade that recorded one.
    std::map<std::string, std::string> applied_checksums();
    const TableNames& names() const { return m_names; }
    /// PostgreSQL: the schema a qualified --version-table / --history-table
    /// names exists, else Error(usage) naming it (exit 2, not a failed
    /// revision). Call before the backup and the first write.
    void check_schema();

  private:
    // schemagate's own statements name the tables qualified with the schema
    // (PostgreSQL) or database (MySQL) the session had at its first state
    // statement, before any revision ran: a revision's `SET search_path` or
    // `USE other` cannot move the bookkeeping (docs/reference.md §3).
    void bind();
    const std::string& version_sql() {
        bind();
        return m_version_sql;
    }
    const std::string& history_sql() {
        bind();
        return m_history_sql;
    }

    enum class Known { unknown, absent, present };
    std::pair<bool, bool> look_up_tables();  // (version, history) exist

    Connection& m_conn;
    const Database& m_db;
    TableNames m_names;
    // Whether each table exists, looked up in one query for both. A table
    // seen to exist (a lookup, a successful read, a committed CREATE) is
    // not looked up again for the session: the lookup cost a round trip per
    // revision and per read otherwise. A missing one is looked up again
    // (another runner, or a changed search_path, may bring it), and one
    // created inside a transaction counts only after tables_committed(),
    // since a rollback takes it away again.
    Known m_version = Known::unknown;
    Known m_history = Known::unknown;
    bool m_created_in_tx = false;
    bool m_locked = false;  // forget_tables() ran: a missing table stays missing
    bool m_bound = false;
    std::string m_home;  // the session's schema / database at bind(); "" on SQLite
    std::string m_version_sql, m_history_sql;  // quoted, qualified with m_home
};

}  // namespace sg

// StateStore: the version table and the history table on a live connection.
// Every statement goes through Connection::query with `?` parameters; table
// names are validated once in the constructor and quoted, never pasted raw.
#include "engine/state.hpp"

#include <algorithm>
#include <cctype>

#include "engine/sql_names.hpp"

namespace sg {

using engine_detail::quote_table;
using engine_detail::split_name;

namespace {

bool truthy(const Value& v) { return v && (*v == "1" || *v == "t" || *v == "true"); }
std::string text(const Value& v) { return v ? *v : std::string(); }
// A table schemagate did not write (another tool's, edited by hand) is a
// configuration problem with a hint, never a crash or "a bug".
[[noreturn]] void foreign_table(const std::string& table, const std::string& what) {
    throw Error(ExitCode::usage, "table " + table + " is not one schemagate can use: " + what,
                "point --version-table / --history-table at schemagate's own tables, or fix the "
                "rows edited by hand");
}

long long number(const Value& v, const char* table = "schemagate_history") {
    if (!v || v->empty()) return 0;
    try {
        size_t used = 0;
        long long n = std::stoll(*v, &used);
        if (used == v->size()) return n;
    } catch (const std::exception&) {
    }
    foreign_table(table, "'" + v->substr(0, 40) + "' where a number belongs");
}

// Runs a query on a state table, naming the table when its shape is not the
// one schemagate creates (a missing column, another type).
Rows query_table(Connection& conn, const std::string& table, const std::string& sql,
                 const std::vector<Value>& params = {}) {
    try {
        return conn.query(sql, params);
    } catch (const DbError& e) {
        if (e.kind() != DbErrorKind::statement) throw;
        foreign_table(table, e.describe());
    }
}
Value nullable(const std::string& s) { return s.empty() ? Value() : Value(s); }
Value flag(bool b) { return Value(b ? "1" : "0"); }

const char* kHistoryColumns =
    "id, revision, operation, from_heads, to_heads, checksum, message, started_at, "
    "finished_at, duration_ms, success, dirty, error, statements_done, statements_total, "
    "applied_by, tool_version";

HistoryRow to_history(const Row& r) {
    HistoryRow h;
    h.id = number(r.at(0));
    h.revision = text(r.at(1));
    h.operation = HistoryOperation(text(r.at(2)));
    h.from_heads = text(r.at(3));
    h.to_heads = text(r.at(4));
    h.checksum = text(r.at(5));
    h.message = text(r.at(6));
    h.started_at = text(r.at(7));
    h.finished_at = text(r.at(8));
    h.duration_ms = number(r.at(9));
    h.success = truthy(r.at(10));
    h.dirty = truthy(r.at(11));
    h.error = text(r.at(12));
    h.statements_done = static_cast<int>(number(r.at(13)));
    h.statements_total = static_cast<int>(number(r.at(14)));
    h.applied_by = text(r.at(15));
    h.tool_version = text(r.at(16));
    return h;
}

}  // namespace

StateStore::StateStore(Connection& conn, TableNames names)
    : m_conn(conn),
      m_db(database(conn.dialect())),
      m_names(engine_detail::resolve_names(std::move(names), conn.dialect())) {}

namespace {

// Which of the two tables exist, in one query. Unqualified PostgreSQL names
// live where CREATE TABLE puts them: current_schema(), the first existing
// schema of the search_path (as Alembic's has_table).
std::pair<bool, bool> tables_exist(Connection& conn, const Database& db, const std::string& version,
                                   const std::string& history, const std::string& home) {
    auto v = split_name(version);
    auto h = split_name(history);
    bool has_v = false, has_h = false;
    for (const auto& name : db.find_tables(conn, v, h, home)) {
        if (name == v.name) has_v = true;
        if (name == h.name) has_h = true;
    }
    return {has_v, has_h};
}

}  // namespace

void StateStore::bind() {
    if (m_bound) return;
    Dialect d = m_conn.dialect();
    if (m_db.qualifies_with_session_schema() &&
        (split_name(m_names.version).schema.empty() || split_name(m_names.history).schema.empty()))
        m_home = m_conn.current_schema();
    m_version_sql = quote_table(m_names.version, d, m_home);
    m_history_sql = quote_table(m_names.history, d, m_home);
    m_bound = true;
}

void StateStore::check_schema() {
    if (!m_db.schema_qualified_tables()) return;
    for (const std::string* name : {&m_names.version, &m_names.history}) {
        std::string schema = split_name(*name).schema;
        if (schema.empty()) continue;
        if (m_db.schema_exists(m_conn, schema)) continue;
        throw Error(ExitCode::usage,
                    "the schema '" + schema + "' of the table " + *name +
                        " (--version-table / --history-table) does not exist in this database",
                    "create the schema (CREATE SCHEMA " + schema +
                        ") or name an existing one in --version-table");
    }
}

std::pair<bool, bool> StateStore::look_up_tables() {
    bind();
    auto found = tables_exist(m_conn, m_db, m_names.version, m_names.history, m_home);
    Known missing = m_locked ? Known::absent : Known::unknown;
    m_version = found.first ? Known::present : missing;
    m_history = found.second ? Known::present : missing;
    return found;
}

bool StateStore::version_table_exists() {
    if (m_version == Known::unknown) look_up_tables();
    return m_version == Known::present;
}

bool StateStore::history_table_exists() {
    if (m_history == Known::unknown) look_up_tables();
    return m_history == Known::present;
}

void StateStore::forget_tables() {
    m_version = m_history = Known::unknown;
    m_created_in_tx = false;
    m_locked = true;
}

void StateStore::tables_committed() {
    if (m_created_in_tx) m_version = m_history = Known::present;
    m_created_in_tx = false;
}

void StateStore::ensure_tables() {
    bind();
    Dialect d = m_conn.dialect();
    if (m_version == Known::unknown || m_history == Known::unknown) look_up_tables();
    bool has_version = m_version == Known::present, has_history = m_history == Known::present;
    bool create_version = !has_version, create_history = !has_history;
    if (create_version) m_conn.query(engine_detail::version_table_ddl(d, m_names.version, m_home));
    if (create_history) m_conn.query(engine_detail::history_table_ddl(d, m_names.history, m_home));
    if (!create_version && !create_history) return;
    // MySQL commits DDL at once: what it created exists for good. Elsewhere
    // the transaction may still roll it back.
    if (!m_db.transactional_ddl()) {
        m_version = m_history = Known::present;
    } else {
        // Unknown until the transaction commits (tables_committed()).
        m_version = has_version ? Known::present : Known::unknown;
        m_history = has_history ? Known::present : Known::unknown;
        m_created_in_tx = true;
    }
}

StoredState StateStore::read_state() {
    std::string v = version_sql();
    std::string h = history_sql();
    // Literal TRUE: no parameters, so MySQL needs no server-side prepare.
    std::string sql =
        "SELECT 'v', NULL, version_num, NULL FROM " + v +
        " UNION ALL SELECT 'c', id, revision, checksum FROM " + h +
        " WHERE success = TRUE AND operation IN ('upgrade', 'repair') AND checksum IS NOT NULL "
        "AND checksum <> '' UNION ALL SELECT 'd', id, revision, NULL FROM " +
        h + " WHERE dirty = TRUE ORDER BY 1, 2";
    Rows rows;
    try {
        rows = m_conn.query(sql);
    } catch (const DbError& e) {
        if (e.kind() != DbErrorKind::statement) throw;
        // A table missing (42P01, MySQL 1146, "no such table") or not of
        // schemagate's shape: one lookup for both, then the per-table
        // reads, whose errors name the table, as before.
        auto [has_version, has_history] = look_up_tables();
        StoredState s;
        if (has_version) s.versions = versions();
        if (has_history) {
            s.dirty = dirty_step();
            s.checksums = applied_checksums();
        }
        return s;
    }
    m_version = m_history = Known::present;
    StoredState s;
    bool dirty = false;
    for (auto& r : rows) {
        const std::string kind = text(r.at(0));
        if (kind == "v") s.versions.push_back(text(r.at(2)));
        if (kind == "c") s.checksums[text(r.at(2))] = text(r.at(3));  // oldest first
        if (kind == "d") dirty = true;
    }
    std::sort(s.versions.begin(), s.versions.end());
    if (dirty) s.dirty = dirty_step();  // rare: the full row, one more round trip
    return s;
}

std::vector<std::string> StateStore::versions() {
    if (!version_table_exists()) return {};
    std::vector<std::string> out;
    for (auto& r : query_table(m_conn, m_names.version, "SELECT version_num FROM " + version_sql()))
        out.push_back(text(r.at(0)));
    std::sort(out.begin(), out.end());
    return out;
}

void StateStore::apply(const std::vector<RowOp>& ops) {
    const std::string& t = version_sql();
    for (auto& op : ops) {
        switch (op.kind) {
            case RowOp::insert:
                m_conn.query("INSERT INTO " + t + " (version_num) VALUES (?)", {op.to});
                break;
            case RowOp::remove:
                m_conn.query("DELETE FROM " + t + " WHERE version_num = ?", {op.from});
                break;
            case RowOp::update:
                m_conn.query("UPDATE " + t + " SET version_num = ? WHERE version_num = ?",
                             {op.to, op.from});
                break;
        }
    }
}

void StateStore::set_versions(const std::vector<std::string>& rows) {
    const std::string& t = version_sql();
    m_conn.query("DELETE FROM " + t);
    for (auto& r : rows) m_conn.query("INSERT INTO " + t + " (version_num) VALUES (?)", {r});
}

long long StateStore::history_insert(const HistoryRow& row) {
    std::string sql = "INSERT INTO " + history_sql() +
                      " (revision, operation, from_heads, to_heads, checksum, message, "
                      "started_at, finished_at, duration_ms, success, dirty, error, "
                      "statements_done, statements_total, applied_by, tool_version) VALUES "
                      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sql += m_db.insert_returning_id();
    std::vector<Value> params = {row.revision,
                                 row.operation.text(),
                                 row.from_heads,
                                 row.to_heads,
                                 nullable(row.checksum),
                                 row.message,
                                 row.started_at,
                                 nullable(row.finished_at),
                                 std::to_string(row.duration_ms),
                                 flag(row.success),
                                 flag(row.dirty),
                                 nullable(row.error),
                                 std::to_string(row.statements_done),
                                 std::to_string(row.statements_total),
                                 row.applied_by,
                                 row.tool_version};
    Rows rows = m_conn.query(sql, params);
    std::string last_id = m_db.last_insert_id_sql();
    if (!last_id.empty()) rows = m_conn.query(last_id);
    if (rows.empty() || rows[0].empty()) throw Error(ExitCode::internal, "history insert: no id");
    return number(rows[0][0]);
}

void StateStore::history_update(const HistoryRow& row) {
    m_conn.query("UPDATE " + history_sql() +
                     " SET to_heads = ?, checksum = ?, finished_at = ?, duration_ms = ?, "
                     "success = ?, dirty = ?, error = ?, statements_done = ?, "
                     "statements_total = ? WHERE id = ?",
                 {row.to_heads, nullable(row.checksum), nullable(row.finished_at),
                  std::to_string(row.duration_ms), flag(row.success), flag(row.dirty),
                  nullable(row.error), std::to_string(row.statements_done),
                  std::to_string(row.statements_total), std::to_string(row.id)});
}

std::vector<HistoryRow> StateStore::history() {
    if (!history_table_exists()) return {};
    std::vector<HistoryRow> out;
    for (auto& r : query_table(
             m_conn, m_names.history,
             std::string("SELECT ") + kHistoryColumns + " FROM " + history_sql() + " ORDER BY id"))
        out.push_back(to_history(r));
    return out;
}

std::optional<HistoryRow> StateStore::dirty_step() {
    if (!history_table_exists()) return std::nullopt;
    auto rows = query_table(m_conn, m_names.history,
                            std::string("SELECT ") + kHistoryColumns + " FROM " + history_sql() +
                                " WHERE dirty = ? ORDER BY id DESC",
                            {flag(true)});
    if (rows.empty()) return std::nullopt;
    return to_history(rows.front());
}

std::map<std::string, std::string> StateStore::applied_checksums() {
    std::map<std::string, std::string> out;
    if (!history_table_exists()) return out;
    // Oldest first, so the newest successful upgrade (or mark-applied repair)
    // of a revision wins.
    auto rows = query_table(m_conn, m_names.history,
                            "SELECT revision, checksum FROM " + history_sql() +
                                " WHERE success = ? AND operation IN ('upgrade', 'repair') "
                                "AND checksum IS NOT NULL AND checksum <> '' ORDER BY id",
                            {flag(true)});
    for (auto& r : rows) out[text(r.at(0))] = text(r.at(1));
    return out;
}

}  // namespace sg

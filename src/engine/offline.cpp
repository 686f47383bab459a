// Offline `--sql` scripts: literal SQL that psql -v ON_ERROR_STOP=1, the
// mariadb client and sqlite3 accept as it is. What differs per database (the
// preamble, literals, statement terminators, transactional DDL) comes from
// its Database object (db/database.hpp).
//
// Decisions (documented for users in the README by the lead):
// - The state-table DDL uses CREATE TABLE IF NOT EXISTS, so a script also runs
//   against a database that already has the tables.
// - No history rows are written offline: a script may be edited, run in parts
//   or never run, so a row claiming "applied at" would be a guess. A revision
//   without a recorded checksum is not drift (docs/reference.md §3).
// - Transactional revisions are wrapped in BEGIN;/COMMIT; on PostgreSQL and
//   SQLite; MySQL/MariaDB get none (DDL commits implicitly; Alembic does the same).
// - MySQL statements containing ';' (procedures, triggers) are wrapped in
//   `DELIMITER` lines so that the mariadb client does not split them.
#include "engine/offline.hpp"

#include <sstream>

#include "core/util.hpp"
#include "db/database.hpp"
#include "engine/sql_names.hpp"

namespace sg {

using engine_detail::quote_table;

std::string OfflineSql::quote_literal(Dialect d, const std::string& s) {
    return database(d).quote_literal(s);
}

std::string OfflineSql::create_tables(Dialect d, const TableNames& names) {
    auto n = engine_detail::resolve_names(names, d);
    return engine_detail::version_table_ddl(d, n.version) + ";\n\n" +
           engine_detail::history_table_ddl(d, n.history) + ";\n";
}

std::vector<std::string> OfflineSql::row_ops(Dialect d, const TableNames& n,
                                             const std::vector<RowOp>& ops) {
    validate_table_name(n.version, d);
    auto t = quote_table(n.version, d);
    std::vector<std::string> out;
    for (auto& op : ops) {
        switch (op.kind) {
            case RowOp::insert:
                out.push_back("INSERT INTO " + t + " (version_num) VALUES (" +
                              quote_literal(d, op.to) + ");");
                break;
            case RowOp::remove:
                out.push_back("DELETE FROM " + t +
                              " WHERE version_num = " + quote_literal(d, op.from) + ";");
                break;
            case RowOp::update:
                out.push_back("UPDATE " + t + " SET version_num = " + quote_literal(d, op.to) +
                              " WHERE version_num = " + quote_literal(d, op.from) + ";");
                break;
        }
    }
    return out;
}

namespace {

void emit_step(std::ostream& out, const ScriptDirectory& scripts, Dialect d,
               const TableNames& names, const Step& step) {
    const Migration& m = scripts.get(step.revision);
    bool up = step.direction == Direction::upgrade;
    auto parents = join(m.rev.down_revisions, ", ");
    out << "-- Running " << (up ? "upgrade " : "downgrade ")
        << (up ? parents + " -> " + m.rev.id : m.rev.id + " -> " + parents) << "\n";
    if (!m.rev.message.empty()) out << "-- " << m.rev.message << "\n";
    if (!m.rev.file.empty()) out << "-- file: " << m.rev.file << "\n";
    out << "\n";
    const Database& db = database(d);
    bool tx = m.rev.transactional && db.transactional_ddl();
    if (tx) out << "BEGIN;\n\n";
    auto statements = up ? m.upgrade_statements(d) : m.downgrade_statements(d);
    for (auto& st : statements) out << db.offline_statement(st.sql) << "\n";
    for (auto& sql : OfflineSql::row_ops(d, names, step.row_ops)) out << sql << "\n";
    out << "\n";
    if (tx) out << "COMMIT;\n\n";
}

}  // namespace

void write_offline(std::ostream& out, const ScriptDirectory& scripts, Dialect d,
                   const TableNames& names, const std::vector<Step>& steps,
                   const std::vector<std::string>& from, bool create_tables) {
    // Everything that can fail (a missing downgrade, a split error) fails
    // before a single line is produced. The statements are split again while
    // writing rather than kept: a script of 50,000 revisions would hold them
    // all.
    for (auto& s : steps) {
        const Migration& m = scripts.get(s.revision);
        if (s.direction == Direction::downgrade && !m.downgrade_for(d))
            throw Error(ExitCode::invalid, "revision " + s.revision + " (" + m.rev.file +
                                               ") has no downgrade section for " + dialect_name(d));
        if (s.direction == Direction::downgrade)
            m.downgrade_statements(d);
        else
            m.upgrade_statements(d);
    }
    std::string to = steps.empty() ? join(from, ",") : join(steps.back().heads_after, ",");
    out << "-- schemagate offline script for " << dialect_name(d) << "\n"
        << "-- from: " << (from.empty() ? "base" : join(from, ", "))
        << "  to: " << (to.empty() ? "base" : to) << "\n"
        << "-- Statements end with ';'. No history rows are written offline.\n\n";
    // Migration files are UTF-8 whatever the client's locale says.
    out << database(d).offline_preamble();
    if (create_tables) out << OfflineSql::create_tables(d, names) << "\n";
    for (auto& s : steps) emit_step(out, scripts, d, names, s);
}

std::string render_offline(const ScriptDirectory& scripts, Dialect d, const TableNames& names,
                           const std::vector<Step>& steps, const std::vector<std::string>& from,
                           bool create_tables) {
    std::ostringstream out;
    write_offline(out, scripts, d, names, steps, from, create_tables);
    return out.str();
}

}  // namespace sg

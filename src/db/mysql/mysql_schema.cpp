// MySQL/MariaDB introspection from information_schema (docs/schema.md): the
// connection's database, each catalogue in one query. Unique constraints are
// unique indexes here (MySQL makes no difference), so they appear under
// `indexes`.
#include "db/mysql/mysql_schema.hpp"

#include <map>

namespace sg {
namespace {

using schema::Schema;
using schema::Table;

std::string text(const Value& v) { return v ? *v : std::string(); }

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// View bodies name the database (`db`.`t`): drop it, so that the same view
/// in another database (the dev database) reads the same.
std::string unqualify(std::string def, const std::string& db) {
    const std::string prefix = "`" + db + "`.";
    for (size_t p; (p = def.find(prefix)) != std::string::npos;) def.erase(p, prefix.size());
    return def;
}

}  // namespace

Schema inspect_mysql(Connection& conn, const std::set<std::string>& exclude) {
    Schema s;
    s.dialect = Dialect::mysql;
    const std::string db = text(conn.query("SELECT DATABASE()").at(0).at(0));
    std::map<std::string, Table> tables;
    for (const auto& r : conn.query("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
                                    "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME")) {
        const std::string name = text(r[0]), type = text(r[1]);
        if (exclude.count(name)) continue;
        if (type == "BASE TABLE" || type == "SYSTEM VERSIONED") tables[name].name = name;
        if (type == "SEQUENCE") s.not_covered.push_back({"sequence", name, ""});
    }
    auto known = [&](const std::string& t) { return tables.count(t) > 0; };
    for (const auto& r : conn.query(
             "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA "
             "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
             "ORDER BY TABLE_NAME, ORDINAL_POSITION")) {
        const std::string tn = text(r[0]);
        if (!known(tn)) continue;
        schema::Column c;
        c.name = text(r[1]);
        c.type = text(r[2]);
        c.nullable = text(r[3]) == "YES";
        c.default_expr = r[4];
        const std::string extra = lower(text(r[5]));
        if (extra.find("auto_increment") != std::string::npos) c.identity = "autoincrement";
        size_t on_update = extra.find("on update ");
        if (on_update != std::string::npos) {
            c.default_expr =
                c.default_expr.value_or("NULL") + " ON UPDATE " + text(r[5]).substr(on_update + 10);
        }
        tables[tn].columns.push_back(c);
    }
    std::map<std::string, std::map<std::string, schema::Index>> indexes;
    for (const auto& r :
         conn.query("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE "
                    "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
                    "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX")) {
        const std::string tn = text(r[0]), name = text(r[1]);
        if (!known(tn)) continue;
        std::string column = text(r[3]);
        if (r[4]) column += "(" + *r[4] + ")";
        if (name == "PRIMARY") {
            if (!tables[tn].primary_key) tables[tn].primary_key = schema::PrimaryKey{};
            tables[tn].primary_key->columns.push_back(column);
            continue;
        }
        auto& ix = indexes[tn][name];
        ix.name = name;
        ix.unique = text(r[2]) == "0";
        const std::string type = text(r[5]);
        ix.method = type == "BTREE" ? "" : type;
        ix.columns.push_back(column);
    }
    for (auto& [tn, list] : indexes) {
        for (auto& [n, ix] : list) tables[tn].indexes.push_back(ix);
    }
    std::map<std::string, std::map<std::string, schema::ForeignKey>> fks;
    for (const auto& r : conn.query(
             "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, "
             "k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE "
             "FROM information_schema.KEY_COLUMN_USAGE k JOIN "
             "information_schema.REFERENTIAL_CONSTRAINTS r "
             "ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = "
             "k.CONSTRAINT_NAME "
             "AND r.TABLE_NAME = k.TABLE_NAME WHERE k.TABLE_SCHEMA = DATABASE() "
             "AND k.REFERENCED_TABLE_NAME IS NOT NULL "
             "ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION")) {
        const std::string tn = text(r[0]);
        if (!known(tn)) continue;
        auto& fk = fks[tn][text(r[1])];
        fk.name = text(r[1]);
        fk.columns.push_back(text(r[2]));
        fk.ref_table = text(r[3]);
        fk.ref_columns.push_back(text(r[4]));
        fk.on_update = text(r[5]);
        fk.on_delete = text(r[6]);
    }
    for (auto& [tn, list] : fks) {
        for (auto& [n, fk] : list) tables[tn].foreign_keys.push_back(fk);
    }
    for (const auto& r :
         conn.query("SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE "
                    "FROM information_schema.CHECK_CONSTRAINTS "
                    "WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME")) {
        const std::string tn = text(r[0]);
        if (!known(tn)) continue;
        tables[tn].checks.push_back({text(r[1]), text(r[2])});
    }
    for (const auto& r :
         conn.query("SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS "
                    "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME")) {
        s.views.push_back({text(r[0]), unqualify(text(r[1]), db)});
    }
    for (const auto& r : conn.query(
             "SELECT 'trigger', TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS "
             "WHERE TRIGGER_SCHEMA = DATABASE() "
             "UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME, '' FROM "
             "information_schema.ROUTINES "
             "WHERE ROUTINE_SCHEMA = DATABASE() "
             "UNION ALL SELECT 'event', EVENT_NAME, '' FROM information_schema.EVENTS "
             "WHERE EVENT_SCHEMA = DATABASE()")) {
        const std::string table = text(r[2]);
        if (exclude.count(table)) continue;
        s.not_covered.push_back({text(r[0]), text(r[1]), table});
    }
    for (auto& [n, t] : tables) s.tables.push_back(std::move(t));
    s.normalize();
    return s;
}

}  // namespace sg

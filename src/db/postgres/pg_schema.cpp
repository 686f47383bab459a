// PostgreSQL introspection from pg_catalog (docs/schema.md): the session's
// current schema, each catalogue in one query.
#include "db/postgres/pg_schema.hpp"

#include <map>

namespace sg {
namespace {

using schema::Schema;
using schema::Table;

std::string text(const Value& v) { return v ? *v : std::string(); }

std::vector<std::string> split_us(const std::string& s) {  // chr(31)-separated
    std::vector<std::string> out;
    if (s.empty()) return out;
    size_t start = 0;
    for (size_t p; (p = s.find('\x1f', start)) != std::string::npos; start = p + 1)
        out.push_back(s.substr(start, p - start));
    out.push_back(s.substr(start));
    return out;
}

std::string fk_action(const std::string& code) {
    if (code == "r") return "RESTRICT";
    if (code == "c") return "CASCADE";
    if (code == "n") return "SET NULL";
    if (code == "d") return "SET DEFAULT";
    return "NO ACTION";
}

std::string strip_view(std::string def) {
    size_t b = def.find_first_not_of(" \t\r\n");
    def = b == std::string::npos ? "" : def.substr(b);
    while (!def.empty() &&
           (def.back() == ';' || std::isspace(static_cast<unsigned char>(def.back()))))
        def.pop_back();
    return def;
}

const char* kNs = "current_schema()::regnamespace";

std::string cols_of(const char* keys, const char* rel) {
    return std::string("array_to_string(ARRAY(SELECT a.attname FROM unnest(") + keys +
           ") WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = " + rel +
           " AND a.attnum = k.n ORDER BY k.o), chr(31))";
}

}  // namespace

Schema inspect_postgres(Connection& conn, const std::set<std::string>& exclude) {
    Schema s;
    s.dialect = Dialect::postgresql;
    const std::string ns = kNs;
    std::map<std::string, Table> tables;
    for (const auto& r :
         conn.query("SELECT c.relname, c.relkind, pg_get_viewdef(c.oid, true), "
                    "EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
                    "AND d.objid = c.oid AND d.deptype IN ('a', 'i')) "
                    "FROM pg_class c WHERE c.relnamespace = " +
                    ns + " AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') ORDER BY c.relname")) {
        const std::string name = text(r[0]), kind = text(r[1]);
        if (exclude.count(name)) continue;
        if (kind == "r" || kind == "p") {
            tables[name].name = name;
        } else if (kind == "v") {
            s.views.push_back({name, strip_view(text(r[2]))});
        } else if (kind == "m") {
            s.not_covered.push_back({"materialized view", name, ""});
        } else if (kind == "S" && text(r[3]) != "t") {
            s.not_covered.push_back({"sequence", name, ""});
        } else if (kind == "f") {
            s.not_covered.push_back({"foreign table", name, ""});
        }
    }
    auto known = [&](const std::string& t) { return tables.count(t) > 0; };
    for (const auto& r : conn.query(
             "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
             "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
             "a.attidentity = '' AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS "
             "NOT NULL "
             "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
             "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
             "WHERE c.relnamespace = " +
             ns +
             " AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
             "AND NOT a.attisdropped ORDER BY c.relname, a.attnum")) {
        const std::string tn = text(r[0]);
        if (!known(tn)) continue;
        schema::Column c;
        c.name = text(r[1]);
        c.type = text(r[2]);
        c.nullable = text(r[3]) != "t";
        c.default_expr = r[4];
        const std::string identity = text(r[5]);
        if (identity == "a") c.identity = "always";
        if (identity == "d") c.identity = "by default";
        if (text(r[6]) == "s") c.identity = "generated";
        if (text(r[7]) == "t") c.identity = "serial";
        tables[tn].columns.push_back(c);
    }
    for (const auto& r :
         conn.query("SELECT c.relname, con.conname, con.contype, " +
                    cols_of("con.conkey", "con.conrelid") + ", fc.relname, " +
                    cols_of("con.confkey", "con.confrelid") +
                    ", con.confdeltype, con.confupdtype, pg_get_expr(con.conbin, con.conrelid) "
                    "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
                    "LEFT JOIN pg_class fc ON fc.oid = con.confrelid "
                    "WHERE c.relnamespace = " +
                    ns +
                    " AND con.contype IN ('p', 'u', 'f', 'c') "
                    "ORDER BY c.relname, con.conname")) {
        const std::string tn = text(r[0]);
        if (!known(tn)) continue;
        Table& t = tables[tn];
        const std::string name = text(r[1]), type = text(r[2]);
        auto columns = split_us(text(r[3]));
        if (type == "p") {
            t.primary_key = schema::PrimaryKey{name, columns};
        } else if (type == "u") {
            t.uniques.push_back({name, columns});
        } else if (type == "f") {
            t.foreign_keys.push_back({name, columns, text(r[4]), split_us(text(r[5])),
                                      fk_action(text(r[6])), fk_action(text(r[7]))});
        } else if (type == "c") {
            t.checks.push_back({name, text(r[8])});
        }
    }
    std::map<std::string, schema::Index> indexes;
    std::map<std::string, std::string> index_table;
    for (const auto& r :
         conn.query("SELECT t.relname, i.relname, ix.indisunique, am.amname, "
                    "pg_get_expr(ix.indpred, ix.indrelid), "
                    "array_to_string(ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) "
                    "FROM generate_series(1, ix.indnkeyatts) k ORDER BY k), chr(31)) "
                    "FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid "
                    "JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_am am ON am.oid = i.relam "
                    "WHERE t.relnamespace = " +
                    ns +
                    " AND NOT EXISTS (SELECT 1 FROM pg_constraint con "
                    "WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x')) "
                    "ORDER BY t.relname, i.relname")) {
        const std::string tn = text(r[0]);
        if (!known(tn)) continue;
        schema::Index ix;
        ix.name = text(r[1]);
        ix.unique = text(r[2]) == "t";
        ix.method = text(r[3]) == "btree" ? "" : text(r[3]);
        ix.where = text(r[4]);
        ix.columns = split_us(text(r[5]));
        tables[tn].indexes.push_back(ix);
    }
    std::map<std::string, schema::EnumType> enums;
    for (const auto& r :
         conn.query("SELECT t.typname, e.enumlabel FROM pg_type t "
                    "JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = " +
                    ns + " ORDER BY t.typname, e.enumsortorder")) {
        auto& e = enums[text(r[0])];
        e.name = text(r[0]);
        e.values.push_back(text(r[1]));
    }
    for (auto& [n, e] : enums) s.enums.push_back(std::move(e));
    // What the model does not cover: listed, never dropped silently.
    for (const auto& r : conn.query(
             "SELECT 'trigger', tg.tgname, c.relname FROM pg_trigger tg JOIN pg_class c ON c.oid = "
             "tg.tgrelid "
             "WHERE c.relnamespace = " +
             ns +
             " AND NOT tg.tgisinternal "
             "UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' "
             "ELSE 'function' END, p.proname || '(' || pg_get_function_identity_arguments(p.oid) "
             "|| ')', '' "
             "FROM pg_proc p WHERE p.pronamespace = " +
             ns +
             " AND NOT EXISTS (SELECT 1 FROM pg_depend d "
             "WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') "
             "UNION ALL SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type' "
             "ELSE 'composite type' END, t.typname, '' FROM pg_type t LEFT JOIN pg_class c ON "
             "c.oid = t.typrelid "
             "WHERE t.typnamespace = " +
             ns + " AND (t.typtype IN ('d', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))")) {
        const std::string table = text(r[2]);
        if (exclude.count(table)) continue;
        s.not_covered.push_back({text(r[0]), text(r[1]), table});
    }
    for (auto& [n, t] : tables) s.tables.push_back(std::move(t));
    s.normalize();
    return s;
}

}  // namespace sg

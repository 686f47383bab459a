// Table names: validation, quoting and the state tables' DDL.
#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "engine/sql_names.hpp"

namespace sg {
namespace {

bool is_identifier(const std::string& s) {
    if (s.empty() || s.size() > 63) return false;
    if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

}  // namespace

void validate_table_name(const std::string& name, Dialect d) {
    bool qualified_ok = database(d).schema_qualified_tables();
    auto dot = name.find('.');
    bool ok;
    if (dot == std::string::npos) {
        ok = is_identifier(name);
    } else {
        // Only where schemas inside a database are worth qualifying with.
        ok = qualified_ok && is_identifier(name.substr(0, dot)) &&
             is_identifier(name.substr(dot + 1));
    }
    if (!ok) {
        throw Error(ExitCode::usage, "invalid table name '" + name +
                                         "': use letters, digits and '_' (at most 63, "
                                         "not starting with a digit)" +
                                         (qualified_ok ? "; 'schema.table' is allowed" : ""));
    }
}

}  // namespace sg

namespace sg::engine_detail {

QualifiedName split_name(const std::string& validated) {
    auto dot = validated.find('.');
    if (dot == std::string::npos) return {"", validated};
    return {validated.substr(0, dot), validated.substr(dot + 1)};
}

TableNames resolve_names(TableNames names, Dialect d) {
    validate_table_name(names.version, d);
    validate_table_name(names.history, d);
    auto v = split_name(names.version);
    if (!v.schema.empty() && names.history.find('.') == std::string::npos)
        names.history = v.schema + "." + names.history;
    return names;
}

std::string quote_table(const std::string& validated, Dialect d, const std::string& home) {
    const Database& db = database(d);
    auto q = split_name(validated);
    if (q.schema.empty() && !home.empty())
        return db.quote_identifier(home) + "." + db.quote_identifier(q.name);
    if (q.schema.empty()) return db.quote_identifier(q.name);
    return db.quote_identifier(q.schema) + "." + db.quote_identifier(q.name);
}

std::string version_table_ddl(Dialect d, const std::string& validated, const std::string& home) {
    // The shape Alembic 1.8 emits (MigrationContext._version), constraint
    // named "<table>_pkc" after the bare table name.
    auto bare = split_name(validated).name;
    return "CREATE TABLE IF NOT EXISTS " + quote_table(validated, d, home) +
           " (\n    version_num VARCHAR(32) NOT NULL,\n    CONSTRAINT " +
           database(d).quote_identifier(bare + "_pkc") + " PRIMARY KEY (version_num)\n)";
}

std::string history_table_ddl(Dialect d, const std::string& validated, const std::string& home) {
    HistoryColumnTypes types = database(d).history_column_types();
    std::string id = types.id, boolean = types.boolean, stamp = types.timestamp;
    return "CREATE TABLE IF NOT EXISTS " + quote_table(validated, d, home) + " (\n    " + id +
           ",\n    revision VARCHAR(255) NOT NULL,\n    operation VARCHAR(16) NOT NULL,\n"
           "    from_heads TEXT,\n    to_heads TEXT,\n    checksum VARCHAR(64),\n"
           "    message TEXT,\n    started_at " +
           stamp + " NOT NULL,\n    finished_at " + stamp +
           ",\n    duration_ms BIGINT NOT NULL DEFAULT 0,\n    success " + boolean +
           " NOT NULL,\n    dirty " + boolean +
           " NOT NULL,\n    error TEXT,\n"
           "    statements_done INTEGER NOT NULL DEFAULT 0,\n"
           "    statements_total INTEGER NOT NULL DEFAULT 0,\n    applied_by VARCHAR(255),\n"
           "    tool_version VARCHAR(64)\n)";
}

}  // namespace sg::engine_detail

#include "engine/sql_names.hpp"

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

namespace {

std::string quote_ident(const std::string& ident, Dialect d) {
    // Quoting keeps the exact case, as SQLAlchemy does for names that are not
    // all lower case. Validated names hold no quote character; a session's
    // schema or database name may (doubled, as SQL escapes it).
    char q = d == Dialect::mysql ? '`' : '"';
    std::string out(1, q);
    for (char c : ident) {
        out += c;
        if (c == q) out += c;
    }
    return out + q;
}

}  // namespace

std::string quote_table(const std::string& validated, Dialect d, const std::string& home) {
    auto q = split_name(validated);
    if (q.schema.empty() && !home.empty())
        return quote_ident(home, d) + "." + quote_ident(q.name, d);
    if (q.schema.empty()) return quote_ident(q.name, d);
    return quote_ident(q.schema, d) + "." + quote_ident(q.name, d);
}

std::string version_table_ddl(Dialect d, const std::string& validated, const std::string& home) {
    // The shape Alembic 1.8 emits (MigrationContext._version), constraint
    // named "<table>_pkc" after the bare table name.
    auto bare = split_name(validated).name;
    return "CREATE TABLE IF NOT EXISTS " + quote_table(validated, d, home) +
           " (\n    version_num VARCHAR(32) NOT NULL,\n    CONSTRAINT " +
           quote_ident(bare + "_pkc", d) + " PRIMARY KEY (version_num)\n)";
}

std::string history_table_ddl(Dialect d, const std::string& validated, const std::string& home) {
    std::string id, boolean, stamp;
    switch (d) {
        case Dialect::postgresql:
            id = "id BIGSERIAL PRIMARY KEY";
            boolean = "BOOLEAN";
            stamp = "TIMESTAMP";
            break;
        case Dialect::mysql:
            id = "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY";
            boolean = "BOOLEAN";
            stamp = "DATETIME";
            break;
        case Dialect::sqlite:
            id = "id INTEGER PRIMARY KEY AUTOINCREMENT";
            boolean = "INTEGER";
            stamp = "TEXT";
            break;
    }
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

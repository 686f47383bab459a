#pragma once
// The schema model (docs/schema.md): what `inspect` reads from a database and
// `diff` compares. A pure value: the drivers fill it (src/db/<name>/*_schema.cpp),
// this module compares it, renders it as SQL and as JSON. Links core only.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/dialect.hpp"

namespace sg::schema {

struct Column {
    std::string name;
    std::string type;  // as the database reports it
    bool nullable = true;
    std::optional<std::string> default_expr;  // as the database reports it
    /// "" none; PostgreSQL "always" / "by default" (identity) or "serial";
    /// MySQL and SQLite "autoincrement".
    std::string identity;
};

struct PrimaryKey {
    std::string name;  // "" where the database names none (SQLite, MySQL's PRIMARY)
    std::vector<std::string> columns;
};

struct Index {
    std::string name;
    /// Column names, or expressions as the database prints them.
    std::vector<std::string> columns;
    bool unique = false;
    std::string where;   // partial index predicate, "" for none
    std::string method;  // PostgreSQL access method when not btree, else ""
};

struct UniqueConstraint {
    std::string name;  // "" when unnamed (SQLite)
    std::vector<std::string> columns;
};

struct ForeignKey {
    std::string name;  // "" when unnamed (SQLite)
    std::vector<std::string> columns;
    std::string ref_table;
    std::vector<std::string> ref_columns;
    std::string on_delete = "NO ACTION";  // NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT
    std::string on_update = "NO ACTION";
};

struct CheckConstraint {
    std::string name;  // "" when unnamed (SQLite)
    std::string expr;  // without the CHECK keyword and outer parentheses as reported
};

struct Table {
    std::string name;
    std::vector<Column> columns;  // in table order
    std::optional<PrimaryKey> primary_key;
    std::vector<Index> indexes;  // not those backing the primary key or a unique constraint
    std::vector<UniqueConstraint> uniques;
    std::vector<ForeignKey> foreign_keys;
    std::vector<CheckConstraint> checks;
    const Column* column(const std::string& n) const;
};

struct View {
    std::string name;
    std::string definition;  // the SELECT, as the database prints it
};

struct EnumType {
    std::string name;
    std::vector<std::string> values;  // in sort order
};

/// An object the model does not cover: listed, never silently dropped.
struct OtherObject {
    std::string kind;  // "trigger", "function", "sequence", "materialized view", ...
    std::string name;
    std::string table;  // triggers: their table
};

struct Schema {
    Dialect dialect = Dialect::sqlite;
    std::vector<Table> tables;  // sorted by name (normalize())
    std::vector<View> views;
    std::vector<EnumType> enums;
    std::vector<OtherObject> not_covered;
    const Table* table(const std::string& n) const;
    /// Sorts tables, views, enums, indexes and constraints by name (foreign
    /// keys and unnamed constraints by content) so that equal schemas compare
    /// equal whatever order the catalogue returned them in.
    void normalize();
};

// Equality of the parts (diff.cpp).
bool operator==(const Column& a, const Column& b);
bool operator==(const PrimaryKey& a, const PrimaryKey& b);
bool operator==(const Index& a, const Index& b);
bool operator==(const UniqueConstraint& a, const UniqueConstraint& b);
bool operator==(const ForeignKey& a, const ForeignKey& b);
bool operator==(const CheckConstraint& a, const CheckConstraint& b);
bool operator==(const View& a, const View& b);
bool operator==(const EnumType& a, const EnumType& b);

/// A quoted identifier for the dialect: "x" or `x`.
std::string quote(Dialect d, const std::string& name);

// ---- SQL rendering (render.cpp) -------------------------------------------

/// The statements that create `s` in an empty database of its dialect:
/// enums, tables in foreign-key order (then name), indexes, views; foreign
/// keys of a cycle are added with ALTER TABLE after the tables (not SQLite).
std::vector<std::string> create_statements(const Schema& s);
/// The statements that drop `s`, the reverse dependency order.
std::vector<std::string> drop_statements(const Schema& s);
/// create_statements joined as a script, one statement per paragraph.
std::string render_sql(const Schema& s);
/// One table's CREATE TABLE (constraints inline).
std::string create_table_sql(Dialect d, const Table& t, bool inline_fks = true);
std::string column_sql(Dialect d, const Column& c, bool inline_pk = false);
std::string create_index_sql(Dialect d, const std::string& table, const Index& ix);
std::string create_view_sql(Dialect d, const View& v);

// ---- Diff (diff.cpp) ---------------------------------------------------------

struct Difference {
    enum class Kind { added, removed, changed };
    Kind kind;
    std::string object;            // "table", "column", "index", "view", ...
    std::string name;              // table.column, table.index, ...
    std::string detail;            // for changes: what differs ("type integer -> bigint")
    std::vector<std::string> sql;  // statements that turn FROM into TO for this difference
};

const char* kind_name(Difference::Kind k);

struct SchemaDiff {
    std::vector<Difference> differences;
    /// Objects of either side that the model does not cover ("not compared").
    std::vector<OtherObject> not_compared;
    /// All statements in the order that applies them: types, views that
    /// change or go (and unchanged views naming a changed table), tables,
    /// views made or remade, dropped types.
    std::vector<std::string> script;
    bool equal() const { return differences.empty(); }
};

/// The differences from `from` to `to` (same dialect) and the SQL of each.
SchemaDiff diff(const Schema& from, const Schema& to);

/// Renames the user asked for (`revision --autogenerate --rename`): a table or
/// column of FROM that is the named one of TO, renamed instead of dropped and
/// added (which would lose its data).
struct Renames {
    std::map<std::string, std::string> tables;  // FROM's name -> TO's name
    /// (the table's name in TO, FROM's column name) -> TO's column name
    std::map<std::pair<std::string, std::string>, std::string> columns;
    bool empty() const { return tables.empty() && columns.empty(); }
    /// The renames of the way back (TO -> FROM).
    Renames inverse() const;
};

/// As diff(from, to), with the renames first: `ALTER TABLE ... RENAME TO`,
/// `ALTER TABLE ... RENAME COLUMN ... TO`; the rest is compared after them.
/// Throws std::invalid_argument naming a rename whose object is missing.
SchemaDiff diff(const Schema& from, const Schema& to, const Renames& renames);

/// Why changing a column's type from `from` to `to` can destroy data ("" when
/// it cannot: the same type, or a wider one of the same kind).
std::string narrowing(const std::string& from, const std::string& to);
/// One line per difference ("+ table orders"), then its SQL indented; then
/// the objects not compared.
std::string describe(const SchemaDiff& d);
/// `script` as text, one statement a line-group ending in `;`.
std::string diff_sql(const SchemaDiff& d);

// ---- JSON (json.cpp) -----------------------------------------------------------

/// The documented JSON document of docs/schema.md (format_version 1).
std::string to_json(const Schema& s);
/// A JSON string literal.
std::string json_string(const std::string& s);

}  // namespace sg::schema

#pragma once
#if !defined(SG_ENGINE_INTERNAL)
#error "engine/sql_names.hpp is private to src/engine"
#endif
// Internal to the engine: quoting of validated table names and the DDL of the
// two state tables, shared by StateStore (online) and OfflineSql (offline).
// What differs per database comes from its Database object (db/database.hpp).
#include <string>

#include "core/dialect.hpp"
#include "db/database.hpp"
#include "engine/table_names.hpp"

namespace sg::engine_detail {

using sg::QualifiedName;

QualifiedName split_name(const std::string& validated);

/// Validates both names (Error(usage)) and puts an unqualified history table
/// into the schema of a schema-qualified version table.
TableNames resolve_names(TableNames names, Dialect d);

/// The name quoted for `d` ("app"."alembic_version", `t`, "t"). Only call on
/// names that passed validate_table_name. `home`: the schema (PostgreSQL) or
/// database (MySQL) to qualify an unqualified name with; "" leaves it bare.
std::string quote_table(const std::string& validated, Dialect d, const std::string& home = "");

/// CREATE TABLE IF NOT EXISTS statements without the trailing ';' (`home` as
/// for quote_table).
std::string version_table_ddl(Dialect d, const std::string& validated,
                              const std::string& home = "");
std::string history_table_ddl(Dialect d, const std::string& validated,
                              const std::string& home = "");

}  // namespace sg::engine_detail

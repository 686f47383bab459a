#pragma once
// The names of the version table (alembic_version) and the history table
// (schemagate_history), docs/reference.md §3, and their validation.
#include <string>

#include "core/dialect.hpp"

namespace sg {

struct TableNames {
    std::string version = "alembic_version";
    std::string history = "schemagate_history";
};

/// Throws Error(usage) unless `name` is an identifier ([A-Za-z_][A-Za-z0-9_]*,
/// at most 63 chars), or, where the database has schemas worth qualifying
/// with (PostgreSQL), `schema.name` of two identifiers.
void validate_table_name(const std::string& name, Dialect d);

}  // namespace sg

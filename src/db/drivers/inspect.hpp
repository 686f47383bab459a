#pragma once
// The introspection table: the driver folder that reads each database's
// schema (an explicit switch, like connect()).
#include <set>
#include <string>

#include "db/connection.hpp"
#include "schema/schema.hpp"

namespace sg {

/// The schema of the connection's database (PostgreSQL: its current schema),
/// without the tables named in `exclude` (schemagate's own).
schema::Schema inspect_schema(Connection& conn, const std::set<std::string>& exclude);

}  // namespace sg

#pragma once
// `inspect` and `diff` (docs/schema.md): the schema of databases, migrations
// and .sql files, read through the drivers' introspection and compared by
// the pure schema module. Migrations and .sql files are replayed into a dev
// database (dev_database.cpp) with the same engine `upgrade` uses.
// A layer below run (docs/architecture.md): the run layer dispatches the
// schema requests here and passes the configuration as plain values.
#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/exit_code.hpp"
#include "db/url.hpp"
#include "engine/state.hpp"  // TableNames
#include "schema/schema.hpp"

namespace sg {

/// What the schema commands use of the configuration.
struct SchemaSettings {
    DbUrl db;
    std::string migrations = "./migrations";
    TableNames tables;
    std::chrono::milliseconds connect_timeout{10000};
};

struct SchemaRequest {
    std::string format = "sql";   // inspect: sql | json
    std::string from, to;         // diff sources ("" : the defaults)
    std::vector<DbUrl> dev_urls;  // --dev-url / SCHEMAGATE_DEV_URL, one per dialect
    std::string python;           // sqlalchemy: sources: --python ("": python3 on PATH)
    std::chrono::milliseconds models_timeout = std::chrono::minutes(5);  // their --timeout
};

/// `inspect`: prints the schema of settings.db. Throws Error / DbError.
ExitCode inspect_command(const SchemaSettings& settings, const SchemaRequest& req,
                         std::ostream& out);
/// `diff`: prints the differences FROM -> TO with their SQL; ok when equal,
/// schema_diff (12) when not. Throws Error / DbError.
ExitCode diff_command(const SchemaSettings& settings, const SchemaRequest& req, std::ostream& out);

/// What a diff source names (exposed for tests).
struct SchemaSource {
    enum class Kind { url, migrations, sql_file, sql_dir, live_current, models };
    Kind kind;
    std::string text;  // the URL, the revision (migrations@REV; "head" by default), the
                       // path, or MODULE:ATTR (sqlalchemy:MODULE:ATTR, schematool/models.hpp)
};
/// Parses a --from/--to value. Throws Error(usage) when it is none of them.
SchemaSource parse_source(const std::string& value);

}  // namespace sg

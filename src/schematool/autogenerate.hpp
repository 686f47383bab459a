#pragma once
// `revision --autogenerate` (docs/schema.md, "Writing revisions"): a new
// revision whose upgrade turns the migrations at head into the desired
// schema and whose downgrade turns it back, for each requested dialect,
// proven in the dev database before the file is written. No printing here:
// the caller prints the result.
#include <chrono>
#include <string>
#include <vector>

#include "core/exit_code.hpp"
#include "db/connection.hpp"
#include "db/url.hpp"
#include "schema/schema.hpp"

namespace sg {

struct AutogenRequest {
    std::string message;
    std::string head;    // "" : the only head; "base": a new root; else a head's id
    std::string rev_id;  // "" : a fresh one
    std::string migrations;
    std::string schema_path;           // --schema: a .sql file or a directory of them
    std::vector<Dialect> dialects;     // at least one
    std::vector<DbUrl> dev_urls;       // one per server dialect
    std::vector<std::string> renames;  // "TABLE.OLD=NEW" (a column) or "OLD=NEW" (a table)
    ConnectOptions connect;
    // --sqlalchemy MODULE:ATTR instead of --schema (schematool/models.hpp)
    std::string sqlalchemy;
    std::string python;  // its --python ("": python3 on PATH)
    std::chrono::milliseconds models_timeout = std::chrono::minutes(5);  // its --timeout
};

struct AutogenResult {
    ExitCode code = ExitCode::ok;
    bool no_changes = false;
    std::string path;    // the file written ("" when none)
    std::string rev_id;  // its revision id
    /// For the user: the differences found per dialect, or why the proof
    /// failed (with the database's error and a hint).
    std::string output;
    std::string hint;
};

/// One piece of desired-state SQL and where it comes from (a file, or what
/// rendered it); errors applying it name `origin`.
struct SqlSource {
    std::string origin;
    std::string text;
};

/// The desired schema's SQL for dialect `d`: the --schema file, or the
/// directory's .sql files in name order. Throws Error(usage) when the path
/// is missing or holds no .sql file.
std::vector<SqlSource> load_desired(const AutogenRequest& req, Dialect d);

/// Parses --rename values. Throws Error(usage) on a malformed one.
schema::Renames parse_renames(const std::vector<std::string>& values);

/// The whole command: current and desired schemas, upgrade and downgrade per
/// dialect, the proof, the file. Exit codes: ok (written, or no changes),
/// schema_diff (the proof failed; nothing written). Throws Error for usage
/// errors (2), several heads or a history that does not replay (3), and
/// DbError for unreachable dev databases.
AutogenResult autogenerate(const AutogenRequest& req);

}  // namespace sg

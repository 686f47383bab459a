#pragma once
// `baseline` and `run --baseline` (docs/schema.md, "Adopting an existing
// database"): a database that has tables but no version rows becomes
// versioned only when its schema is proven equal to a revision.
#include <iosfwd>
#include <string>
#include <vector>

#include "core/exit_code.hpp"
#include "db/url.hpp"
#include "schematool/schema_commands.hpp"  // SchemaSettings

namespace sg {

struct BaselineRequest {
    std::string message;
    std::string head;  // "" : a new root; else the revision the baseline follows
    std::string rev_id;
    bool no_stamp = false;
    std::vector<DbUrl> dev_urls;
};

/// `baseline -m MSG`: writes a revision whose upgrade creates the live schema
/// and whose downgrade drops it, proven in the dev database (else exit 12,
/// no file). Returns the code and the new revision's id; the run layer
/// stamps the database at it (unless no_stamp).
struct BaselineResult {
    ExitCode code = ExitCode::ok;
    std::string rev_id;
};
BaselineResult baseline_command(const SchemaSettings& settings, const BaselineRequest& req,
                                std::ostream& out);

/// `run --baseline REV`, before the run: a database with tables and no
/// version rows is compared with the migrations replayed to REV; equal:
/// ok with the revisions to stamp (the run layer stamps, and the run goes
/// on); different: schema_diff, the differences logged and in `details`,
/// nothing written. An empty or a stamped database: ok, nothing to stamp.
struct GateResult {
    ExitCode code = ExitCode::ok;
    std::vector<std::string> stamp;  // the revisions to stamp at (empty: none)
    std::string error, hint;         // schema_diff
    std::vector<std::string> details;
};
GateResult baseline_gate(const SchemaSettings& settings, const std::string& rev,
                         const std::vector<DbUrl>& dev_urls);

}  // namespace sg

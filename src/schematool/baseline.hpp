#pragma once
// `baseline` and `run --baseline` (docs/schema.md, "Adopting an existing
// database"): a database that has tables but no version rows becomes
// versioned only when its schema is proven equal to a revision.
#include <iosfwd>
#include <string>
#include <vector>

#include "core/exit_code.hpp"
#include "db/url.hpp"
#include "run/settings.hpp"

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
/// no file), then stamps the database at it (unless no_stamp).
ExitCode baseline_command(const Settings& settings, const BaselineRequest& req, std::ostream& out);

/// `run --baseline REV`, before the run: a database with tables and no
/// version rows is compared with the migrations replayed to REV; equal:
/// stamped at REV (ok, the run goes on); different: schema_diff, the
/// differences logged, nothing written. An empty or a stamped database: ok,
/// nothing done.
ExitCode baseline_gate(const Settings& settings, const std::string& rev,
                       const std::vector<DbUrl>& dev_urls);

}  // namespace sg

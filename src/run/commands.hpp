#pragma once
// The run layer's entry point: every command that touches a database is a
// Request executed by one orchestrator (src/run/orchestrator.cpp) in one
// Session. The commands without a database (offline --sql, the migrations
// directory's) are Requests too (src/run/directory.cpp). The CLI builds the
// Request and prints the Outcome; it opens no connection, lock or error
// mapping of its own (docs/architecture.md).
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "core/exit_code.hpp"
#include "core/graph.hpp"
#include "engine/state.hpp"
#include "run/settings.hpp"
#include "run/wait.hpp"
#include "schematool/autogenerate.hpp"
#include "schematool/baseline.hpp"
#include "schematool/schema_commands.hpp"
#include "script/migration.hpp"

namespace sg {

enum class Command {
    run,
    upgrade,
    downgrade,
    stamp,
    repair,
    check,
    current,
    history,
    wait,
    backup,
    // No database (directory.cpp): the migrations directory, and only for
    // the (current) marks a `history` read of the database.
    heads,
    history_list,
    branches,
    show,
    verify,
    lint,
    revision,
    merge,
    // Schema commands (src/schematool, dispatched by schema.cpp).
    inspect,
    diff,
    baseline,
    autogenerate  // revision --autogenerate
};

enum class RepairAction { none, mark_applied, mark_reverted, resume };

struct Request {
    Request(Command c = Command::run) : command(c) {}  // NOLINT: implicit on purpose
    Command command;
    /// The command's name in the CLI's command table: the report's
    /// `command` and the log's "NAME finished".
    std::string name;
    /// downgrade: one target; stamp: one or more; run/upgrade/check use
    /// Settings::target.
    std::vector<std::string> targets;
    bool purge = false;  // stamp --purge
    RepairAction repair = RepairAction::none;
    bool read_history = false;  // current -v: the history table too

    /// upgrade/downgrade --sql: the SQL goes to `sql_out`, no connection.
    std::ostream* sql_out = nullptr;
    /// history, lint: -r A:B; show: the revision.
    std::string range;
    /// revision, merge: the new revision (down_revisions: merge's revisions,
    /// revision's --head in `head`).
    NewRevision revision;
    std::string head;
    bool splice = false;
    /// verify, lint: the dialects to check (empty: every dialect).
    std::vector<Dialect> dialects;

    /// inspect, diff, baseline: where their output goes.
    std::ostream* out = nullptr;
    SchemaRequest schema;      // inspect, diff
    BaselineRequest baseline;  // baseline
    AutogenRequest autogen;    // revision --autogenerate (migrations, dialects: filled in here)
    /// run --baseline REV (SCHEMAGATE_BASELINE): wait, the baseline gate, then run.
    std::string baseline_rev;
};

/// What the command found, for the CLI to print.
struct Outcome {
    ExitCode code = ExitCode::ok;
    std::shared_ptr<const ScriptDirectory> scripts;  // null when not loaded
    std::vector<std::string> rows;                   // version-table rows at the end
    std::vector<Step> pending;                       // check: revisions pending
    std::vector<HistoryRow> history;                 // current -v
    std::vector<std::string> ids;                    // heads, history, show: in print order
    std::string path;                                // revision, merge: the file written
    std::vector<LintFinding> findings;               // lint
    size_t offline_steps = 0;                        // --sql: the steps written
};

/// Runs the request. A command with a database never throws: the code is in
/// the Outcome, the error is logged and written to the termination log and
/// --report. The others (--sql, the directory's) throw to the caller's
/// error boundary (run/boundary.hpp). `connector` replaces the drivers (tests).
Outcome execute(const Settings& settings, const Request& request, const Connector& connector = {});

/// Shorthands (tests, and the CLI where nothing is printed).
inline ExitCode run_gate(const Settings& s, const Connector& c = {}) {
    return execute(s, Command::run, c).code;
}
inline ExitCode wait_command(const Settings& s, const Connector& c = {}) {
    return execute(s, Command::wait, c).code;
}
inline ExitCode backup_command(const Settings& s, const Connector& c = {}) {
    return execute(s, Command::backup, c).code;
}

}  // namespace sg

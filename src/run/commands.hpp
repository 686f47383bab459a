#pragma once
// The run layer's entry point: every command that touches a database is a
// Request executed by one orchestrator (src/run/orchestrator.cpp) in one
// Session. The CLI builds the Request and prints the Outcome; it opens no
// connection, lock or error mapping of its own (docs/architecture.md).
#include <memory>
#include <string>
#include <vector>

#include "core/exit_code.hpp"
#include "core/graph.hpp"
#include "engine/state.hpp"
#include "run/settings.hpp"
#include "run/wait.hpp"
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
    backup
};

/// "run", "upgrade", ... (the report's `command`).
const char* command_name(Command c);

enum class RepairAction { none, mark_applied, mark_reverted, resume };

struct Request {
    Request(Command c = Command::run) : command(c) {}  // NOLINT: implicit on purpose
    Command command;
    /// downgrade: one target; stamp: one or more; run/upgrade/check use
    /// Settings::target.
    std::vector<std::string> targets;
    bool purge = false;  // stamp --purge
    RepairAction repair = RepairAction::none;
    bool read_history = false;  // current -v: the history table too
};

/// What the command found, for the CLI to print.
struct Outcome {
    ExitCode code = ExitCode::ok;
    std::shared_ptr<const ScriptDirectory> scripts;  // null when not loaded
    std::vector<std::string> rows;                   // version-table rows at the end
    std::vector<Step> pending;                       // check: revisions pending
    std::vector<HistoryRow> history;                 // current -v
};

/// Runs the request. Never throws: the code is in the Outcome, the error is
/// logged and written to the termination log and --report.
/// `connector` replaces the drivers (tests).
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

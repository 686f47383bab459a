#pragma once
// The one error boundary of the program: every command's body runs inside
// guard(), which maps what it throws to an exit code and keeps the facts a
// log line, the termination message and --report need. The session
// (session.cpp) and the CLI's main (src/cli/cli.cpp) both use it.
#include <functional>
#include <string>
#include <vector>

#include "core/exit_code.hpp"
#include "engine/migrator.hpp"  // StepResult

namespace sg {

struct Failure {
    /// What was thrown: problems of a directory or graph (already logged,
    /// file:line each), a failed revision, a database error, another Error,
    /// anything else (an internal error).
    enum class Kind { none, problems, migration, database, error, internal };
    Kind kind = Kind::none;
    ExitCode code = ExitCode::ok;
    std::string error;                         // the message
    std::string hint;                          // what to do next ("" : the exit code's default)
    std::vector<std::string> details;          // problems: one per line
    std::string revision, location, db_error;  // migration
    std::vector<StepResult> applied;           // migration: what was done before it
};

/// Runs `body`; returns its code, or the code of what it threw (described
/// in `failure`). Problems of exit 3 are logged here, with file:line.
ExitCode guard(const std::function<ExitCode()>& body, Failure& failure);

/// What to do next about a database error of that exit code.
std::string hint_for(const DbError& e, ExitCode code);

}  // namespace sg

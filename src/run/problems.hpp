#pragma once
// Logging the problems of an invalid directory or graph (exit 3): every
// problem on its own line, `file:line: message`, with file and line fields.
// Used by the session and by the CLI for the commands without a database.
#include "core/graph.hpp"
#include "script/migration.hpp"

namespace sg {

void log_problems(const ScriptError& e);
void log_problems(const GraphError& e);

}  // namespace sg

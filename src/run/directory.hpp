#pragma once
// The commands that connect to no database, as Requests of the run layer:
// offline `upgrade --sql` / `downgrade --sql`, and the migrations directory's
// heads, branches, history, show, verify, lint, revision and merge. They
// throw (Error, ScriptError, GraphError) to the caller's error boundary.
#include "run/commands.hpp"

namespace sg {

/// Whether the command connects to a database (then it runs in a Session).
bool uses_database(Command c);

/// upgrade/downgrade --sql: the SQL of the steps, written to request.sql_out.
Outcome write_sql(const Settings& settings, const Request& request);

/// The directory commands (Command::heads ... Command::merge).
Outcome run_directory(const Settings& settings, const Request& request);

/// The schema commands (inspect, diff, baseline; schema.cpp): src/schematool
/// does the work, with the settings it needs passed as plain values.
bool is_schema_command(Command c);
Outcome run_schema(const Settings& settings, const Request& request);
/// run --baseline REV: wait, the baseline gate (stamped when equal), then run.
Outcome run_with_baseline(const Settings& settings, const Request& request,
                          const Connector& connector);

}  // namespace sg

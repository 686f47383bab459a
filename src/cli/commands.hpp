#pragma once
// The commands of docs/reference.md §4. Each returns its exit code or throws sg::Error;
// output for people goes to stdout, logs to stderr.
#include "cli/option_table.hpp"
#include "cli/options.hpp"
#include "run/facade.hpp"

namespace sg::cli {

/// Runs inv.command: its handler in the command table (option_table.cpp).
ExitCode dispatch(const Invocation& inv);
ExitCode cmd_version(const Invocation& inv);

// Database commands (commands_db.cpp): requests to the run layer.
ExitCode cmd_upgrade(const Invocation& inv);
ExitCode cmd_downgrade(const Invocation& inv);
ExitCode cmd_current(const Invocation& inv);
ExitCode cmd_stamp(const Invocation& inv);
ExitCode cmd_repair(const Invocation& inv);
ExitCode cmd_check(const Invocation& inv);
ExitCode cmd_run(const Invocation& inv);  // commands_schema.cpp: run --baseline
ExitCode cmd_wait(const Invocation& inv);
ExitCode cmd_backup(const Invocation& inv);

// Directory commands (commands_dir.cpp).
ExitCode cmd_history(const Invocation& inv);
ExitCode cmd_heads(const Invocation& inv);
ExitCode cmd_branches(const Invocation& inv);
ExitCode cmd_show(const Invocation& inv);
ExitCode cmd_verify(const Invocation& inv);
ExitCode cmd_lint(const Invocation& inv);  // commands_lint.cpp
ExitCode cmd_revision(const Invocation& inv);
ExitCode cmd_merge(const Invocation& inv);

// Schema commands (commands_schema.cpp): inspect, diff.
ExitCode cmd_inspect(const Invocation& inv);
ExitCode cmd_diff(const Invocation& inv);
ExitCode cmd_baseline(const Invocation& inv);

// import alembic (commands_import.cpp).
ExitCode cmd_import(const Invocation& inv);

}  // namespace sg::cli

#pragma once
// The init-container gate (DESIGN.md §5) and its helpers `wait` and `backup`.
#include "core/exit_code.hpp"
#include "run/settings.hpp"

namespace sg {

/// `run`: load, wait, fast path, lock, checks, backup, apply; writes the
/// termination message and the report. Never throws: returns the exit code.
ExitCode run_gate(const Settings& settings);

/// `wait`: waits until the database accepts connections (exit 0 / 4 / 5).
ExitCode wait_command(const Settings& settings);

/// `backup`: takes a backup now (exit 0 / 7).
ExitCode backup_command(const Settings& settings);

}  // namespace sg

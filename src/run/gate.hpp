#pragma once
// Seams of the run flow for tests: the same commands with a connector of
// the test's choosing (a fake Connection, a counting wrapper).
#include "core/exit_code.hpp"
#include "run/settings.hpp"
#include "run/wait.hpp"

namespace sg {

ExitCode run_gate_with(const Settings& settings, const Connector& connector);
ExitCode wait_command_with(const Settings& settings, const Connector& connector);
ExitCode backup_command_with(const Settings& settings, const Connector& connector);

}  // namespace sg

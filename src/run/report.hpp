#pragma once
// What a run did, for people and machines: the termination message (short,
// for `kubectl describe pod`) and the --report JSON document.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "backup/backup.hpp"
#include "core/exit_code.hpp"
#include "engine/migrator.hpp"

namespace sg {

struct Phase {
    std::string name;  // load, wait, read, lock, check, backup, apply
    long long duration_ms = 0;
};

struct RunReport {
    std::string command = "run";
    std::string tool_version;
    std::string database;  // masked URL
    std::string dialect;
    std::string target;
    std::string started_at;  // UTC ISO 8601
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    long long duration_ms = 0;

    std::vector<Phase> phases;
    int wait_attempts = 0;
    long long lock_wait_ms = 0;
    bool lock_taken = false;
    bool fast_path = false;
    std::vector<std::string> from_heads, to_heads;
    std::vector<std::string> pending;  // revisions to apply, in order
    std::vector<StepResult> applied;
    std::optional<BackupResult> backup;
    std::vector<std::string> warnings;

    ExitCode code = ExitCode::ok;
    std::string error;                         // what went wrong (redacted)
    std::string hint;                          // what to do next
    std::string revision, location, db_error;  // of a failed revision
    std::vector<std::string> details;          // e.g. every problem of exit 3
};

/// The whole run as one JSON object (one line).
std::string report_json(const RunReport& r);

/// The short summary: exit code and meaning, the failing revision and
/// file:line, the database's error, what to do next. At most 4 KiB (what
/// Kubernetes keeps).
std::string termination_message(const RunReport& r);

/// The generic next step for an exit code.
std::string default_hint(ExitCode code);

/// Writes the termination message (to `path`, or /dev/termination-log when
/// it exists and is writable if `path` is empty) and the report (if
/// `report_path` is set), each through a temporary file and a rename when
/// it is a regular file. Failures are logged, never thrown.
void write_outputs(const RunReport& r, const std::string& path, const std::string& report_path);

/// Whether write_outputs ran in this process (the CLI writes them itself
/// for an error that came before the run layer: a bad option or URL).
bool outputs_written();

}  // namespace sg

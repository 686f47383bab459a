#pragma once
// Child processes (the dump tools, the importer's Python): an argv vector through posix_spawnp,
// never a shell; secrets only through the child's environment.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sg::process {

struct ChildSpec {
    std::vector<std::string> argv;           // argv[0] is the tool (path or name on PATH)
    std::map<std::string, std::string> env;  // set in the child on top of ours
    std::vector<int> inherit_fds;            // close-on-exec fds the child keeps (same number)
    /// Receives the child's stdout; null: stdout is discarded.
    std::function<void(const char* data, size_t size)> on_stdout;
    /// Start the child as the leader of a new process group, and stop the
    /// whole group (its own children too) when it is killed early.
    bool own_process_group = false;
    /// Zero: no limit. Else the child (its group) is killed once it ran this
    /// long, and the result says timed_out.
    std::chrono::milliseconds timeout{0};
};

struct ChildResult {
    bool exited = false;      // exited normally (else killed by a signal)
    int exit_status = 0;      // when exited
    int term_signal = 0;      // when killed
    bool timed_out = false;   // killed because it outlived spec.timeout
    std::string stderr_text;  // the last 16 KiB of stderr, trimmed
    /// "exit status 1" / "killed by signal 9".
    std::string describe() const;
    bool ok() const { return exited && exit_status == 0; }
};

/// Runs the child to completion. Throws Error(backup_failed) when the tool
/// cannot be started (not found, not executable), naming `what` (e.g.
/// "--pg-dump"); throws Error(sigint/sigterm) after killing the child when
/// `interrupted` becomes non-zero. Exceptions from on_stdout kill the child
/// and propagate.
ChildResult run_child(const ChildSpec& spec, const std::string& what,
                      const std::atomic<int>* interrupted);

}  // namespace sg::process

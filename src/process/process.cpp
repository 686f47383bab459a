#include "process/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"

extern char** environ;

namespace sg::process {
namespace {

constexpr size_t kStderrKeep = 16 * 1024;

struct Pipe {
    int fd[2] = {-1, -1};
    Pipe() {
        if (::pipe2(fd, O_CLOEXEC) != 0) {
            throw Error(ExitCode::backup_failed, std::string("pipe: ") + std::strerror(errno));
        }
    }
    ~Pipe() {
        close_read();
        close_write();
    }
    void close_read() {
        if (fd[0] >= 0) ::close(fd[0]);
        fd[0] = -1;
    }
    void close_write() {
        if (fd[1] >= 0) ::close(fd[1]);
        fd[1] = -1;
    }
};

// The child's environment: ours, with spec.env replacing or adding entries.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string entry(*e);
        std::string key = entry.substr(0, entry.find('='));
        if (!extra.count(key)) out.push_back(entry);
    }
    for (const auto& [key, value] : extra) out.push_back(key + "=" + value);
    return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t start = 0;
    while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
    return s.substr(start);
}

int interrupt_code(int sig) { return sig == SIGINT ? 130 : 143; }

// Kills and reaps the child (with `group`, every process of its group);
// used when we stop early. Returns the child's wait status.
int kill_child(pid_t pid, bool group) {
    pid_t target = group ? -pid : pid;
    int status = 0;
    ::kill(target, SIGTERM);
    for (int i = 0; i < 50; ++i) {
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            // The leader is gone; what it started may ignore SIGTERM.
            if (group) ::kill(target, SIGKILL);
            return status;
        }
        ::usleep(20000);
    }
    ::kill(target, SIGKILL);
    ::waitpid(pid, &status, 0);
    return status;
}

pid_t spawn(const ChildSpec& spec, const std::string& what, Pipe& out, Pipe& err) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
    // dup2 onto itself clears FD_CLOEXEC in the child only (glibc >= 2.29).
    for (int fd : spec.inherit_fds) posix_spawn_file_actions_adddup2(&actions, fd, fd);
    // The child starts with default signal dispositions, not our handlers.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    short flags = POSIX_SPAWN_SETSIGDEF;
    if (spec.own_process_group) {
        posix_spawnattr_setpgroup(&attr, 0);
        flags |= POSIX_SPAWN_SETPGROUP;
    }
    posix_spawnattr_setflags(&attr, flags);

    std::vector<std::string> args = spec.argv;
    std::vector<std::string> env = child_environment(spec.env);
    std::vector<char*> argv = c_strings(args);
    std::vector<char*> envp = c_strings(env);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        std::string reason = rc == ENOENT ? "not found" : std::strerror(rc);
        throw Error(ExitCode::backup_failed, "cannot run " + spec.argv[0] + ": " + reason,
                    "install it in the image or point " + what + " at it");
    }
    return pid;
}

}  // namespace

std::string ChildResult::describe() const {
    if (exited) return "exit status " + std::to_string(exit_status);
    return "killed by signal " + std::to_string(term_signal);
}

ChildResult run_child(const ChildSpec& spec, const std::string& what,
                      const std::atomic<int>* interrupted) {
    Pipe out, err;
    pid_t pid = spawn(spec, what, out, err);
    out.close_write();
    err.close_write();

    ChildResult result;
    std::string err_text;
    char buf[65536];
    const bool group = spec.own_process_group;
    const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
    int status = 0;
    bool reaped = false;
    try {
        while (out.fd[0] >= 0 || err.fd[0] >= 0) {
            if (interrupted && interrupted->load() != 0) {
                int sig = interrupted->load();
                kill_child(pid, group);
                throw Error(static_cast<ExitCode>(interrupt_code(sig)),
                            "interrupted while " + spec.argv[0] + " was running");
            }
            if (spec.timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline) {
                status = kill_child(pid, group);
                reaped = result.timed_out = true;
                break;
            }
            pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
            int n = ::poll(fds, 2, 100);
            if (n < 0 && errno != EINTR) break;
            if (n <= 0) continue;
            if (fds[0].revents != 0) {
                ssize_t got = ::read(out.fd[0], buf, sizeof buf);
                if (got > 0 && spec.on_stdout) spec.on_stdout(buf, static_cast<size_t>(got));
                if (got == 0 || (got < 0 && errno != EINTR)) out.close_read();
            }
            if (fds[1].revents != 0) {
                ssize_t got = ::read(err.fd[0], buf, sizeof buf);
                if (got > 0) {
                    err_text.append(buf, static_cast<size_t>(got));
                    if (err_text.size() > 2 * kStderrKeep)
                        err_text.erase(0, err_text.size() - kStderrKeep);
                }
                if (got == 0 || (got < 0 && errno != EINTR)) err.close_read();
            }
        }
    } catch (...) {
        if (::waitpid(pid, nullptr, WNOHANG) == 0) kill_child(pid, group);
        throw;
    }
    while (!reaped && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exited = WIFEXITED(status);
    result.exit_status = result.exited ? WEXITSTATUS(status) : 0;
    result.term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (err_text.size() > kStderrKeep) err_text.erase(0, err_text.size() - kStderrKeep);
    result.stderr_text = trim(err_text);
    return result;
}

}  // namespace sg::process

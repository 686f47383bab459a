// The engine on a real SQLite file: 500 trivial revisions through
// sg::Migrator (per-revision overhead: transaction, version and history
// rows, fsync), and the cost of `schemagate run` when there is nothing to do.
// The *_shm cases put the database on tmpfs, where a commit costs no disk
// flush, so what is left is schemagate's and SQLite's CPU time.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "bench.hpp"
#include "db/connection.hpp"
#include "engine/migrator.hpp"
#include "log/log.hpp"
#include "synth.hpp"

namespace {

constexpr int kRevisions = 500;

// A chain of trivial revisions: the SQL is negligible, the bookkeeping is not.
std::vector<sg::Revision> chain(int n) {
    std::vector<sg::Revision> revs(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        revs[i].id = bench::rev_id(static_cast<uint64_t>(i));
        if (i > 0) revs[i].down_revisions = {revs[i - 1].id};
        revs[i].message = "revision " + std::to_string(i);
    }
    return revs;
}

struct Project {
    bench::TempDir dir;
    std::string migrations = (dir.path() / "migrations").string();
    std::string url = "sqlite:///" + (dir.path() / "app.db").string();  // absolute: 4 slashes
    explicit Project(const char* base = "") : dir("engine", base) {
        bench::write_migrations(migrations, chain(kRevisions));
    }
};

sg::MigrateOptions options() {
    sg::MigrateOptions o;
    o.applied_by = "bench";
    o.tool_version = "bench";
    return o;
}

// Plans and runs `down ? base : head` on the project's database.
std::vector<sg::StepResult> migrate(const Project& p, const sg::ScriptDirectory& scripts,
                                    bool down) {
    auto conn = sg::connect(sg::parse_url(p.url));
    sg::StateStore state(*conn, {});
    sg::Migrator m(scripts, *conn, state, options());
    const auto& g = scripts.graph;
    return m.run(down ? g.plan_downgrade(state.versions(), "base")
                      : g.plan_upgrade(state.versions(), "head"));
}

bench::Result upgrade(const char* base) {
    Project p(base);
    auto scripts = sg::load_directory(p.migrations);
    bench::Timer t;
    auto done = migrate(p, scripts, false);
    return {std::to_string(done.size()) + " revs", t.ms(), static_cast<double>(done.size())};
}

bench::Result downgrade(const char* base) {
    Project p(base);
    auto scripts = sg::load_directory(p.migrations);
    migrate(p, scripts, false);
    bench::Timer t;
    auto done = migrate(p, scripts, true);
    return {std::to_string(done.size()) + " revs", t.ms(), static_cast<double>(done.size())};
}

// fork/exec of the binary with output discarded; returns its exit status.
int spawn(const std::vector<std::string>& args) {
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::dup2(null, 2);
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

bench::Result time_spawns(const std::vector<std::string>& args, const std::string& size) {
    const int reps = 20;
    bench::Timer t;
    for (int i = 0; i < reps; ++i)
        if (int rc = spawn(args); rc != 0)
            throw std::runtime_error(args[1] + " exited with " + std::to_string(rc));
    return {size, t.ms(), reps};
}

bench::Result exec_version() { return time_spawns({SG_BINARY, "version"}, "x20"); }

bench::Result run_noop() {
    Project p;
    migrate(p, sg::load_directory(p.migrations), false);
    return time_spawns(
        {SG_BINARY, "run", "--url", p.url, "--migrations", p.migrations, "--wait-timeout", "0"},
        std::to_string(kRevisions) + " revs x20");
}

}  // namespace

int main(int argc, char** argv) {
    sg::log::init(sg::log::Format::text, sg::log::Level::warn);  // no per-step lines
    return bench::main(argc, argv,
                       {{"engine_sqlite_upgrade", [] { return upgrade(""); }},
                        {"engine_sqlite_downgrade", [] { return downgrade(""); }},
                        {"engine_sqlite_upgrade_shm", [] { return upgrade("/dev/shm"); }},
                        {"engine_sqlite_downgrade_shm", [] { return downgrade("/dev/shm"); }},
                        {"exec_version", exec_version},
                        {"exec_run_noop", run_noop}});
}

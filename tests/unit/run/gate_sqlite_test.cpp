// The run flow end to end on SQLite files, with a connector that counts
// connections: fast path, pending, drift, unknown revisions, backups.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "run/commands.hpp"
#include "run/lock.hpp"
#include "run/session.hpp"
#include "support/fake_connection.hpp"

namespace fs = std::filesystem;
using namespace sg;

namespace {

struct Sandbox {
    fs::path dir;
    Sandbox() {
        dir = fs::temp_directory_path() /
              ("sg-unit-run-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        fs::remove_all(dir);
        fs::create_directories(dir / "migrations");
    }
    ~Sandbox() { fs::remove_all(dir); }
    static int& counter() {
        static int n = 0;
        return n;
    }
    void write(const std::string& name, const std::string& text) {
        std::ofstream(dir / "migrations" / name) << text;
    }
    Settings settings() const {
        Settings s;
        s.db = parse_url("sqlite:///" + (dir / "app.db").string());
        s.migrations = (dir / "migrations").string();
        s.backup_dir = (dir / "backups").string();
        s.report = (dir / "report.json").string();
        s.termination_log = (dir / "termination.log").string();
        s.wait_timeout = std::chrono::milliseconds(0);
        return s;
    }
    std::string read(const std::string& name) const {
        std::ifstream in(dir / name);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    size_t backups() const {
        if (!fs::exists(dir / "backups")) return 0;
        size_t n = 0;
        for (auto& e : fs::directory_iterator(dir / "backups")) n += e.is_regular_file();
        return n;
    }
};

const char* kFirst =
    "-- revision: aaaa00000001\n-- message: first\n\n-- +upgrade\nCREATE TABLE t (id INTEGER);\n"
    "\n-- +downgrade\nDROP TABLE t;\n";
const char* kSecond =
    "-- revision: bbbb00000002\n-- down_revision: aaaa00000001\n-- message: second\n\n"
    "-- +upgrade\nINSERT INTO t VALUES (1);\n\n-- +downgrade\nDELETE FROM t;\n";

}  // namespace

TEST_CASE("run applies pending revisions, with a backup, then takes the fast path") {
    Sandbox box;
    box.write("001.sql", kFirst);
    box.write("002.sql", kSecond);
    Settings s = box.settings();
    REQUIRE(run_gate(s) == ExitCode::ok);
    CHECK(box.read("report.json").find("\"applied\":[{\"revision\":\"aaaa00000001\"") !=
          std::string::npos);
    CHECK(box.read("termination.log").find("exit 0") != std::string::npos);
    CHECK(box.backups() == 1);

    REQUIRE(run_gate(s) == ExitCode::ok);
    std::string report = box.read("report.json");
    CHECK(report.find("\"fast_path\":true") != std::string::npos);
    CHECK(report.find("\"lock_taken\":false") != std::string::npos);
    CHECK(box.backups() == 1);  // nothing pending: no backup
}

TEST_CASE("run reports exit 10 for a changed applied file and accepts it with --allow-drift") {
    Sandbox box;
    box.write("001.sql", kFirst);
    Settings s = box.settings();
    s.backup = BackupMode::never;
    REQUIRE(run_gate(s) == ExitCode::ok);
    std::string changed = kFirst;
    changed.replace(changed.find("id INTEGER"), 10, "id BIGINT");
    box.write("001.sql", changed);
    CHECK(run_gate(s) == ExitCode::drift);
    CHECK(box.read("termination.log").find("001.sql") != std::string::npos);
    s.allow_drift = true;
    CHECK(run_gate(s) == ExitCode::ok);
}

TEST_CASE("run reports exit 10 when the database is ahead of the files") {
    Sandbox box;
    box.write("001.sql", kFirst);
    box.write("002.sql", kSecond);
    Settings s = box.settings();
    s.backup = BackupMode::never;
    REQUIRE(run_gate(s) == ExitCode::ok);
    fs::remove(box.dir / "migrations" / "002.sql");
    CHECK(run_gate(s) == ExitCode::drift);
    CHECK(box.read("termination.log").find("ahead of this image") != std::string::npos);
    s.allow_unknown = true;
    CHECK(run_gate(s) == ExitCode::ok);
}

TEST_CASE("run: invalid directory 3, failing revision 8") {
    Sandbox box;
    box.write("001.sql", "-- revision: x\n-- bogus: 1\n-- +upgrade\nSELECT 1;\n");
    Settings s = box.settings();
    CHECK(run_gate(s) == ExitCode::invalid);
    box.write("001.sql", kFirst);
    // A bad URL is exit 2 where it is parsed, once, by the CLI (unit_cli).
    s = box.settings();
    s.backup = BackupMode::never;
    box.write("002.sql",
              "-- revision: bbbb00000002\n-- down_revision: aaaa00000001\n\n-- +upgrade\n"
              "INSERT INTO nosuch VALUES (1);\n");
    CHECK(run_gate(s) == ExitCode::rolled_back);
    std::string t = box.read("termination.log");
    CHECK(t.find("bbbb00000002") != std::string::npos);
    CHECK(t.find("002.sql:5") != std::string::npos);
}

TEST_CASE("backup to an unwritable directory is exit 7 and changes nothing") {
    if (::geteuid() == 0) return;  // root writes anywhere
    Sandbox box;
    box.write("001.sql", kFirst);
    fs::create_directories(box.dir / "ro");
    fs::permissions(box.dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    Settings s = box.settings();
    s.backup_dir = (box.dir / "ro").string();
    CHECK(run_gate(s) == ExitCode::backup_failed);
    s.backup = BackupMode::never;
    s.report = (box.dir / "r2.json").string();
    CHECK(run_gate(s) == ExitCode::ok);
    CHECK(box.read("r2.json").find("\"from\":[]") != std::string::npos);  // untouched before
    fs::permissions(box.dir / "ro", fs::perms::owner_all);
}

TEST_CASE("wait and backup commands") {
    Sandbox box;
    Settings s = box.settings();
    CHECK(wait_command(s) == ExitCode::ok);
    CHECK(backup_command(s) == ExitCode::ok);
    CHECK(box.backups() == 1);
    s.backup_keep = 1;
    ::sleep(1);
    CHECK(backup_command(s) == ExitCode::ok);
    CHECK(box.backups() == 1);
}

namespace {

Outcome exec(const Settings& s, Command c, std::vector<std::string> targets = {}) {
    Request r{c};
    r.targets = std::move(targets);
    return execute(s, r);
}

// Sets the version table's rows of the sandbox database directly.
void set_rows(const Settings& s, const std::vector<std::string>& rows) {
    auto conn = connect(s.db);
    StateStore state(*conn, s.tables);
    state.ensure_tables();
    state.set_versions(rows);
}

}  // namespace

TEST_CASE("run --target nosuch is exit 3 before connecting: no database file is created") {
    Sandbox box;
    box.write("001.sql", kFirst);
    Settings s = box.settings();
    s.target = "nosuch";
    CHECK(run_gate(s) == ExitCode::invalid);
    CHECK_FALSE(fs::exists(box.dir / "app.db"));
}

TEST_CASE("--allow-drift with revisions pending warns in the log and the report") {
    Sandbox box;
    box.write("001.sql", kFirst);
    Settings s = box.settings();
    s.backup = BackupMode::never;
    REQUIRE(run_gate(s) == ExitCode::ok);
    std::string changed = kFirst;
    changed.replace(changed.find("id INTEGER"), 10, "id BIGINT");
    box.write("001.sql", changed);
    box.write("002.sql", kSecond);
    s.allow_drift = true;
    REQUIRE(run_gate(s) == ExitCode::ok);
    std::string report = box.read("report.json");
    CHECK(report.find("\"applied\":[{\"revision\":\"bbbb00000002\"") != std::string::npos);
    CHECK(report.find("\"warnings\":[\"applied migration(s) changed") != std::string::npos);
}

TEST_CASE("an empty migrations directory is exit 3 unless --allow-empty") {
    Sandbox box;
    Settings s = box.settings();
    CHECK(run_gate(s) == ExitCode::invalid);
    CHECK(box.read("termination.log").find("--allow-empty") != std::string::npos);
    CHECK_FALSE(fs::exists(box.dir / "app.db"));
    s.allow_empty = true;
    CHECK(run_gate(s) == ExitCode::ok);
}

TEST_CASE("overlapping version rows: exit 3 naming the table, and downgrade -1 reverts nothing") {
    Sandbox box;
    box.write("001.sql", kFirst);
    box.write("002.sql", kSecond);
    Settings s = box.settings();
    s.backup = BackupMode::never;
    REQUIRE(run_gate(s) == ExitCode::ok);
    set_rows(s, {"aaaa00000001", "bbbb00000002"});  // a is an ancestor of b
    CHECK(exec(s, Command::downgrade, {"-1"}).code == ExitCode::invalid);
    std::string t = box.read("termination.log");
    CHECK(t.find("aaaa00000001 is an ancestor of bbbb00000002") != std::string::npos);
    CHECK(t.find("fix the migration files") == std::string::npos);
    CHECK(t.find("stamp") != std::string::npos);
    auto conn = connect(s.db);
    CHECK(StateStore(*conn, s.tables).versions() ==
          std::vector<std::string>{"aaaa00000001", "bbbb00000002"});
    CHECK(run_gate(s) == ExitCode::invalid);
}

TEST_CASE("repair --mark-applied refuses when the table moved since the dirty step started") {
    Sandbox box;
    box.write("001.sql", kFirst);
    box.write("002.sql",
              "-- revision: bbbb00000002\n-- down_revision: aaaa00000001\n-- transaction: false\n"
              "\n-- +upgrade\nINSERT INTO t VALUES (1);\nINSERT INTO nosuch VALUES (1);\n");
    Settings s = box.settings();
    s.backup = BackupMode::never;
    REQUIRE(run_gate(s) == ExitCode::dirty);
    set_rows(s, {});  // the table no longer says aaaa00000001, where the step started
    Request r{Command::repair};
    r.repair = RepairAction::mark_applied;
    CHECK(execute(s, r).code == ExitCode::dirty);
    CHECK(box.read("termination.log").find("started from aaaa00000001") != std::string::npos);
    auto conn = connect(s.db);
    CHECK(StateStore(*conn, s.tables).versions().empty());
    set_rows(s, {"aaaa00000001"});
    CHECK(execute(s, r).code == ExitCode::ok);
    CHECK(StateStore(*conn, s.tables).versions() == std::vector<std::string>{"bbbb00000002"});
}

TEST_CASE("a history row holding text where a number belongs is exit 2, not a crash") {
    Sandbox box;
    box.write("001.sql", kFirst);
    Settings s = box.settings();
    s.backup = BackupMode::never;
    REQUIRE(run_gate(s) == ExitCode::ok);
    connect(s.db)->execute("UPDATE schemagate_history SET duration_ms = 'abc'");
    CHECK(exec(s, Command::current).code == ExitCode::ok);  // reads only the version table
    Request r{Command::current};
    r.read_history = true;
    CHECK(execute(s, r).code == ExitCode::usage);
    CHECK(box.read("termination.log").find("schemagate_history") != std::string::npos);
}

TEST_CASE("an alembic_version table of another shape is exit 2 naming it") {
    Sandbox box;
    box.write("001.sql", kFirst);
    Settings s = box.settings();
    connect(s.db)->execute("CREATE TABLE alembic_version (version TEXT)");
    CHECK(run_gate(s) == ExitCode::usage);
    CHECK(box.read("termination.log").find("alembic_version") != std::string::npos);
}

TEST_CASE("the report and the termination log are replaced, not rewritten in place") {
    Sandbox box;
    box.write("001.sql", kFirst);
    Settings s = box.settings();
    s.backup = BackupMode::never;
    REQUIRE(run_gate(s) == ExitCode::ok);
    auto inode = [&](const char* name) {
        struct stat st {};
        ::stat((box.dir / name).c_str(), &st);
        return st.st_ino;
    };
    auto report = inode("report.json"), term = inode("termination.log");
    REQUIRE(run_gate(s) == ExitCode::ok);
    CHECK(inode("report.json") != report);
    CHECK(inode("termination.log") != term);
    CHECK(box.read("report.json").find("\"exit_code\":0") != std::string::npos);
}

TEST_CASE("every command locks the same name: the schema of a qualified version table") {
    Settings s;
    s.tables.version = "s.alembic_version";
    s.tables.history = "s.schemagate_history";
    s.db = parse_url("postgresql://u@h/app");
    auto fake = [](const DbUrl&, const ConnectOptions&) -> std::unique_ptr<Connection> {
        auto c = std::make_unique<test::FakeConnection>();
        c->fake_dialect = Dialect::postgresql;
        return c;
    };
    for (const char* command : {"run", "upgrade", "stamp", "repair"}) {
        Session session(s, command, fake, false);
        session.connect();
        CHECK(session.lock_name() == lock_name("fake", "s", "s.alembic_version"));
    }
}

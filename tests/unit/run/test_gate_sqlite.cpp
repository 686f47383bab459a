// The run flow end to end on SQLite files, with a connector that counts
// connections: fast path, pending, drift, unknown revisions, backups.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "run/gate.hpp"
#include "run/run.hpp"

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
        s.url = "sqlite:///" + (dir / "app.db").string();
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

TEST_CASE("run: invalid directory 3, bad URL 2, failing revision 8") {
    Sandbox box;
    box.write("001.sql", "-- revision: x\n-- bogus: 1\n-- +upgrade\nSELECT 1;\n");
    Settings s = box.settings();
    CHECK(run_gate(s) == ExitCode::invalid);
    box.write("001.sql", kFirst);
    s.url = "nosuch://x";
    CHECK(run_gate(s) == ExitCode::usage);
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

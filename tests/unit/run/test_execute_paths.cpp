// Every command is a Request of sg::execute: offline --sql and the
// directory commands too, and errors become exit codes in sg::guard.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "run/boundary.hpp"
#include "run/commands.hpp"
#include "run/directory.hpp"

namespace fs = std::filesystem;
using namespace sg;

namespace {

struct Dir {
    fs::path dir = fs::temp_directory_path() / ("sg-unit-exec-" + std::to_string(::getpid()));
    Dir() {
        fs::remove_all(dir);
        fs::create_directories(dir / "migrations");
        std::ofstream(dir / "migrations" / "a.sql")
            << "-- revision: aaaa00000001\n-- message: first\n\n-- +upgrade\nCREATE TABLE t (id "
               "INTEGER);\n\n-- +downgrade\nDROP TABLE t;\n";
    }
    ~Dir() { fs::remove_all(dir); }
    Settings settings() const {
        Settings s;
        s.db = parse_url("sqlite:///" + (dir / "app.db").string());
        s.migrations = (dir / "migrations").string();
        return s;
    }
};

}  // namespace

TEST_CASE("offline --sql goes through execute, in --dialect, without a database", "[run][paths]") {
    Dir d;
    Settings s = d.settings();
    s.dialect = Dialect::postgresql;
    std::ostringstream sql;
    Request req{Command::upgrade};
    req.sql_out = &sql;
    Outcome out = execute(s, req);
    CHECK(out.code == ExitCode::ok);
    CHECK(out.offline_steps == 1);
    CHECK(sql.str().find("CREATE TABLE t") != std::string::npos);
    CHECK(sql.str().find("BEGIN") != std::string::npos);  // PostgreSQL: transactional DDL
    CHECK_FALSE(fs::exists(d.dir / "app.db"));
    CHECK(script_dialect(s, true) == Dialect::postgresql);
    CHECK(script_dialect(s, false) == Dialect::sqlite);
}

TEST_CASE("the directory commands are requests too", "[run][paths]") {
    Dir d;
    Settings s = d.settings();
    CHECK_FALSE(uses_database(Command::heads));
    CHECK(uses_database(Command::history));
    Outcome heads = execute(s, Request{Command::heads});
    CHECK(heads.ids == std::vector<std::string>{"aaaa00000001"});
    Request verify{Command::verify};
    verify.dialects = {Dialect::sqlite};
    CHECK(execute(s, verify).ids == std::vector<std::string>{"aaaa00000001"});
    Request show{Command::show};
    show.range = "nope";
    Failure f;
    CHECK(guard([&] { return execute(s, show).code; }, f) == ExitCode::invalid);
    CHECK(f.kind == Failure::Kind::problems);
}

TEST_CASE("guard maps what a body throws to its exit code", "[run][paths]") {
    Failure f;
    CHECK(guard([] { return ExitCode::pending; }, f) == ExitCode::pending);
    CHECK(f.kind == Failure::Kind::none);
    CHECK(guard([]() -> ExitCode { throw Error(ExitCode::usage, "bad", "fix it"); }, f) ==
          ExitCode::usage);
    CHECK(f.kind == Failure::Kind::error);
    CHECK(f.hint == "fix it");
    CHECK(guard([]() -> ExitCode { throw std::runtime_error("boom"); }, f) == ExitCode::internal);
    CHECK(f.error == "internal error: boom");
}

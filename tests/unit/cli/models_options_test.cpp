// SQLAlchemy models on the command line: `--sqlalchemy` (and
// SCHEMAGATE_SQLALCHEMY) for revision --autogenerate, `--python`/`--timeout`
// for diff and revision, and the `sqlalchemy:MODULE:ATTR` diff source.
#include <catch2/catch.hpp>

#include "cli/options.hpp"
#include "core/error.hpp"
#include "schematool/models.hpp"
#include "schematool/schema_commands.hpp"

using namespace sg;
using namespace sg::cli;

namespace {

Invocation parse(const std::vector<std::string>& args, const Env& env = {}) {
    return parse_invocation(args, env, [](const std::string&) -> std::string { return ""; });
}

ExitCode code_of(const std::vector<std::string>& args, const Env& env = {}) {
    try {
        parse(args, env);
    } catch (const Error& e) {
        return e.code();
    }
    return ExitCode::ok;
}

}  // namespace

TEST_CASE("revision --autogenerate takes --sqlalchemy, --python and --timeout", "[cli]") {
    auto inv = parse({"revision", "--autogenerate", "-m", "x", "--sqlalchemy", "app.models:Base",
                      "--python", "/venv/bin/python", "--timeout", "30s"});
    CHECK(inv.opts.sqlalchemy == "app.models:Base");
    CHECK(inv.opts.schema.empty());
    CHECK(inv.opts.python == "/venv/bin/python");
    CHECK(inv.opts.import_timeout == "30s");
}

TEST_CASE("SCHEMAGATE_SQLALCHEMY is read when neither source flag is given", "[cli]") {
    const Env env{{"SCHEMAGATE_SQLALCHEMY", "app:Base"}};
    CHECK(parse({"revision", "--autogenerate", "-m", "x"}, env).opts.sqlalchemy == "app:Base");
    // A flag of either source wins over both variables.
    auto schema = parse({"revision", "--autogenerate", "-m", "x", "--schema", "s.sql"}, env);
    CHECK(schema.opts.sqlalchemy.empty());
    CHECK(schema.opts.schema == "s.sql");
    auto models = parse({"revision", "--autogenerate", "-m", "x", "--sqlalchemy", "other:md"},
                        {{"SCHEMAGATE_SCHEMA", "db/"}});
    CHECK(models.opts.sqlalchemy == "other:md");
    CHECK(models.opts.schema.empty());
}

TEST_CASE("--sqlalchemy needs --autogenerate; --python belongs to import, diff, revision",
          "[cli]") {
    CHECK(code_of({"revision", "-m", "x", "--sqlalchemy", "a:b"}) == ExitCode::usage);
    CHECK(code_of({"diff", "--sqlalchemy", "a:b"}) == ExitCode::usage);
    CHECK(code_of({"diff", "--to", "sqlalchemy:a:b", "--python", "p", "--timeout", "5s"}) ==
          ExitCode::ok);
    CHECK(code_of({"upgrade", "--python", "p"}) == ExitCode::usage);
}

TEST_CASE("sqlalchemy:MODULE:ATTR is a diff source", "[cli]") {
    auto s = parse_source("sqlalchemy:app.models:Base.metadata");
    CHECK(s.kind == SchemaSource::Kind::models);
    CHECK(s.text == "app.models:Base.metadata");
    CHECK(models_target("sqlalchemy:m:a") == "m:a");
    CHECK(models_target("postgresql://h/db").empty());
}

// revision --autogenerate on the command line: its options, the dialect
// list, SCHEMAGATE_SCHEMA.
#include <catch2/catch.hpp>

#include "cli/options.hpp"
#include "core/error.hpp"

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

TEST_CASE("revision --autogenerate takes a schema, renames and a dialect list", "[cli]") {
    auto inv = parse({"revision", "--autogenerate", "-m", "x", "--schema", "s.sql", "--dialect",
                      "sqlite,postgresql", "--rename", "a=b", "--rename", "b.c=d"});
    CHECK(inv.opts.autogenerate);
    CHECK(inv.opts.schema == "s.sql");
    CHECK(inv.opts.renames == std::vector<std::string>{"a=b", "b.c=d"});
    CHECK(inv.opts.dialect_list == std::vector<Dialect>{Dialect::sqlite, Dialect::postgresql});
    // The environment names the schema; the flag wins over it.
    auto env = parse({"revision", "--autogenerate", "-m", "x"}, {{"SCHEMAGATE_SCHEMA", "db/"}});
    CHECK(env.opts.schema == "db/");
    auto both = parse({"revision", "--autogenerate", "-m", "x", "--schema", "f.sql"},
                      {{"SCHEMAGATE_SCHEMA", "db/"}});
    CHECK(both.opts.schema == "f.sql");
}

TEST_CASE("autogenerate options are usage errors elsewhere", "[cli]") {
    CHECK(code_of({"revision", "-m", "x", "--schema", "s.sql"}) == ExitCode::usage);
    CHECK(code_of({"revision", "-m", "x", "--rename", "a=b"}) == ExitCode::usage);
    CHECK(code_of({"revision", "-m", "x", "--dialect", "sqlite,postgresql"}) == ExitCode::usage);
    CHECK(code_of({"upgrade", "--autogenerate"}) == ExitCode::usage);
    CHECK(code_of({"diff", "--schema", "s.sql"}) == ExitCode::usage);
}

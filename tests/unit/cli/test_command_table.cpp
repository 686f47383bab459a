// The one command table: dispatch, option checks and the cxxopts parser read
// it; the spellings cxxopts' tokenizer does not read alone stay accepted.
#include <catch2/catch.hpp>

#include "cli/option_table.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"

using namespace sg;
using namespace sg::cli;

namespace {

Invocation parse(const std::vector<std::string>& args) {
    return parse_invocation(args, {}, [](const std::string&) -> std::string { return ""; });
}

std::string message_of(const std::vector<std::string>& args) {
    try {
        parse(args);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("every command has one entry with a handler, and the parse finds it", "[cli][table]") {
    for (const auto& c : commands()) {
        INFO(c.name);
        CHECK(find_command(c.name) == &c);
        CHECK((c.handler != nullptr) == !c.has(kHelp));
    }
    auto inv = parse({"heads"});
    REQUIRE(inv.def);
    CHECK(std::string(inv.def->name) == "heads");
}

TEST_CASE("command options are checked against the command's entry", "[cli][table]") {
    const OptionDef* sql = find_option("sql");
    REQUIRE(sql);
    CHECK(commands_with(*sql) == std::vector<std::string>{"upgrade", "downgrade"});
    CHECK(message_of({"current", "--sql"}) ==
          "option '--sql' is only valid for: upgrade, downgrade");
    CHECK(message_of({"heads", "-m", "x"}) ==
          "option '--message' is only valid for: revision, merge, baseline");
}

TEST_CASE("negative numbers and attached short values through cxxopts", "[cli][table]") {
    CHECK(parse({"downgrade", "-12"}).args == std::vector<std::string>{"-12"});
    CHECK(parse({"downgrade", "--sql", "-1"}).args == std::vector<std::string>{"-1"});
    CHECK(parse({"stamp", "-1", "abc", "-2"}).args == std::vector<std::string>{"-1", "abc", "-2"});
    CHECK(message_of({"downgrade", "-1", "-2"}) == "'downgrade' takes TARGET, not '-2'");
    CHECK(message_of({"downgrade", "-1v"}) == "unknown option '-1'");
    CHECK(parse({"history", "-rbase:head"}).opts.range == "base:head");
    CHECK(parse({"lint", "-r-3:-1"}).opts.range == "-3:-1");
    CHECK(parse({"upgrade", "--", "--x"}).settings.target == "--x");
    CHECK(message_of({"upgrade", "--a"}) == "unknown option '--a'");
    CHECK(message_of({"upgrade", "--frob=1"}) == "unknown option '--frob'");
    CHECK(message_of({"heads", "-q:"}) == "unknown option '-:'");
    CHECK(message_of({"upgrade", "--migrations"}) == "option '--migrations' needs a value");
    CHECK(message_of({"revision", "-m"}) == "option '-m' needs a value");
}

TEST_CASE("flags keep their text for parse_bool", "[cli][table]") {
    CHECK(parse({"run", "--atomic=yes"}).settings.atomic);
    CHECK_FALSE(parse({"run", "--atomic=off"}).settings.atomic);
    CHECK(parse({"upgrade", "--sql=1", "a:b"}).opts.sql);
    CHECK(parse({"heads", "-qq"}).log_level == log::Level::error);
}

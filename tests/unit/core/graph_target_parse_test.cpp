// Relative targets are parsed by hand (a regex took quadratic time on long
// targets); the result must equal Alembic's regex on every short string.
#include <catch2/catch.hpp>
#include <regex>

#include "core/graph_walk.hpp"
#include "graph_fixtures.hpp"

using namespace sg;
using namespace sg::test;

namespace {

// Alembic 1.8's `_relative_destination` regex with re.match semantics ('.'
// stops at a newline only, as in Python).
std::optional<detail::Relative> by_regex(const std::string& target) {
    static const std::regex re(R"((?:([^\n]+?)@)?(\w+)?((?:\+|-)\d+))");
    std::smatch m;
    if (!std::regex_search(target, m, re, std::regex_constants::match_continuous))
        return std::nullopt;
    detail::Relative r;
    if (m[1].matched) r.label = m[1].str();
    if (m[2].matched) r.symbol = m[2].str();
    r.text = m[3].str();
    r.steps = std::stol(r.text);
    return r;
}

std::string show(const std::optional<detail::Relative>& r) {
    if (!r) return "none";
    return "label=" + r->label.value_or("<>") + " symbol=" + r->symbol.value_or("<>") +
           " text=" + r->text + " steps=" + std::to_string(r->steps);
}

}  // namespace

TEST_CASE("parse_relative equals Alembic's regex on all short strings", "[graph][target]") {
    const std::string alphabet = "a1@+-_\n.";
    std::vector<std::string> all{""};
    for (size_t len = 1; len <= 5; ++len) {
        std::vector<std::string> next;
        for (const auto& s : all)
            if (s.size() == len - 1)
                for (char c : alphabet) next.push_back(s + c);
        all.insert(all.end(), next.begin(), next.end());
    }
    size_t relative = 0;
    for (const auto& s : all) {
        auto mine = detail::parse_relative(s);
        INFO("target: " << s);
        REQUIRE(show(mine) == show(by_regex(s)));
        relative += mine.has_value();
    }
    CHECK(relative > 1000);  // the alphabet does reach every branch
}

TEST_CASE("parse_relative examples", "[graph][target]") {
    auto r = detail::parse_relative("billing@ae10+2");
    REQUIRE(r);
    CHECK(r->label == std::string("billing"));
    CHECK(r->symbol == std::string("ae10"));
    CHECK(r->steps == 2);
    r = detail::parse_relative("a@b@-1");  // the label ends at the first '@' that works
    REQUIRE(r);
    CHECK(r->label == std::string("a@b"));
    CHECK(!r->symbol);
    r = detail::parse_relative("a@b-1@c");
    REQUIRE(r);
    CHECK(r->label == std::string("a"));
    CHECK(r->symbol == std::string("b"));
    r = detail::parse_relative("a@.@+3");  // ... and may hold an '@'
    REQUIRE(r);
    CHECK(r->label == std::string("a@."));
    CHECK(!r->symbol);
    CHECK(!detail::parse_relative("head"));
    CHECK(!detail::parse_relative("ae10"));
    // Out of range is a usage error (exit 2), LONG_MIN included: its
    // magnitude does not fit a long (issue 22 L3).
    for (const char* text :
         {"+99999999999999999999999", "-9223372036854775808", "x@-9223372036854775808"}) {
        CAPTURE(text);
        try {
            detail::parse_relative(text);
            FAIL("no error");
        } catch (const GraphError&) {
            FAIL("a GraphError (exit 3)");
        } catch (const Error& e) {
            CHECK(e.code() == ExitCode::usage);
            CHECK(std::string(e.what()).find("out of range") != std::string::npos);
        }
    }
    CHECK(detail::parse_relative("-9223372036854775807")->steps == -9223372036854775807L);
}

TEST_CASE("long targets are rejected, not stuck on", "[graph][target]") {
    // Each took seconds with the regex (20,000 characters: 4.5 s); the time is
    // measured in bench/bench_graph.cpp, here only the answers.
    auto g = linear();
    const std::string many(20000, 'a');
    CHECK_THROWS_AS(g.resolve(many), GraphError);
    CHECK_THROWS_AS(g.resolve(many + "@+1"), GraphError);
    CHECK_THROWS_AS(g.resolve(many + "+"), GraphError);
    std::string ats;
    for (int i = 0; i < 10000; ++i) ats += "a@";
    CHECK_THROWS_AS(g.resolve(ats), GraphError);
    CHECK_THROWS_AS(g.plan_upgrade({}, ats + "x+1"), GraphError);
    CHECK_THROWS_AS(g.plan_downgrade({"d4000"}, many + "-1"), GraphError);
    auto r = detail::parse_relative(many + "+1");
    REQUIRE(r);
    CHECK(r->symbol->size() == 20000);
}

// Validation in the RevisionGraph constructor: every problem collected, each
// naming its file(s).
#include <catch2/catch.hpp>

#include "graph_fixtures.hpp"

using namespace sg;
using namespace sg::test;

namespace {

std::vector<GraphProblem> problems_of(std::vector<Revision> revs) {
    try {
        RevisionGraph g(std::move(revs));
    } catch (const GraphError& e) {
        CHECK(e.code() == ExitCode::invalid);
        return e.problems();
    }
    FAIL("expected a GraphError");
    return {};
}

bool mentions(const GraphProblem& p, const std::string& text) {
    return p.message.find(text) != std::string::npos || p.file.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("an empty graph is valid and has no heads or bases", "[graph][validate]") {
    RevisionGraph g(std::vector<Revision>{});
    CHECK(g.heads().empty());
    CHECK(g.bases().empty());
    CHECK(g.plan_upgrade({}, "heads").empty());
}

TEST_CASE("duplicate ids name both files", "[graph][validate]") {
    auto a = rev("a1000");
    auto b = rev("a1000");
    b.file = "other.sql";
    auto ps = problems_of({a, b});
    REQUIRE(ps.size() == 1);
    CHECK(mentions(ps[0], "duplicate"));
    CHECK(ps[0].file == "a1000.sql, other.sql");
}

TEST_CASE("bad ids are rejected", "[graph][validate]") {
    CHECK(problems_of({rev("has-dash")}).size() == 1);
    CHECK(problems_of({rev("")}).size() == 1);
    CHECK(problems_of({rev(std::string(33, 'a'))}).size() == 1);
    CHECK(problems_of({rev("sp ace")}).size() == 1);
    CHECK_NOTHROW(RevisionGraph({rev(std::string(32, 'a'))}));
    CHECK_NOTHROW(RevisionGraph({rev("A_z9")}));
}

TEST_CASE("unknown down_revision and depends_on are reported", "[graph][validate]") {
    auto ps =
        problems_of({rev("a1000"), rev("b2000", {"nope"}), rev("c3000", {"a1000"}, {"gone"})});
    REQUIRE(ps.size() == 2);
    CHECK(mentions(ps[0], "nope"));
    CHECK(ps[0].file == "b2000.sql");
    CHECK(mentions(ps[1], "gone"));
    CHECK(ps[1].file == "c3000.sql");
}

TEST_CASE("a down_revision named twice is reported", "[graph][validate]") {
    auto ps = problems_of({rev("a1000"), rev("b2000", {"a1000", "a1000"})});
    REQUIRE(ps.size() == 1);
    CHECK(mentions(ps[0], "twice"));
}

TEST_CASE("cycles through down_revision name every file in the cycle", "[graph][validate]") {
    auto ps = problems_of(
        {rev("a1000", {"c3000"}), rev("b2000", {"a1000"}), rev("c3000", {"b2000"}), rev("d4000")});
    REQUIRE(ps.size() == 1);
    CHECK(mentions(ps[0], "cycle"));
    CHECK(ps[0].file == "a1000.sql, b2000.sql, c3000.sql");
}

TEST_CASE("cycles through depends_on are found", "[graph][validate]") {
    auto ps = problems_of({rev("a1000", {}, {"b2000"}), rev("b2000", {"a1000"})});
    REQUIRE(ps.size() == 1);
    CHECK(mentions(ps[0], "a1000"));
    CHECK(mentions(ps[0], "b2000"));
}

TEST_CASE("a revision naming itself is a cycle", "[graph][validate]") {
    CHECK(problems_of({rev("a1000", {"a1000"})}).size() == 1);
    CHECK(problems_of({rev("a1000", {}, {"a1000"})}).size() == 1);
}

TEST_CASE("two separate cycles are two problems", "[graph][validate]") {
    auto ps = problems_of({rev("a1000", {"b2000"}), rev("b2000", {"a1000"}),
                           rev("c3000", {"d4000"}), rev("d4000", {"c3000"})});
    CHECK(ps.size() == 2);
}

TEST_CASE("duplicate branch labels name both files", "[graph][validate]") {
    auto ps =
        problems_of({rev("a1000", {}, {}, {"billing"}), rev("b2000", {"a1000"}, {}, {"billing"})});
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].file == "a1000.sql, b2000.sql");
}

TEST_CASE("a branch label equal to a revision id is a problem", "[graph][validate]") {
    auto ps = problems_of({rev("a1000"), rev("b2000", {"a1000"}, {}, {"a1000"})});
    REQUIRE(ps.size() == 1);
    CHECK(mentions(ps[0], "already a revision id"));
}

TEST_CASE("branch labels that clash with target syntax are rejected", "[graph][validate]") {
    CHECK(problems_of({rev("a1000", {}, {}, {"x@y"})}).size() == 1);
    CHECK(problems_of({rev("a1000", {}, {}, {"head"})}).size() == 1);
    CHECK(problems_of({rev("a1000", {}, {}, {"with:colon"})}).size() == 1);
}

TEST_CASE("all problems are collected into one error", "[graph][validate]") {
    auto dup = rev("b2000");
    auto ps = problems_of({rev("a1000", {}, {}, {"lab"}), rev("b2000", {"zzzz"}), dup,
                           rev("bad-id"), rev("c3000", {}, {}, {"lab"})});
    CHECK(ps.size() == 4);
}

TEST_CASE("the error's what() summarises the first problem and counts the rest",
          "[graph][validate]") {
    try {
        RevisionGraph({rev("a1000", {"x1234"}), rev("b2000", {"y1234"})});
        FAIL("no error");
    } catch (const GraphError& e) {
        std::string what = e.what();
        CHECK(what.find("x1234") != std::string::npos);
        CHECK(what.find("1 more") != std::string::npos);
    }
}

TEST_CASE("depends_on may name a branch label", "[graph][validate]") {
    RevisionGraph g(
        {rev("a1000", {}, {}, {"core"}), rev("b2000"), rev("c3000", {"b2000"}, {"core"})});
    CHECK(g.ancestors({"c3000"}) == std::set<std::string>{"a1000", "b2000", "c3000"});
}

TEST_CASE("a problem of one header key names its file:line", "[graph][validate]") {
    auto a = rev("a1000", {"nope"});
    a.file = "a.sql";
    a.lines = {{"revision", 1}, {"down_revision", 2}};
    auto ps = problems_of({a});
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].where() == "a.sql:2");
    CHECK(mentions(ps[0], "down_revision nope"));
}

TEST_CASE("cycles are reported together with unknown parents", "[graph][validate]") {
    auto ps =
        problems_of({rev("a1000", {"nope"}), rev("b2000", {"c3000"}), rev("c3000", {"b2000"})});
    REQUIRE(ps.size() == 2);
    CHECK(mentions(ps[0], "nope"));
    CHECK(mentions(ps[1], "cycle through revisions b2000, c3000"));
}

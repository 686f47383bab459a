// `stamp` rows and `history -r` ranges, checked against Alembic 1.8.
#include <catch2/catch.hpp>

#include "graph_fixtures.hpp"

using namespace sg;
using namespace sg::test;

TEST_CASE("stamp from an empty table inserts the target", "[graph][stamp]") {
    auto g = linear();
    CHECK(g.plan_stamp({}, "head", false) == Ids{"d4000"});
    CHECK(g.plan_stamp({}, "b200", false) == Ids{"b2000"});
    CHECK(g.plan_stamp({}, "base", false).empty());
}

TEST_CASE("stamp moves the row up or down its branch", "[graph][stamp]") {
    auto g = linear();
    CHECK(g.plan_stamp({"b2000"}, "d4000", false) == Ids{"d4000"});
    CHECK(g.plan_stamp({"d4000"}, "a1000", false) == Ids{"a1000"});
    CHECK(g.plan_stamp({"d4000"}, "d4000", false) == Ids{"d4000"});
    CHECK(g.plan_stamp({"c3000"}, "base", false).empty());
}

TEST_CASE("stamp heads and label@head", "[graph][stamp]") {
    auto g = labelled();
    CHECK(g.plan_stamp({}, "heads", false) == Ids{"bil2", "cli2"});
    CHECK(g.plan_stamp({"r100"}, "heads", false) == Ids{"bil2", "cli2"});
    CHECK(g.plan_stamp({"cli1"}, "billing@head", false) == Ids{"bil2", "cli1"});
    CHECK_THROWS_AS(g.plan_stamp({}, "head", false), GraphError);
}

TEST_CASE("stamp on one branch leaves the other branch's row", "[graph][stamp]") {
    auto g = labelled();
    CHECK(g.plan_stamp({"bil2", "cli2"}, "bil1", false) == Ids{"bil1", "cli2"});
    CHECK(g.plan_stamp({"bil2"}, "cli1", false) == Ids{"bil2", "cli1"});
    CHECK(g.plan_stamp({"bil2", "cli2"}, "base", false).empty());
}

TEST_CASE("stamp to a common ancestor collapses the rows", "[graph][stamp]") {
    CHECK(labelled().plan_stamp({"bil1"}, "r100", false) == Ids{"r100"});
    CHECK(diamond().plan_stamp({"bbb1", "bbb2"}, "aaaa", false) == Ids{"aaaa"});
    CHECK(diamond().plan_stamp({"bbb1", "bbb2"}, "cccc", false) == Ids{"cccc"});
}

TEST_CASE("stamp --purge starts from an empty table", "[graph][stamp]") {
    auto g = labelled();
    CHECK(g.plan_stamp({"bil2", "cli2"}, "cli1", true) == Ids{"cli1"});
    CHECK(g.plan_stamp({"nonsense"}, "cli1", true) == Ids{"cli1"});
    CHECK(g.plan_stamp({"bil2"}, "base", true).empty());
}

TEST_CASE("stamp to an unknown revision fails", "[graph][stamp]") {
    CHECK_THROWS_AS(linear().plan_stamp({}, "zzzz9", false), GraphError);
}

TEST_CASE("history: the whole graph newest first", "[graph][history]") {
    CHECK(linear().history_range(":", {}) == Ids{"d4000", "c3000", "b2000", "a1000"});
    CHECK(labelled().history_range(":", {}) == Ids{"bil2", "bil1", "cli2", "cli1", "r100"});
    CHECK(multiple_bases().history_range(":", {}) ==
          Ids{"a300", "a200", "base1", "b300", "b200", "base2"});
}

TEST_CASE("history: the lower end is listed, as Alembic's history -r", "[graph][history]") {
    auto g = linear();
    CHECK(g.history_range("b2000:", {}) == Ids{"d4000", "c3000", "b2000"});
    CHECK(g.history_range("b2000:c3000", {}) == Ids{"c3000", "b2000"});
    CHECK(g.history_range(":b200", {}) == Ids{"b2000", "a1000"});
    CHECK(g.history_range("base:head", {}) == Ids{"d4000", "c3000", "b2000", "a1000"});
}

TEST_CASE("history: only the branch above the lower end", "[graph][history]") {
    auto g = labelled();
    CHECK(g.history_range("r100:", {}) == Ids{"bil2", "bil1", "cli2", "cli1", "r100"});
    CHECK(g.history_range("cli1:cli2", {}) == Ids{"cli2", "cli1"});
    CHECK(g.history_range("bil1:heads", {}) == Ids{"bil2", "bil1"});
    CHECK(g.history_range(":billing@head", {}) == Ids{"bil2", "bil1", "r100"});
}

TEST_CASE("history: current at either end", "[graph][history]") {
    auto g = labelled();
    CHECK(g.history_range("current:", {"bil1"}) == Ids{"bil2", "bil1"});
    CHECK(g.history_range(":current", {"bil1", "cli1"}) == Ids{"bil1", "cli1", "r100"});
    CHECK(g.history_range(":current", {}).size() == 5);  // nothing applied: up to the heads
}

TEST_CASE("history: bad ranges", "[graph][history]") {
    auto g = labelled();
    CHECK_THROWS_AS(g.history_range("cli1", {}), GraphError);
    CHECK_THROWS_AS(g.history_range("a:b:c", {}), GraphError);
    CHECK_THROWS_AS(g.history_range("cli1:bil2", {}), GraphError);  // not on one branch
    CHECK_THROWS_AS(g.history_range("zzzz9:", {}), GraphError);
}

TEST_CASE("stamp -1 with heads sharing a parent is refused, not a crash", "[graph][stamp]") {
    // Alembic 1.8 stamps a0000 and then fails an assertion; schemagate
    // refuses before writing anything and names the revision to stamp.
    RevisionGraph g({rev("a0000"), rev("b0000", {"a0000"}), rev("c0000", {"a0000"})});
    try {
        g.plan_stamp({}, "-1", false);
        FAIL("no error");
    } catch (const GraphError& e) {
        CHECK(std::string(e.what()).find("stamp a0000") != std::string::npos);
    }
    CHECK_THROWS_AS(g.plan_stamp({}, "-1", true), GraphError);
    CHECK_THROWS_AS(g.plan_stamp({}, "-2", false), GraphError);  // base twice
    // Two roots: -1 is base from both heads; Alembic fails there too.
    RevisionGraph roots({rev("b0000"), rev("c0000")});
    CHECK_THROWS_AS(roots.plan_stamp({}, "-1", false), GraphError);
    // Heads with different parents: each parent is stamped (as Alembic).
    RevisionGraph lines(
        {rev("a0000"), rev("b0000", {"a0000"}), rev("c0000"), rev("d0000", {"c0000"})});
    CHECK(lines.plan_stamp({}, "-1", false) == Ids{"a0000", "c0000"});
}

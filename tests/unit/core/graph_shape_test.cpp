// Heads, bases, branch and merge points, ancestors and the upgrade order.
#include <catch2/catch.hpp>

#include "graph_fixtures.hpp"

using namespace sg;
using namespace sg::test;

TEST_CASE("linear: one head, one base", "[graph][shape]") {
    auto g = linear();
    CHECK(g.heads() == Ids{"d4000"});
    CHECK(g.bases() == Ids{"a1000"});
    CHECK(g.children("b2000") == Ids{"c3000"});
    CHECK_FALSE(g.is_branch_point("b2000"));
    CHECK_FALSE(g.is_merge_point("b2000"));
}

TEST_CASE("diamond: branch point and merge point", "[graph][shape]") {
    auto g = diamond();
    CHECK(g.heads() == Ids{"cccc"});
    CHECK(g.is_branch_point("aaaa"));
    CHECK(g.is_merge_point("cccc"));
    CHECK_FALSE(g.is_merge_point("bbb1"));
    CHECK(g.children("aaaa") == Ids{"bbb1", "bbb2"});
}

TEST_CASE("multiple bases give multiple heads", "[graph][shape]") {
    auto g = multiple_bases();
    CHECK(g.bases() == Ids{"base1", "base2"});
    CHECK(g.heads() == Ids{"a300", "b300"});
}

TEST_CASE("heads follow down_revision only; real heads also depends_on", "[graph][shape]") {
    RevisionGraph g({rev("a1000"), rev("b1000", {}, {"a1000"})});
    CHECK(g.heads() == Ids{"a1000", "b1000"});
    CHECK(g.real_heads() == Ids{"b1000"});
    CHECK(g.bases() == Ids{"a1000", "b1000"});
}

TEST_CASE("a dependency is not a child and makes no branch point", "[graph][shape]") {
    auto g = cross_dependency();
    CHECK(g.children("a200") == Ids{"a300"});
    CHECK_FALSE(g.is_branch_point("a200"));
    CHECK(g.heads() == Ids{"a300", "b300"});
}

TEST_CASE("ancestors follow down_revision and depends_on", "[graph][shape]") {
    auto g = cross_dependency();
    CHECK(g.ancestors({"b200"}) == std::set<std::string>{"a100", "a200", "b100", "b200"});
    CHECK(g.ancestors({}).empty());
    CHECK(g.applied({"a100", "b100"}) == std::set<std::string>{"a100", "b100"});
    CHECK_THROWS_AS(g.ancestors({"nope"}), GraphError);
}

TEST_CASE("revisions() is topological whatever the input order", "[graph][shape]") {
    RevisionGraph g(
        {rev("d4000", {"c3000"}), rev("c3000", {"b2000"}), rev("b2000", {"a1000"}), rev("a1000")});
    Ids order;
    for (const auto& r : g.revisions()) order.push_back(r.id);
    CHECK(order == Ids{"a1000", "b2000", "c3000", "d4000"});
}

TEST_CASE("revisions() breaks ties by input order and puts dependencies first", "[graph][shape]") {
    RevisionGraph g({rev("zzz1"), rev("yyy1", {}, {"xxx1"}), rev("xxx1"), rev("www1", {"zzz1"})});
    Ids order;
    for (const auto& r : g.revisions()) order.push_back(r.id);
    CHECK(order == Ids{"zzz1", "xxx1", "yyy1", "www1"});
}

TEST_CASE("find and get", "[graph][shape]") {
    auto g = linear();
    REQUIRE(g.find("b2000") != nullptr);
    CHECK(g.find("b2000")->down_revisions == Ids{"a1000"});
    CHECK(g.find("b200") == nullptr);  // exact only
    CHECK(g.get("c3000").id == "c3000");
    CHECK_THROWS_AS(g.get("zzzz"), GraphError);
}

TEST_CASE("branch labels propagate along the branch as Alembic's do", "[graph][shape]") {
    auto g = labelled();
    CHECK(g.branch_labels("bil1") == Ids{"billing"});
    CHECK(g.branch_labels("bil2") == Ids{"billing"});
    CHECK(g.branch_labels("cli2").empty());
    CHECK(g.branch_labels("r100").empty());  // r100 is a branch point
}

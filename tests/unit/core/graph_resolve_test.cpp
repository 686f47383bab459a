// Target resolution: symbolic names, ids, prefixes, labels, relative walks.
#include <catch2/catch.hpp>

#include "graph_fixtures.hpp"

using namespace sg;
using namespace sg::test;

namespace {

std::vector<std::string> details(const GraphError& e) {
    std::vector<std::string> out;
    for (const auto& p : e.problems()) out.push_back(p.message);
    return out;
}

}  // namespace

TEST_CASE("head, heads and base", "[graph][resolve]") {
    auto g = linear();
    CHECK(g.resolve("head") == Ids{"d4000"});
    CHECK(g.resolve("heads") == Ids{"d4000"});
    CHECK(g.resolve("base").empty());
}

TEST_CASE("head with several heads is an error listing them", "[graph][resolve]") {
    auto g = multiple_bases();
    try {
        g.resolve("head");
        FAIL("no error");
    } catch (const GraphError& e) {
        CHECK(e.code() == ExitCode::invalid);
        CHECK(details(e) == Ids{"a300", "b300"});
        CHECK(std::string(e.what()).find("a300, b300") != std::string::npos);
    }
    CHECK(g.resolve("heads") == Ids{"a300", "b300"});
}

TEST_CASE("full ids and unique prefixes of at least four characters", "[graph][resolve]") {
    auto g = linear();
    CHECK(g.resolve("b2000") == Ids{"b2000"});
    CHECK(g.resolve("b200") == Ids{"b2000"});
    CHECK_THROWS_AS(g.resolve("b20"), GraphError);
    CHECK_THROWS_AS(g.resolve("zzzzz"), GraphError);
}

TEST_CASE("an ambiguous prefix lists the matches", "[graph][resolve]") {
    RevisionGraph g(
        {rev("abcd1111"), rev("abcd2222", {"abcd1111"}), rev("abce3333", {"abcd2222"})});
    try {
        g.resolve("abcd");
        FAIL("no error");
    } catch (const GraphError& e) {
        CHECK(details(e) == Ids{"abcd1111", "abcd2222"});
    }
    CHECK(g.resolve("abcd2") == Ids{"abcd2222"});
}

TEST_CASE("an exact id wins over longer ids it prefixes", "[graph][resolve]") {
    RevisionGraph g({rev("abcd"), rev("abcdef", {"abcd"})});
    CHECK(g.resolve("abcd") == Ids{"abcd"});
}

TEST_CASE("a bare branch label is the revision that declares it (as Alembic)", "[graph][resolve]") {
    auto g = labelled();
    CHECK(g.resolve("billing") == Ids{"bil1"});
}

TEST_CASE("label@head, label@heads, label@base", "[graph][resolve]") {
    auto g = labelled();
    CHECK(g.resolve("billing@head") == Ids{"bil2"});
    CHECK(g.resolve("billing@heads") == Ids{"bil2"});
    CHECK(g.resolve("billing@base").empty());
    CHECK_THROWS_AS(g.resolve("nosuch@head"), GraphError);
}

TEST_CASE("label@rev checks the revision is on the branch", "[graph][resolve]") {
    auto g = labelled();
    CHECK(g.resolve("billing@bil2") == Ids{"bil2"});
    CHECK_THROWS_AS(g.resolve("billing@cli2"), GraphError);
}

TEST_CASE("+N and -N are relative to the current rows", "[graph][resolve]") {
    auto g = linear();
    CHECK(g.resolve("+1", {}) == Ids{"a1000"});
    CHECK(g.resolve("+2", {"a1000"}) == Ids{"c3000"});
    CHECK(g.resolve("-1", {"c3000"}) == Ids{"b2000"});
    CHECK(g.resolve("-1", {"a1000"}).empty());  // down to base
    CHECK(g.resolve("current", {"c3000"}) == Ids{"c3000"});
}

TEST_CASE("REV+N and REV-N walk from a revision", "[graph][resolve]") {
    auto g = linear();
    CHECK(g.resolve("a1000+2") == Ids{"c3000"});
    CHECK(g.resolve("d4000-3") == Ids{"a1000"});
    CHECK(g.resolve("b200+1") == Ids{"c3000"});
}

TEST_CASE("relative walks that overrun are errors", "[graph][resolve]") {
    auto g = linear();
    CHECK_THROWS_AS(g.resolve("+5", {}), GraphError);
    CHECK_THROWS_AS(g.resolve("-5", {"b2000"}), GraphError);
    CHECK_THROWS_AS(g.resolve("-1", {}), GraphError);
    CHECK_THROWS_AS(g.resolve("c3000+2"), GraphError);
}

TEST_CASE("relative walks through a branch point are ambiguous", "[graph][resolve]") {
    auto g = diamond();
    CHECK_THROWS_AS(g.resolve("aaaa+1"), GraphError);
    CHECK_THROWS_AS(g.resolve("-1", {"cccc"}), GraphError);  // cccc is a merge
    CHECK(g.resolve("bbb1+1") == Ids{"cccc"});
}

TEST_CASE("+N from several current rows is ambiguous", "[graph][resolve]") {
    auto g = multiple_bases();
    CHECK_THROWS_AS(g.resolve("+1", {"a200", "b200"}), GraphError);
}

TEST_CASE("label@+N and label@-N stay on the branch", "[graph][resolve]") {
    auto g = labelled();
    CHECK(g.resolve("billing@+1", {"r100"}) == Ids{"bil1"});
    CHECK(g.resolve("billing@+2", {"r100"}) == Ids{"bil2"});
    CHECK(g.resolve("billing@-1", {"bil2", "cli2"}) == Ids{"bil1"});
    CHECK_THROWS_AS(g.resolve("billing@+3", {"r100"}), GraphError);
}

// Branch-label corners, each checked against Alembic 1.8.
#include <catch2/catch.hpp>

#include "graph_fixtures.hpp"

using namespace sg;
using namespace sg::test;

namespace {

/// r100 -> bil1 (billing) -> bil2 -> bil3 ; r100 -> cli1 -> cli2
RevisionGraph long_billing() {
    return RevisionGraph({rev("r100"), rev("bil1", {"r100"}, {}, {"billing"}),
                          rev("bil2", {"bil1"}), rev("bil3", {"bil2"}), rev("cli1", {"r100"}),
                          rev("cli2", {"cli1"})});
}

}  // namespace

TEST_CASE("label@+N from a database where the branch has no row yet", "[graph][label]") {
    auto g = long_billing();
    auto steps = g.plan_upgrade({"cli2"}, "billing@+1");
    CHECK(revs_of(steps) == Ids{"bil1"});
    CHECK(rows_after(steps) == Ids{"bil1", "cli2"});
    CHECK(revs_of(g.plan_upgrade({"bil1", "cli2"}, "billing@+2")) == Ids{"bil2", "bil3"});
}

TEST_CASE("label@-N walks down the branch's row only", "[graph][label]") {
    auto g = long_billing();
    CHECK(rows_after(g.plan_downgrade({"bil3", "cli2"}, "billing@-1")) == Ids{"bil2", "cli2"});
    CHECK(rows_after(g.plan_downgrade({"bil3", "cli2"}, "billing@-2")) == Ids{"bil1", "cli2"});
    CHECK(rows_after(g.plan_downgrade({"bil3", "cli2"}, "bil2@-1")) == Ids{"bil2", "cli2"});
    CHECK_THROWS_AS(g.plan_downgrade({"cli2"}, "billing@-1"), GraphError);
}

TEST_CASE("label@rev downgrades keep to the labelled branch", "[graph][label]") {
    auto g = long_billing();
    auto steps = g.plan_downgrade({"bil3", "cli2"}, "billing@r100");
    CHECK(revs_of(steps) == Ids{"bil3", "bil2", "bil1"});
    CHECK(rows_after(steps) == Ids{"cli2"});
}

TEST_CASE("a revision id works as a label", "[graph][label]") {
    auto g = long_billing();
    CHECK(revs_of(g.plan_upgrade({}, "bil1@head")) == Ids{"r100", "bil1", "bil2", "bil3"});
    CHECK(g.resolve("cli1@head") == Ids{"cli2"});
    CHECK(revs_of(g.plan_upgrade({}, "billing@bil2")) == Ids{"r100", "bil1", "bil2"});
}

TEST_CASE("history with labels and current", "[graph][label][history]") {
    auto g = long_billing();
    CHECK(g.history_range("billing@base:", {}) == Ids{"bil3", "bil2", "bil1", "r100"});
    CHECK(g.history_range("bil1:current", {"bil3", "cli2"}) == Ids{"bil3", "bil2", "bil1"});
    CHECK_THROWS_AS(g.history_range("current:", {"r100", "bil3"}), GraphError);  // overlap
}

TEST_CASE("several labels on one revision all resolve to it", "[graph][label]") {
    RevisionGraph g({rev("a100", {}, {}, {"one", "two"}), rev("b100", {"a100"})});
    CHECK(g.resolve("one") == Ids{"a100"});
    CHECK(g.resolve("two@head") == Ids{"b100"});
    CHECK(g.branch_labels("b100") == Ids{"one", "two"});
}

TEST_CASE("a label prefix of four characters resolves like an id prefix", "[graph][label]") {
    auto g = long_billing();
    CHECK(g.resolve("bill") == Ids{"bil1"});
}

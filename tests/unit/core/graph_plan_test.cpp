// Upgrade and downgrade plans with the version-table rows Alembic 1.8 writes
// (each expectation checked against Alembic's RevisionMap + HeadMaintainer).
#include <algorithm>
#include <catch2/catch.hpp>

#include "graph_fixtures.hpp"

using namespace sg;
using namespace sg::test;

namespace {

RowOp ins(std::string to) { return {RowOp::insert, "", std::move(to)}; }
RowOp del(std::string from) { return {RowOp::remove, std::move(from), ""}; }
RowOp upd(std::string from, std::string to) {
    return {RowOp::update, std::move(from), std::move(to)};
}

bool same(const std::vector<RowOp>& a, const std::vector<RowOp>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].kind != b[i].kind || a[i].from != b[i].from || a[i].to != b[i].to) return false;
    return true;
}

}  // namespace

TEST_CASE("linear upgrade from base: insert then updates", "[graph][plan]") {
    auto steps = linear().plan_upgrade({}, "head");
    REQUIRE(revs_of(steps) == Ids{"a1000", "b2000", "c3000", "d4000"});
    CHECK(same(steps[0].row_ops, {ins("a1000")}));
    CHECK(same(steps[1].row_ops, {upd("a1000", "b2000")}));
    CHECK(rows_at(steps, 2) == Ids{"c3000"});
    CHECK(steps[2].heads_after.empty());  // only the plan's last step carries the rows
    CHECK(steps[3].heads_after == Ids{"d4000"});
    CHECK(steps[3].direction == Direction::upgrade);
}

TEST_CASE("upgrading to an applied target is an empty plan", "[graph][plan]") {
    auto g = linear();
    CHECK(g.plan_upgrade({"d4000"}, "head").empty());
    CHECK(g.plan_upgrade({"d4000"}, "b2000").empty());
    CHECK(g.plan_upgrade({"c3000"}, "base").empty());
}

TEST_CASE("upgrade by relative steps", "[graph][plan]") {
    auto g = linear();
    CHECK(revs_of(g.plan_upgrade({"a1000"}, "+2")) == Ids{"b2000", "c3000"});
    CHECK(revs_of(g.plan_upgrade({}, "+1")) == Ids{"a1000"});
    CHECK_THROWS_AS(g.plan_upgrade({"c3000"}, "+2"), GraphError);
    CHECK_THROWS_AS(g.plan_upgrade({"c3000"}, "-1"), GraphError);  // upgrade to current-1
}

TEST_CASE("upgrade to an unknown target, or from an unknown row, fails", "[graph][plan]") {
    auto g = linear();
    CHECK_THROWS_AS(g.plan_upgrade({}, "nope1"), GraphError);
    CHECK_THROWS_AS(g.plan_upgrade({"nope1"}, "head"), GraphError);
}

TEST_CASE("linear downgrade -1 updates the row", "[graph][plan]") {
    auto steps = linear().plan_downgrade({"d4000"}, "-1");
    REQUIRE(revs_of(steps) == Ids{"d4000"});
    CHECK(steps[0].direction == Direction::downgrade);
    CHECK(same(steps[0].row_ops, {upd("d4000", "c3000")}));
}

TEST_CASE("downgrade to base reverts everything and deletes the last row", "[graph][plan]") {
    auto steps = linear().plan_downgrade({"c3000"}, "base");
    REQUIRE(revs_of(steps) == Ids{"c3000", "b2000", "a1000"});
    CHECK(same(steps[2].row_ops, {del("a1000")}));
    CHECK(steps[2].heads_after.empty());
}

TEST_CASE("downgrade errors: overrun, not applied, nothing current", "[graph][plan]") {
    auto g = linear();
    CHECK_THROWS_AS(g.plan_downgrade({"b2000"}, "-3"), GraphError);
    CHECK_THROWS_AS(g.plan_downgrade({"b2000"}, "d4000"), GraphError);
    CHECK_THROWS_AS(g.plan_downgrade({}, "-1"), GraphError);
    CHECK_THROWS_AS(g.plan_downgrade({"b2000"}, "+1"), GraphError);
    CHECK(g.plan_downgrade({"b2000"}, "b2000").empty());
}

TEST_CASE("downgrade to a revision reverts what is above it", "[graph][plan]") {
    auto steps = linear().plan_downgrade({"d4000"}, "b200");
    CHECK(revs_of(steps) == Ids{"d4000", "c3000"});
    CHECK(rows_after(steps) == Ids{"b2000"});
}

TEST_CASE("diamond upgrade: a new branch insert, then a merge", "[graph][plan]") {
    auto steps = diamond().plan_upgrade({}, "head");
    REQUIRE(revs_of(steps) == Ids{"aaaa", "bbb2", "bbb1", "cccc"});
    CHECK(same(steps[2].row_ops, {ins("bbb1")}));
    CHECK(rows_at(steps, 2) == Ids{"bbb1", "bbb2"});
    CHECK(same(steps[3].row_ops, {del("bbb1"), upd("bbb2", "cccc")}));
    CHECK(steps[3].heads_after == Ids{"cccc"});
}

TEST_CASE("diamond downgrade: unmerge inserts a row", "[graph][plan]") {
    auto steps = diamond().plan_downgrade({"cccc"}, "aaaa");
    REQUIRE(revs_of(steps) == Ids{"cccc", "bbb1", "bbb2"});
    CHECK(same(steps[0].row_ops, {ins("bbb1"), upd("cccc", "bbb2")}));
    CHECK(rows_at(steps, 0, {"cccc"}) == Ids{"bbb1", "bbb2"});
    CHECK(same(steps[1].row_ops, {del("bbb1")}));  // aaaa stays below bbb2
    CHECK(same(steps[2].row_ops, {upd("bbb2", "aaaa")}));
}

TEST_CASE("diamond: one branch then the merge", "[graph][plan]") {
    auto g = diamond();
    auto steps = g.plan_upgrade({"bbb1"}, "cccc");
    CHECK(revs_of(steps) == Ids{"bbb2", "cccc"});
    CHECK(rows_at(steps, 0, {"bbb1"}) == Ids{"bbb1", "bbb2"});
    CHECK(rows_after(steps) == Ids{"cccc"});
    CHECK(g.plan_downgrade({"bbb1", "bbb2"}, "bbb1").empty());
    CHECK_THROWS_AS(g.plan_downgrade({"cccc"}, "-1"), GraphError);  // ambiguous walk
}

TEST_CASE("labelled branches: label@head upgrades that branch only", "[graph][plan]") {
    auto g = labelled();
    CHECK(revs_of(g.plan_upgrade({}, "billing@head")) == Ids{"r100", "bil1", "bil2"});
    CHECK(revs_of(g.plan_upgrade({"cli2"}, "billing@+1")) == Ids{"bil1"});
    auto all = g.plan_upgrade({}, "heads");
    CHECK(revs_of(all) == Ids{"r100", "cli1", "cli2", "bil1", "bil2"});
    CHECK(rows_after(all) == Ids{"bil2", "cli2"});
    CHECK_THROWS_AS(g.plan_upgrade({}, "head"), GraphError);
}

TEST_CASE("labelled branches: downgrades leave the other branch alone", "[graph][plan]") {
    auto g = labelled();
    auto steps = g.plan_downgrade({"bil2", "cli2"}, "billing@-1");
    CHECK(revs_of(steps) == Ids{"bil2"});
    CHECK(rows_after(steps) == Ids{"bil1", "cli2"});
    CHECK(revs_of(g.plan_downgrade({"bil2", "cli2"}, "bil1")) == Ids{"bil2"});
    // -1 with several rows walks down from the first row given.
    CHECK(revs_of(g.plan_downgrade({"cli2", "bil2"}, "-1")) == Ids{"cli2"});
    // Reverting to the branch point drops both branches, deleting one row.
    auto both = g.plan_downgrade({"bil2", "cli2"}, "r100");
    CHECK(revs_of(both) == Ids{"bil2", "bil1", "cli2", "cli1"});
    CHECK(same(both[1].row_ops, {del("bil1")}));
    CHECK(rows_after(both) == Ids{"r100"});
}

TEST_CASE("label@base downgrades from the label's root, as Alembic", "[graph][plan]") {
    auto steps = labelled().plan_downgrade({"bil2", "cli2"}, "billing@base");
    CHECK(revs_of(steps).size() == 5);  // r100 is the only root: everything goes
    CHECK(rows_after(steps).empty());
}

TEST_CASE("multiple bases: each branch separately", "[graph][plan]") {
    auto g = multiple_bases();
    auto up = g.plan_upgrade({"a300"}, "b200");
    CHECK(revs_of(up) == Ids{"base2", "b200"});
    CHECK(same(up[0].row_ops, {ins("base2")}));
    CHECK(rows_after(up) == Ids{"a300", "b200"});
    auto down = g.plan_downgrade({"a300", "b300"}, "base1");
    CHECK(revs_of(down) == Ids{"a300", "a200"});
    CHECK(rows_after(down) == Ids{"b300", "base1"});
    auto rel = g.plan_downgrade({"a300", "b300"}, "b300-2");
    CHECK(rows_after(rel) == Ids{"a300", "base2"});
    auto all = g.plan_downgrade({"a300", "b300"}, "base");
    CHECK(revs_of(all) == Ids{"a300", "a200", "base1", "b300", "b200", "base2"});
    CHECK(same(all[2].row_ops, {del("base1")}));
}

TEST_CASE("cross-branch depends_on: the dependency comes first", "[graph][plan]") {
    auto g = cross_dependency();
    auto steps = g.plan_upgrade({}, "b200");
    REQUIRE(revs_of(steps) == Ids{"a100", "a200", "b100", "b200"});
    CHECK(rows_at(steps, 2) == Ids{"a200", "b100"});
    // b200 merges the dependency's row away.
    bool merged = same(steps[3].row_ops, {del("b100"), upd("a200", "b200")}) ||
                  same(steps[3].row_ops, {del("a200"), upd("b100", "b200")});
    CHECK(merged);
    CHECK(steps[3].heads_after == Ids{"b200"});
}

TEST_CASE("cross-branch depends_on: downgrading the dependency reverts dependents",
          "[graph][plan]") {
    auto g = cross_dependency();
    auto steps = g.plan_downgrade({"a300", "b300"}, "a100");
    CHECK(revs_of(steps) == Ids{"a300", "b300", "b200", "a200"});
    CHECK(rows_at(steps, 2, {"a300", "b300"}) == Ids{"a200", "b100"});  // unmerge: a200 back
    CHECK(rows_after(steps) == Ids{"a100", "b100"});
    // Only down_revision children are roots: b200 is not reverted here.
    CHECK(revs_of(g.plan_downgrade({"a300", "b300"}, "a200")) == Ids{"a300"});
}

TEST_CASE("depends_on already implied by an ancestor is normalised away", "[graph][plan]") {
    RevisionGraph g({rev("a100"), rev("b100", {}, {"a100"}), rev("b200", {"b100"}, {"a100"})});
    auto steps = g.plan_upgrade({"b100"}, "b200");
    REQUIRE(revs_of(steps) == Ids{"b200"});
    CHECK(same(steps[0].row_ops, {upd("b100", "b200")}));
    CHECK(revs_of(g.plan_upgrade({"a100"}, "b200")) == Ids{"b100", "b200"});
}

TEST_CASE("rows where one is an ancestor of another are refused, as Alembic", "[graph][plan]") {
    auto g = linear();
    CHECK_THROWS_AS(g.plan_upgrade({"a1000", "c3000"}, "head"), GraphError);
}

TEST_CASE("heads_after is sorted", "[graph][plan]") {
    RevisionGraph g({rev("zz00"), rev("aa00")});
    auto steps = g.plan_upgrade({}, "heads");
    CHECK(rows_after(steps) == Ids{"aa00", "zz00"});
}

TEST_CASE("a root and many heads: steps carry their own rows, not the table (issue 22 D11)",
          "[graph][plan]") {
    std::vector<Revision> revs{rev("root0000")};
    Ids heads;
    for (int i = 0; i < 2000; ++i) {
        heads.push_back("head" + std::to_string(10000 + i));
        revs.push_back(rev(heads.back(), {"root0000"}));
    }
    RevisionGraph g(revs);
    auto up = g.plan_upgrade({}, "heads");
    REQUIRE(up.size() == 2001);
    size_t carried = 0, ops = 0;
    for (const auto& s : up) carried += s.heads_after.size(), ops += s.row_ops.size();
    CHECK(carried == 2000);  // the last step's rows only: linear, not 2000 x 2000 / 2
    CHECK(ops == 2001);      // insert root, update root -> first head, insert the others
    auto [from, to] = step_rows(up[5]);
    CHECK(from.empty());
    CHECK(to == Ids{up[5].revision});
    std::sort(heads.begin(), heads.end());
    CHECK(rows_after(up) == heads);
    auto down = g.plan_downgrade(heads, "base");
    CHECK(down.size() == 2001);
    CHECK(rows_after(down).empty());
    Ids rows = heads;
    for (const auto& s : down) rows = apply_row_ops(rows, s.row_ops);
    CHECK(rows.empty());
}

// Graph work stays linear in revisions: counted with the traversal hook
// detail::visit_count(), not timed (times belong in bench/). Alembic's own
// topological walk recomputes every head's ancestors at each merge; before the
// lazy scans a 8000-revision branchy plan visited ~1.3 million revisions.
#include <catch2/catch.hpp>

#include "core/graph_walk.hpp"
#include "graph_fixtures.hpp"

using namespace sg;
using namespace sg::test;

namespace {

std::string id_of(int i) { return "r" + std::to_string(100000 + i); }

// bench/workload.py's branchy shape: in every block of 50, positions 40-47
// are a side branch off position 39 and position 49 merges it back.
std::vector<Revision> branchy(int n) {
    std::vector<Revision> revs;
    int main = -1, side = -1;
    for (int k = 0; k < n; ++k) {
        int p = k % 50;
        Ids down;
        if (p >= 40 && p <= 47) {
            down = {id_of(side >= 0 ? side : main)};
            side = k;
        } else if (p == 49 && side >= 0) {
            down = {id_of(main), id_of(side)};
            main = k;
            side = -1;
        } else {
            if (main >= 0) down = {id_of(main)};
            main = k;
        }
        revs.push_back(rev(id_of(k), down));
    }
    return revs;
}

// Revisions visited by `work` on a graph of n branchy revisions.
template <typename Work>
size_t visits(int n, Work work) {
    RevisionGraph g(branchy(n));
    size_t before = detail::visit_count();
    work(g);
    return detail::visit_count() - before;
}

}  // namespace

TEST_CASE("branchy plans visit each revision a bounded number of times", "[graph][linear]") {
    auto upgrade = [](const RevisionGraph& g) {
        auto steps = g.plan_upgrade({}, "head");
        CHECK(steps.size() == g.revisions().size());
        CHECK(rows_after(steps) == Ids{g.heads()});
    };
    auto downgrade = [](const RevisionGraph& g) {
        CHECK(g.plan_downgrade(g.heads(), "base").size() == g.revisions().size());
    };
    auto history = [](const RevisionGraph& g) {
        CHECK(g.history_range(":", {}).size() == g.revisions().size());
    };
    for (auto work : {+upgrade, +downgrade, +history}) {
        size_t small = visits(2000, work), large = visits(8000, work);
        CAPTURE(small, large);
        CHECK(large <= 8 * 8000);
        CHECK(large <= 5 * small);  // 4x the revisions: about 4x the visits
    }
}

TEST_CASE("branchy upgrade order is Alembic's", "[graph][linear]") {
    // Alembic 1.8 (RevisionMap.iterate_revisions) lists this shape in file
    // order: at each merge it walks the main line down to the branch point,
    // finds that the side branch still needs it, and takes the side first.
    RevisionGraph g(branchy(200));
    Ids expected;
    for (int k = 0; k < 200; ++k) expected.push_back(id_of(k));
    CHECK(revs_of(g.plan_upgrade({}, "head")) == expected);
    std::reverse(expected.begin(), expected.end());
    CHECK(revs_of(g.plan_downgrade({id_of(199)}, "base")) == expected);
    CHECK(g.history_range(":", {}) == expected);
}

TEST_CASE("AncestorScan explores only down to what is asked", "[graph][linear]") {
    std::vector<Revision> revs{rev(id_of(0))};
    for (int i = 1; i < 1000; ++i) revs.push_back(rev(id_of(i), {id_of(i - 1)}));
    RevisionGraph g(revs);
    std::vector<int> covered(1000, 0);
    detail::AncestorScan scan(g.links(), {999}, &covered);
    size_t before = detail::visit_count();
    CHECK(scan.contains(990));
    CHECK(detail::visit_count() - before == 10);
    CHECK(scan.frontier() == 989);
    CHECK(covered[995] == 1);
    scan.drop_top();  // a plain step: 999 leaves, 998 and below stay
    CHECK(covered[999] == 0);
    CHECK_FALSE(scan.contains(999));
    CHECK(scan.contains(998));
    CHECK(scan.contains(0));
    scan.release();
    CHECK(std::all_of(covered.begin(), covered.end(), [](int c) { return c == 0; }));
}

TEST_CASE("labels and shared depends_on along long lines stay in shared sets", "[graph][linear]") {
    // A labelled chain of 3000 whose every revision depends on `other`: the
    // first dependent keeps the dependency, the rest inherit it.
    std::vector<Revision> revs{rev("other"), rev(id_of(0), {}, {"other"}, {"main"})};
    for (int i = 1; i < 3000; ++i) revs.push_back(rev(id_of(i), {id_of(i - 1)}, {"other"}));
    RevisionGraph g(revs);
    const auto& l = g.links();
    CHECK(l.norm_deps[g.index_of(id_of(0))].size() == 1);
    CHECK(l.norm_deps[g.index_of(id_of(1))].empty());
    CHECK(l.norm_deps[g.index_of(id_of(2999))].empty());
    CHECK(g.branch_labels(id_of(2999)) == Ids{"main"});
    CHECK(g.branch_labels(id_of(0)) == Ids{"main"});
    CHECK(g.branch_labels("other").empty());
    CHECK(l.label_sets.size() <= 3);
    auto steps = g.plan_upgrade({}, "heads");
    CHECK(steps.size() == 3001);
    CHECK(rows_after(steps) == Ids{id_of(2999)});
}

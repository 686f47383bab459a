// Large graphs plan correctly. Their speed (no per-step recomputation of all
// ancestors) is measured in bench/bench_graph.cpp: a wall-clock limit here
// failed on a loaded machine and under sanitizers.
#include <catch2/catch.hpp>

#include "graph_fixtures.hpp"

using namespace sg;
using namespace sg::test;

namespace {

std::string id_of(int i) { return "r" + std::to_string(100000 + i); }

// `branches` parallel lines from one root, merged every `merge_every` revisions.
std::vector<Revision> braided(int n, int branches, int merge_every) {
    std::vector<Revision> revs{rev(id_of(0))};
    std::vector<std::string> tips(static_cast<size_t>(branches), id_of(0));
    for (int i = 1; i < n; ++i) {
        if (i % merge_every == 0) {
            revs.push_back(rev(id_of(i), tips));
            std::fill(tips.begin(), tips.end(), id_of(i));
        } else {
            auto& tip = tips[static_cast<size_t>(i % branches)];
            revs.push_back(rev(id_of(i), {tip}));
            tip = id_of(i);
        }
    }
    return revs;
}

}  // namespace

TEST_CASE("10k linear revisions: build, upgrade and downgrade", "[graph][large]") {
    std::vector<Revision> revs{rev(id_of(0))};
    for (int i = 1; i < 10000; ++i) revs.push_back(rev(id_of(i), {id_of(i - 1)}));
    RevisionGraph g(revs);
    auto up = g.plan_upgrade({}, "head");
    auto down = g.plan_downgrade({id_of(9999)}, "base");
    auto hist = g.history_range(":", {});
    CHECK(up.size() == 10000);
    CHECK(down.size() == 10000);
    CHECK(hist.size() == 10000);
    CHECK(rows_after(up) == Ids{id_of(9999)});
}

TEST_CASE("10k revisions in four merged branches", "[graph][large]") {
    RevisionGraph g(braided(10000, 4, 97));
    auto up = g.plan_upgrade({}, "heads");
    CHECK(up.size() == 10000);
    auto down = g.plan_downgrade(rows_after(up), "base");
    CHECK(down.size() == 10000);
    CHECK(rows_after(down).empty());
}

// 100 live branches is already far beyond real migration directories (a
// root with thousands of heads: graph_plan_test.cpp and bench/compare.sh
// --only fanout).
TEST_CASE("100 branches of 100 revisions", "[graph][large]") {
    std::vector<Revision> revs{rev(id_of(0))};
    int next = 1;
    for (int b = 0; b < 100; ++b) {
        std::string parent = id_of(0);
        for (int k = 0; k < 100; ++k, ++next) {
            revs.push_back(rev(id_of(next), {parent}));
            parent = id_of(next);
        }
    }
    RevisionGraph g(revs);
    auto up = g.plan_upgrade({}, "heads");
    CHECK(rows_after(up).size() == 100);
    auto down = g.plan_downgrade(rows_after(up), id_of(0));
    CHECK(rows_after(down) == Ids{id_of(0)});
    CHECK(g.plan_stamp({}, "heads", false).size() == 100);
}

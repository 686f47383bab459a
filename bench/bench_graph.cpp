// sg::RevisionGraph on 10,000 synthetic revisions: build, plans, prefix
// resolution, history ranges.
#include <string>

#include "bench.hpp"
#include "core/graph.hpp"
#include "synth.hpp"

namespace {

constexpr int kRevisions = 10000;
const std::string kSize = std::to_string(kRevisions) + " revs";

const sg::RevisionGraph& graph() {
    static const sg::RevisionGraph g(bench::synthetic_graph(kRevisions));
    return g;
}

bench::Result build() {
    auto input = bench::synthetic_graph(kRevisions);
    const int reps = 3;
    double ms = 0;
    for (int i = 0; i < reps; ++i) {
        auto copy = input;  // the constructor takes its input by value
        bench::Timer t;
        sg::RevisionGraph g(std::move(copy));
        ms += t.ms();
        bench::keep(g);
    }
    return {kSize + " x" + std::to_string(reps), ms, reps};
}

bench::Result plan_upgrade() {
    const auto& g = graph();
    bench::Timer t;
    auto steps = g.plan_upgrade({}, "heads");
    return {std::to_string(steps.size()) + " steps", t.ms(), 1};
}

bench::Result plan_downgrade() {
    const auto& g = graph();
    auto heads = g.real_heads();
    bench::Timer t;
    auto steps = g.plan_downgrade(heads, "base");
    return {std::to_string(steps.size()) + " steps", t.ms(), 1};
}

bench::Result resolve_prefixes() {
    const auto& g = graph();
    size_t n = 0;
    bench::Timer t;
    for (const auto& r : g.revisions()) n += g.resolve(r.id.substr(0, 8)).size();
    return {std::to_string(n) + " prefixes", t.ms(), static_cast<double>(n)};
}

bench::Result history_range() {
    const auto& g = graph();
    auto heads = g.real_heads();
    const std::string mid = g.revisions()[kRevisions / 2].id;
    const std::string ranges[] = {"base:heads", mid + ":heads", "base:" + mid, "current:heads"};
    const std::vector<std::string> current = {mid};
    size_t listed = 0;
    bench::Timer t;
    for (const auto& range : ranges) listed += g.history_range(range, current).size();
    return {std::to_string(listed) + " listed", t.ms(), 4};
}

// Long targets (a 20,000-character target took 4.5 s with the old regex):
// resolving one must stay linear in its length.
bench::Result resolve_long_target() {
    const auto& g = graph();
    const std::string targets[] = {std::string(20000, 'a') + "@+1", std::string(20000, '@') + "x",
                                   std::string(20000, 'a')};
    size_t failed = 0;
    bench::Timer t;
    for (const auto& target : targets) {
        try {
            g.resolve(target);
        } catch (const sg::GraphError&) {
            ++failed;
        }
    }
    return {"3 x 20000 chars", t.ms(), static_cast<double>(failed)};
}

}  // namespace

int main(int argc, char** argv) {
    return bench::main(argc, argv,
                       {{"graph_build", build},
                        {"graph_plan_upgrade", plan_upgrade},
                        {"graph_plan_downgrade", plan_downgrade},
                        {"graph_resolve_prefix8", resolve_prefixes},
                        {"graph_history_range", history_range},
                        {"graph_resolve_long_target", resolve_long_target}});
}

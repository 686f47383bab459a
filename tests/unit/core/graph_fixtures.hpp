#pragma once
// Small builders for the graph tests: shapes named as in Alembic's
// tests/test_revision.py.
#include <string>
#include <vector>

#include "core/graph.hpp"

namespace sg::test {

using Ids = std::vector<std::string>;

inline Revision rev(std::string id, Ids down = {}, Ids depends_on = {}, Ids labels = {}) {
    Revision r;
    r.file = id + ".sql";
    r.id = std::move(id);
    r.down_revisions = std::move(down);
    r.depends_on = std::move(depends_on);
    r.branch_labels = std::move(labels);
    return r;
}

/// The revisions of the steps, in plan order.
inline Ids revs_of(const std::vector<Step>& steps) {
    Ids out;
    for (const auto& s : steps) out.push_back(s.revision);
    return out;
}

/// The version-table rows after the last step (or `before` when no step).
inline Ids rows_after(const std::vector<Step>& steps, Ids before = {}) {
    return steps.empty() ? before : steps.back().heads_after;
}

/// The rows after steps[k], replaying the row changes from `before`.
inline Ids rows_at(const std::vector<Step>& steps, size_t k, Ids before = {}) {
    for (size_t i = 0; i <= k; ++i) before = apply_row_ops(before, steps[i].row_ops);
    return before;
}

/// a1000 -> b2000 -> c3000 -> d4000
inline RevisionGraph linear() {
    return RevisionGraph(
        {rev("a1000"), rev("b2000", {"a1000"}), rev("c3000", {"b2000"}), rev("d4000", {"c3000"})});
}

/// aaaa -> bbb1, bbb2 -> cccc (merge)
inline RevisionGraph diamond() {
    return RevisionGraph(
        {rev("aaaa"), rev("bbb1", {"aaaa"}), rev("bbb2", {"aaaa"}), rev("cccc", {"bbb1", "bbb2"})});
}

/// r100 -> bil1 (label billing) -> bil2 ; r100 -> cli1 -> cli2
inline RevisionGraph labelled() {
    return RevisionGraph({rev("r100"), rev("bil1", {"r100"}, {}, {"billing"}),
                          rev("bil2", {"bil1"}), rev("cli1", {"r100"}), rev("cli2", {"cli1"})});
}

/// Two roots: base1 -> a200 -> a300 ; base2 -> b200 -> b300
inline RevisionGraph multiple_bases() {
    return RevisionGraph({rev("base1"), rev("a200", {"base1"}), rev("a300", {"a200"}), rev("base2"),
                          rev("b200", {"base2"}), rev("b300", {"b200"})});
}

/// Two roots; b200 depends on a200 (another branch): a100 -> a200 -> a300 ;
/// b100 -> b200 (depends_on a200) -> b300
inline RevisionGraph cross_dependency() {
    return RevisionGraph({rev("a100"), rev("a200", {"a100"}), rev("a300", {"a200"}), rev("b100"),
                          rev("b200", {"b100"}, {"a200"}), rev("b300", {"b200"})});
}

}  // namespace sg::test

// Alembic's own topological walk, so that plans visit revisions in the order
// Alembic does: with merge revisions whose parents are related (a merge of a
// revision and its own ancestor), the rows Alembic writes depend on it.
#include <algorithm>

#include "core/graph_walk.hpp"

namespace sg::detail {

std::vector<size_t> alembic_order(const GraphLinks& l, std::vector<char> todo,
                                  const std::vector<size_t>& heads) {
    std::vector<size_t> current;
    for (size_t h : heads)
        if (todo[h] && std::find(current.begin(), current.end(), h) == current.end())
            current.push_back(h);
    std::sort(current.begin(), current.end(),
              [&](size_t a, size_t b) { return l.input_pos[a] < l.input_pos[b]; });
    // ancestors[k]: what head k must still pass through; covered[i]: in how
    // many of those sets revision i is (to skip the scan in the common case).
    std::vector<std::vector<char>> ancestors;
    std::vector<int> covered(todo.size(), 0);
    auto track = [&](std::vector<char> mask) {
        for (size_t i = 0; i < mask.size(); ++i) covered[i] += mask[i];
        return mask;
    };
    auto untrack = [&](const std::vector<char>& mask) {
        for (size_t i = 0; i < mask.size(); ++i) covered[i] -= mask[i];
    };
    for (size_t h : current) ancestors.push_back(track(ancestor_mask(l, {h}, true)));
    std::vector<size_t> output;
    size_t idx = 0;
    while (!current.empty()) {
        size_t candidate = current[idx];
        // Another branch that still has to pass through the candidate goes first.
        if (covered[candidate] - ancestors[idx][candidate] > 0) {
            for (size_t k = 0; k < ancestors.size(); ++k) {
                if (k != idx && ancestors[k][candidate]) {
                    idx = k;
                    break;
                }
            }
            continue;
        }
        if (todo[candidate]) {
            output.push_back(candidate);
            todo[candidate] = 0;
        }
        std::vector<size_t> add;
        for (size_t d : l.norm_down[candidate])
            if (todo[d] && std::find(current.begin(), current.end(), d) == current.end())
                add.push_back(d);
        if (add.empty()) {
            untrack(ancestors[idx]);
            current.erase(current.begin() + static_cast<long>(idx));
            ancestors.erase(ancestors.begin() + static_cast<long>(idx));
            idx = idx > 0 ? idx - 1 : 0;
        } else if (l.norm_deps[candidate].empty() && l.down[candidate].size() == 1) {
            current[idx] = add[0];  // plain step down a line: just drop the candidate
            if (ancestors[idx][candidate]) --covered[candidate];
            ancestors[idx][candidate] = 0;
        } else {
            current[idx] = add[0];
            untrack(ancestors[idx]);
            ancestors[idx] = track(ancestor_mask(l, {add[0]}, true));
            for (size_t k = 1; k < add.size(); ++k) {
                current.push_back(add[k]);
                ancestors.push_back(track(ancestor_mask(l, {add[k]}, true)));
            }
        }
    }
    return output;
}

}  // namespace sg::detail

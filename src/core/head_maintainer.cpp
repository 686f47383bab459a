// Alembic's HeadMaintainer.update_to_step, step kind by step kind. Where
// Alembic would trip over its own bookkeeping (a KeyError or assertion: a row
// it expects is missing), the row change is made in the forgiving way: an
// update of a missing row becomes an insert, a delete of a missing row is
// skipped.
#include "core/head_maintainer.hpp"

#include <algorithm>

#include "core/graph_walk.hpp"

namespace sg::detail {

HeadMaintainer::HeadMaintainer(const RevisionGraph& graph, const std::vector<std::string>& rows)
    : m_graph(graph), m_rows(rows.begin(), rows.end()) {
    m_row_children.assign(graph.revisions().size(), 0);
    for (const auto& r : m_rows) count_parents(r, 1);
}

void HeadMaintainer::count_parents(const std::string& row, int delta) {
    if (!m_graph.find(row)) return;  // a row unknown to the files
    for (size_t d : m_graph.links().norm_down[m_graph.index_of(row)]) m_row_children[d] += delta;
}

bool HeadMaintainer::directly_covered(size_t rev, const std::set<std::string>& except) const {
    const std::string& id = m_graph.revisions()[rev].id;
    if (m_rows.count(id) && !except.count(id)) return true;
    int children = m_row_children[rev];
    for (const auto& e : except) {
        if (!m_rows.count(e) || !m_graph.find(e)) continue;
        const auto& downs = m_graph.links().norm_down[m_graph.index_of(e)];
        if (std::find(downs.begin(), downs.end(), rev) != downs.end()) --children;
    }
    return children > 0;
}

void HeadMaintainer::insert(const std::string& id) {
    if (!m_rows.insert(id).second) return;
    count_parents(id, 1);
    m_ops.push_back({RowOp::insert, "", id});
}

void HeadMaintainer::remove(const std::string& id) {
    if (!m_rows.erase(id)) return;
    count_parents(id, -1);
    m_ops.push_back({RowOp::remove, id, ""});
}

void HeadMaintainer::update(const std::string& from, const std::string& to) {
    if (!m_rows.count(from)) return insert(to);
    if (m_rows.count(to)) return remove(from);
    m_rows.erase(from);
    count_parents(from, -1);
    m_rows.insert(to);
    count_parents(to, 1);
    m_ops.push_back({RowOp::update, from, to});
}

std::vector<size_t> HeadMaintainer::minus_other_ancestors(const std::vector<size_t>& revs,
                                                          const std::set<std::string>& except) {
    // A revision that is another row, or a direct parent of one, is covered:
    // answered at once, without listing the other rows (a root with N heads
    // would list N per step).
    if (std::all_of(revs.begin(), revs.end(),
                    [&](size_t r) { return directly_covered(r, except); })) {
        return {};
    }
    // Consecutive steps on one branch leave the other rows alone: reuse the
    // scan while the rows other than `except` equal the cached ones. It only
    // looks as far down as the revisions asked about.
    auto others = [&] {
        std::vector<const std::string*> out;
        for (const auto& r : m_rows)
            if (!except.count(r)) out.push_back(&r);
        return out;
    }();
    if (others.empty()) return revs;
    bool hit = m_cache_scan && others.size() == m_cache_key.size() &&
               std::equal(others.begin(), others.end(), m_cache_key.begin(),
                          [](const std::string* a, const std::string& b) { return *a == b; });
    if (!hit) {
        std::vector<size_t> starts;
        m_cache_key.clear();
        for (const auto* o : others) {
            starts.push_back(m_graph.index_of(*o));
            m_cache_key.push_back(*o);
        }
        m_cache_scan.emplace(m_graph.links(), starts);
    }
    std::vector<size_t> out;
    for (size_t r : revs)
        if (!m_cache_scan->contains(r)) out.push_back(r);
    return out;
}

Step HeadMaintainer::finish(size_t rev, Direction direction) {
    Step step{m_graph.revisions()[rev].id, direction, std::move(m_ops), {}};
    m_ops.clear();
    return step;
}

Step HeadMaintainer::upgrade(size_t rev) {
    const auto& revs = m_graph.revisions();
    const std::string& id = revs[rev].id;
    const auto& downs = m_graph.links().norm_down[rev];
    std::vector<size_t> present;
    for (size_t d : downs)
        if (m_rows.count(revs[d].id)) present.push_back(d);
    if (present.empty()) {
        insert(id);  // a base, or none of the parents is a row: a new branch
    } else if (downs.size() > 1 && present.size() > 1) {
        // A merge: the parents that are rows collapse into this revision.
        std::set<std::string> parents;
        for (size_t d : downs) parents.insert(revs[d].id);
        auto from = minus_other_ancestors(downs, parents);
        std::vector<std::string> rows_from;
        for (size_t f : from)
            if (m_rows.count(revs[f].id)) rows_from.push_back(revs[f].id);
        if (rows_from.empty()) {
            insert(id);
        } else {
            for (size_t i = 0; i + 1 < rows_from.size(); ++i) remove(rows_from[i]);
            update(rows_from.back(), id);
        }
    } else {
        update(revs[present.front()].id, id);
    }
    return finish(rev, Direction::upgrade);
}

Step HeadMaintainer::downgrade(size_t rev) {
    const auto& revs = m_graph.revisions();
    const std::string& id = revs[rev].id;
    const auto& downs = m_graph.links().norm_down[rev];
    if (!m_rows.count(id)) return finish(rev, Direction::downgrade);
    auto to = minus_other_ancestors(downs, {id});
    if (downs.empty() || to.empty()) {
        remove(id);  // the parents stay covered by other rows (or it is a base)
    } else if (downs.size() > 1) {
        // An unmerge: the parents not covered by other rows come back.
        for (size_t i = 0; i + 1 < to.size(); ++i) insert(revs[to[i]].id);
        update(id, revs[to.back()].id);
    } else {
        update(id, revs[downs.front()].id);
    }
    return finish(rev, Direction::downgrade);
}

void HeadMaintainer::stamp(const std::vector<std::string>& from, const std::vector<std::string>& to,
                           bool is_upgrade, bool branch_move) {
    // The planner never builds a step without the rows it names (plan_stamp
    // refuses targets that reach one revision twice); fail rather than read
    // past an empty list if it ever does.
    auto need = [](const std::vector<std::string>& ids, const char* what) -> const std::string& {
        if (ids.empty()) fail({GraphProblemKind::stamp_without_row, {}, what});
        return ids.front();
    };
    auto missing = [&](const std::vector<std::string>& ids) {
        return std::any_of(ids.begin(), ids.end(), [&](const auto& i) { return !m_rows.count(i); });
    };
    if (!is_upgrade && branch_move) {
        remove(need(from, "to remove"));
    } else if (is_upgrade && (branch_move || missing(from)) && missing(to)) {
        insert(need(to, "to insert"));
    } else if (from.size() > 1) {
        for (size_t i = 0; i + 1 < from.size(); ++i) remove(from[i]);
        update(from.back(), need(to, "to move to"));
    } else {
        update(need(from, "to move"), need(to, "to move to"));
    }
    m_ops.clear();
}

}  // namespace sg::detail

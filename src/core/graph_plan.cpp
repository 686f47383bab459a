// Upgrade / downgrade / stamp plans and history ranges, as Alembic 1.8's
// ScriptDirectory._upgrade_revs / _downgrade_revs / _stamp_revs and
// RevisionMap._collect_*_revisions compute them.
#include <algorithm>
#include <set>
#include <unordered_set>

#include "core/graph.hpp"
#include "core/graph_walk.hpp"
#include "core/head_maintainer.hpp"

namespace sg {
using detail::fail;
using detail::kBase;
using detail::kNone;
using detail::Node;

namespace {

// The revisions among `nodes`, first occurrence kept: linear (a target of
// 10,000 heads is 10,000 nodes).
std::vector<size_t> revisions_only(const std::vector<Node>& nodes) {
    std::vector<size_t> out;
    std::unordered_set<size_t> seen;
    for (Node n : nodes)
        if (n >= 0 && seen.insert(static_cast<size_t>(n)).second)
            out.push_back(static_cast<size_t>(n));
    return out;
}

std::vector<std::string> to_ids(const detail::Walker& w, const std::vector<size_t>& is) {
    std::vector<std::string> out;
    for (size_t i : is) out.push_back(w.id(i));
    return out;
}

// `-1` walks down from every head: heads that share a parent give the same
// revision (or base) twice. Alembic 1.8 stamps the first and then fails an
// assertion on the second; say why instead.
void reject_repeated_destinations(const detail::Walker& w, const std::vector<Node>& dests,
                                  const std::string& target) {
    for (size_t i = 0; i < dests.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            bool same = dests[i] == dests[j] || (dests[i] < 0 && dests[j] < 0);
            if (!same) continue;
            std::vector<std::string> ids;
            if (dests[i] >= 0) ids.push_back(w.id(static_cast<size_t>(dests[i])));
            fail({GraphProblemKind::repeated_stamp_target, std::move(ids), target});
        }
    }
}

}  // namespace

std::vector<std::string> RevisionGraph::resolve(const std::string& target,
                                                const std::vector<std::string>& current) const {
    detail::Walker w(*this);
    if (target == "current") return current;
    std::vector<Node> nodes;
    auto rel = detail::parse_relative(target);
    if (rel && rel->steps < 0 && !rel->symbol) {
        nodes.push_back(w.parse_downgrade_target(current, target, true).second);
    } else if (rel) {
        nodes = w.parse_upgrade_target(current, target, true);
        if (nodes.size() == 1 && nodes[0] == kNone) fail({GraphProblemKind::walked_too_far, {}});
    } else {
        nodes = w.get_revisions(target);
        if (std::find(nodes.begin(), nodes.end(), kNone) != nodes.end())
            fail({GraphProblemKind::relative_past_branch, {}, target});
    }
    return to_ids(w, revisions_only(nodes));
}

std::vector<Step> RevisionGraph::plan_upgrade(const std::vector<std::string>& current,
                                              const std::string& target) const {
    detail::Walker w(*this);
    auto nodes = w.parse_upgrade_target(current, target.empty() ? "head" : target, true);
    for (Node n : nodes)  // Alembic asserts on these; say why instead
        if (n == kNone || n == kBase) fail({GraphProblemKind::relative_past_graph, {}, target});
    auto targets = revisions_only(nodes);
    detail::check_overlap(w, m_links, targets);
    auto now = revisions_only(w.get_revisions(current));
    detail::check_overlap(w, m_links, now);
    auto required = detail::ancestor_mask(m_links, targets, true);
    auto applied = detail::ancestor_mask(m_links, now, true);
    for (size_t i = 0; i < required.size(); ++i) required[i] = required[i] && !applied[i];
    auto order = detail::alembic_order(m_links, required, targets);
    std::reverse(order.begin(), order.end());
    detail::HeadMaintainer heads(*this, current);
    std::vector<Step> steps;
    steps.reserve(order.size());
    for (size_t r : order) steps.push_back(heads.upgrade(r));
    if (!steps.empty()) steps.back().heads_after = heads.rows();
    return steps;
}

std::vector<Step> RevisionGraph::plan_downgrade(const std::vector<std::string>& current,
                                                const std::string& target) const {
    detail::Walker w(*this);
    auto [label, dest] = w.parse_downgrade_target(current, target, true);
    if (dest == kBase) dest = kNone;
    std::vector<size_t> roots;
    if (dest == kNone) {
        roots = m_links.bases;
    } else {
        roots = m_links.next[static_cast<size_t>(dest)];
    }
    if (label && roots.size() > 1) {
        auto on_branch = detail::ancestor_mask(m_links, {w.resolve_branch(*label)}, false);
        roots.erase(
            std::remove_if(roots.begin(), roots.end(), [&](size_t r) { return !on_branch[r]; }),
            roots.end());
        if (roots.empty()) fail({GraphProblemKind::no_downgrade_root, {}, target});
    }
    auto now = revisions_only(w.get_revisions(current));
    auto drop = detail::descendant_mask(m_links, roots, true);
    auto active = detail::ancestor_mask(m_links, now, true);
    for (size_t i = 0; i < drop.size(); ++i) drop[i] = drop[i] && active[i];
    bool nothing = std::none_of(drop.begin(), drop.end(), [](char c) { return c != 0; });
    if (dest != kNone && nothing &&
        std::find(now.begin(), now.end(), static_cast<size_t>(dest)) == now.end())
        fail({GraphProblemKind::not_a_downgrade_target, {}, target});
    auto order = detail::alembic_order(m_links, drop, now);
    detail::HeadMaintainer heads(*this, current);
    std::vector<Step> steps;
    steps.reserve(order.size());
    for (size_t r : order) steps.push_back(heads.downgrade(r));
    if (!steps.empty()) steps.back().heads_after = heads.rows();
    return steps;
}

std::vector<std::string> RevisionGraph::plan_stamp(const std::vector<std::string>& current,
                                                   const std::string& target, bool purge) const {
    detail::Walker w(*this);
    std::vector<std::string> rows = purge ? std::vector<std::string>{} : current;
    std::string dest_text = target.empty() ? "base" : target;
    auto head_revs = revisions_only(w.get_revisions(rows));
    auto filtered = w.filter_for_lineage(head_revs, dest_text, true);
    auto dests = w.get_revisions(dest_text);
    if (dests.empty()) dests.push_back(kNone);
    reject_repeated_destinations(w, dests, dest_text);
    detail::HeadMaintainer heads(*this, rows);
    for (Node dest : dests) {
        if (dest < 0) {
            for (size_t h : filtered) heads.stamp({w.id(h)}, {}, false, true);
            continue;
        }
        size_t d = static_cast<size_t>(dest);
        if (std::find(filtered.begin(), filtered.end(), d) != filtered.end()) continue;
        auto up = detail::descendant_mask(m_links, {d}, true);
        auto down = detail::ancestor_mask(m_links, {d}, true);
        auto any = [&](const std::vector<char>& m) {
            return std::any_of(filtered.begin(), filtered.end(), [&](size_t h) { return m[h]; });
        };
        auto from = to_ids(w, filtered);
        if (any(up))
            heads.stamp(from, {w.id(d)}, false, false);
        else if (any(down))
            heads.stamp(from, {w.id(d)}, true, false);
        else
            heads.stamp({}, {w.id(d)}, true, true);
    }
    return heads.rows();
}

std::vector<std::string> apply_row_ops(const std::vector<std::string>& rows,
                                       const std::vector<RowOp>& ops) {
    std::set<std::string> out(rows.begin(), rows.end());
    for (const auto& op : ops) {
        if (op.kind != RowOp::insert) out.erase(op.from);
        if (op.kind != RowOp::remove) out.insert(op.to);
    }
    return {out.begin(), out.end()};
}

std::pair<std::vector<std::string>, std::vector<std::string>> step_rows(const Step& step) {
    std::set<std::string> from, to;
    for (const auto& op : step.row_ops) {
        if (op.kind != RowOp::insert) from.insert(op.from);
        if (op.kind != RowOp::remove) to.insert(op.to);
    }
    return {{from.begin(), from.end()}, {to.begin(), to.end()}};
}

}  // namespace sg
